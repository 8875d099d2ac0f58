// Opening a ledger for a command, and the text helpers of the ledger
// commands. See ledger_io.h.
#include "tools/ledgerctl/ledger_io.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/base/display.h"
#include "events/base/durable_file.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "events/model/uuid.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/store/ledger_folder.h"
#include "tools/ledgerctl/checkpoints.h"

namespace ccl::tools {

using events::Event;
using events::EventType;

namespace {

Status OpenLedgerFolder(const GlobalOptions& g, OpenMode mode,
                        std::unique_ptr<ledger::Ledger>* out) {
  ledger::Options options;
  options.read_only = mode == OpenMode::kReadOnly;
  options.create_if_missing = mode == OpenMode::kCreate;
  Status s = ledger::Ledger::Open(options, g.db_path, out);
  // Another writer's lock: wait a bounded while for it (it is often a report
  // saving its checkpoints), then say who holds it.
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(g.writer_lock_wait_ms);
  while (s.IsBusy() && !options.read_only && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kWriterLockPollMs));
    s = ledger::Ledger::Open(options, g.db_path, out);
  }
  // An unfinished creation's NotFound says what to do already.
  if (s.IsNotFound() && s.message().find(ledger::kCreationMarker) == std::string::npos) {
    return Status::NotFound("no ledger at " + g.db_path + " (create one with `ledgerctl --db " +
                            g.db_path + " init`)");
  }
  // Every error of Ledger::Open names the ledger's folder already.
  return s;
}

}  // namespace

Status OpenLedger(const GlobalOptions& g, OpenMode mode, std::unique_ptr<ledger::Ledger>* out,
                  OwnCheckpoint check) {
  ledger::OwnCheckpointReport own;
  if (mode != OpenMode::kReadOnly && check == OwnCheckpoint::kRequire) {
    CCL_RETURN_IF_ERROR(
        ledger::CheckStoredLedgerExtendsCheckpoint(g.db_path, CheckpointFolder(g), &own)
            .WithDetail("(nothing was written)"));
  }
  CCL_RETURN_IF_ERROR(OpenLedgerFolder(g, mode, out));
  if (mode != OpenMode::kReadOnly || check == OwnCheckpoint::kSkip) return Status::OK();
  const Status s = ledger::CheckLedgerExtendsCheckpoint(out->get(), CheckpointFolder(g), &own);
  if (s.ok() || check == OwnCheckpoint::kRequire) return s;
  std::fprintf(stderr, "ledgerctl: warning: %s; run `ledgerctl verify`\n", s.message().c_str());
  return Status::OK();
}

bool LedgerFolderWritable(const std::string& path) {
  // access() answers for this process's real ids and reports EROFS for a
  // read-only mount, which permission bits (and root) do not show.
  return ::access(path.c_str(), W_OK | X_OK) == 0;
}

Status CheckContractExists(ledger::Ledger* ledger, const std::string& contract) {
  return ledger::CheckContractExists(ledger, contract);
}

Status ParseViewOptions(const po::variables_map& vm, projections::View* view) {
  app::ViewText text;
  if (vm.count("as-of")) text.as_of = vm["as-of"].as<std::string>();
  if (vm.count("known-at")) text.known_at = vm["known-at"].as<std::string>();
  if (vm.count("contract")) text.contract = vm["contract"].as<std::string>();
  Status s = app::ParseView(text, view);
  if (!s.ok()) {
    return Status::InvalidArgument("option '--" + s.field() +
                                   "': " + std::string(s.field_detail()));
  }
  return s;
}

Status ParsePeriodOption(const po::variables_map& vm, std::optional<int32_t>* month) {
  if (!vm.count("period")) return Status::OK();
  if (vm.count("as-of") || vm.count("known-at")) {
    return Status::InvalidArgument(
        "option '--period' fixes the view (the month's end, as known now): leave out --as-of "
        "and --known-at");
  }
  int32_t m = 0;
  Status s = events::ParseMonth(vm["period"].as<std::string>(), &m);
  if (!s.ok()) return Status::InvalidArgument("option '--period': " + s.message());
  *month = m;
  return Status::OK();
}

void DefineJsonOption(po::options_description* d) {
  d->add_options()("json", po::bool_switch(), "the same as --format json");
}

