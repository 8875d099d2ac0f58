// PostgreSQL through libpq: the usual "event store on Postgres". One table
// with the envelope columns and the stored event bytes (bytea), the same
// indexes as the ledger (seq primary key, unique event id, unique contract +
// stream version), synchronous_commit=on, one transaction per batch written
// by binary COPY or by one multi-row INSERT with binary parameters
// (BenchConfig::pg_mode; COPY, the default, measured faster on the
// development machine).
#include "tools/bench/peer.h"

#if CCL_BENCH_HAVE_PQ
#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstring>
#include <map>
#include <vector>

namespace ccl::bench {

namespace {

constexpr const char* kTable = "ccl_bench_events";

// PostgreSQL type OIDs of the binary parameters (pg_type.dat; stable).
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kUuidOid = 2950;
constexpr int kColumns = 8;

void PutBe(uint64_t v, int width, std::string* out) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class PostgresPeer final : public Peer {
 public:
  PostgresPeer(std::string conninfo, PgBatchMode mode)
      : conninfo_(std::move(conninfo)), mode_(mode) {}
  ~PostgresPeer() override {
    if (conn_ != nullptr) {
      if (owns_table_) Exec(std::string("DROP TABLE IF EXISTS ") + kTable).IgnoreError();
      PQfinish(conn_);
    }
  }

  Status Connect() {
    if (conn_ != nullptr) PQfinish(conn_);
    statements_.clear();
    conn_ = PQconnectdb(conninfo_.c_str());
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      std::string m = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
      // The conninfo is not echoed: it may hold a password.
      return Status::IOError("cannot connect to PostgreSQL: " + m);
    }
    CCL_RETURN_IF_ERROR(Exec("SET synchronous_commit = on"));
    CCL_RETURN_IF_ERROR(Exec("SET client_min_messages = warning"));
    return Status::OK();
  }

  Status Create() {
    owns_table_ = true;
    CCL_RETURN_IF_ERROR(Exec(std::string("DROP TABLE IF EXISTS ") + kTable));
    return Exec(std::string("CREATE TABLE ") + kTable +
                " (seq bigint PRIMARY KEY,"
                " event_id uuid NOT NULL UNIQUE,"
                " contract text NOT NULL,"
                " stream_version bigint NOT NULL,"
                " type smallint NOT NULL,"
                " effective_at bigint NOT NULL,"
                " recorded_at bigint NOT NULL,"
                " body bytea NOT NULL,"
                " UNIQUE (contract, stream_version))");
  }

  Status Write(std::span<const PeerRow> rows) override {
    // One row: one autocommit INSERT (its own synced commit), as a client
    // appending one event would.
    if (rows.size() == 1) return Insert(rows);
    CCL_RETURN_IF_ERROR(Exec("BEGIN"));
    Status s = mode_ == PgBatchMode::kCopy ? Copy(rows) : Insert(rows);
    if (!s.ok()) {
      Exec("ROLLBACK").IgnoreError();
      return s;
    }
    return Exec("COMMIT");
  }

  Status Reopen() override { return Connect(); }

  Status Scan(uint64_t* rows) override {
    // COPY TO is PostgreSQL's fastest way to move a whole table to a client:
    // one message per row, no per-row protocol round trip.
    const std::string sql =
        std::string(
            "COPY (SELECT seq, event_id, contract, stream_version, type, effective_at, "
            "recorded_at, body FROM ") +
        kTable + " ORDER BY seq) TO STDOUT (FORMAT binary)";
    PGresult* res = PQexec(conn_, sql.c_str());
    const bool started = PQresultStatus(res) == PGRES_COPY_OUT;
    std::string err = started ? "" : PQresultErrorMessage(res);
    PQclear(res);
    if (!started) return Status::IOError("postgres scan: " + err);
    uint64_t messages = 0;
    bool trailer = false;
    char* buf = nullptr;
    int n;
    // Binary COPY: the file header travels with the first row, then one
    // message per row, then a 2-byte trailer (-1).
    while ((n = PQgetCopyData(conn_, &buf, 0)) > 0) {
      trailer = n == 2 && static_cast<unsigned char>(buf[0]) == 0xff &&
                static_cast<unsigned char>(buf[1]) == 0xff;
      ++messages;
      PQfreemem(buf);
    }
    if (n == -2) return Status::IOError(std::string("postgres scan: ") + PQerrorMessage(conn_));
    CCL_RETURN_IF_ERROR(Finish("scan", PGRES_COMMAND_OK));
    *rows = messages - (trailer ? 1 : 0);
    return Status::OK();
  }

