// Open and create: what a folder must hold before a ledger is created in it,
// and what read-only opens leave behind.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "ledger/store/ledger_folder.h"
#include "ledger/store/ledger_impl.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

namespace fs = std::filesystem;

// Every file of a folder with its size: what "nothing was changed" compares.
std::map<std::string, uintmax_t> Listing(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out[e.path().filename().string()] = e.is_regular_file() ? e.file_size() : 0;
  }
  return out;
}

// Changes one bit of the byte at `at` of `file`.
void FlipByte(const fs::path& file, uintmax_t at) {
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(static_cast<std::streamoff>(at));
  const char c = static_cast<char>(f.get());
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x40));
}

class LedgerOpenTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.Sub("db"); }
  Status OpenWith(bool create, bool read_only, std::unique_ptr<Ledger>* out) {
    Options o;
    o.create_if_missing = create;
    o.read_only = read_only;
    o.clock = &clock_;
    o.bulk_ingest_bytes_min = 1;  // events in table files, as after a large import
    return Ledger::Open(o, path(), out);
  }
  // A ledger with events in table files, whose CURRENT and empty WALs are
  // then deleted: what a user had after copying a ledger carelessly.
  void MakeLedgerWithoutCurrent() {
    std::unique_ptr<Ledger> l;
    ASSERT_TRUE(OpenWith(true, false, &l).ok());
    std::vector<Event> batch = {f_.Open("C1")};
    for (int i = 0; i < 20; ++i) batch.push_back(f_.Book("C1", ServiceLine::kReactive, 1 + i));
    AppendResult r;
    ASSERT_TRUE(l->Append(batch, AppendOptions(), &r).ok());
    l.reset();
    fs::remove(path() + "/CURRENT");
    for (const auto& e : fs::directory_iterator(path())) {
      if (e.path().extension() == ".log" && e.file_size() == 0) fs::remove(e.path());
    }
  }

  // A new ledger of one contract and `bookings` bookings, its events in
  // table files; closed again. Returns its head (and *id, its id).
  Head MakeLedgerInTables(int bookings, events::Uuid* id = nullptr) {
    std::unique_ptr<Ledger> l;
    EXPECT_TRUE(OpenWith(true, false, &l).ok());
    std::vector<Event> batch = {f_.Open("C1")};
    for (int i = 0; i < bookings; ++i) {
      batch.push_back(f_.Book("C1", ServiceLine::kReactive, 1 + i % 60));
    }
    AppendResult r;
    EXPECT_TRUE(l->Append(batch, AppendOptions(), &r).ok());
    if (id != nullptr) *id = l->ledger_id();
    return l->head();
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
};

TEST_F(LedgerOpenTest, CreateRefusesAFolderHoldingLedgerDataAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeLedgerWithoutCurrent());
  const auto before = Listing(path());
  std::unique_ptr<Ledger> l;
  Status s = OpenWith(true, false, &l);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(".sst"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("restore"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("init"), std::string::npos) << s.message();
  EXPECT_EQ(Listing(path()), before);
}

TEST_F(LedgerOpenTest, ReadersCallAFolderHoldingLedgerDataDamagedNotMissing) {
  ASSERT_NO_FATAL_FAILURE(MakeLedgerWithoutCurrent());
  const auto before = Listing(path());
  for (bool read_only : {true, false}) {
    std::unique_ptr<Ledger> l;
    Status s = OpenWith(false, read_only, &l);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  }
  EXPECT_EQ(Listing(path()), before);
}

