// Report commands: balance, margin, escalations, burn (projections as of a
// date and as known at a time), replay (a projection from zero, with its
// digest) and rebuild (recompute and store the checkpoints).
//
// Opening: a report reads the ledger read-only, so it never needs the writer
// lock and a writer never waits for a report's fold. After a long catch-up it
// stores the new checkpoint when the lock is free at that moment, holding it
// only for that write; when the lock is held or the folder cannot be written
// it answers the same without saving (the next report catches up from the
// older checkpoint). `replay` never saves; `rebuild` needs the lock.
#include <spdlog/spdlog.h>

#include <cassert>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_query.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "projections/periods/pending.h"
#include "projections/periods/periods.h"
#include "projections/periods/retention.h"
#include "tools/app/report.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"

namespace ccl::tools {

namespace {

using projections::OutputFormat;
using projections::Projection;
using projections::ProjectionSet;
using projections::Runner;
using projections::RunnerOptions;
using projections::RunStats;
using projections::View;

// What every report command shares.
struct ReportArgs {
  projections::ReportQuery query;
  OutputFormat format = OutputFormat::kTable;
};

void DefineTimeOptions(po::options_description* d) {
  d->add_options()("as-of", po::value<std::string>()->value_name("DATE"),
                   "only events effective on or before DATE (YYYY-MM-DD, UTC: effective_at < "
                   "DATE+1 00:00Z)")(
      "known-at", po::value<std::string>()->value_name("TIMESTAMP"),
      "the ledger as it was known at TIMESTAMP (RFC 3339 UTC; a date means 00:00Z): the log "
      "prefix recorded at or before it");
}

void DefineFormatOption(po::options_description* d) {
  d->add_options()("format", po::value<std::string>()->default_value("table")->value_name("FMT"),
                   "table | csv | json (one object per line)");
}

// A usage error (exit 2) in the same shape as option errors of main.cc.
int Usage(const std::string& command, const Status& s) {
  std::fprintf(stderr, "ledgerctl %s: %s\n", command.c_str(), s.message().c_str());
  return kExitUsage;
}

// The command's options (those it defines) into the query of `kind`.
Status ParseReportArgs(const po::variables_map& vm, projections::ReportKind kind,
                       ReportArgs* args) {
  args->query.kind = kind;
  CCL_RETURN_IF_ERROR(ParseViewOptions(vm, &args->query.view));
  CCL_RETURN_IF_ERROR(ParseFormatOptions(vm, &args->format));
  if (vm.count("by")) {
    CCL_RETURN_IF_ERROR(
        projections::ParseMarginKeys(vm["by"].as<std::string>(), &args->query.margin_keys)
            .WithContext("option '--by'"));
  }
  if (vm.count("currency")) args->query.currency = vm["currency"].as<std::string>();
  if (vm.count("at-risk")) args->query.at_risk_only = vm["at-risk"].as<bool>();
  args->query.today_day = TodayDay();
  return Status::OK();
}

// Stores p's state at `seq` as its checkpoint if this process can take the
// writer lock right now (no wait): held only for this write, never during a
// fold. A held lock or a folder that cannot be written skips the save, and a
// failed save is only noted: the report's answer does not depend on it.
void SaveCheckpointIfLockFree(const GlobalOptions& g, const Projection& p, uint64_t seq) {
  if (!LedgerFolderWritable(g.db_path)) return;
  GlobalOptions no_wait = g;
  no_wait.writer_lock_wait_ms = 0;
  std::unique_ptr<ledger::Ledger> writer;
  // The reader that folded the projection checked the checkpoint.
  Status s = OpenLedger(no_wait, OpenMode::kWrite, &writer, OwnCheckpoint::kSkip);
  if (s.ok()) {
    Runner runner(writer.get(), RunnerOptions{.save_checkpoints = true});
    s = runner.SaveSnapshot(p, seq);
  }
  if (s.IsBusy()) {
    spdlog::info("another process holds the writer lock: checkpoint of {} not saved", p.name());
  } else if (!s.ok()) {
    spdlog::warn("checkpoint of {} not saved: {}", p.name(), s.message());
  }
}

void LogStats(const std::string& what, const RunStats& stats) {
  for (const std::string& note : stats.notes) spdlog::info("{}", note);
  spdlog::debug("{}: read {} events (seq {}..{}), {} in view, {} reversals resolved{}", what,
                stats.events_read, stats.from_seq, stats.to_seq, stats.events_applied,
                stats.reversals_resolved, stats.from_snapshot ? ", from snapshot" : "");
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Opens the ledger read-only and computes the rows of `query`
// (app::QueryReport); a long catch-up of an unfiltered view is stored as the
// projection's checkpoint when the writer lock is free
// (SaveCheckpointIfLockFree). Returns an exit code; kExitOk on success.
int Fill(const GlobalOptions& g, const std::string& command, const projections::ReportQuery& query,
         projections::ReportRows* rows) {
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  RunStats stats;
  s = app::QueryReport(
      ledger.get(), query,
      [&g](const Projection& p, uint64_t seq) { SaveCheckpointIfLockFree(g, p, seq); }, rows,
      &stats);
  LogStats(command, stats);
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

std::string Render(const projections::RowSet& set, OutputFormat f) {
  std::string out;
  projections::WriteRowSet(set, f, &out);
  return out;
}

// ---- balance, margin, escalations, burn

int RunReport(const po::variables_map& vm, const GlobalOptions& g, projections::ReportKind kind,
              const std::string& command) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, kind, &args);
  if (!s.ok()) return Usage(command, s);
  projections::ReportRows rows;
  if (int rc = Fill(g, command, args.query, &rows); rc != kExitOk) return rc;
  Print(Render(projections::RowSetOf(rows), args.format));
  return kExitOk;
}

int RunBalance(const po::variables_map& vm, const GlobalOptions& g) {
  return RunReport(vm, g, projections::ReportKind::kBalances, "balance");
}

// The rows of a closed month checked against its seal (app::QuerySealedMargins).
int FillSealed(const GlobalOptions& g, const projections::ReportQuery& query, int32_t month,
               projections::ReportRows* rows, projections::ClosedPeriod* sealed) {
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  RunStats stats;
  s = app::QuerySealedMargins(
      ledger.get(), query, month,
      [&g](const Projection& p, uint64_t seq) { SaveCheckpointIfLockFree(g, p, seq); }, rows,
      &stats, sealed);
  LogStats("margin", stats);
  return s.ok() ? kExitOk : Fail(s);
}

int RunMargin(const po::variables_map& vm, const GlobalOptions& g) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, projections::ReportKind::kMargins, &args);
  std::optional<int32_t> period;
  if (s.ok()) s = ParsePeriodOption(vm, &period);
  if (!s.ok()) return Usage("margin", s);
  // The month's end as known now; the rows are checked against its seal.
  if (period.has_value()) app::ViewOfPeriod(*period, &args.query);
  projections::ReportRows rows;
  projections::ClosedPeriod sealed;
  const int rc = period.has_value() ? FillSealed(g, args.query, *period, &rows, &sealed)
                                    : Fill(g, "margin", args.query, &rows);
  if (rc != kExitOk) return rc;
  Print(Render(projections::RowSetOf(rows), args.format));
  if (period.has_value()) {
    // Tables say it under the rows; CSV and JSON stay rows only.
    const std::string note = app::SealedNote(sealed);
    if (args.format == OutputFormat::kTable) {
      Print(note);
    } else if (!g.quiet) {
      std::fputs(note.c_str(), stderr);
    }
  }
  return kExitOk;
}

