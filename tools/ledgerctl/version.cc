// `ledgerctl --version`: what a bug report or an audit record needs to name
// the exact build. The git revision comes from a header generated at build
// time (tools/ledgerctl/build_info.cmake), so it follows every commit.
#include <rocksdb/version.h>

#include <string>

#include "ledger/store/keys.h"
#include "ledgerctl_build_info.h"  // generated: CCL_GIT_REVISION
#include "tools/allocator/allocator.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

std::string VersionText() {
  return std::string("ledgerctl ") + CCL_VERSION + "\nledger format " +
         std::to_string(ledger::kFormatVersion) + "\ngit revision " + CCL_GIT_REVISION +
         "\nRocksDB " + rocksdb::GetRocksVersionAsString(true) + "\nallocator " +
         allocator::Name() + "\n";
}

}  // namespace ccl::tools
