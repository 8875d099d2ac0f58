// Naming the table file behind a damaged ledger: missing, not the file the
// MANIFEST lists, or failing its checksums (ledger/store/ledger_impl.h
// CheckLiveTables, MetaMissing, WithTableDamage).
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <algorithm>
#include <cstdarg>
#include <memory>
#include <string>
#include <vector>

#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

std::vector<std::string> TableFilesIn(rocksdb::Env* env, const std::string& path) {
  std::vector<std::string> names;
  if (!env->GetChildren(path, &names).ok()) return {};
  std::erase_if(names, [](const std::string& n) { return !n.ends_with(".sst"); });
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// The first table file of the folder `path` (by name) whose blocks fail
// their checksums, "NAME: <RocksDB's words>" (NAME also in *file); "" when
// every one passes.
// Each file is read whole, on its own: RocksDB opens a table whose
// properties block is damaged and then answers NotFound for its keys, and a
// secondary instance leaves out a table it cannot open.
std::string FirstDamagedTable(rocksdb::Env* env, const std::string& path, std::string* file) {
  rocksdb::Options o;
  o.env = env;
  for (const std::string& name : TableFilesIn(env, path)) {
    rocksdb::SstFileReader reader(o);
    rocksdb::Status s = reader.Open(path + "/" + name);
    if (s.ok()) s = reader.VerifyChecksum();
    if (s.IsCorruption()) {  // not a failed read
      *file = name;
      return name + ": " + s.ToString();
    }
  }
  return "";
}

std::string FileName(const rocksdb::LiveFileMetaData& f) {
  if (!f.relative_filename.empty()) return f.relative_filename;
  return f.name.starts_with('/') ? f.name.substr(1) : f.name;
}

// Why the table file `f` (of the folder `path`) that the MANIFEST lists is
// not the one in the folder, or "": missing, of another size, of another
// column family, or not running from the listed first key to the listed last.
std::string TableMismatch(rocksdb::Env* env, const rocksdb::LiveFileMetaData& f,
                          const std::string& path) {
  const std::string file = path + "/" + FileName(f);
  uint64_t size = 0;
  const rocksdb::Status s = env->GetFileSize(file, &size);
  if (s.IsNotFound() || (!s.ok() && env->FileExists(file).IsNotFound())) {
    return "is missing (the MANIFEST lists it: " + std::to_string(f.size) +
           " bytes of column family '" + f.column_family_name + "')";
  }
  if (!s.ok()) return "";  // unreadable: a read reports it
  const std::string listed = ", where the MANIFEST lists " + std::to_string(f.size) +
                             " bytes of column family '" + f.column_family_name + "'";
  if (size != f.size) {
    return "is not the file the MANIFEST lists: it holds " + std::to_string(size) + " bytes" +
           listed;
  }
  rocksdb::Options o;
  o.env = env;
  rocksdb::SstFileReader reader(o);
  if (!reader.Open(file).ok()) return "";  // FirstDamagedTable names it
  const std::shared_ptr<const rocksdb::TableProperties> p = reader.GetTableProperties();
  if (p != nullptr && p->column_family_name != f.column_family_name) {
    return "is not the file the MANIFEST lists: a table of column family '" +
           p->column_family_name + "'" + listed;
  }
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
  it->SeekToFirst();
  const bool first_ok = it->Valid() && it->key().ToString() == f.smallestkey;
  it->SeekToLast();
  const bool last_ok = it->Valid() && it->key().ToString() == f.largestkey;
  if (!it->status().ok() || f.num_entries == 0 || f.num_entries == f.num_deletions) return "";
  if (!first_ok || !last_ok) {
    return "is not the file the MANIFEST lists: its keys are not the listed ones" + listed;
  }
  return "";
}

// Drops RocksDB's diagnostics: the listing below writes no file.
class QuietLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

// The table files the current MANIFEST of `path` lists, by number, into
// *files; false when it cannot be read. A read-only instance that opens no
// table at open (max_open_files not -1), so a missing one does not stop it:
// the ledger's own instances open every table at open, and a secondary
// leaves out, without a word, each one it cannot open.
bool ListedTables(const rocksdb::DBOptions& ledger_options, const std::string& path,
                  std::vector<rocksdb::LiveFileMetaData>* files) {
  rocksdb::DBOptions o;
  o.env = ledger_options.env;
  o.max_open_files = 16;
  o.paranoid_checks = false;
  o.info_log = std::make_shared<QuietLogger>();
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(o, path, &names).ok()) return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(o, path, cfs, &handles, &db).ok()) return false;
  db->GetLiveFilesMetaData(files);
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  delete db;
  std::sort(files->begin(), files->end(),
            [](const auto& a, const auto& b) { return a.file_number < b.file_number; });
  return true;
}

}  // namespace

