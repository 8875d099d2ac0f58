// The reporting commands: `export` (the event feed with its
// checkpoint, and projection rows for BI tools), `tail` (follow a ledger
// that another process is writing), `stats` and `report` (the HTML audit
// report). All open the ledger read-only, so they run beside a writer.
// The work is in libraries (tools/feed, tools/report); this file turns
// options into their inputs and their Status into exit codes.
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "events/base/display.h"
#include "events/base/durable_file.h"
#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "projections/folds/format.h"
#include "tools/feed/event_feed.h"
#include "tools/feed/output.h"
#include "tools/feed/projection_export.h"
#include "tools/feed/stats.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/progress/progress.h"
#include "tools/report/report_data.h"
#include "tools/report/report_html.h"

namespace ccl::tools {

namespace {

// Prints "ledgerctl <cmd>: <message>" and returns the usage exit code.
int UsageError(const char* command, const std::string& message) {
  std::fprintf(stderr, "ledgerctl %s: %s (see ledgerctl %s --help)\n", command, message.c_str(),
               command);
  return kExitUsage;
}

// Where output goes: --out FILE (replaced atomically when complete) or stdout.
Status OpenOutput(const po::variables_map& vm, std::unique_ptr<feed::FeedOutput>* out) {
  if (vm.count("out")) return feed::FeedOutput::ToFile(vm["out"].as<std::string>(), out);
  *out = feed::FeedOutput::ToDescriptor(STDOUT_FILENO, "stdout");
  return Status::OK();
}

// ---------------------------------------------------------------- export

int RunExportEvents(const po::variables_map& vm, const GlobalOptions& g) {
  feed::EventExportOptions o;
  const std::string format = OptString(vm, "format", "jsonl");
  if (!feed::ParseEventFormat(format, &o.format).ok()) {
    return UsageError("export", "option '--format': events are exported as jsonl or csv");
  }
  for (const char* option : {"as-of", "known-at", "contract", "by", "at-risk"}) {
    if (vm.count(option) && !vm[option].defaulted()) {
      return UsageError("export", std::string("option '--") + option +
                                      "' applies to projection exports, not to events");
    }
  }
  if (vm.count("checkpoint")) o.checkpoint_path = vm["checkpoint"].as<std::string>();
  if (vm.count("after")) o.after_seq = vm["after"].as<uint64_t>();
  if (vm.count("limit")) o.limit = vm["limit"].as<uint64_t>();
  if (vm.count("limit") && o.limit == 0) {
    // 0 exported everything and moved the checkpoint to the head.
    return UsageError("export", "option '--limit': at least 1 (leave it out for no limit)");
  }
  if (!o.checkpoint_path.empty() && vm.count("after")) {
    return UsageError("export",
                      "--after and --checkpoint exclude each other (the checkpoint "
                      "says where to start)");
  }
  if (!o.checkpoint_path.empty()) {
    // The feed's checkpoint is a file the export writes: never the ledger's
    // own, and never the file the events go to (the checkpoint, saved last,
    // replaced them, and the next run started after events nobody received).
    std::string bad = OutputInsideTheLedger(o.checkpoint_path, g);
    if (bad.empty() && vm.count("out") &&
        events::IsSameFile(vm["out"].as<std::string>(), o.checkpoint_path)) {
      bad = "--out and --checkpoint name the same file: the checkpoint would replace the events";
    }
    if (!bad.empty()) {
      std::fprintf(stderr, "ledgerctl export: option '--checkpoint': %s\n", bad.c_str());
      return kExitRejected;
    }
  }

  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<feed::FeedOutput> out;
  s = OpenOutput(vm, &out);
  if (!s.ok()) return Fail(s);

  Progress progress("export events", 0, ShowProgress(g));
  o.on_progress = [&progress](uint64_t done, uint64_t total) {
    progress.SetTotal(total);
    progress.Update(done);
  };
  feed::EventExportResult r;
  s = feed::ExportEvents(ledger.get(), o, out.get(), &r);
  progress.Finish();
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    std::string msg = "exported " + events::FormatThousands(r.events) + " events";
    if (r.events > 0)
      msg += " (seq " + events::FormatThousands(r.first_seq) + ".." +
             events::FormatThousands(r.last_seq) + ")";
    if (!o.checkpoint_path.empty()) {
      msg += r.checkpoint_saved ? "; checkpoint " + o.checkpoint_path + " now at seq " +
                                      events::FormatThousands(r.last_seq)
                                : "; checkpoint " + o.checkpoint_path + " unchanged";
    }
    if (r.last_seq < r.head_seq) {
      msg += "; " + events::FormatThousands(r.head_seq - r.last_seq) + " more to export";
    }
    std::fprintf(stderr, "%s\n", msg.c_str());
  }
  return kExitOk;
}

int RunExportProjection(const po::variables_map& vm, const GlobalOptions& g,
                        projections::ReportKind kind) {
  feed::ProjectionExportOptions o;
  o.kind = kind;
  const std::string format = OptString(vm, "format", "csv");
  if (format == "csv") {
    o.format = projections::OutputFormat::kCsv;
  } else if (format == "jsonl") {
    o.format = projections::OutputFormat::kJson;
  } else {
    return UsageError("export", "option '--format': projections are exported as csv or jsonl");
  }
  for (const char* option : {"checkpoint", "after", "limit"}) {
    if (vm.count(option)) {
      return UsageError("export",
                        std::string("option '--") + option + "' applies to `export events` only");
    }
  }
  Status s = ParseViewOptions(vm, &o.view);
  if (!s.ok()) return UsageError("export", s.message());
  if (vm.count("by")) {
    if (kind != projections::ReportKind::kMargins) {
      return UsageError("export", "option '--by' applies to margins only");
    }
    s = projections::ParseMarginKeys(vm["by"].as<std::string>(), &o.margin_keys);
    if (!s.ok()) return UsageError("export", "option '--by': " + s.message());
  }
  o.at_risk_only = vm["at-risk"].as<bool>();
  o.today_day = TodayDay();
  if (o.at_risk_only && kind != projections::ReportKind::kBurn) {
    return UsageError("export", "option '--at-risk' applies to burn only");
  }

  std::unique_ptr<ledger::Ledger> ledger;
  s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (s.ok()) s = CheckContractExists(ledger.get(), o.view.contract);
  if (!s.ok()) return Fail(s);
  std::string text;
  projections::RunStats stats;
  s = feed::ExportProjection(ledger.get(), o, &text, &stats);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<feed::FeedOutput> out;
  s = OpenOutput(vm, &out);
  if (s.ok()) s = out->Append(text);
  if (s.ok()) s = out->Commit();
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

int RunExport(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string what = vm["what"].as<std::string>();
  if (what == "events") return RunExportEvents(vm, g);
  projections::ReportKind kind;
  if (!projections::ParseReportKind(what, &kind)) {
    return UsageError("export", "unknown export " + events::QuoteForMessage(what) +
                                    ": events, balances, margins, escalations or burn");
  }
  return RunExportProjection(vm, g, kind);
}

// ---------------------------------------------------------------- tail

int RunTail(const po::variables_map& vm, const GlobalOptions& g) {
  feed::TailOptions o;
  const std::string format = vm["format"].as<std::string>();
  if (!feed::ParseEventFormat(format, &o.format).ok()) {
    return UsageError("tail", "option '--format': jsonl or csv");
  }
  if (vm.count("from")) {
    o.from_seq = vm["from"].as<uint64_t>();
    if (o.from_seq == 0) return UsageError("tail", "option '--from': seqs start at 1");
    if (!vm["lines"].defaulted()) {
      return UsageError("tail", "--from and -n exclude each other (each says where to start)");
    }
  }
  o.last_events = vm["lines"].as<uint64_t>();
  o.follow = vm["follow"].as<bool>();
  o.poll_interval_ms = vm["poll-ms"].as<int64_t>();
  if (o.poll_interval_ms < 10 || o.poll_interval_ms > 60'000) {
    return UsageError("tail", "option '--poll-ms': must be 10..60000");
  }
  if (vm.count("limit")) o.limit = vm["limit"].as<uint64_t>();
  if (vm.count("limit") && o.limit == 0) {
    return UsageError("tail", "option '--limit': at least 1 (leave it out for no limit)");
  }
  if (vm.count("idle-timeout")) {
    // RunCommand bounds it (kTailIdleTimeoutSecondsMax), so the product fits.
    const uint64_t seconds = vm["idle-timeout"].as<uint64_t>();
    assert(seconds <= limits::kTailIdleTimeoutSecondsMax);
    o.idle_timeout_ms = static_cast<int64_t>(seconds) * 1000;
  }

  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  // Ctrl-C ends a follow cleanly: what was read is flushed, exit 0; so does
  // the reader of a pipe going away.
  o.should_stop = StopOnInterruptOrTermOrReaderGone(STDOUT_FILENO);
  auto out = feed::FeedOutput::ToDescriptor(STDOUT_FILENO, "stdout");
  uint64_t count = 0;
  s = feed::TailEvents(ledger.get(), o, out.get(), &count);
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- stats

int RunStats(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    return UsageError("stats", "option '--format': table or json");
  }
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger, OwnCheckpoint::kWarn);
  if (!s.ok()) return Fail(s);
  Progress progress("stats", ledger->head().seq, ShowProgress(g));
  feed::LedgerStats stats;
  s = feed::ComputeStats(
      ledger.get(), [&progress](uint64_t done, uint64_t) { progress.Update(done); }, &stats);
  progress.Finish();
  if (!s.ok()) return Fail(s);
  const std::string text =
      format == "json" ? feed::FormatStatsJson(stats) : feed::FormatStatsText(stats);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

// ---------------------------------------------------------------- report

int RunReport(const po::variables_map& vm, const GlobalOptions& g) {
  report::ReportOptions o;
  Status s = ParseViewOptions(vm, &o.view);
  if (!s.ok()) return UsageError("report", s.message());
  o.verify = !vm["no-verify"].as<bool>();
  o.generated_at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  o.today_day = TodayDay();
  const std::string path = vm["out"].as<std::string>();

  std::unique_ptr<ledger::Ledger> ledger;
  // The report verifies the ledger against its checkpoint and says so.
  s = OpenLedger(g, OpenMode::kReadOnly, &ledger, OwnCheckpoint::kSkip);
  if (s.ok()) s = CheckContractExists(ledger.get(), o.view.contract);
  if (!s.ok()) return Fail(s);
  Progress progress("verify", ledger->head().seq, ShowProgress(g) && o.verify);
  o.on_verify_progress = [&progress](uint64_t done, uint64_t total) {
    progress.SetTotal(total);
    progress.Update(done);
  };
  report::ReportData data;
  s = report::BuildReportData(ledger.get(), o, &data);
  progress.Finish();
  if (!s.ok()) return Fail(s);
  if (o.verify && data.verify_status.ok()) {
    // The report's verification is `verify`'s: the events, and that the
    // ledger still extends its own newest checkpoint (not rolled back).
    std::string summary;
    data.verify_status = VerifyOwnCheckpoint(ledger.get(), g, &summary);
  }
  std::string html;
  report::RenderReportHtml(data, &html);
  std::unique_ptr<feed::FeedOutput> out;
  s = feed::FeedOutput::ToFile(path, &out);
  if (s.ok()) s = out->Append(html);
  if (s.ok()) s = out->Commit();
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    std::fprintf(stderr, "wrote %s (%s bytes): %s, %zu contracts, %zu charts%s\n", path.c_str(),
                 events::FormatThousands(html.size()).c_str(),
                 !o.verify                 ? "verification skipped"
                 : data.verify_status.ok() ? "verification OK"
                                           : "VERIFICATION FAILED",
                 data.contracts.size(), data.charts.size(),
                 data.charts_omitted > 0 ? " (some charts omitted: use --contract)" : "");
  }
  // A report of a ledger that fails verification is still written (it says
  // so in red), but the exit code says it too.
  return data.verify_status.ok() ? kExitOk : kExitCorruption;
}

void DefineViewOptions(po::options_description* d) {
  d->add_options()("as-of", po::value<std::string>()->value_name("DATE"),
                   "only events effective on or before DATE (YYYY-MM-DD, UTC)")(
      "known-at", po::value<std::string>()->value_name("INSTANT"),
      "only events recorded at or before INSTANT (RFC 3339): what the ledger knew then")(
      "contract", po::value<std::string>()->value_name("C"), "only contract C");
}

}  // namespace

