// SQLite through its C API, configured as the durable choice a careful user
// would make: WAL journal, synchronous=FULL (the WAL is synced on every
// commit), prepared statements, one transaction per batch.
#include "tools/bench/peer.h"

#if CCL_BENCH_HAVE_SQLITE
#include <sqlite3.h>

namespace ccl::bench {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY,"
    " event_id BLOB NOT NULL UNIQUE,"
    " contract TEXT NOT NULL,"
    " stream_version INTEGER NOT NULL,"
    " type INTEGER NOT NULL,"
    " effective_at INTEGER NOT NULL,"
    " recorded_at INTEGER NOT NULL,"
    " body BLOB NOT NULL,"
    " UNIQUE (contract, stream_version))";

constexpr const char* kInsert =
    "INSERT INTO events (seq, event_id, contract, stream_version, type, effective_at,"
    " recorded_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr const char* kSelect =
    "SELECT seq, event_id, contract, stream_version, type, effective_at, recorded_at, body"
    " FROM events ORDER BY seq";

class SqlitePeer final : public Peer {
 public:
  explicit SqlitePeer(std::string dir) : path_(dir + "/events.sqlite") {}
  ~SqlitePeer() override { Close(); }

  Status Open(bool create) {
    int rc =
        sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Error("open " + path_);
    CCL_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
    CCL_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
    if (create) CCL_RETURN_IF_ERROR(Exec(kSchema));
    CCL_RETURN_IF_ERROR(Prepare(kInsert, &insert_));
    CCL_RETURN_IF_ERROR(Prepare("BEGIN", &begin_));
    CCL_RETURN_IF_ERROR(Prepare("COMMIT", &commit_));
    return Status::OK();
  }

  Status Write(std::span<const PeerRow> rows) override {
    // One row: an autocommit INSERT, its own transaction, as a client
    // appending one event would do.
    const bool transaction = rows.size() > 1;
    if (transaction) CCL_RETURN_IF_ERROR(StepDone(begin_, "BEGIN"));
    for (const PeerRow& r : rows) {
      sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(r.seq));
      sqlite3_bind_blob(insert_, 2, r.event_id.data(), static_cast<int>(r.event_id.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(insert_, 3, r.contract.data(), static_cast<int>(r.contract.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(insert_, 4, static_cast<sqlite3_int64>(r.stream_version));
      sqlite3_bind_int(insert_, 5, r.type);
      sqlite3_bind_int64(insert_, 6, r.effective_at_ns);
      sqlite3_bind_int64(insert_, 7, r.recorded_at_ns);
      sqlite3_bind_blob(insert_, 8, r.bytes.data(), static_cast<int>(r.bytes.size()),
                        SQLITE_STATIC);
      Status s = StepDone(insert_, "INSERT");
      if (!s.ok()) {
        if (transaction) Exec("ROLLBACK").IgnoreError();
        return s;
      }
    }
    if (transaction) CCL_RETURN_IF_ERROR(StepDone(commit_, "COMMIT"));
    return Status::OK();
  }

  Status Reopen() override {
    Close();
    return Open(/*create=*/false);
  }

  Status Scan(uint64_t* rows) override {
    sqlite3_stmt* select = nullptr;
    CCL_RETURN_IF_ERROR(Prepare(kSelect, &select));
    uint64_t n = 0;
    uint64_t bytes = 0;
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
      ++n;
      // Bring every column to the client, as a reader of the log would.
      bytes += static_cast<uint64_t>(sqlite3_column_int64(select, 0));
      bytes += static_cast<uint64_t>(sqlite3_column_bytes(select, 1));
      bytes += static_cast<uint64_t>(sqlite3_column_bytes(select, 2));
      bytes += static_cast<uint64_t>(sqlite3_column_int64(select, 3));
      bytes += static_cast<uint64_t>(sqlite3_column_int(select, 4));
      bytes += static_cast<uint64_t>(sqlite3_column_int64(select, 5));
      bytes += static_cast<uint64_t>(sqlite3_column_int64(select, 6));
      const void* body = sqlite3_column_blob(select, 7);
      if (body == nullptr) {
        sqlite3_finalize(select);
        return Status::Corruption("sqlite scan: row " + std::to_string(n) + " has no body");
      }
      bytes += static_cast<uint64_t>(sqlite3_column_bytes(select, 7));
    }
    sqlite3_finalize(select);
    if (rc != SQLITE_DONE) return Error("scan");
    scanned_bytes_ = bytes;  // kept, so the column reads are not dead code
    *rows = n;
    return Status::OK();
  }

  Status DiskBytes(uint64_t* bytes) override {
    CCL_RETURN_IF_ERROR(Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    sqlite3_stmt* st = nullptr;
    CCL_RETURN_IF_ERROR(Prepare("PRAGMA page_count", &st));
    int64_t pages = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    CCL_RETURN_IF_ERROR(Prepare("PRAGMA page_size", &st));
    int64_t page_size = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    *bytes = static_cast<uint64_t>(pages * page_size);
    return Status::OK();
  }

  std::string Describe() const override {
    return std::string("SQLite ") + sqlite3_libversion() +
           ", journal_mode=WAL, synchronous=FULL, one transaction per batch, prepared INSERT, "
           "the stored event bytes in a BLOB next to the envelope columns";
  }

 private:
  void Close() {
    for (sqlite3_stmt** st : {&insert_, &begin_, &commit_}) {
      sqlite3_finalize(*st);
      *st = nullptr;
    }
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  Status Error(std::string_view what) const {
    return Status::IOError("sqlite " + std::string(what) + ": " +
                           (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err != nullptr ? err : "unknown error";
      sqlite3_free(err);
      return Status::IOError("sqlite '" + std::string(sql).substr(0, 40) + "': " + m);
    }
    return Status::OK();
  }

  Status Prepare(const char* sql, sqlite3_stmt** st) {
    if (sqlite3_prepare_v2(db_, sql, -1, st, nullptr) != SQLITE_OK) return Error("prepare");
    return Status::OK();
  }

  Status StepDone(sqlite3_stmt* st, std::string_view what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return Error(what);
    return Status::OK();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  uint64_t scanned_bytes_ = 0;  // what the last Scan brought to the client
};

}  // namespace

Status OpenSqlitePeer(const std::string& dir, std::unique_ptr<Peer>* out) {
  return OpenInto(std::make_unique<SqlitePeer>(dir), out, /*create=*/true);
}

}  // namespace ccl::bench

#else  // !CCL_BENCH_HAVE_SQLITE

namespace ccl::bench {

Status OpenSqlitePeer(const std::string&, std::unique_ptr<Peer>*) {
  return Status::IOError("ledger-bench was built without SQLite (install libsqlite3-dev)");
}

}  // namespace ccl::bench

#endif  // CCL_BENCH_HAVE_SQLITE