std::string LedgerImpl::FirstMissingOrWrongTable(std::string* file) {
  std::vector<rocksdb::LiveFileMetaData> files;
  if (!ListedTables(db_options_, path_, &files)) return "";
  for (const rocksdb::LiveFileMetaData& f : files) {
    const std::string why = TableMismatch(db_options_.env, f, path_);
    if (why.empty()) continue;
    // A writer's compaction deletes its inputs once a newer MANIFEST no
    // longer lists them: only a file the MANIFEST still lists is damage.
    std::vector<rocksdb::LiveFileMetaData> again;
    if (!ListedTables(db_options_, path_, &again)) return "";
    const bool listed = std::any_of(again.begin(), again.end(), [&](const auto& g) {
      return g.file_number == f.file_number && g.size == f.size;
    });
    if (listed && !TableMismatch(db_options_.env, f, path_).empty()) {
      if (file != nullptr) *file = FileName(f);
      return FileName(f) + " " + why;
    }
  }
  return "";
}

std::string LedgerImpl::TableDamage(std::string* file) {
  std::string name;
  std::string damage = FirstMissingOrWrongTable(&name);
  if (damage.empty()) damage = FirstDamagedTable(db_options_.env, path_, &name);
  if (file != nullptr) *file = name;
  return damage;
}

namespace {

// How an error names the table damage TableDamage found.
std::string TableDamageClause(const std::string& damage) {
  return ": " + std::string(kTableDamageText) + " (" + damage + "); ";
}

}  // namespace

Status LedgerImpl::CheckLiveTables() {
  // A table file in the folder that the instance does not hold is one it
  // could not open (a swapped file), or one newer than its view: the
  // MANIFEST tells which.
  std::vector<rocksdb::LiveFileMetaData> live;
  db_->GetLiveFilesMetaData(&live);
  std::vector<std::string> held;
  for (const rocksdb::LiveFileMetaData& f : live) held.push_back(FileName(f));
  std::sort(held.begin(), held.end());
  const std::vector<std::string> present = TableFilesIn(db_options_.env, path_);
  if (std::includes(held.begin(), held.end(), present.begin(), present.end())) {
    return Status::OK();
  }
  const std::string damage = FirstMissingOrWrongTable();
  if (damage.empty()) return Status::OK();
  return Status::Corruption(path_ + TableDamageClause(damage) + DamagedLedgerAdvice());
}

Status LedgerImpl::MetaMissing(std::string_view what) {
  const std::string damage = TableDamage();
  return Status::Corruption(
      path_ + ": meta '" + std::string(what) + "' missing" +
      (damage.empty() ? ": not a ledger, or a damaged one; " : TableDamageClause(damage)) +
      DamagedLedgerAdvice());
}

Status LedgerImpl::WithTableDamage(const Status& s, std::string* file) {
  if (s.code() != Status::Code::kCorruption) return s;
  const std::string damage = TableDamage(file);
  if (damage.empty()) return s;
  return Status::Corruption(s.message() + TableDamageClause(damage) + DamagedLedgerAdvice());
}

}  // namespace ccl::ledger
