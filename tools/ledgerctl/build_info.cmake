# Run at every build (cmake -P): writes OUT, a header with the git revision of
# SRC, rewriting it only when the revision changed so nothing else rebuilds.
# A source tree that is not a git checkout (a tarball) says "unknown".
# A tarball unpacked inside some other checkout must not report that one's
# revision: the checkout's top level has to be SRC itself.
execute_process(
  COMMAND git -C "${SRC}" rev-parse --show-toplevel --short=12 HEAD
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
set(revision "")
if(rc EQUAL 0)
  string(REPLACE "\n" ";" out "${out}")
  list(GET out 0 top)
  list(GET out 1 revision)
  file(REAL_PATH "${SRC}" src_real)
  file(REAL_PATH "${top}" top_real)
  if(NOT src_real STREQUAL top_real)
    set(revision "")
  endif()
endif()
if(revision STREQUAL "")
  set(revision "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" diff --quiet HEAD -- RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty EQUAL 1)
    string(APPEND revision "-dirty")
  endif()
endif()
set(text "// Generated at build time by tools/ledgerctl/build_info.cmake.\n#pragma once\n#define CCL_GIT_REVISION \"${revision}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
