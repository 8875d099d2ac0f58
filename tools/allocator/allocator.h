// The memory allocator of this executable (tools/allocator/allocator.cc
// explains the choice). Link the object library ccl_allocator into an
// executable, never into a library: it defines the allocator's settings for
// the whole process.
#pragma once

namespace ccl::allocator {

// "jemalloc (transparent huge pages)" or "system malloc".
const char* Name();

}  // namespace ccl::allocator