  Status DiskBytes(uint64_t* bytes) override {
    const std::string sql = std::string("SELECT pg_total_relation_size('") + kTable + "')";
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
      std::string err = PQresultErrorMessage(res);
      PQclear(res);
      return Status::IOError("postgres size: " + err);
    }
    *bytes = std::strtoull(PQgetvalue(res, 0, 0), nullptr, 10);
    PQclear(res);
    return Status::OK();
  }

  std::string Describe() const override {
    return "PostgreSQL server " + std::to_string(PQserverVersion(conn_)) + " via libpq " +
           std::to_string(PQlibVersion()) + " on " +
           (PQhost(conn_) != nullptr ? std::string(PQhost(conn_)) : std::string("?")) +
           ", synchronous_commit=on, batches as one transaction with " +
           (mode_ == PgBatchMode::kCopy ? "binary COPY FROM STDIN" : "one multi-row INSERT") +
           ", single events as one autocommit INSERT, body bytea";
  }

 private:
  Status Exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    std::string err = st == PGRES_COMMAND_OK ? "" : PQresultErrorMessage(res);
    PQclear(res);
    if (st != PGRES_COMMAND_OK) return Status::IOError("postgres '" + sql + "': " + err);
    return Status::OK();
  }

  // Collects the result of a COPY; every result must have status `want`.
  Status Finish(std::string_view what, ExecStatusType want) {
    Status s;
    while (PGresult* res = PQgetResult(conn_)) {
      if (PQresultStatus(res) != want && s.ok()) {
        s = Status::IOError("postgres " + std::string(what) + ": " + PQresultErrorMessage(res));
      }
      PQclear(res);
    }
    return s;
  }

  Status Copy(std::span<const PeerRow> rows) {
    const std::string sql = std::string("COPY ") + kTable + " FROM STDIN (FORMAT binary)";
    PGresult* res = PQexec(conn_, sql.c_str());
    const bool started = PQresultStatus(res) == PGRES_COPY_IN;
    std::string err = started ? "" : PQresultErrorMessage(res);
    PQclear(res);
    if (!started) return Status::IOError("postgres copy: " + err);
    buffer_.assign("PGCOPY\n\377\r\n\0", 11);
    PutBe(0, 4, &buffer_);  // flags
    PutBe(0, 4, &buffer_);  // header extension length
    for (const PeerRow& r : rows) {
      PutBe(kColumns, 2, &buffer_);
      PutBe(8, 4, &buffer_);
      PutBe(r.seq, 8, &buffer_);
      PutBe(16, 4, &buffer_);
      buffer_.append(reinterpret_cast<const char*>(r.event_id.data()), 16);
      PutBe(r.contract.size(), 4, &buffer_);
      buffer_.append(r.contract);
      PutBe(8, 4, &buffer_);
      PutBe(r.stream_version, 8, &buffer_);
      PutBe(2, 4, &buffer_);
      PutBe(static_cast<uint64_t>(r.type), 2, &buffer_);
      PutBe(8, 4, &buffer_);
      PutBe(static_cast<uint64_t>(r.effective_at_ns), 8, &buffer_);
      PutBe(8, 4, &buffer_);
      PutBe(static_cast<uint64_t>(r.recorded_at_ns), 8, &buffer_);
      PutBe(r.bytes.size(), 4, &buffer_);
      buffer_.append(r.bytes);
    }
    PutBe(0xffff, 2, &buffer_);  // trailer: field count -1
    if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1 ||
        PQputCopyEnd(conn_, nullptr) != 1) {
      return Status::IOError(std::string("postgres copy: ") + PQerrorMessage(conn_));
    }
    return Finish("copy", PGRES_COMMAND_OK);
  }

  // A prepared INSERT of `n` rows, created on first use.
  Status Statement(size_t n, std::string* name) {
    *name = "ins" + std::to_string(n);
    if (statements_.count(n) != 0) return Status::OK();
    std::string sql = std::string("INSERT INTO ") + kTable +
                      " (seq, event_id, contract, stream_version, type, effective_at, "
                      "recorded_at, body) VALUES ";
    std::vector<Oid> types;
    for (size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "(" : ",(";
      for (int c = 0; c < kColumns; ++c) {
        sql += (c == 0 ? "$" : ",$") + std::to_string(i * kColumns + c + 1);
      }
      sql += ")";
      for (Oid t :
           {kInt8Oid, kUuidOid, kTextOid, kInt8Oid, kInt2Oid, kInt8Oid, kInt8Oid, kByteaOid}) {
        types.push_back(t);
      }
    }
    PGresult* res =
        PQprepare(conn_, name->c_str(), sql.c_str(), static_cast<int>(types.size()), types.data());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string err = ok ? "" : PQresultErrorMessage(res);
    PQclear(res);
    if (!ok) return Status::IOError("postgres prepare: " + err);
    statements_[n] = true;
    return Status::OK();
  }

  Status Insert(std::span<const PeerRow> rows) {
    std::string name;
    CCL_RETURN_IF_ERROR(Statement(rows.size(), &name));
    // Fixed-width values are written big-endian into one buffer first (it
    // must not grow while pointers into it are taken), then pointed at.
    buffer_.clear();
    for (const PeerRow& r : rows) {
      PutBe(r.seq, 8, &buffer_);
      PutBe(r.stream_version, 8, &buffer_);
      PutBe(static_cast<uint64_t>(r.type), 2, &buffer_);
      PutBe(static_cast<uint64_t>(r.effective_at_ns), 8, &buffer_);
      PutBe(static_cast<uint64_t>(r.recorded_at_ns), 8, &buffer_);
    }
    values_.clear();
    lengths_.clear();
    const char* fixed = buffer_.data();
    for (const PeerRow& r : rows) {
      auto add = [&](const char* p, size_t len) {
        values_.push_back(p);
        lengths_.push_back(static_cast<int>(len));
      };
      add(fixed, 8);  // seq
      add(reinterpret_cast<const char*>(r.event_id.data()), 16);
      add(r.contract.data(), r.contract.size());
      add(fixed + 8, 8);   // stream_version
      add(fixed + 16, 2);  // type
      add(fixed + 18, 8);  // effective_at
      add(fixed + 26, 8);  // recorded_at
      add(r.bytes.data(), r.bytes.size());
      fixed += 34;
    }
    formats_.assign(values_.size(), 1);
    PGresult* res =
        PQexecPrepared(conn_, name.c_str(), static_cast<int>(values_.size()), values_.data(),
                       lengths_.data(), formats_.data(), /*resultFormat=*/1);
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string err = ok ? "" : PQresultErrorMessage(res);
    PQclear(res);
    if (!ok) return Status::IOError("postgres insert: " + err);
    return Status::OK();
  }

  std::string conninfo_;
  PgBatchMode mode_;
  bool owns_table_ = false;  // made by Create: dropped at close
  PGconn* conn_ = nullptr;
  std::map<size_t, bool> statements_;
  std::string buffer_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace

