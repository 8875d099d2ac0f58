// The remote variants of the reports (balance, margin, escalations, burn)
// and the audit files (digest, prove). Options are checked here as the
// local command checks them (same usage errors) before anything is sent; the
// server computes the same rows and files from the same libraries.

#include <cstdio>
#include <functional>

#include "events/base/time_format.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/proof.h"
#include "projections/folds/format.h"
#include "projections/folds/report_rows.h"
#include "tools/app/report.h"
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
  if (vm.count("currency")) q->Add("currency", vm["currency"].as<std::string>());
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
// `body`, when given, holds the rows already read, and nothing is asked.
int PrintTable(client::Client* c, const std::string& target, projections::RowSet set,
               const std::function<Status(projections::RowSet*)>& footer = {},
               const std::string* body = nullptr) {
  const client::LineCallback read_row = [&](std::string_view line) {
    Status row = projections::ReadJsonRow(line, &set);
    return row.ok() ? row : Status::IOError(c->server() + ": " + row.message());
  };
  Status s;
  if (body == nullptr) {
    s = c->GetLines(target, read_row);
  } else {
    for (std::string_view rest = *body; s.ok() && !rest.empty();) {
      const size_t nl = rest.find('\n');
      s = read_row(rest.substr(0, nl));
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
  }
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

// margin --period: the server's rows of the closed month (checked there
// against the seal), printed as the report, then the note that says they
// are sealed, built from the close the server names in its answer.
int RemoteSealedMargin(const po::variables_map& vm, const GlobalOptions& g, int32_t month,
                       QueryString q, const projections::RowSet& columns,
                       const std::function<Status(projections::RowSet*)>& footer) {
  bool table = false;
  if (int rc = ReportQuery(vm, "margin", &q, &table); rc != kExitOk) return rc;
  q.Add("period", vm["period"].as<std::string>());
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "margin", &c); rc != kExitOk) return rc;
  const std::string target = "/v1/reports/margin" + q.str();
  client::Response r;
  Status s = c->Get(target, limits::kClientWholeBodyBytesMax, &r);
  projections::ClosedPeriod sealed;
  if (s.ok()) {
    s = app::ParseSealedCloseJson(r.Header(app::kSealedCloseHeader), month, &sealed);
    if (!s.ok()) s = Status::IOError(c->server() + ": " + s.message());
  }
  if (!s.ok()) return Fail(s);
  if (table) {
    if (int rc = PrintTable(c.get(), target, columns, footer, &r.body); rc != kExitOk) return rc;
  } else {
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
  }
  // Tables say it under the rows; CSV and JSON stay rows only.
  const std::string note = app::SealedNote(sealed);
  if (table) {
    std::fwrite(note.data(), 1, note.size(), stdout);
  } else if (!g.quiet) {
    std::fputs(note.c_str(), stderr);
  }
  return kExitOk;
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

// The server's digest (GET /v1/digest), parsed strictly: one that does not
// parse is an IOError naming the server.
Status GetServerDigest(client::Client* c, ledger::Digest* d) {
  client::Response r;
  CCL_RETURN_IF_ERROR(c->Get("/v1/digest", limits::kClientWholeBodyBytesMax, &r));
  Status s = ledger::ParseDigestJson(r.body, d);
  if (!s.ok()) return Status::IOError(c->server() + ": the digest it sent: " + s.message());
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
  if (!s.ok()) return RemoteUsage("margin", "option '--by': " + s.message());
  QueryString q;
  q.Add("by", by);
  projections::MarginReport columns;
  columns.keys = keys;
  const auto totals = [&](projections::RowSet* set) { return AddMarginTotals(keys, set); };
  // A bad --as-of or --known-at is reported before --period's own errors,
  // in the local command's order.
  std::optional<int32_t> period;
  projections::View view;
  s = ParseViewOptions(vm, &view);
  if (s.ok()) s = ParsePeriodOption(vm, &period);
  if (!s.ok()) return RemoteUsage("margin", s.message());
  if (period.has_value()) {
    return RemoteSealedMargin(vm, g, *period, q, projections::MarginRowSet(columns), totals);
  }
  return RemoteReport(vm, g, "margin", "margin", projections::MarginRowSet(columns), q, totals);
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
  // The server dates the digests it signs; another time is only the
  // caller's own statement, so --time needs --sign: the caller's signature
  // then replaces the server's, over the server's tree at the caller's time.
  std::optional<int64_t> time_ns;
  if (vm.count("time")) {
    if (!vm.count("sign")) {
      return RemoteUsage("digest",
                         "option '--time' with --server needs --sign (the server dates the "
                         "digests it signs; another time is your own signed statement)",
                         /*see_help=*/true);
    }
    int64_t t = 0;
    Status s = events::ParseInstant(vm["time"].as<std::string>(), &t);
    if (!s.ok()) {
      return RemoteUsage("digest", "option '--time': " + s.message(), /*see_help=*/true);
    }
    time_ns = t;
  }
  std::optional<ledger::SigningKey> key;
  if (Status s = SigningKeyOption(vm, &key); !s.ok()) return Fail(s);
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "digest", &c); rc != kExitOk) return rc;
  // Read strictly and written canonically, as the local command writes it;
  // a signature the server sent must verify before anything is re-signed.
  ledger::Digest d;
  Status s = GetServerDigest(c.get(), &d);
  if (s.ok()) {
    Status checked = ledger::CheckDigestSignature(d, nullptr);
    if (!checked.ok())
      return FailedCheck(checked.WithContext(c->server() + ": the digest it sent"));
  }
  if (s.ok() && time_ns) d.time_ns = *time_ns;
  if (s.ok() && key) s = ledger::SignDigest(*key, &d);
  if (s.ok()) s = EmitOutput(ledger::DigestToJson(d), OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

int RemoteProve(const po::variables_map& vm, const GlobalOptions& g) {
  ledger::Digest digest;
  if (int rc = ReadTrustedDigestOptions(vm, {{"digest", &digest}}); rc != kExitOk) return rc;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "prove", &c); rc != kExitOk) return rc;
  // As the local command does, a digest of another ledger, or of more events
  // than the ledger holds, is said to be so (exit 3) before a proof is asked
  // for: the server's own digest names its ledger and size.
  ledger::Digest served;
  Status s = GetServerDigest(c.get(), &served);
  if (!s.ok()) return Fail(s);
  if (served.ledger_id != digest.ledger_id) {
    return Fail(Status::Corruption("the digest is of ledger " + digest.ledger_id + ", this is " +
                                   served.ledger_id));
  }
  if (digest.tree_size > served.tree_size) {
    return Fail(Status::Corruption("the digest covers " + std::to_string(digest.tree_size) +
                                   " events but this ledger has " +
                                   std::to_string(served.tree_size) +
                                   ": events were removed, or the digest is of another copy"));
  }
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
  s = EmitOutput(ledger::InclusionProofToJson(proof), OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace ccl::tools