// A report read from the ledger as it is stored, with no fold: opens it
// read-only, `read` makes the rows, printed in `format`.
int PrintStoredRows(const GlobalOptions& g, OutputFormat format,
                    const std::function<Status(ledger::Ledger*, projections::RowSet*)>& read) {
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  projections::RowSet rows;
  if (s.ok()) s = read(ledger.get(), &rows);
  if (!s.ok()) return Fail(s);
  Print(Render(rows, format));
  return kExitOk;
}

// ---- retention

int RunRetention(const po::variables_map& vm, const GlobalOptions& g) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, projections::ReportKind::kBalances, &args);
  if (!s.ok()) return Usage("retention", s);
  const int32_t as_of = args.query.view.as_of_day.value_or(TodayDay());
  const auto years = static_cast<uint32_t>(vm["years"].as<uint64_t>());
  return PrintStoredRows(g, args.format, [&](ledger::Ledger* l, projections::RowSet* rows) {
    std::vector<projections::RetentionRow> retention;
    CCL_RETURN_IF_ERROR(projections::BuildRetentionRows(l, as_of, years, &retention));
    *rows = projections::RetentionRowSet(retention);
    return Status::OK();
  });
}

// ---- pending

int RunPending(const po::variables_map& vm, const GlobalOptions& g) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, projections::ReportKind::kBalances, &args);
  if (!s.ok()) return Usage("pending", s);
  return PrintStoredRows(g, args.format, [](ledger::Ledger* l, projections::RowSet* rows) {
    std::vector<events::Event> pending;
    CCL_RETURN_IF_ERROR(projections::ReadPendingApprovals(l, &pending));
    *rows = projections::PendingRowSet(pending);
    return Status::OK();
  });
}

