// libpq with Status errors (tools/sink/pg_connection.h).
#include "tools/sink/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cassert>

#include "events/base/limits.h"

namespace ccl::sink {

namespace {

// libpq's message on one line: its line breaks and the tab that indents a
// hint ("...failed: No such file or directory\n\tIs the server running...")
// become single spaces.
std::string Trimmed(const char* text) {
  std::string m;
  for (const char* c = text != nullptr ? text : ""; *c != '\0'; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == ' ';
    if (space && (m.empty() || m.back() == ' ')) continue;
    m += space ? ' ' : *c;
  }
  if (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

std::string ServerName(PGconn* conn) {
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  std::string s = "PostgreSQL server at ";
  s += host != nullptr && *host != '\0' ? host : "the default socket";
  if (port != nullptr && *port != '\0') s += std::string(" port ") + port;
  return s;
}

// The Status code for a SQLSTATE (its two-character class decides).
Status::Code CodeForSqlState(std::string_view state) {
  // A table or column of the sink's layout that is not there: the layout was
  // changed by hand (the sink's own statements name only its own tables).
  if (state == "42P01" || state == "42703") return Status::Code::kCorruption;
  const std::string_view cls = state.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53" || cls == "58") return Status::Code::kIOError;
  if (cls == "23") return Status::Code::kCorruption;
  return Status::Code::kInvalidArgument;
}

// What names `sql` in an error: its first 60 characters after any leading
// `--` comment lines, each run of white space one space.
std::string StatementLabel(std::string_view sql) {
  for (;;) {
    const size_t start = sql.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return "";
    sql.remove_prefix(start);
    if (!sql.starts_with("--")) break;
    const size_t eol = sql.find('\n');
    sql.remove_prefix(eol == std::string_view::npos ? sql.size() : eol);
  }
  std::string label;
  for (char c : sql) {
    if (label.size() == 60) {
      label += "...";  // a cut statement says so
      break;
    }
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!space) {
      label += c;
    } else if (!label.empty() && label.back() != ' ') {
      label += ' ';
    }
  }
  return label;
}

Status Make(Status::Code code, std::string msg) {
  switch (code) {
    case Status::Code::kIOError:
      return Status::IOError(std::move(msg));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(msg));
    default:
      return Status::InvalidArgument(std::move(msg));
  }
}

}  // namespace

namespace {
// `text` between two `quote`s, each `quote` inside doubled: PostgreSQL's
// rule for both identifiers (") and standard string literals (').
std::string QuoteWith(char quote, std::string_view text) {
  std::string q(1, quote);
  for (char c : text) {
    if (c == quote) q += quote;
    q += c;
  }
  return q + quote;
}
}  // namespace

std::string QuoteIdentifier(std::string_view name) { return QuoteWith('"', name); }
std::string QuoteLiteral(std::string_view text) { return QuoteWith('\'', text); }

PgConnection::PgConnection(PGconn* conn) : conn_(conn), server_(ServerName(conn)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Connect(const std::string& conninfo, std::unique_ptr<PgConnection>* out) {
  // A string libpq cannot parse is the caller's mistake (InvalidArgument),
  // not a server that cannot be reached.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    Status s = Status::InvalidArgument(
        "connection string: " +
        (parse_error != nullptr ? Trimmed(parse_error) : std::string("out of memory")));
    PQfreemem(parse_error);
    return s;
  }
  PQconninfoFree(parsed);
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Status::IOError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = Status::IOError("cannot connect to " + ServerName(conn) + ": " +
                               Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return s;
  }
  out->reset(new PgConnection(conn));
  // Warnings (e.g. "schema already exists, skipping") are not for the user.
  // QuoteLiteral relies on standard strings (a backslash is no escape).
  return (*out)->Exec("SET client_min_messages = warning; SET standard_conforming_strings = on");
}

