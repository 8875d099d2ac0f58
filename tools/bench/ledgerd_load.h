// The load on a running ledgerd, as its clients make it: HTTPS clients with
// keep-alive over loopback TLS (Boost.Beast, every client a coroutine on one
// io_context, so the generator needs one core at most), and the server
// process itself: started on a fresh ledger, its resident memory sampled
// while it serves, stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"

namespace ccl::bench {

// The principal the benchmark's client certificate names, writer, reader and
// admin (for /metrics) in the server's policy: every event it posts has it
// as `actor`, since the server takes no other.
inline constexpr std::string_view kBenchPrincipal = "bench";

// A ledgerd process serving a ledger in a folder of its own.
class LedgerdProcess {
 public:
  LedgerdProcess() = default;
  ~LedgerdProcess();  // stops it (SIGTERM, then waits)
  LedgerdProcess(const LedgerdProcess&) = delete;
  LedgerdProcess& operator=(const LedgerdProcess&) = delete;

  // Makes certificates in `dir` (tools/ledgerd/make_test_certs.sh of
  // `source_dir`, principal "bench" granted writer, reader and admin), creates an
  // empty ledger in dir/db and starts `ledgerd_path` on it, listening on
  // 127.0.0.1 on a port it picks; returns once it serves. `workers`: its
  // --workers; `extra_args` more options of ledgerd's ("--access-log",
  // "off"). IOError when a step fails, naming it.
  Status Start(const std::string& ledgerd_path, const std::string& source_dir,
               const std::string& dir, size_t workers,
               const std::vector<std::string>& extra_args = {});
  // SIGTERM and wait; OK when it exited 0.
  Status Stop();

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // Its resident set now, in MB (VmRSS of /proc/PID/status); 0 when unknown.
  double RssMb() const;
  // The CPU time it has used so far, user and system, in seconds
  // (/proc/PID/stat); 0 when unknown.
  double CpuSeconds() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
};

// What one load measured.
struct LoadFigures {
  uint64_t events = 0;             // acknowledged (POST) or delivered (feed)
  uint64_t requests = 0;           // POST or GET requests answered with 200
  double seconds = 0;              // from the first request to the end of the load
  std::vector<double> latency_us;  // per request, send to whole response (POST, GET)
  double server_rss_mb_max = 0;    // the server's RSS, sampled every 20 ms during the load
  // CPU time used during the load by the server and by this process's
  // clients (one thread), so that a figure shows which side had a core.
  double server_cpu_seconds = 0;
  double client_cpu_seconds = 0;
};

// GET /metrics of `server` (the bench principal is an admin): its
// Prometheus text in *text.
Status FetchMetrics(const LedgerdProcess& server, std::string* text);

// POST /v1/events load: client i sends bodies[i] (JSON Lines, one request
// each, `events_per_body[i]` events in each) over one keep-alive connection.
// The load ends when the first client has sent all its bodies (after it fewer
// clients are left) or after `seconds_max`. Any answer but 200 is an error.
Status RunPostLoad(const LedgerdProcess& server,
                   const std::vector<std::vector<std::string>>& bodies, uint64_t events_per_body,
                   double seconds_max, LoadFigures* out);

// GET load: client i asks for targets[i] (a path and query, e.g.
// "/v1/reports/balance?contract=C-1") over one keep-alive connection, again
// and again for `seconds`. Any answer but 200 is an error.
Status RunGetLoad(const LedgerdProcess& server, const std::vector<std::string>& targets,
                  double seconds, LoadFigures* out);

// GET /v1/feed?after=0 load: `subscribers` clients read the Server-Sent
// Events stream until each has received `events` events (or `seconds_max`
// passed: then an error). out->events is the total delivered.
Status RunFeedLoad(const LedgerdProcess& server, int subscribers, uint64_t events,
                   double seconds_max, LoadFigures* out);

}  // namespace ccl::bench