// ---- periods

int RunPeriods(const po::variables_map& vm, const GlobalOptions& g) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, projections::ReportKind::kMargins, &args);
  if (!s.ok()) return Usage("periods", s);
  const int64_t known_at_ns = args.query.view.known_at_ns.value_or(INT64_MAX);
  return PrintStoredRows(g, args.format, [&](ledger::Ledger* l, projections::RowSet* rows) {
    std::vector<projections::ClosedPeriod> periods;
    CCL_RETURN_IF_ERROR(projections::ReadClosedPeriods(l, known_at_ns, &periods));
    *rows = projections::PeriodRowSet(periods);
    return Status::OK();
  });
}

int RunEscalations(const po::variables_map& vm, const GlobalOptions& g) {
  return RunReport(vm, g, projections::ReportKind::kEscalations, "escalations");
}

int RunBurn(const po::variables_map& vm, const GlobalOptions& g) {
  return RunReport(vm, g, projections::ReportKind::kBurn, "burn");
}

// ---- replay and rebuild

// "balances v1 seq 1234 sha256 <hex>": one line two replays can be compared by.
std::string DigestLine(const Projection& p, uint64_t seq) {
  return std::string(p.name()) + " v" + std::to_string(p.version()) + " seq " +
         std::to_string(seq) + " sha256 " + projections::HexOf(projections::StateDigest(p)) + "\n";
}

// The report of a member of `set`.
projections::ReportKind KindOf(ProjectionSet& set, const Projection* p) {
  for (const auto kind : {projections::ReportKind::kBalances, projections::ReportKind::kMargins,
                          projections::ReportKind::kEscalations, projections::ReportKind::kBurn}) {
    if (projections::ProjectionFor(&set, kind) == p) return kind;
  }
  assert(false && "not a member of the set");
  return projections::ReportKind::kBalances;
}

Status ProjectionByName(ProjectionSet* set, const std::string& name, Projection** out) {
  *out = set->Find(name);
  if (*out != nullptr) return Status::OK();
  return Status::InvalidArgument("option '--projection': unknown projection " +
                                 events::QuoteForMessage(name) +
                                 " (choose from balances, margins, escalations, burn)");
}