Status PgConnection::Error(std::string_view what, const PGresult* res) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  Status::Code code = Status::Code::kIOError;  // no SQLSTATE: libpq lost the server
  if (PQstatus(conn_) == CONNECTION_OK && state != nullptr) code = CodeForSqlState(state);
  std::string msg = res != nullptr ? Trimmed(PQresultErrorMessage(res)) : "";
  if (msg.empty()) msg = Trimmed(PQerrorMessage(conn_));
  if (state != nullptr &&
      (std::string_view(state) == "42P01" || std::string_view(state) == "42703")) {
    msg += " (the sink's tables were changed by hand: restore them, or sync into a new schema)";
  } else if (state != nullptr && std::string_view(state) == "23505") {
    msg +=
        " (the table holds rows past the sink's checkpoint: its sink_checkpoint row was "
        "moved back or deleted by hand, or another process writes these tables)";
  }
  return Make(code, server_ + ": " + std::string(what) + ": " + msg);
}

Status PgConnection::Drain(std::string_view what, int want) {
  Status s;
  while (PGresult* res = PQgetResult(conn_)) {
    if (PQresultStatus(res) != want && s.ok()) s = Error(what, res);
    PQclear(res);
  }
  if (s.ok() && PQstatus(conn_) != CONNECTION_OK) s = Error(what, nullptr);
  return s;
}

Status PgConnection::Exec(std::string_view sql) {
  const std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  const bool ok = res != nullptr && PQresultStatus(res) == PGRES_COMMAND_OK;
  Status s = ok ? Status::OK() : Error(StatementLabel(text), res);
  PQclear(res);
  return s;
}

Status PgConnection::Query(std::string_view sql, std::vector<Row>* rows) {
  const std::string text(sql);
  rows->clear();
  PGresult* res = PQexec(conn_, text.c_str());
  if (res == nullptr || PQresultStatus(res) != PGRES_TUPLES_OK) {
    Status s = Error(StatementLabel(text), res);
    PQclear(res);
    return s;
  }
  const int n = PQntuples(res), fields = PQnfields(res);
  for (int r = 0; r < n; ++r) {
    Row row;
    for (int f = 0; f < fields; ++f) {
      if (PQgetisnull(res, r, f)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res, r, f), PQgetlength(res, r, f)));
      }
    }
    rows->push_back(std::move(row));
  }
  PQclear(res);
  return Status::OK();
}

Status PgConnection::CopyIn(std::string_view copy_sql, std::string_view data) {
  CCL_RETURN_IF_ERROR(BeginCopyIn(copy_sql));
  CCL_RETURN_IF_ERROR(PutCopyData(data));
  return EndCopyIn();
}

Status PgConnection::BeginCopyIn(std::string_view copy_sql) {
  copy_sql_ = StatementLabel(copy_sql);
  const std::string text(copy_sql);
  PGresult* res = PQexec(conn_, text.c_str());
  if (res == nullptr || PQresultStatus(res) != PGRES_COPY_IN) {
    Status s = Error(copy_sql_, res);
    PQclear(res);
    return s;
  }
  PQclear(res);
  return Status::OK();
}

Status PgConnection::PutCopyData(std::string_view data) {
  for (size_t at = 0; at < data.size(); at += limits::kSinkCopyChunkBytes) {
    const size_t n = std::min(limits::kSinkCopyChunkBytes, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      Status s = Error("copy data", nullptr);
      Drain("copy", PGRES_COMMAND_OK).IgnoreError();  // s says what failed first
      return s;
    }
  }
  return Status::OK();
}

Status PgConnection::EndCopyIn() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return Error("copy end", nullptr);
  return Drain(copy_sql_, PGRES_COMMAND_OK);
}

Status PgConnection::InTransaction(const std::function<Status()>& body) {
  CCL_RETURN_IF_ERROR(Exec("BEGIN"));
  Status s = body();
  if (s.ok()) s = Exec("COMMIT");
  if (!s.ok()) Exec("ROLLBACK").IgnoreError();  // s says what failed; the server may be gone
  return s;
}

}  // namespace ccl::sink