// A flipped byte in the WAL stops every open: the message says the files
// are damaged and how to restore, not only RocksDB's "checksum mismatch".
TEST_F(LedgerOpenTest, ADamagedWalIsCalledDamagedWithWhatToDo) {
  {
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    std::unique_ptr<Ledger> l;
    ASSERT_TRUE(Ledger::Open(o, path(), &l).ok());
    std::vector<Event> batch = {f_.Open("C1")};
    for (int i = 0; i < 20; ++i) batch.push_back(f_.Book("C1", ServiceLine::kReactive, 1 + i));
    AppendResult r;
    ASSERT_TRUE(l->Append(batch, AppendOptions(), &r).ok());
  }
  std::string wal;
  for (const auto& e : fs::directory_iterator(path())) {
    if (e.path().extension() == ".log" && e.file_size() > 1000) wal = e.path().string();
  }
  ASSERT_FALSE(wal.empty()) << "the events are in a WAL";
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff middle = static_cast<std::streamoff>(fs::file_size(wal) / 2);
    f.seekg(middle);
    const char c = static_cast<char>(f.get() ^ 0xff);
    f.seekp(middle);
    f.put(c);
  }
  for (bool read_only : {true, false}) {
    std::unique_ptr<Ledger> l;
    Status s = OpenWith(false, read_only, &l);
    EXPECT_TRUE(s.IsCorruption()) << (read_only ? "read-only: " : "writer: ") << s.ToString();
    EXPECT_NE(s.message().find("damaged"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("restore"), std::string::npos) << s.message();
  }
}

TEST_F(LedgerOpenTest, CreateRefusesAFolderOfOtherFiles) {
  fs::create_directories(path());
  std::ofstream(path() + "/notes.txt") << "mine\n";
  std::unique_ptr<Ledger> l;
  Status s = OpenWith(true, false, &l);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("notes.txt"), std::string::npos) << s.message();
  EXPECT_EQ(Listing(path()), (std::map<std::string, uintmax_t>{{"notes.txt", 5}}));
  // Not NotFound: the command-line tools answer that with "create one".
  EXPECT_TRUE(OpenWith(false, true, &l).IsInvalidArgument());
}

// The marker a creation writes first, as WriteCreationMarker writes it.
void WriteMarker(const std::string& path) {
  fs::create_directories(path);
  ASSERT_TRUE(WriteCreationMarker(rocksdb::Env::Default(), path).ok());
}

// What RocksDB writes before CURRENT exists, beside the creation's marker, is
// a creation a crash interrupted: creating again finishes it.
TEST_F(LedgerOpenTest, CreateFinishesACreationInterruptedBeforeCurrent) {
  WriteMarker(path());
  for (const char* name :
       {"LOCK", "LOG", "IDENTITY", "000000.dbtmp", "MANIFEST-000001", "000001.dbtmp"}) {
    std::ofstream(path() + "/" + name) << "x";
  }
  std::unique_ptr<Ledger> l;
  Status s = OpenWith(false, true, &l);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("did not finish"), std::string::npos) << s.message();
  s = OpenWith(true, false, &l);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(l->head().seq, 0u);
  EXPECT_FALSE(fs::exists(path() + "/" + std::string(kCreationMarker)));
}

// Without the marker, files of RocksDB's names are someone's own: RocksDB
// would write over LOG and IDENTITY, so a creation refuses them, naming them.
TEST_F(LedgerOpenTest, CreateRefusesFilesOfRocksDbNamesItDidNotWrite) {
  for (const char* name : {"LOG", "IDENTITY", "LOCK"}) {
    fs::remove_all(path());
    fs::create_directories(path());
    std::ofstream(path() + "/" + name) << "mine\n";
    std::unique_ptr<Ledger> l;
    Status s = OpenWith(true, false, &l);
    EXPECT_TRUE(s.IsInvalidArgument()) << name << ": " << s.ToString();
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
    EXPECT_EQ(Listing(path()), (std::map<std::string, uintmax_t>{{name, 5}})) << name;
  }
  // Nor is a marker of other content ours.
  fs::remove_all(path());
  fs::create_directories(path());
  std::ofstream(path() + "/" + std::string(kCreationMarker)) << "mine\n";
  std::ofstream(path() + "/LOG") << "mine\n";
  std::unique_ptr<Ledger> l;
  EXPECT_TRUE(OpenWith(true, false, &l).IsInvalidArgument());
}

