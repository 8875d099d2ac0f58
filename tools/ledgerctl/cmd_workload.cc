// `ledgerctl generate` and `ledgerctl demo`: synthetic workloads (the
// generator is tools/generator/generator.h), and the demo that imports one into a fresh
// ledger, verifies it and runs the report commands on it.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/store/ledger.h"
#include "tools/generator/generator.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"

namespace ccl::tools {

using ledger::Ledger;

namespace {

// ---------------------------------------------------------------- generate

Status GeneratorOptionsFrom(const po::variables_map& vm, GeneratorOptions* o) {
  o->contracts = vm["contracts"].as<uint32_t>();
  o->days = vm["days"].as<uint32_t>();
  o->seed = vm["seed"].as<uint64_t>();
  o->close_periods = vm.count("no-period-closes") == 0;
  o->approvals = vm.count("no-approvals") == 0;
  if (vm.count("start")) {
    Status s = events::ParseDate(vm["start"].as<std::string>(), &o->start_day);
    if (!s.ok()) return s.WithContext("option '--start'");
  }
  return ValidateGeneratorOptions(*o);
}

// clang-format off
void DefineGeneratorOptions(po::options_description* d, uint32_t contracts, uint32_t days) {
  d->add_options()
      ("contracts", po::value<uint32_t>()->default_value(contracts), "number of contracts")
      ("days", po::value<uint32_t>()->default_value(days), "days of activity")
      ("seed", po::value<uint64_t>()->default_value(1), "PRNG seed: same seed, same bytes")
      ("start", po::value<std::string>()->value_name("DATE"),
       "first day, YYYY-MM-DD (default 2025-01-01)")
      ("no-period-closes",
       "no monthly PeriodClosed: for a workload split among concurrent writers, whose "
       "earlier-dated events a ledger-wide close would refuse")
      ("no-approvals",
       "no ApprovalPolicySet, so reversals need no approval: for the same split workloads");
}
// clang-format on

std::string StatsLine(const GeneratorOptions& o, const GeneratorStats& st, double seconds) {
  char per_day[32];
  std::snprintf(per_day, sizeof(per_day), "%.2f",
                st.contract_days ? static_cast<double>(st.events) / st.contract_days : 0.0);
  return "generated " + events::FormatThousands(st.events) +
         " events: " + events::FormatThousands(o.contracts) + " contracts x " +
         events::FormatThousands(o.days) + " days, " + events::FormatThousands(st.contract_days) +
         " contract-days, " + per_day + " events per contract-day (" + Rate(st.events, seconds) +
         ")";
}

int RunGenerate(const po::variables_map& vm, const GlobalOptions& g) {
  GeneratorOptions options;
  Status s = GeneratorOptionsFrom(vm, &options);
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerctl generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  // Written like every --out: a regular file replaced atomically when the
  // workload is whole, never left half-written.
  const std::string path = OptString(vm, "out", "-");
  GeneratorStats stats;
  const auto start = std::chrono::steady_clock::now();
  s = WriteGeneratedJsonl(options, path, events::FileWriteOptions(), &stats);
  if (!s.ok()) return Fail(s);
  if (!g.quiet)
    std::fprintf(stderr, "%s\n", StatsLine(options, stats, SecondsSince(start)).c_str());
  return kExitOk;
}

// ---------------------------------------------------------------- demo

// The demo's first step: a fresh ledger at g.db_path and a new workload file,
// or exit 1 when either exists: nothing of an earlier run is deleted or
// overwritten, since that ledger may have been appended to since.
int DemoRefuseExisting(const GlobalOptions& g, const std::string& workload) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& path : {g.db_path, workload}) {
    if (fs::exists(path, ec) && !(fs::is_directory(path, ec) && fs::is_empty(path, ec))) {
      return Fail(Status::InvalidArgument(
          path +
          " exists: the demo never deletes or overwrites a file; choose another --dir "
          "(or remove " +
          g.db_path + ", " + workload + " and " + CheckpointFolder(g) + " yourself)"));
    }
  }
  // The workload goes beside the new ledger, never into another's folder.
  if (std::string bad = OutputInsideTheLedger(workload, g); !bad.empty()) {
    return Fail(Status::InvalidArgument(bad));
  }
  // A removed ledger's checkpoints are its evidence, and would hold the new
  // ledger to them: they are the user's to move, never the demo's to delete.
  const Status s = ledger::CheckFolderHoldsNoCheckpoint(CheckpointFolder(g));
  return s.ok() ? kExitOk : Fail(s);
}

