// `ledgerctl access-log`: the ledger's access log (ledger/store/access_log.h),
// filtered, as a table or JSON Lines (the lines of GET /v1/access-log).
#include <cstdio>
#include <string>
#include <string_view>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "ledger/store/ledger.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"

namespace ccl::tools {
namespace {

// Output is flushed to stdout past this many bytes.
constexpr size_t kOutputFlushBytes = 1 << 20;

std::string ParamsText(const ledger::AccessRecord& r) {
  std::string out;
  // Names and values as one field each (events::LineField).
  for (const ledger::AccessParam& p : r.params) {
    if (!out.empty()) out += ' ';
    out += events::LineField(p.name) + "=" + events::LineField(p.value);
  }
  if (r.first_seq != 0) {
    if (!out.empty()) out += ' ';
    out += "seqs=" + std::to_string(r.first_seq) + ".." + std::to_string(r.last_seq);
  }
  return out;
}

// The table's columns, streamed: fixed ones first (kFixedColumns, one format
// for the titles and the values), then the free-text ones, each padded to its
// width, a longer value pushing the rest of its row right.
constexpr char kFixedTitles[] = "%8s  %-30s  %-13s  %-11s  %-15s  %6s  %6s  %9s  ";
constexpr char kFixedColumns[] = "%8llu  %-30s  %-13s  %-11s  %-15s  %6u  %6llu  %9llu  ";
constexpr size_t kPrincipalWidth = 16;
constexpr size_t kRequestWidth = 32;

// `text` and spaces up to `width` columns, then the two spaces between columns.
void AppendPadded(const std::string& text, size_t width, std::string* out) {
  *out += text;
  const size_t shown = events::DisplayWidth(text);
  if (shown < width) out->append(width - shown, ' ');
  *out += "  ";
}

std::string TableHeader() {
  char head[256];
  std::snprintf(head, sizeof(head), kFixedTitles, "N", "TIME", "KIND", "AUTH", "CLIENT", "STATUS",
                "ROWS", "BYTES");
  std::string out = head;
  AppendPadded("PRINCIPAL", kPrincipalWidth, &out);
  AppendPadded("REQUEST", kRequestWidth, &out);
  return out + "PARAMETERS\n";
}

void AppendRow(const ledger::AccessEntry& e, std::string* out) {
  const ledger::AccessRecord& r = e.record;
  char head[256];
  std::snprintf(head, sizeof(head), kFixedColumns, static_cast<unsigned long long>(e.n),
                events::FormatInstantNs(r.time_ns).c_str(),
                std::string(ledger::AccessKindName(r.kind)).c_str(),
                std::string(ledger::AuthMethodName(r.auth)).c_str(), r.client.c_str(),
                static_cast<unsigned>(r.status), static_cast<unsigned long long>(r.rows),
                static_cast<unsigned long long>(r.bytes));
  *out += head;
  // Every text from the record is what a client sent: each is shown as one
  // field (quoted when it holds a space or a quote) of which no byte can
  // drive the terminal or reorder the line. A record of no route (a policy
  // reload) names its trigger alone.
  AppendPadded(r.principal.empty() ? "-" : events::LineField(r.principal), kPrincipalWidth, out);
  std::string request = events::LineField(r.method);
  if (!r.route.empty()) request += " " + events::LineField(r.route);
  AppendPadded(request, kRequestWidth, out);
  const std::string params = ParamsText(r);
  if (params.empty()) {
    while (out->back() == ' ') out->pop_back();  // no padding at the end of a line
  }
  *out += params;
  *out += '\n';
}

int RunAccessLog(const po::variables_map& vm, const GlobalOptions& g) {
  ledger::AccessFilter filter;
  if (vm.count("principal")) filter.principal = vm["principal"].as<std::string>();
  if (vm.count("contract")) filter.contract = vm["contract"].as<std::string>();
  if (vm.count("since")) {
    Status s = events::ParseInstant(vm["since"].as<std::string>(), &filter.since_ns);
    if (!s.ok()) {
      std::fprintf(stderr, "ledgerctl access-log: option '--since': %s\n", s.message().c_str());
      return kExitUsage;
    }
  }
  filter.denied = vm["denied"].as<bool>();
  // The report commands' format options, but the access log has no CSV form.
  const std::string format_text = vm["format"].as<std::string>();
  projections::OutputFormat format = projections::OutputFormat::kTable;
  Status s = format_text == "table" || format_text == "json"
                 ? ParseFormatOptions(vm, &format)
                 : Status::InvalidArgument("--format: must be table or json, got " +
                                           events::QuoteForMessage(format_text));
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerctl access-log: %s\n", s.message().c_str());
    return kExitUsage;
  }
  const bool json = format == projections::OutputFormat::kJson;

  std::unique_ptr<ledger::Ledger> ledger;
  s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  std::string out;
  if (!json) out = TableHeader();
  uint64_t rows = 0;
  s = ledger->ReadAccess(1, [&](const ledger::AccessEntry& e) {
    if (!ledger::MatchesAccessFilter(filter, e.record)) return true;
    ++rows;
    if (json) {
      ledger::AppendAccessEntryJson(e, &out);
      out += '\n';
    } else {
      AppendRow(e, &out);
    }
    if (out.size() > kOutputFlushBytes) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    return true;
  });
  if (s.ok() && !json && rows == 0) out += "(no rows)\n";  // as every report table
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace

// clang-format off
void RegisterAccessCommands(CommandTable* table) {
  table->push_back(
      {"access-log",
       "access-log [--principal P] [--contract C] [--since T] [--denied] [--json | --format FMT]",
       "who asked the service for what: the access log's records, oldest first",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("principal", po::value<std::string>()->value_name("P"), "only requests of P")
             ("contract", po::value<std::string>()->value_name("C"),
              "only requests that named contract C")
             ("since", po::value<std::string>()->value_name("T"),
              "only records at or after instant T (2026-05-01T00:00:00Z)")
             ("denied", po::bool_switch(), "only refusals: 401, 403, 429")
             ("format", po::value<std::string>()->default_value("table")->value_name("FMT"),
              "table | json (JSON Lines, as GET /v1/access-log)");
         DefineJsonOption(d);
       },
       RunAccessLog});
}
// clang-format on

}  // namespace ccl::tools
