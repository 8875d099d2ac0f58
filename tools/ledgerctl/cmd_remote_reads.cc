// The remote variants of the reports (balance, margin, escalations, burn),
// the audit files (digest, prove) and tail. Options are checked here as the
// local command checks them (same usage errors) before anything is sent; the
// server computes the same rows and files from the same libraries.

#include <cstdio>
#include <functional>

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
// into the query of GET /v1/reports/<route>, and whether the table is asked
// for; kExitOk or the usage error's code.
int ReportQuery(const po::variables_map& vm, const char* command, QueryString* q, bool* table) {
  projections::View view;
  if (Status s = ParseViewOptions(vm, &view); !s.ok()) return RemoteUsage(command, s.message());
  projections::OutputFormat format = projections::OutputFormat::kTable;
  if (vm.count("format")) {
    Status s = projections::ParseOutputFormat(vm["format"].as<std::string>(), &format);
    if (!s.ok()) return RemoteUsage(command, s.message());
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
  // The table is drawn here from the JSON rows.
  q->Add("format", format == projections::OutputFormat::kCsv ? "csv" : "json");
  *table = format == projections::OutputFormat::kTable;
  return kExitOk;
}

// `target`'s JSON rows into `set` (its columns those of the report), drawn
// as the local table; `footer`, when given, adds what the rows leave out.
int PrintTable(client::Client* c, const std::string& target, projections::RowSet set,
               const std::function<Status(projections::RowSet*)>& footer = {}) {
  Status s = c->GetLines(target, [&](std::string_view line) {
    Status row = projections::ReadJsonRow(line, &set);
    return row.ok() ? row : Status::IOError(c->server() + ": " + row.message());
  });
  if (s.ok() && footer) s = footer(&set);
  if (!s.ok()) return Fail(s);
  std::string out;
  projections::WriteRowSet(set, projections::OutputFormat::kTable, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RemoteReport(const po::variables_map& vm, const GlobalOptions& g, const char* command,
                 const char* route, const projections::RowSet& columns, QueryString q = {},
                 const std::function<Status(projections::RowSet*)>& footer = {}) {
  bool table = false;
  if (int rc = ReportQuery(vm, command, &q, &table); rc != kExitOk) return rc;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, command, &c); rc != kExitOk) return rc;
  const std::string target = std::string("/v1/reports/") + route + q.str();
  return table ? PrintTable(c.get(), target, columns, footer) : PrintLines(c.get(), target);
}

// Margin's table ends in its totals per currency, which the JSON rows leave
// out: summed from the rows, as the report sums them.
Status AddMarginTotals(const std::vector<projections::MarginKey>& keys, projections::RowSet* set) {
  projections::MarginReport report;
  report.keys = keys;
  const size_t n = keys.size();  // the key columns, then currency and the figures
  for (const auto& cells : set->rows) {
    projections::MarginRow row;
    for (size_t k = 0; k < n; ++k) row.keys.push_back(cells[k].text);
    row.currency = cells[n].text;
    row.revenue_minor = cells[n + 1].number;
    row.cost_minor = cells[n + 2].number;
    row.margin_minor = cells[n + 3].number;
    if (!cells[n + 4].null) row.margin_bp = cells[n + 4].number;
    report.rows.push_back(std::move(row));
  }
  CCL_RETURN_IF_ERROR(projections::MarginTotalsOf(report.rows, &report.totals));
  *set = projections::MarginRowSet(report);
  return Status::OK();
}

}  // namespace

int RemoteBalance(const po::variables_map& vm, const GlobalOptions& g) {
  return RemoteReport(vm, g, "balance", "balance", projections::BalanceRowSet({}));
}

int RemoteMargin(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string by = vm["by"].as<std::string>();
  std::vector<projections::MarginKey> keys;
  Status s = projections::ParseMarginKeys(by, &keys);
  if (!s.ok()) return RemoteUsage("margin", s.message());
  QueryString q;
  q.Add("by", by);
  projections::MarginReport columns;
  columns.keys = keys;
  return RemoteReport(vm, g, "margin", "margin", projections::MarginRowSet(columns), q,
                      [&](projections::RowSet* set) { return AddMarginTotals(keys, set); });
}

int RemoteEscalations(const po::variables_map& vm, const GlobalOptions& g) {
  return RemoteReport(vm, g, "escalations", "escalations", projections::EscalationRowSet({}));
}

int RemoteBurn(const po::variables_map& vm, const GlobalOptions& g) {
  QueryString q;
  if (vm.count("at-risk") && vm["at-risk"].as<bool>()) q.Add("at_risk", "true");
  return RemoteReport(vm, g, "burn", "burn", projections::BurnRowSet({}), q);
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

  // Every event is flushed as it comes, so Ctrl-C (which ends the process
  // here, inside a read that may wait for the next event) loses nothing printed.
  uint64_t count = 0;
  bool finished = false;  // the callback's own stop, not a failure
  s = c->GetEvents("/v1/feed?after=" + std::to_string(from - 1), "",
                   [&](const client::SseEvent& e) -> Status {
                     std::fwrite(e.data.data(), 1, e.data.size(), stdout);
                     std::fputc('\n', stdout);
                     ++count;
                     uint64_t seq = 0;
                     CCL_RETURN_IF_ERROR(JsonUnsigned(*c, e.data, "seq", &seq));
                     finished = (limit > 0 && count >= limit) || (!follow && seq >= head);
                     if (!finished) {
                       std::fflush(stdout);
                       return Status::OK();
                     }
                     return Status::Busy("tail: done");  // ends the stream; never printed
                   });
  if (finished) return kExitOk;
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace ccl::tools