// Step 1: writes the workload to a new file and prints its counts per type.
int DemoGenerate(const GeneratorOptions& options, const std::string& workload) {
  std::printf("1. Generating a workload: %u contracts x %u days, seed %llu -> %s\n",
              options.contracts, options.days, static_cast<unsigned long long>(options.seed),
              workload.c_str());
  // A new file only (never an existing one), made whole or not at all: a
  // demo stopped by a full disk leaves no partial workload to refuse a re-run.
  GeneratorStats stats;
  const auto start = std::chrono::steady_clock::now();
  const Status s =
      WriteGeneratedJsonl(options, workload, {events::ExistingFile::kRefuse, 0644}, &stats);
  if (!s.ok()) return Fail(s);
  std::printf("   %s\n", StatsLine(options, stats, SecondsSince(start)).c_str());
  for (int t = 1; t <= events::kEventTypeCount; ++t) {
    std::printf("   %-26s %10s\n",
                std::string(events::EventTypeName(static_cast<events::EventType>(t))).c_str(),
                events::FormatThousands(stats.events_by_type[t]).c_str());
  }
  return kExitOk;
}

// Steps 2 and 3: imports the workload into a new ledger, then verifies it.
int DemoImportAndVerify(const GlobalOptions& g, const std::string& workload) {
  std::printf("2. Importing it into a new ledger at %s (one atomic append)\n", g.db_path.c_str());
  std::unique_ptr<Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kCreate, &ledger);
  if (!s.ok()) return Fail(s);
  app::ImportResult counts;
  auto start = std::chrono::steady_clock::now();
  s = ImportWithProgress(ledger.get(), workload, app::ImportOptions(), g, &counts);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return ExitCodeFor(s);
  }
  s = PublishOwnCheckpoint(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  std::printf("   %s appended, %s duplicates (%s)\n",
              events::FormatThousands(counts.appended).c_str(),
              events::FormatThousands(counts.duplicates).c_str(),
              Rate(counts.events, SecondsSince(start)).c_str());

  std::printf("3. Verifying every event, the hash chain and the indexes\n");
  start = std::chrono::steady_clock::now();
  ledger::VerifyReport report;
  s = ledger->Verify(ledger::VerifyProgress(), &report);
  if (!s.ok()) return FailedCheck(s);
  std::printf("   OK: %s events (%s)\n   head seq %llu, hash %s\n   %s bytes on disk\n",
              events::FormatThousands(report.events).c_str(),
              Rate(report.events, SecondsSince(start)).c_str(),
              static_cast<unsigned long long>(report.head.seq),
              events::HexEncode(report.head.hash).c_str(),
              events::FormatThousands(ledger->DiskBytes()).c_str());
  return kExitOk;
}

