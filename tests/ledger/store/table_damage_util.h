// Test helpers for damaged table files: which table file of a closed
// ledger's folder holds a column family, a byte changed in the middle of
// one, and how far the file still reads in key order.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ledger/store/keys.h"

namespace ccl::ledger::testing {

// The path of the largest table file (*.sst) of the ledger folder `path`
// that holds column family `cf`; "" (and a test failure) when none does.
inline std::string TableFileOf(const std::string& path, ColumnFamilyId cf) {
  std::string found;
  uintmax_t found_size = 0;
  for (const auto& e : std::filesystem::directory_iterator(path)) {
    if (e.path().extension() != ".sst") continue;
    rocksdb::SstFileReader reader{rocksdb::Options()};
    if (!reader.Open(e.path().string()).ok()) continue;
    if (reader.GetTableProperties()->column_family_name != kColumnFamilyNames[cf]) continue;
    if (e.file_size() > found_size) {
      found = e.path().string();
      found_size = e.file_size();
    }
  }
  EXPECT_FALSE(found.empty()) << "no table file of column family " << kColumnFamilyNames[cf];
  return found;
}

// Changes one bit of the byte in the middle of `file`: in a table file of
// many data blocks, one of them, which then fails its checksum.
inline void DamageMiddleOf(const std::string& file) {
  const auto at = static_cast<std::streamoff>(std::filesystem::file_size(file) / 2);
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(at);
  const char c = static_cast<char>(f.get());
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x10));
}

// Reads the table file `file` in key order, checksums checked, up to the
// first block that cannot be read. True when such a block stopped it; then
// *last_key is the last key read before it ("" when none was).
inline bool ReadUpToDamage(const std::string& file, std::string* last_key) {
  rocksdb::SstFileReader reader{rocksdb::Options()};
  if (!reader.Open(file).ok()) return true;
  last_key->clear();
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(ro));
  for (it->SeekToFirst(); it->Valid(); it->Next()) *last_key = it->key().ToString();
  return !it->status().ok();
}

// For a table file keyed by seq (`events`, `chain`): the seq of the first
// key its damaged block hid (the one after the last key read), 0 when no
// block of it is damaged.
inline uint64_t FirstSeqHiddenIn(const std::string& file) {
  std::string last;
  if (!ReadUpToDamage(file, &last)) return 0;
  uint64_t seq = 0;
  if (!last.empty()) {
    EXPECT_TRUE(DecodeSeq(last, &seq));
  }
  return seq + 1;
}

}  // namespace ccl::ledger::testing
