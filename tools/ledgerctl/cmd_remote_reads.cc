// The remote variants of the reports (balance, margin, escalations, burn),
// the audit files (digest, prove) and tail. Options are checked here as the
// local command checks them (same usage errors) before anything is sent; the
// server computes the same rows and files from the same libraries.
#include <signal.h>

#include <atomic>
#include <cstdio>

#include "ledger/digest.h"
#include "ledger/proof.h"
#include "projections/format.h"
#include "projections/report_rows.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/ledgerctl/remote.h"

namespace ccl::tools {
namespace {

// ---------------------------------------------------------------- reports

// Streams `target`'s lines to stdout as they come.
int PrintLines(client::Client* c, const std::string& target) {
  std::string out;
  Status s = c->GetLines(target, [&](std::string_view line) {
    out += line;
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    return Status::OK();
  });
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// The options every report shares, checked as the local command checks them,
// into the query of GET /v1/reports/<route>; kExitOk or the usage error's code.
int ReportQuery(const po::variables_map& vm, const char* command, QueryString* q) {
  projections::View view;
  if (Status s = ParseViewOptions(vm, &view); !s.ok()) return RemoteUsage(command, s.message());
  projections::OutputFormat format = projections::OutputFormat::kTable;
  if (vm.count("format")) {
    Status s = projections::ParseOutputFormat(vm["format"].as<std::string>(), &format);
    if (!s.ok()) return RemoteUsage(command, s.message());
  }
  if (format == projections::OutputFormat::kTable) {
    return RemoteUsage(command,
                       "option '--format': csv or json with --server (the table is "
                       "printed where the ledger is)");
  }
  for (const char* local_only : {"currency", "period"}) {
    if (vm.count(local_only)) {
      return RemoteUsage(command,
                         std::string("option '--") + local_only + "' does not work with --server");
    }
  }
  if (vm.count("contract")) q->Add("contract", vm["contract"].as<std::string>());
  if (vm.count("as-of")) q->Add("as_of", vm["as-of"].as<std::string>());
  if (vm.count("known-at")) q->Add("known_at", vm["known-at"].as<std::string>());
  q->Add("format", format == projections::OutputFormat::kCsv ? "csv" : "json");
  return kExitOk;
}

int RemoteReport(const po::variables_map& vm, const GlobalOptions& g, const char* command,
                 const char* route, QueryString q = {}) {
  if (int rc = ReportQuery(vm, command, &q); rc != kExitOk) return rc;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, command, &c); rc != kExitOk) return rc;
  return PrintLines(c.get(), std::string("/v1/reports/") + route + q.str());
}

}  // namespace

int RemoteBalance(const po::variables_map& vm, const GlobalOptions& g) {
  return RemoteReport(vm, g, "balance", "balance");
}

int RemoteMargin(const po::variables_map& vm, const GlobalOptions& g) {
  QueryString q;
  if (vm.count("by")) {
    std::vector<projections::MarginKey> keys;
    Status s = projections::ParseMarginKeys(vm["by"].as<std::string>(), &keys);
    if (!s.ok()) return RemoteUsage("margin", s.message());
    q.Add("by", vm["by"].as<std::string>());
  }
  return RemoteReport(vm, g, "margin", "margin", q);
}

int RemoteEscalations(const po::variables_map& vm, const GlobalOptions& g) {
  return RemoteReport(vm, g, "escalations", "escalations");
}

int RemoteBurn(const po::variables_map& vm, const GlobalOptions& g) {
  QueryString q;
  if (vm.count("at-risk") && vm["at-risk"].as<bool>()) q.Add("at_risk", "true");
  return RemoteReport(vm, g, "burn", "burn", q);
}

// ---------------------------------------------------------------- digest, prove

int RemoteDigest(const po::variables_map& vm, const GlobalOptions& g) {
  // The server signs with its own key, at its own time.
  for (const char* local_only : {"time", "sign"}) {
    if (vm.count(local_only)) {
      return RemoteUsage("digest", std::string("option '--") + local_only +
                                       "' does not work with --server (the server dates and "
                                       "signs its digests)");
    }
  }
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "digest", &c); rc != kExitOk) return rc;
  client::Response r;
  Status s = c->Get("/v1/digest", limits::kClientWholeBodyBytesMax, &r);
  // Read strictly and written canonically, as the local command writes it.
  ledger::Digest d;
  if (s.ok()) {
    s = ledger::ParseDigestJson(r.body, &d);
    if (!s.ok()) s = Status::IOError(c->server() + ": the digest it sent: " + s.message());
  }
  if (s.ok())
    s = EmitOutput(ledger::DigestToJson(d), vm.count("out") ? vm["out"].as<std::string>() : "");
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