Status ParseFormatOptions(const po::variables_map& vm, projections::OutputFormat* format) {
  if (vm.count("format")) {
    CCL_RETURN_IF_ERROR(projections::ParseOutputFormat(vm["format"].as<std::string>(), format));
  }
  if (!vm.count("json") || !vm["json"].as<bool>()) return Status::OK();
  if (vm.count("format") && !vm["format"].defaulted() &&
      *format != projections::OutputFormat::kJson) {
    return Status::InvalidArgument("--json and --format " + vm["format"].as<std::string>() +
                                   " ask for two formats: give one");
  }
  *format = projections::OutputFormat::kJson;
  return Status::OK();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Rate(uint64_t n, double seconds) {
  char buf[64];
  std::snprintf(
      buf, sizeof(buf), "%.2f s, %s events/s", seconds,
      events::FormatThousands(seconds > 0 ? static_cast<uint64_t>(n / seconds) : n).c_str());
  return buf;
}

bool ShowProgress(const GlobalOptions& g) { return !g.quiet && ::isatty(STDERR_FILENO) == 1; }

namespace {

std::atomic<bool> g_stop_requested{false};
extern "C" void RequestStop(int) { g_stop_requested.store(true); }

}  // namespace

std::function<bool()> StopOnInterruptOrTerm() {
  struct sigaction sa {};
  sa.sa_handler = RequestStop;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return [] { return g_stop_requested.load(); };
}

std::function<bool()> StopOnInterruptOrTermOrReaderGone(int fd) {
  std::function<bool()> stop = StopOnInterruptOrTerm();
  return [stop, fd] { return stop() || PipeReaderGone(fd); };
}

bool PipeReaderGone(int fd) {
  struct pollfd p {};
  p.fd = fd;
  p.events = POLLOUT;
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

std::string PrettyJson(std::string_view compact) {
  std::string out;
  out.reserve(compact.size() * 2);
  int depth = 0;
  bool in_string = false;
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(2 * d), ' ');
  };
  for (size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < compact.size()) {
        out += compact[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += compact[++i];
        } else {
          newline(++depth);
        }
        break;
      case '}':
      case ']':
        newline(--depth);
        out += c;
        break;
      case ',':
        out += c;
        newline(depth);
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// The DETAIL column's width: longer details are cut to this many bytes of the
// text as stored, "..." included.
constexpr size_t kDetailBytesMax = 100;

// One event's DETAIL: fixed words and the event's own free-text values, each
// value escaped on its own (events::TerminalText, as every table escapes a
// cell), so that what one value holds never changes how another is shown.
class Detail {
 public:
  void Words(std::string words) { parts_.push_back({std::move(words), false}); }
  void Text(std::string_view text) { parts_.push_back({std::string(text), true}); }
  // The whole line, cut to kDetailBytesMax bytes of the unescaped parts
  // without splitting a UTF-8 sequence.
  std::string Shown() const;

 private:
  struct Part {
    std::string text;
    bool free_text;
  };
  std::vector<Part> parts_;
};

std::string Detail::Shown() const {
  size_t total = 0;
  for (const Part& p : parts_) total += p.text.size();
  const bool cut = total > kDetailBytesMax;
  size_t left = cut ? kDetailBytesMax - 3 : total;
  std::string out;
  for (const Part& p : parts_) {
    const std::string_view kept = events::Utf8Prefix(p.text, left);
    out += p.free_text ? events::TerminalText(kept) : std::string(kept);
    if (kept.size() < p.text.size()) break;
    left -= kept.size();
  }
  if (cut) out += "...";
  return out;
}

// "customer, currency, term, each line's funding".
void AddContractOpened(const Event& e, Detail* d) {
  d->Text(e.customer);
  d->Words(", ");
  d->Text(e.currency);
  d->Words(", " + events::FormatDate(e.term_start_day) + ".." +
           (e.term_end_day ? events::FormatDate(*e.term_end_day) : std::string("?")));
  for (const events::ContractLine& l : e.lines) {
    d->Words(", " + std::string(events::ServiceLineName(l.service_line)) + " " +
             events::FormatHoursMinutes(l.funded_minutes));
  }
}

// "reason, the new term end, what each line changes".
void AddContractAmended(const Event& e, Detail* d) {
  d->Text(e.reason);
  std::string w;
  if (e.term_end_day) w += ", term_end " + events::FormatDate(*e.term_end_day);
  for (const events::ContractLine& l : e.lines) {
    w += ", " + std::string(events::ServiceLineName(l.service_line));
    if (l.funded_minutes_delta != 0) {
      w += (l.funded_minutes_delta > 0 ? " +" : " ") +
           events::FormatHoursMinutes(l.funded_minutes_delta);
    }
    if (l.bill_rate_minor) w += " rate " + std::to_string(*l.bill_rate_minor);
    if (l.overage != events::Overage::kUnset) {
      w += " overage " + std::string(events::OverageName(l.overage));
    }
  }
  d->Words(std::move(w));
}

// "service_line h:mm " of a booking or delivery.
std::string ServiceMinutes(const Event& e) {
  return std::string(events::ServiceLineName(e.service_line)) + " " +
         events::FormatHoursMinutes(e.minutes) + " ";
}

// Words, then the free text `text`.
void AddWordsAndText(std::string words, std::string_view text, Detail* d) {
  d->Words(std::move(words));
  d->Text(text);
}

}  // namespace

std::string EventDetail(const Event& e) {
  Detail d;
  // How the event was accepted (EVENTS.md R-APPR-01), not whether it still
  // waits: `pending` lists that.
  if (e.awaits_approval) d.Words("[accepted pending] ");
  switch (e.type) {
    case EventType::kContractOpened:
      AddContractOpened(e, &d);
      break;
    case EventType::kContractAmended:
      AddContractAmended(e, &d);
      break;
    case EventType::kHoursBooked:
      AddWordsAndText(ServiceMinutes(e), e.engineer, &d);
      if (!e.reference.empty()) AddWordsAndText(" ref ", e.reference, &d);
      break;
    case EventType::kDeliveryCompleted:
      AddWordsAndText(ServiceMinutes(e), e.delivery, &d);
      AddWordsAndText(" ", e.offering, &d);
      break;
    case EventType::kEscalationOpened:
      d.Text(e.escalation);
      AddWordsAndText(" sev " + std::string(events::SeverityName(e.severity)) + ": ", e.summary,
                      &d);
      break;
    case EventType::kEscalationSeverityChanged:
      d.Text(e.escalation);
      d.Words(" -> sev " + std::string(events::SeverityName(e.severity)));
      break;
    case EventType::kEscalationResolved:
      d.Text(e.escalation);
      AddWordsAndText(": ", e.resolution, &d);
      break;
    case EventType::kEntryReversed:
      AddWordsAndText("reverses " + events::FormatUuid(e.target_event_id) + ": ", e.reason, &d);
      break;
    case EventType::kContractClosed:
      d.Text(e.reason);
      break;
    case EventType::kPeriodClosed:
      d.Words("period " + events::FormatMonthIndex(e.period_month) + " closed");
      break;
    case EventType::kLegalHoldPlaced:
    case EventType::kLegalHoldReleased:
      AddWordsAndText("case ", e.legal_case, &d);
      AddWordsAndText(": ", e.reason, &d);
      break;
    case EventType::kApprovalPolicySet: {
      std::string w = "approval needed for " + events::FormatApprovalTypes(e.approval_types);
      if (e.threshold_minutes) {
        w += " (amendments lowering funding by " +
             events::FormatHoursMinutes(*e.threshold_minutes) + " or more)";
      }
      d.Words(std::move(w));
      break;
    }
    case EventType::kApproved:
      d.Words("approves " + events::FormatUuid(e.target_event_id));
      break;
    case EventType::kRejected:
      AddWordsAndText("rejects " + events::FormatUuid(e.target_event_id) + ": ", e.reason, &d);
      break;
    case EventType::kPeriodReopened:
      AddWordsAndText(
          "period " + events::FormatMonthIndex(e.period_month) + " reopened: ", e.reason, &d);
      break;
  }
  return d.Shown();
}

void AppendLogTableLine(const Event& e, std::string* out) {
  char head[160];
  std::snprintf(head, sizeof(head), "%8llu  %-20s  %-25s  %-15s %4llu  ",
                static_cast<unsigned long long>(e.seq),
                events::FormatInstant(e.effective_at_ns).c_str(),
                std::string(events::EventTypeName(e.type)).c_str(), e.contract.c_str(),
                static_cast<unsigned long long>(e.stream_version));
  *out += head;
  *out += EventDetail(e);
  *out += '\n';
}

bool ParseShowKey(const std::string& key, std::optional<uint64_t>* seq, events::Uuid* id,
                  Status* not_found) {
  seq->reset();
  *not_found = Status::OK();
  if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos) {
    if (key.size() > 19) {
      *not_found = Status::NotFound("no event with seq " + key);
    } else {
      *seq = std::stoull(key);
    }
    return true;
  }
  if (events::ParseUuid(key, id)) return true;
  std::fprintf(stderr, "ledgerctl show: %s is neither a seq nor an event id\n",
               events::QuoteForMessage(key).c_str());
  return false;
}

bool ParseLogOptions(const po::variables_map& vm, LogOptions* o) {
  o->from = std::max<uint64_t>(1, vm["from"].as<uint64_t>());
  o->limit = vm.count("limit") ? vm["limit"].as<uint64_t>() : UINT64_MAX;
  o->json = vm["json"].as<bool>();
  o->with_hash = o->json && !vm["no-hash"].as<bool>();
  o->contract = OptString(vm, "contract");
  o->type.reset();
  if (!vm.count("type")) return true;
  events::EventType t;
  if (!events::EventTypeFromName(vm["type"].as<std::string>(), &t)) {
    std::fprintf(stderr, "ledgerctl log: option '--type': unknown event type %s\n",
                 events::QuoteForMessage(vm["type"].as<std::string>()).c_str());
    return false;
  }
  o->type = t;
  return true;
}

Status EmitOutput(const std::string& text, const std::string& path) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return Status::OK();
  }
  return events::WriteFileDurably(path, text, {events::ExistingFile::kRefuse, 0644});
}

std::string OptString(const po::variables_map& vm, const char* name, std::string_view absent) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string(absent);
}

}  // namespace ccl::tools