// Steps 4 on: the reports of the other command groups this build has.
// REQUIRES: no ledger open in this process (each report opens it).
int DemoReports(const GeneratorOptions& options, const GlobalOptions& g,
                const CommandTable& table) {
  struct Report {
    std::string title;
    std::vector<std::string> args;
  };
  // Burn is evaluated on the workload's last day: on today's date, long
  // after a generated year, every contract would have ended or idled.
  const std::string last_day =
      events::FormatDate(options.start_day + static_cast<int32_t>(options.days) - 1);
  const Report reports[] = {
      {"Balances per contract and service line", {"balance"}},
      {"Contribution margin per customer", {"margin", "--by", "customer"}},
      {"Contracts at risk on " + last_day +
           ", the workload's last day (projected overrun or "
           "underuse)",
       {"burn", "--at-risk", "--as-of", last_day}},
  };
  int step = 4;
  for (const Report& r : reports) {
    if (FindCommand(table, r.args[0]) == nullptr) continue;
    std::printf("%d. %s\n", step++, r.title.c_str());
    std::fflush(stdout);
    const int rc =
        RunCommand(table, r.args[0], std::vector<std::string>(r.args.begin() + 1, r.args.end()), g);
    std::fflush(stdout);
    if (rc != kExitOk) return rc;
  }
  return kExitOk;
}

// Names this very binary, relative to here when it is below: a line to copy.
void PrintExploreHint(const GlobalOptions& g) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string self = "ledgerctl";
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path rel = exe.lexically_relative(fs::current_path(ec));
    self = (!ec && !rel.empty() && *rel.begin() != "..") ? rel.string() : exe.string();
  }
  std::printf("\nExplore it:\n  %s --db %s log --limit 20\n  %s --db %s show 1\n  %s --help\n",
              self.c_str(), g.db_path.c_str(), self.c_str(), g.db_path.c_str(), self.c_str());
}

int RunDemo(const po::variables_map& vm, const GlobalOptions& g0, const CommandTable* table) {
  GeneratorOptions options;
  const Status s = GeneratorOptionsFrom(vm, &options);
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerctl demo: %s\n", s.message().c_str());
    return kExitUsage;
  }
  // The demo's ledger is --dir, or --db when only that names it (a user who
  // gave --db expects the ledger there, not in ./demo-ledger).
  GlobalOptions g = g0;
  g.db_path = vm["dir"].as<std::string>();
  if (g0.db_given && vm["dir"].defaulted()) {
    g.db_path = g0.db_path;
  } else if (g0.db_given && g0.db_path != g.db_path) {
    std::fprintf(stderr, "ledgerctl demo: --db %s and --dir %s name two folders: give one\n",
                 events::QuoteForMessage(g0.db_path).c_str(),
                 events::QuoteForMessage(g.db_path).c_str());
    return kExitUsage;
  }
  const std::string workload = g.db_path + ".jsonl";
  int rc = DemoRefuseExisting(g, workload);
  if (rc != kExitOk) return rc;
  std::printf("== Contract Consumption Ledger demo ==\n");
  rc = DemoGenerate(options, workload);
  if (rc != kExitOk) return rc;
  rc = DemoImportAndVerify(g, workload);
  if (rc != kExitOk) return rc;
  rc = DemoReports(options, g, *table);
  if (rc != kExitOk) return rc;
  PrintExploreHint(g);
  return kExitOk;
}

}  // namespace

// Option tables read best one option per line; clang-format would fold them.
// clang-format off
void RegisterWorkloadCommands(CommandTable* table) {
  table->push_back(
      {"generate", "generate [--contracts N] [--days D] [--seed S] [--start DATE] [--out FILE]",
       "write a realistic, rule-abiding JSON Lines workload (deterministic per seed)",
       [](po::options_description* d, po::positional_options_description*) {
         DefineGeneratorOptions(d, 20, 365);
         d->add_options()
             ("out", po::value<std::string>()->value_name("FILE"), "output file (default: stdout)");
       },
       RunGenerate});
  table->push_back(
      {"demo", "demo [--dir D] [--contracts N] [--days D] [--seed S]",
       "generate a workload, import it into a fresh ledger, verify and report",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("dir", po::value<std::string>()->default_value("./demo-ledger"),
              "demo ledger directory (or the global --db), must not exist (the workload goes to D.jsonl)");
         DefineGeneratorOptions(d, 20, 365);
       },
       [table](const po::variables_map& vm, const GlobalOptions& g) {
         return RunDemo(vm, g, table);
       }});
}
// clang-format on

}  // namespace ccl::tools