int RemoteProve(const po::variables_map& vm, const GlobalOptions& g) {
  std::optional<ledger::VerifyingKey> key;
  Status s = TrustedKey(vm, &key);
  if (!s.ok()) return Fail(s);
  ledger::Digest digest;
  s = ReadTrustedDigest(vm["digest"].as<std::string>(), key, &digest);
  if (!s.ok()) return FailedCheck(s);
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "prove", &c); rc != kExitOk) return rc;
  QueryString q;
  q.Add("seq", std::to_string(vm["seq"].as<uint64_t>()))
      .Add("size", std::to_string(digest.tree_size));
  client::Response r;
  s = c->Get("/v1/proofs/inclusion" + q.str(), ledger::kProofJsonBytesMax, &r);
  if (!s.ok()) return Fail(s);
  // The server is not trusted for the proof: it must prove inclusion in the
  // user's own digest, as `check-proof` would check it.
  ledger::InclusionProof proof;
  s = ledger::ParseInclusionProofJson(r.body, &proof);
  if (!s.ok()) return Fail(Status::IOError(c->server() + ": the proof it sent: " + s.message()));
  s = ledger::CheckInclusionProof(proof, digest);
  if (!s.ok()) return FailedCheck(s.WithContext(c->server() + ": the proof it sent"));
  s = EmitOutput(ledger::InclusionProofToJson(proof),
                 vm.count("out") ? vm["out"].as<std::string>() : "");
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- tail

namespace {

std::atomic<bool> g_stop_remote_tail{false};
extern "C" void StopRemoteTail(int) { g_stop_remote_tail.store(true); }

}  // namespace

int RemoteTail(const po::variables_map& vm, const GlobalOptions& g) {
  if (vm["format"].as<std::string>() != "jsonl") {
    return RemoteUsage("tail", "option '--format': only jsonl with --server");
  }
  if (vm.count("idle-timeout")) {
    return RemoteUsage("tail", "option '--idle-timeout' does not work with --server");
  }
  uint64_t from = 0;
  if (vm.count("from")) {
    from = vm["from"].as<uint64_t>();
    if (from == 0) return RemoteUsage("tail", "option '--from': seqs start at 1");
  }
  const uint64_t lines = vm["lines"].as<uint64_t>();
  const bool follow = vm["follow"].as<bool>();
  const uint64_t limit = vm.count("limit") ? vm["limit"].as<uint64_t>() : 0;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "tail", &c); rc != kExitOk) return rc;
  client::Response ready;
  uint64_t head = 0;
  Status s = c->Get("/readyz", limits::kClientWholeBodyBytesMax, &ready);
  if (s.ok()) s = JsonUnsigned(*c, ready.body, "head_seq", &head);
  if (!s.ok()) return Fail(s);
  if (from == 0) from = head > lines ? head - lines + 1 : 1;
  if (!follow && from > head) return kExitOk;

  struct sigaction sa {};
  sa.sa_handler = StopRemoteTail;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  uint64_t count = 0;
  bool finished = false;  // the callback's own stop, not a failure
  s = c->GetEvents(
      "/v1/feed?after=" + std::to_string(from - 1), "", [&](const client::SseEvent& e) -> Status {
        std::fwrite(e.data.data(), 1, e.data.size(), stdout);
        std::fputc('\n', stdout);
        ++count;
        uint64_t seq = 0;
        CCL_RETURN_IF_ERROR(JsonUnsigned(*c, e.data, "seq", &seq));
        finished =
            (limit > 0 && count >= limit) || (!follow && seq >= head) || g_stop_remote_tail.load();
        if (!finished) {
          std::fflush(stdout);
          return Status::OK();
        }
        return Status::Busy("tail: done");  // ends the stream; never printed
      });
  if (finished || g_stop_remote_tail.load()) return kExitOk;
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace ccl::tools