Status OpenPostgresPeer(const std::string& conninfo, PgBatchMode mode, std::unique_ptr<Peer>* out) {
  auto peer = std::make_unique<PostgresPeer>(conninfo, mode);
  CCL_RETURN_IF_ERROR(peer->Connect());
  CCL_RETURN_IF_ERROR(peer->Create());
  *out = std::move(peer);
  return Status::OK();
}

Status ConnectPostgresPeer(const std::string& conninfo, PgBatchMode mode,
                           std::unique_ptr<Peer>* out) {
  auto peer = std::make_unique<PostgresPeer>(conninfo, mode);
  CCL_RETURN_IF_ERROR(peer->Connect());
  *out = std::move(peer);
  return Status::OK();
}

}  // namespace ccl::bench

#else  // !CCL_BENCH_HAVE_PQ

namespace ccl::bench {

Status OpenPostgresPeer(const std::string&, PgBatchMode, std::unique_ptr<Peer>*) {
  return Status::IOError("ledger-bench was built without libpq (install libpq-dev)");
}

Status ConnectPostgresPeer(const std::string&, PgBatchMode, std::unique_ptr<Peer>*) {
  return Status::IOError("ledger-bench was built without libpq (install libpq-dev)");
}

}  // namespace ccl::bench

#endif  // CCL_BENCH_HAVE_PQ
