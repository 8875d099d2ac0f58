// One libpq connection with Status errors. Failures name the server (host
// or socket folder and port, never the conninfo, which may hold a password)
// and are typed by what PostgreSQL reported, never by its message text:
//   IOError     the connection is gone or failed (SQLSTATE class 08, 57
//               "operator intervention" such as a shutdown, 53 resources,
//               58 system errors), or libpq lost the server;
//   Corruption  an integrity violation (class 23): the tables hold rows the
//               sink's checkpoint does not account for;
//   InvalidArgument  anything else the server refused (a bad schema name,
//               missing privileges).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace ccl::sink {

class PgConnection {
 public:
  // Connects; InvalidArgument when libpq cannot parse `conninfo`, IOError
  // naming the server when the connection fails.
  [[nodiscard]] static Status Connect(const std::string& conninfo,
                                      std::unique_ptr<PgConnection>* out);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // "PostgreSQL server at /tmp/x port 5432" (for messages).
  const std::string& server() const { return server_; }

  // Runs one or more statements that return no rows.
  [[nodiscard]] Status Exec(std::string_view sql);
  // Runs a query; *rows gets each row's text values (nullopt for NULL).
  using Row = std::vector<std::optional<std::string>>;
  [[nodiscard]] Status Query(std::string_view sql, std::vector<Row>* rows);
  // Runs `copy_sql` (a COPY ... FROM STDIN) and sends `data` in chunks of
  // limits::kSinkCopyChunkBytes.
  [[nodiscard]] Status CopyIn(std::string_view copy_sql, std::string_view data);
  // The same in steps, for data produced while the server already parses
  // what came before: BeginCopyIn, any number of PutCopyData, then
  // EndCopyIn (the COPY's outcome). REQUIRES: PutCopyData and EndCopyIn only
  // between BeginCopyIn and the end of that COPY; after a failed PutCopyData
  // the COPY is over. A COPY left unfinished fails when the next statement
  // is sent (libpq ends it with an error first), e.g. InTransaction's
  // ROLLBACK.
  [[nodiscard]] Status BeginCopyIn(std::string_view copy_sql);
  [[nodiscard]] Status PutCopyData(std::string_view data);
  [[nodiscard]] Status EndCopyIn();
  // Runs `body` between BEGIN and COMMIT; when body or COMMIT fails, rolls
  // back (ending a COPY body left unfinished) and returns that failure.
  [[nodiscard]] Status InTransaction(const std::function<Status()>& body);

 private:
  explicit PgConnection(PGconn* conn);
  // The Status for a failed result (res may be null: libpq lost the server).
  Status Error(std::string_view what, const PGresult* res) const;
  // Collects every pending result; the first not of status `want` fails.
  Status Drain(std::string_view what, int want);

  PGconn* conn_;
  std::string server_;
  std::string copy_sql_;  // the COPY in progress, for messages
};

// `name` double-quoted as a PostgreSQL identifier ("a""b" for a"b).
std::string QuoteIdentifier(std::string_view name);
// `text` single-quoted as a PostgreSQL string literal ('it''s'), for a
// connection with standard_conforming_strings on (the default since 9.1).
std::string QuoteLiteral(std::string_view text);

}  // namespace ccl::sink