int RunReplay(const po::variables_map& vm, const GlobalOptions& g) {
  ReportArgs args;
  Status s = ParseReportArgs(vm, projections::ReportKind::kBalances, &args);
  ProjectionSet set;
  Projection* p = nullptr;
  if (s.ok()) s = ProjectionByName(&set, vm["projection"].as<std::string>(), &p);
  if (!s.ok()) return Usage("replay", s);
  args.query.kind = KindOf(set, p);
  std::unique_ptr<ledger::Ledger> ledger;
  s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  Runner runner(ledger.get(), RunnerOptions{.save_checkpoints = false});
  RunStats stats;
  Projection* ps[] = {p};
  const auto start = std::chrono::steady_clock::now();
  s = runner.Replay(args.query.view, ps, &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LogStats("replay", stats);
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    std::fprintf(stderr, "replayed %s: %llu events read, %llu in view, %.3f s\n",
                 std::string(p->name()).c_str(), static_cast<unsigned long long>(stats.events_read),
                 static_cast<unsigned long long>(stats.events_applied), seconds);
  }
  if (vm["digest"].as<bool>()) {
    // The state of the view's events, whatever the day: a digest depends on
    // the events alone.
    Print(DigestLine(*p, stats.to_seq));
    return kExitOk;
  }
  // What the report command would print (margins at their finest grain).
  projections::ReportRows rows;
  s = projections::RowsOfState(&runner, args.query, &set, &rows, &stats);
  if (!s.ok()) return Fail(s);
  Print(Render(projections::RowSetOf(rows), args.format));
  return kExitOk;
}

int RunRebuild(const po::variables_map& vm, const GlobalOptions& g) {
  ProjectionSet set;
  std::vector<Projection*> ps = set.All();
  if (vm.count("projection")) {
    Projection* p = nullptr;
    Status s = ProjectionByName(&set, vm["projection"].as<std::string>(), &p);
    if (!s.ok()) return Usage("rebuild", s);
    ps = {p};
  }
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kWrite, &ledger);
  if (!s.ok()) return Fail(s);
  Runner runner(ledger.get(), RunnerOptions{.save_checkpoints = true});
  RunStats stats;
  const auto start = std::chrono::steady_clock::now();
  s = runner.Rebuild(ps, &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LogStats("rebuild", stats);
  if (!s.ok()) return Fail(s);
  for (Projection* p : ps) Print(DigestLine(*p, stats.to_seq));
  if (!g.quiet) {
    const double eps = seconds > 0 ? static_cast<double>(stats.events_read) / seconds : 0;
    std::fprintf(stderr, "rebuilt %zu projection(s) over %llu events in %.3f s (%.0f events/s)\n",
                 ps.size(), static_cast<unsigned long long>(stats.events_read), seconds, eps);
  }
  return kExitOk;
}

// The options of balance and escalations: one contract or all, the time
// options, the format.
void DefineContractReportOptions(po::options_description* d, po::positional_options_description*) {
  d->add_options()("contract", po::value<std::string>()->value_name("C"),
                   "only contract C (reads only its stream)");
  DefineTimeOptions(d);
  DefineFormatOption(d);
}

// balance, margin, retention: each contract's hours, money and records.
void RegisterContractFigureCommands(CommandTable* table) {
  table->push_back(Command{
      "balance", "balance [--contract C] [--as-of DATE] [--known-at TIMESTAMP] [--format FMT]",
      "hours funded, consumed, remaining and over, per contract and service line",
      DefineContractReportOptions, RunBalance});
  table->push_back(Command{
      "margin",
      "margin [--by KEYS] [--contract C] [--currency CODE] [--as-of DATE | --period YYYY-MM] "
      "[--known-at TIMESTAMP] [--format FMT]",
      "revenue, cost and contribution margin, grouped by customer, contract and/or month",
      [](po::options_description* d, po::positional_options_description*) {
        d->add_options()(
            "by", po::value<std::string>()->default_value("contract")->value_name("KEYS"),
            "comma-separated grouping keys, in column order: customer, contract, month")(
            "contract", po::value<std::string>()->value_name("C"),
            "only contract C (reads only its stream)")(
            "currency", po::value<std::string>()->value_name("CODE"),
            "only contracts in currency CODE (amounts in different currencies are never added)")(
            "period", po::value<std::string>()->value_name("YYYY-MM"),
            "a closed month: its rows as of its last day, checked against the figures sealed "
            "at its close (exit 3 if they differ)");
        DefineTimeOptions(d);
        DefineFormatOption(d);
      },
      RunMargin});
  table->push_back(Command{
      "retention", "retention [--as-of DATE] [--years N] [--format FMT]",
      "closed contracts past their records retention and not on legal hold, and those on hold",
      [](po::options_description* d, po::positional_options_description*) {
        d->add_options()("as-of", po::value<std::string>()->value_name("DATE"),
                         "the day to judge on (YYYY-MM-DD; default: today, UTC)")(
            "years",
            (new BoundedNumber(limits::kRetentionYearsMax))->default_value(3)->value_name("N"),
            "years records are kept after the ContractClosed (FAR 4.703: 3 after final payment)");
        DefineFormatOption(d);
      },
      RunRetention});
}

