// The allocator's settings, read by jemalloc when the process starts.
//
// Why jemalloc with transparent huge pages: a bulk import of a million
// events holds about 0.6 GB in hash tables, vectors and buffers that it
// fills once and walks at random. With 4 KiB pages that costs a page fault
// per page on first touch (164,000 for that import) and a TLB miss on most
// random reads. Debian's kernel gives huge pages only to memory that asks
// for them (transparent_hugepage=madvise), and glibc's malloc asks only when
// told by an environment variable (GLIBC_TUNABLES=glibc.malloc.hugetlb=1);
// jemalloc asks when told by this definition. The figures, both ways:
// README "The allocator: jemalloc with transparent huge pages".
//
//   thp:always         jemalloc's arenas are madvised for huge pages
//   metadata_thp:auto  so are its own metadata, once they are large
//   background_thread  purging of freed pages happens on jemalloc's own
//                      thread, not inside the ledger's appending thread
#ifdef CCL_ALLOCATOR_JEMALLOC
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:auto,background_thread:true";
}
#endif

namespace ccl::allocator {

// The allocator this executable was built with (ledgerctl --version).
const char* Name() {
#ifdef CCL_ALLOCATOR_JEMALLOC
  return "jemalloc (transparent huge pages)";
#else
  return "system malloc";
#endif
}

}  // namespace ccl::allocator