// A creation stopped after RocksDB made the database but before the meta
// (a full disk): the marker is left, and creating again finishes it;
// readers and writers without create say that the creation did not finish.
TEST_F(LedgerOpenTest, CreateFinishesADatabaseItsCreationLeftWithoutMeta) {
  std::unique_ptr<Ledger> l;
  ASSERT_TRUE(OpenWith(true, false, &l).ok());
  l.reset();
  // What the failed creation left: the database and its column families,
  // the marker, no meta.
  {
    rocksdb::DB* db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path(), &names).ok());
    for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path(), cfs, &handles, &db).ok());
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      if (h->GetName() != "meta") continue;
      for (const char* key : {"format_version", "ledger_id", "head"}) {
        ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), h, key).ok());
      }
    }
    for (rocksdb::ColumnFamilyHandle* h : handles)
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  WriteMarker(path());
  for (bool read_only : {true, false}) {
    Status s = OpenWith(false, read_only, &l);
    EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    EXPECT_NE(s.message().find("did not finish"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(path()), std::string::npos) << s.message();
  }
  Status s = OpenWith(true, false, &l);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(l->head().seq, 0u);
  EXPECT_FALSE(fs::exists(path() + "/" + std::string(kCreationMarker)));
  l.reset();
  EXPECT_TRUE(OpenWith(false, true, &l).ok());
}

// A table file the MANIFEST lists, missing or replaced by another: readers,
// writers and verify name it (Corruption), not only the head it hides.
TEST_F(LedgerOpenTest, AMissingOrSwappedTableFileIsNamed) {
  MakeLedgerInTables(200);
  fs::path events;
  std::vector<fs::path> tables;
  for (const auto& e : fs::directory_iterator(path())) {
    if (e.path().extension() != ".sst") continue;
    tables.push_back(e.path());
    rocksdb::SstFileReader reader{rocksdb::Options()};
    ASSERT_TRUE(reader.Open(e.path().string()).ok());
    if (reader.GetTableProperties()->column_family_name == "events") events = e.path();
  }
  ASSERT_FALSE(events.empty()) << "the events are not in a table file";
  const std::string name = events.filename().string();
  fs::rename(events, dir_.Sub("kept.sst"));
  for (bool read_only : {true, false}) {
    std::unique_ptr<Ledger> l;
    Status s = OpenWith(false, read_only, &l);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(name + " is missing"), std::string::npos) << s.message();
  }
  fs::rename(dir_.Sub("kept.sst"), events);
  // Two tables of different sizes swapped: each is named by its size.
  std::sort(tables.begin(), tables.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  ASSERT_GE(tables.size(), 2u);
  ASSERT_NE(fs::file_size(tables[0]), fs::file_size(tables[1]));
  fs::rename(tables[0], dir_.Sub("swap.sst"));
  fs::rename(tables[1], tables[0]);
  fs::rename(dir_.Sub("swap.sst"), tables[1]);
  for (bool read_only : {true, false}) {
    std::unique_ptr<Ledger> l;
    Status s = OpenWith(false, read_only, &l);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(" is not the file the MANIFEST lists"), std::string::npos)
        << s.message();
  }
}

TEST_F(LedgerOpenTest, EmptyFolderOrNoneIsCreated) {
  std::unique_ptr<Ledger> l;
  ASSERT_TRUE(OpenWith(true, false, &l).ok());
  l.reset();
  fs::create_directories(dir_.Sub("empty"));
  Options o;
  o.create_if_missing = true;
  EXPECT_TRUE(Ledger::Open(o, dir_.Sub("empty"), &l).ok());
}

// A path that can never be a folder is named as such, before anything is
// created beside it: not RocksDB's words, and nothing made under the file.
TEST_F(LedgerOpenTest, APathThatCanNeverBeAFolderIsRefusedWithItsReason) {
  const std::string file = dir_.Sub("file");
  std::ofstream(file) << "x";
  const std::string dangling = dir_.Sub("dangling");
  fs::create_symlink(dir_.Sub("nowhere"), dangling);
  Options o;
  std::unique_ptr<Ledger> l;
  for (const bool create : {true, false}) {
    o.create_if_missing = create;
    Status s = Ledger::Open(o, file + "/db", &l);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.message(), file + "/db: " + file + " is not a folder");
    s = Ledger::Open(o, dangling, &l);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.message(), dangling + " is a symbolic link to " + dir_.Sub("nowhere") +
                               ", which does not exist");
  }
  EXPECT_FALSE(fs::exists(dir_.Sub("nowhere")));
  EXPECT_EQ(fs::file_size(file), 1u);
}

