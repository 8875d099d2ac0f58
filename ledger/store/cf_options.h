// The ledger's column-family options, as ledger_open.cc opens the store
// with them: public so that a program which must store exactly as the ledger
// does (a benchmark peer of the same key layout) takes them from here and
// cannot drift apart from the ledger.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <memory>
#include <vector>

#include "ledger/store/keys.h"

namespace ccl::ledger {

// Options of column family `id`, its table blocks cached in `cache`. The
// memtable insert hints they carry start off (see EnableInsertHints).
// `ids` has a hash-based memtable and a prefix extractor: every iterator over
// it must set ReadOptions::total_order_seek, or it may skip entries still in
// the memtable. Point lookups need nothing.
rocksdb::ColumnFamilyOptions CfOptions(ColumnFamilyId id,
                                       const std::shared_ptr<rocksdb::Cache>& cache);

// Turns on the insert hints of every column family in `cfs`. Call only once
// the DB is open and its WAL recovered (ledger/store/cf_options.cc HintPrefix).
void EnableInsertHints(const std::vector<rocksdb::ColumnFamilyOptions>& cfs);

}  // namespace ccl::ledger
