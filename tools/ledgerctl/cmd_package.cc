// `ledgerctl audit-package`: the offline audit package of a period
// (tools/package/audit_package.h): parses the options, calls the builder,
// prints what it wrote.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "events/base/time_format.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/package/audit_package.h"

namespace ccl::tools {
namespace {

int Usage(const std::string& what) {
  std::fprintf(stderr, "ledgerctl audit-package: %s (see ledgerctl audit-package --help)\n",
               what.c_str());
  return kExitUsage;
}

// A bound of --from/--to: a DATE (its 00:00Z; for --to the next day's, so
// the day is in the period) or an RFC 3339 instant (for --to, included).
Status ParseBound(const std::string& text, bool is_end, int64_t* ns) {
  if (text.size() == 10) {
    int32_t day = 0;
    CCL_RETURN_IF_ERROR(events::ParseDate(text, &day));
    *ns = (int64_t{day} + (is_end ? 1 : 0)) * events::kNsPerDay;
    return Status::OK();
  }
  CCL_RETURN_IF_ERROR(events::ParseInstant(text, ns));
  if (is_end) ++*ns;  // ParseInstant's range ends well before INT64_MAX
  return Status::OK();
}

// --period YYYY-MM, or --from and --to (both inclusive).
bool ParsePeriod(const po::variables_map& vm, package::AuditPackageOptions* o, std::string* err) {
  const bool period = vm.count("period") > 0;
  const bool range = vm.count("from") > 0 || vm.count("to") > 0;
  if (period == range || (range && !(vm.count("from") && vm.count("to")))) {
    *err = "give --period YYYY-MM, or --from and --to";
    return false;
  }
  if (period) {
    const std::string month = vm["period"].as<std::string>();
    int32_t first = 0;
    if (month.size() != 7 || !events::ParseDate(month + "-01", &first).ok()) {
      *err = "option '--period': '" + month + "' is not a month YYYY-MM";
      return false;
    }
    int32_t next = first + 28;
    while (events::MonthIndexOf(next) == events::MonthIndexOf(first)) ++next;
    o->from_ns = int64_t{first} * events::kNsPerDay;
    o->end_ns = int64_t{next} * events::kNsPerDay;
    return true;
  }
  for (const char* name : {"from", "to"}) {
    const bool is_end = name[0] == 't';
    Status s = ParseBound(vm[name].as<std::string>(), is_end, is_end ? &o->end_ns : &o->from_ns);
    if (!s.ok()) {
      *err = std::string("option '--") + name + "': " + s.message();
      return false;
    }
  }
  return true;
}

// Whether `ns` is a day's 00:00Z.
bool AtMidnight(int64_t ns) { return int64_t{events::DayOf(ns)} * events::kNsPerDay == ns; }

// The period [from_ns, end_ns) as --from and --to give it, both inclusive:
// "from 2026-12-01 through 2026-12-07" for days, the instants otherwise
// ("through 2026-12-08T02:50:57Z": end_ns is 1 ns after it).
std::string PeriodText(int64_t from_ns, int64_t end_ns) {
  const std::string from = AtMidnight(from_ns) ? events::FormatDate(events::DayOf(from_ns))
                                               : events::FormatInstant(from_ns);
  const std::string through = AtMidnight(end_ns) ? events::FormatDate(events::DayOf(end_ns) - 1)
                                                 : events::FormatInstant(end_ns - 1);
  return "from " + from + " through " + through;
}

// How the next package's period starts where this one's ends (a chain of
// packages has neither gap nor overlap): the next month's --period after a
// --period, else --from the instant after this period's last (a date at
// 00:00Z).
std::string NextPeriodOption(bool month, int64_t end_ns) {
  const int32_t day = events::DayOf(end_ns);
  if (month) return "--period " + events::FormatMonthIndex(events::MonthIndexOf(day));
  return "--from " + (AtMidnight(end_ns) ? events::FormatDate(day) : events::FormatInstant(end_ns));
}

// "1 reversal target", "2 reversal targets".
std::string Count(uint64_t n, const std::string& thing) {
  return std::to_string(n) + " " + thing + (n == 1 ? "" : "s");
}

int RunAuditPackage(const po::variables_map& vm, const GlobalOptions& g) {
  package::AuditPackageOptions o;
  std::string err;
  if (!ParsePeriod(vm, &o, &err)) return Usage(err);
  o.out_dir = vm["out"].as<std::string>();
  if (vm.count("previous")) o.previous_dir = vm["previous"].as<std::string>();
  Status s = KeyOption(vm, &o.key);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<ledger::Ledger> ledger;
  s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  o.origin = OptString(vm, "origin", ledger::LedgerOrigin(*ledger));
  std::unique_ptr<ledger::MerkleStore> tree;
  s = ledger::OpenLedgerTree(ledger.get(), &tree);
  if (!s.ok()) return Fail(s);
  const auto start = std::chrono::steady_clock::now();
  package::AuditPackageResult r;
  s = package::BuildAuditPackage(ledger.get(), *tree, o, &r);
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string events = r.last_seq >= r.first_seq ? "events " + std::to_string(r.first_seq) +
                                                               ".." + std::to_string(r.last_seq)
                                                         : std::string("no events");
    std::printf(
        "wrote %s: %s (recorded %s), %s and %s from before, checkpoint at %llu%s, %d files, %llu "
        "bytes (%.2f s)\n",
        o.out_dir.c_str(), events.c_str(), PeriodText(o.from_ns, o.end_ns).c_str(),
        Count(r.approved_pending, "approved pending event").c_str(),
        Count(r.reversal_targets, "reversal target").c_str(),
        static_cast<unsigned long long>(r.last_seq),
        r.previous_size > 0 || !o.previous_dir.empty()
            ? (", consistent with the previous package's " + std::to_string(r.previous_size) +
               " events")
                  .c_str()
            : "",
        r.files, static_cast<unsigned long long>(r.bytes), seconds);
    std::printf("check it with: python3 %s/verify_package.py %s\n", o.out_dir.c_str(),
                o.out_dir.c_str());
    std::printf("the next package starts where this one ends: %s --previous %s\n",
                NextPeriodOption(vm.count("period") > 0, o.end_ns).c_str(), o.out_dir.c_str());
    if (r.last_seq < r.first_seq) {
      // An imported history's events were all recorded on the day of the
      // import, whatever their effective dates: say why a period is empty.
      std::fprintf(stderr,
                   "note: a period selects events by when they were recorded (recorded_at), not "
                   "by effective date; the package proves that none was recorded in it\n");
    }
  }
  return kExitOk;
}

}  // namespace