// A ledger inside another's folder would be copied, backed up and deleted
// with it: creating one there is refused, and so is a restore.
TEST_F(LedgerOpenTest, NoLedgerIsCreatedInsideAnotherLedgersFolder) {
  std::unique_ptr<Ledger> l;
  ASSERT_TRUE(OpenWith(true, false, &l).ok());
  l.reset();
  const auto before = Listing(path());
  Options o;
  o.create_if_missing = true;
  for (const std::string& inner : {path() + "/inner", path() + "/a/b"}) {
    Status s = Ledger::Open(o, inner, &l);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.message(), inner + " is inside the ledger folder " +
                               fs::canonical(path()).string() +
                               ": a ledger is created only outside another ledger's folder; "
                               "nothing was changed");
    EXPECT_EQ(Ledger::CheckNewFolder(inner).code(), s.code());
  }
  fs::create_directories(path() + "/empty");
  EXPECT_TRUE(Ledger::CheckNewFolder(path() + "/empty").IsInvalidArgument());
  fs::remove(path() + "/empty");
  EXPECT_EQ(Listing(path()), before);
  EXPECT_TRUE(Ledger::CheckNewFolder(path()).IsInvalidArgument()) << "a ledger is no new folder";
  EXPECT_TRUE(Ledger::CheckNewFolder(dir_.Sub("beside")).ok());
}

// RocksDB opens every table file of every column family at open, on as many
// threads as asked, started even for a family of one file: a small ledger
// (here with its events in table files) asks for one, so that a short
// command does not spend its time starting threads. RocksDB records the
// options it opened with in the newest OPTIONS file.
TEST_F(LedgerOpenTest, ASmallLedgerOpensItsTableFilesOnOneThread) {
  ASSERT_NO_FATAL_FAILURE(MakeLedgerInTables(1));
  std::unique_ptr<Ledger> l;
  size_t tables = 0;
  for (const auto& e : fs::directory_iterator(path())) tables += e.path().extension() == ".sst";
  ASSERT_GT(tables, 0u);
  ASSERT_TRUE(OpenWith(false, false, &l).ok());
  fs::path newest;
  for (const auto& e : fs::directory_iterator(path())) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("OPTIONS-") && (newest.empty() || name > newest.filename().string())) {
      newest = e.path();
    }
  }
  ASSERT_FALSE(newest.empty());
  std::ifstream in(newest);
  std::string line;
  std::string threads;
  while (std::getline(in, line)) {
    if (const size_t at = line.find("max_file_opening_threads="); at != std::string::npos) {
      threads = line.substr(at + std::string_view("max_file_opening_threads=").size());
    }
  }
  EXPECT_EQ(threads, "1");
}

