// ledgerd's access log: what the service records in the ledger's access
// chain (ledger/store/access_log.h) for every request it answers, for its
// start-up and for every reload of the policy and tokens files, and GET
// /v1/access-log. The session builds a request's record from what it knows
// (RequestFacts) and records it before its response is written; a write's
// record travels with its events instead (AttachAccessRecord). Nothing
// secret is recorded: no header value, no request body, no query
// parameter the route does not accept.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "ledger/store/ledger.h"
#include "tools/access/policy.h"
#include "tools/access/request_context.h"
#include "tools/server/options.h"

namespace ccl::ledgerd {

struct Request;
struct Route;
struct Service;
struct Reply;

// What the session knows of a request when it answers it.
struct RequestFacts {
  int64_t time_ns = 0;  // when its first byte arrived
  std::string_view principal;
  ledger::AuthMethod auth = ledger::AuthMethod::kNone;
  std::string_view client;       // peer IP address
  std::string_view method;       // "" when the request line was not read
  std::string_view target;       // path and query as sent
  const Route* route = nullptr;  // null when no route matched
};

// The record of a request: the route's pattern (the pattern of the path
// under another method for a 405; else the path asked for, shortened to
// the limit), and the path segments and query parameters the route
// accepts, in that order (a query that does not parse adds none; a 405
// records no query parameter).
// Status, rows and bytes are the caller's.
ledger::AccessRecord RequestAccessRecord(const RequestFacts& facts);

// Sets the parameter `name` of `r` to `value`, replacing the one the
// query gave: for what a request names by other means than its query (a
// feed's Last-Event-ID header is its `after`).
void SetAccessParam(std::string_view name, std::string_view value, ledger::AccessRecord* r);

// `target` as the server log may show it: the path, and the query only
// when the route accepts every parameter of it ("?..." otherwise), so that
// a secret sent where it does not belong (?token=...) is never logged.
std::string LoggableTarget(std::string_view target, const Route* route);

// The process's way to the access chain: one per server, shared by the
// sessions and the handlers. Requests' records go through one writer thread
// that appends whatever is queued as one batch (RecordAsync), so that
// neither the I/O threads nor the workers wait for an fsync to record a
// read.
class AccessLog {
 public:
  explicit AccessLog(ledger::Ledger* ledger);
  // Appends what is still queued, then stops the writer.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Queues `r`; the writer appends it with the others queued (synced,
  // through the ledger's group commit) and then calls `done` with the
  // outcome, on its own thread. The caller must not answer the request
  // before `done`, nor when it reports a failure.
  void RecordAsync(ledger::AccessRecord r, std::function<void(const Status&)> done);
  // Appends `r` at once, synced; blocks until then.
  [[nodiscard]] Status Record(const ledger::AccessRecord& r);
  // The start-up: listen address and ledger path.
  [[nodiscard]] Status RecordStart(const ServerOptions& o);
  // A reload of `store`'s files (PolicyStore::Reload), appended at once as
  // one record per file: kPolicyReload, and kTokensReload when there is a
  // tokens file. Each says what triggered it ("SIGHUP" or the route), by
  // whom (`who`: principal, authentication method and address; empty for
  // a signal), the outcome (200 applied, else the status of the failure:
  // the old files stay in force), the file's path and the SHA-256 of the
  // bytes read (absent when the file could not be read).
  [[nodiscard]] Status RecordReload(std::string_view trigger, const RequestContext& who,
                                    const PolicyStore& store, const ReloadDigests& digests,
                                    uint16_t status);

 private:
  struct Pending {
    ledger::AccessRecord record;
    std::function<void(const Status&)> done;
  };
  void WriterLoop();

  ledger::Ledger* ledger_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stop_ = false;          // guarded by mu_
  std::thread writer_;
};

// A write: puts the request's record (Request::access, when the log is on)
// into the append, so that it is in the same synced batch as the events;
// the ledger fills its rows and seqs. Returns whether it did.
bool AttachAccessRecord(const Request& r, ledger::AppendOptions* options);

// 503 naming why the access log could not record a request: its response
// is not given.
Reply AccessLogFailure(const Status& s);

}  // namespace ccl::ledgerd
