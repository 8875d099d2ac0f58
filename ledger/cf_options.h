// The ledger's column-family options (ledger/ledger_open.cc), shared with
// tools that must store exactly as the ledger does (tools/bench's key-layout
// peer), so the two cannot drift apart.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <memory>
#include <vector>

#include "ledger/keys.h"

namespace ccl::ledger {

// Options of column family `id`, its table blocks cached in `cache`. The
// memtable insert hints they carry start off (see EnableInsertHints).
rocksdb::ColumnFamilyOptions CfOptions(ColumnFamilyId id,
                                       const std::shared_ptr<rocksdb::Cache>& cache);

// Turns on the insert hints of every column family in `cfs`. Call only once
// the DB is open and its WAL recovered (ledger/ledger_open.cc HintPrefix).
void EnableInsertHints(const std::vector<rocksdb::ColumnFamilyOptions>& cfs);

}  // namespace ccl::ledger
