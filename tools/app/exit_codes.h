// The exit codes every front end process ends with (README "Exit codes"):
// `ledgerctl` after a command, `ledgerd` after it stops serving. One mapping
// from a library Status, so the two can never disagree.
#pragma once

#include "events/base/status.h"

namespace ccl::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;    // rejected input or rule, not found
inline constexpr int kExitUsage = 2;       // bad command line or settings
inline constexpr int kExitCorruption = 3;  // verification failure or corruption
inline constexpr int kExitIO = 4;          // I/O, lock

// The exit code of `s`: kExitOk for OK; InvalidArgument, RuleViolation,
// Conflict, NotFound kExitRejected; Corruption kExitCorruption; IOError,
// Busy kExitIO.
int ExitCodeFor(const Status& s);

}  // namespace ccl::app