// clang-format off
void RegisterPackageCommands(CommandTable* table) {
  table->push_back(
      {"audit-package",
       "audit-package (--period YYYY-MM | --from DATE --to DATE) --out DIR --key PREFIX "
       "[--origin NAME] [--previous DIR]",
       "write the offline audit package of a period: events, checkpoint, proofs, figures, "
       "verifier",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("period", po::value<std::string>()->value_name("YYYY-MM"),
              "the events recorded in that month (UTC)")
             ("from", po::value<std::string>()->value_name("DATE"),
              "the period's first day (recorded_at, UTC), or an RFC 3339 instant")
             ("to", po::value<std::string>()->value_name("DATE"),
              "the period's last day, or last instant, inclusive")
             ("out", po::value<std::string>()->required()->value_name("DIR"),
              "a new or empty folder for the package");
         DefineKeyOption(d,
             "the log's private key file (from keygen): signs the checkpoint and the MANIFEST");
         DefineOriginOption(d,
             "the checkpoint's origin and key name (default: ccl.ledger/<ledger id>)");
         d->add_options()
             ("previous", po::value<std::string>()->value_name("DIR"),
              "the previous package: add the consistency proof from its checkpoint");
       },
       RunAuditPackage});
}
// clang-format on

}  // namespace ccl::tools