// A byte changed anywhere in the table file holding the meta keys: the open
// either reads the same ledger (the byte was not used) or fails with
// Corruption. RocksDB answers NotFound for a key of a table whose
// properties block is damaged; that is reported as damage, from a checksum
// check, with what to do.
TEST_F(LedgerOpenTest, ADamagedMetaTableIsCalledDamaged) {
  events::Uuid id{};
  const Head head = MakeLedgerInTables(1, &id);
  std::unique_ptr<Ledger> l;
  fs::path meta;
  for (const auto& e : fs::directory_iterator(path())) {
    if (e.path().extension() != ".sst") continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find("format_version") != std::string::npos) meta = e.path();
  }
  ASSERT_FALSE(meta.empty()) << "no table file holds the meta keys";
  const std::string copy = dir_.Sub("meta.sst");
  fs::copy_file(meta, copy);
  const uintmax_t size = fs::file_size(meta);
  size_t damaged = 0;
  for (uintmax_t at = 0; at < size; at += 13) {
    fs::copy_file(copy, meta, fs::copy_options::overwrite_existing);
    FlipByte(meta, at);
    // As a writer opens it, and as a reader (a secondary instance).
    for (const bool read_only : {false, true}) {
      const Status s = OpenWith(false, read_only, &l);
      if (s.ok()) {
        EXPECT_EQ(l->head().seq, head.seq) << "byte " << at;
        EXPECT_EQ(l->head().hash, head.hash) << "byte " << at;
        EXPECT_EQ(l->ledger_id(), id) << "byte " << at;
        l.reset();
        continue;
      }
      EXPECT_EQ(s.code(), Status::Code::kCorruption) << "byte " << at << ": " << s.ToString();

      if (s.message().find("its table files are damaged") != std::string::npos) {
        EXPECT_NE(s.message().find("restore the latest backup"), std::string::npos) << s.ToString();
        ++damaged;
      }
    }
  }
  EXPECT_GT(damaged, 0u) << "no changed byte hid a meta key";
}

// The same for the table of the `events` column family, near its end (the
// index, the properties): a reader's open, or Verify, fails naming the
// damaged file, never reads a ledger without its events.
TEST_F(LedgerOpenTest, ADamagedEventsTableIsNamedByReadersAndVerify) {
  const Head head = MakeLedgerInTables(200);
  std::unique_ptr<Ledger> l;
  fs::path events;
  for (const auto& e : fs::directory_iterator(path())) {
    if (e.path().extension() != ".sst") continue;
    rocksdb::SstFileReader reader{rocksdb::Options()};
    ASSERT_TRUE(reader.Open(e.path().string()).ok());
    if (reader.GetTableProperties()->column_family_name == "events") events = e.path();
  }
  ASSERT_FALSE(events.empty()) << "the events are not in a table file";
  const std::string copy = dir_.Sub("events.sst");
  fs::copy_file(events, copy);
  const uintmax_t size = fs::file_size(events);
  size_t named = 0;
  for (uintmax_t back = 60; back < std::min<uintmax_t>(size, 1500); back += 37) {
    const uintmax_t at = size - back;
    fs::copy_file(copy, events, fs::copy_options::overwrite_existing);
    FlipByte(events, at);
    Status s = OpenWith(false, true, &l);
    if (s.ok()) {
      VerifyReport report;
      s = l->Verify(VerifyProgress{}, &report);
      if (s.ok()) {
        EXPECT_EQ(report.head.hash, head.hash) << "byte " << at;
      }
      l.reset();
    }
    if (s.ok()) continue;
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << "byte " << at << ": " << s.ToString();
    if (s.message().find("its table files are damaged (" + events.filename().string()) !=
        std::string::npos) {
      ++named;
    }
  }
  EXPECT_GT(named, 0u) << "no changed byte was named";
}

// Files in the bulk-append folder that are not the ledger's own scratch
// files stay where they are.
TEST_F(LedgerOpenTest, OpenRemovesOnlyItsOwnScratchFiles) {
  std::unique_ptr<Ledger> l;
  ASSERT_TRUE(OpenWith(true, false, &l).ok());
  l.reset();
  fs::create_directories(path() + "/ccl-ingest");
  std::ofstream(path() + "/ccl-ingest/0.sst") << "scratch";
  std::ofstream(path() + "/ccl-ingest/3-1.sst") << "the second half of a table";
  std::ofstream(path() + "/ccl-ingest/keep.txt") << "not ours";
  ASSERT_TRUE(OpenWith(false, false, &l).ok());
  EXPECT_FALSE(fs::exists(path() + "/ccl-ingest/0.sst"));
  EXPECT_FALSE(fs::exists(path() + "/ccl-ingest/3-1.sst"));
  EXPECT_TRUE(fs::exists(path() + "/ccl-ingest/keep.txt"));
}

}  // namespace
}  // namespace ccl::ledger::testing