void RegisterFeedCommands(CommandTable* table) {
  table->push_back(
      {"export",
       "export events [--format jsonl|csv] [--checkpoint FILE | --after SEQ] [--limit N] "
       "[--out FILE]\n"
       "       ledgerctl export balances|margins|escalations|burn [--format csv|jsonl] "
       "[--as-of DATE] [--known-at INSTANT] [--contract C] [--by KEYS] [--at-risk] [--out FILE]",
       "the reporting feed: events since a checkpoint, or projection rows, as CSV or JSON Lines",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "what", "WHAT", "events, balances, margins, escalations or burn");
         d->add_options()("format", po::value<std::string>()->value_name("F"),
                          "jsonl or csv (default: jsonl for events, csv for projections)")(
             "checkpoint", po::value<std::string>()->value_name("FILE"),
             "events: start after FILE's position and advance it once the output is complete")(
             "after", po::value<uint64_t>()->value_name("SEQ"),
             "events: start after SEQ (no checkpoint)")(
             "limit", po::value<uint64_t>()->value_name("N"), "events: at most N events")(
             "out", po::value<std::string>()->value_name("FILE"),
             "write FILE, replaced atomically when complete (default: stdout)")(
             "by", po::value<std::string>()->value_name("KEYS"),
             "margins: group by KEYS, e.g. customer,month (default: contract,month)")(
             "at-risk", po::bool_switch(), "burn: only lines flagged overrun or underuse");
         DefineViewOptions(d);
       },
       RunExport});
  table->push_back(
      {"tail", "tail [--follow] [--from SEQ | -n N] [--format jsonl|csv] [--limit N]",
       "print the last events; with --follow, stream new ones as a writer appends them",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()("follow,f", po::bool_switch(),
                          "keep printing events as they are appended")(
             "from", po::value<uint64_t>()->value_name("SEQ"), "start at SEQ")(
             "lines,n", po::value<uint64_t>()->default_value(10)->value_name("N"),
             "without --from: start N events before the head")(
             "format", po::value<std::string>()->default_value("jsonl")->value_name("F"),
             "jsonl or csv")("limit", po::value<uint64_t>()->value_name("N"),
                             "stop after N events")(
             "poll-ms", po::value<int64_t>()->default_value(200)->value_name("MS"),
             "with --follow: look for new events every MS milliseconds (10..60000)")(
             "idle-timeout",
             (new BoundedNumber(limits::kTailIdleTimeoutSecondsMax))->value_name("SECONDS"),
             "with --follow: stop when nothing new arrived for SECONDS (at most a year)");
       },
       RunTail});
  table->push_back({"stats", "stats [--format table|json]",
                    "events by type, contracts, customers, head, time span and size on disk",
                    [](po::options_description* d, po::positional_options_description*) {
                      d->add_options()(
                          "format",
                          po::value<std::string>()->default_value("table")->value_name("F"),
                          "table or json");
                    },
                    RunStats});
  table->push_back(
      {"report", "report --out FILE.html [--contract C] [--as-of DATE] [--known-at INSTANT]",
       "a self-contained HTML audit report: verification, balances, margins, burn-down charts",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()("out", po::value<std::string>()->required()->value_name("FILE"),
                          "the HTML file")(
             "no-verify", po::bool_switch(),
             "skip re-reading the whole ledger (the report then says it was not verified)");
         DefineViewOptions(d);
       },
       RunReport});
}

}  // namespace ccl::tools
