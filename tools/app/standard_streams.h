// The process's standard streams, guarded before anything opens a file.
#pragma once

namespace ccl::app {

// Call first in main, before any file is opened. A program started with
// standard input, output or error closed (`cmd <&-`, `>&-`, `2>&-`, or a
// careless supervisor) would hand that descriptor number to the next file
// it opens: a ledger's WAL or LOG, say. Then every message meant for the
// closed stream would be written into that file, and "standard input" read
// from it. Each closed one of descriptors 0, 1 and 2 is therefore taken by
// /dev/null opened the wrong way round (read-only for output, write-only
// for input), so the stream stays unusable, as its closer meant: a write
// to it fails with EBADF and is reported as a failed write, a read fails
// likewise, and no file of ours can ever take its number. Returns false
// when a closed descriptor could not be taken (no /dev/null): the caller
// must then not run.
bool GuardStandardStreams();

}  // namespace ccl::app