// pending, periods, escalations, burn: approvals awaited, closed months, escalations, forecasts.
void RegisterLedgerFigureCommands(CommandTable* table) {
  table->push_back(Command{"pending", "pending [--json | --format FMT]",
                           "events awaiting approval, oldest first, with who asked and when",
                           [](po::options_description* d, po::positional_options_description*) {
                             DefineJsonOption(d);
                             DefineFormatOption(d);
                           },
                           RunPending});
  table->push_back(Command{"periods", "periods [--known-at TIMESTAMP] [--json | --format FMT]",
                           "closed months with the totals sealed at their close, per currency",
                           [](po::options_description* d, po::positional_options_description*) {
                             d->add_options()("known-at",
                                              po::value<std::string>()->value_name("TIMESTAMP"),
                                              "the closes recorded at or before TIMESTAMP");
                             DefineJsonOption(d);
                             DefineFormatOption(d);
                           },
                           RunPeriods});
  table->push_back(Command{
      "escalations",
      "escalations [--contract C] [--as-of DATE] [--known-at TIMESTAMP] [--format FMT]",
      "escalations per contract and severity: opened, resolved, open, time to resolve, minutes",
      DefineContractReportOptions, RunEscalations});
  table->push_back(Command{
      "burn",
      "burn [--at-risk] [--contract C] [--as-of DATE] [--known-at TIMESTAMP] [--format FMT]",
      "90-day burn rate and forecast to term end per contract line (overrun / underuse)",
      [](po::options_description* d, po::positional_options_description*) {
        d->add_options()("at-risk", po::bool_switch(), "only lines flagged overrun or underuse")(
            "contract", po::value<std::string>()->value_name("C"),
            "only contract C (reads only its stream)");
        DefineTimeOptions(d);
        DefineFormatOption(d);
      },
      RunBurn});
}

}  // namespace

void RegisterReportCommands(CommandTable* table) {
  RegisterContractFigureCommands(table);
  RegisterLedgerFigureCommands(table);
  // replay, rebuild: projections recomputed from seq 1.
  table->push_back(Command{
      "replay",
      "replay --projection NAME [--as-of DATE] [--known-at TIMESTAMP] [--digest] [--format FMT]",
      "fold one projection from seq 1 (no snapshot, nothing saved); print its rows or digest",
      [](po::options_description* d, po::positional_options_description*) {
        d->add_options()("projection", po::value<std::string>()->required()->value_name("NAME"),
                         "balances | margins | escalations | burn")(
            "digest", po::bool_switch(), "print only 'NAME vN seq S sha256 HEX' of the state");
        DefineTimeOptions(d);
        DefineFormatOption(d);
      },
      RunReplay});
  table->push_back(
      Command{"rebuild", "rebuild [--projection NAME]",
              "recompute projections from seq 1 and store their checkpoints; print their digests",
              [](po::options_description* d, po::positional_options_description*) {
                d->add_options()("projection", po::value<std::string>()->value_name("NAME"),
                                 "only this projection (default: all four)");
              },
              RunRebuild});
}

}  // namespace ccl::tools
