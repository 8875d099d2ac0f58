// Runs one benchmark phase in a forked child process.
//
// Why a child per phase: every system starts from a fresh process, so one
// phase's memory, caches and background threads do not slow down or inflate
// the next (peak_rss_mb is the ledger phase's own peak), and a peer that
// crashes costs its own metrics, not the run.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "tools/bench/report.h"

namespace ccl::bench {

// Forks, runs `phase` in the child and returns the Report it filled. Metrics
// in `expected` that the child neither measured nor excused are marked missing
// with how the child ended (exit code or signal).
// REQUIRES: the caller has no other threads running (fork copies only the
// calling thread; the parent never opens RocksDB or starts threads itself).
Report RunIsolated(std::string_view label, std::span<const std::string_view> expected,
                   const std::function<void(Report*)>& phase);

}  // namespace ccl::bench
