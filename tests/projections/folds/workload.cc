#include "tests/projections/folds/workload.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "events/base/time_format.h"

namespace ccl::projections::testing {

using events::ContractLine;
using events::Event;
using events::EventType;
using events::ServiceLine;
using events::Severity;

namespace {

struct LineState {
  bool present = false;
  int64_t funded = 0;
  int64_t consumed = 0;
  events::Overage overage = events::Overage::kAllow;
  // (effective_from_ns, rate) in append order: the rate at t is the last
  // entry appended with effective_from <= t (the opening's entry applies from
  // the start of time).
  std::vector<std::pair<int64_t, int64_t>> rates;
};

struct ContractState {
  std::string name;
  bool closed = false;
  int32_t term_start = 0;
  int32_t term_end = 0;
  LineState lines[events::kServiceLineCount];
  std::vector<size_t> unreversed;  // indexes of consumption events in `out`
  int escalations = 0;
  std::vector<std::string> open_escalations;
  std::vector<std::string> all_escalations;
  std::map<std::string, int64_t> escalation_opened_ns;
  int64_t latest_ns = INT64_MIN;  // the latest effective_at of the contract's events
};

class Generator {
 public:
  explicit Generator(const WorkloadOptions& o) : o_(o), rng_(o.seed) {}

  std::vector<Event> Run() {
    for (int i = 0; i < o_.contracts; ++i) Open(i);
    while (static_cast<int>(out_.size()) < o_.events) Step();
    return std::move(out_);
  }

 private:
  int64_t Rand(int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Rand(1, 100) <= percent; }

  Event& Push(EventType type, ContractState& c, int64_t effective_at_ns) {
    c.latest_ns = std::max(c.latest_ns, effective_at_ns);
    out_.emplace_back();
    Event& e = out_.back();
    e.type = type;
    e.contract = c.name;
    e.effective_at_ns = effective_at_ns;
    e.actor = "tester";
    e.source = "workload";
    ++uuid_counter_;
    for (int i = 0; i < 8; ++i) e.event_id[15 - i] = static_cast<uint8_t>(uuid_counter_ >> (8 * i));
    e.event_id[0] = static_cast<uint8_t>(o_.seed);
    e.event_id[6] = 0x40;  // version 4 layout, for readers that care
    e.event_id[8] = 0x80;
    if (o_.assign) {
      e.seq = out_.size();
      recorded_ns_ += Rand(1, 3 * 3600) * events::kNsPerSecond;
      e.recorded_at_ns = recorded_ns_;
    }
    return e;
  }

  // An instant within the contract's term, near the simulated "today" and
  // sometimes back-dated by up to ~4 months, but not before `not_before_ns`
  // (the ledger's time-order rules: a change after what it changes).
  int64_t When(const ContractState& c, int64_t not_before_ns) {
    return std::max(When(c), not_before_ns);
  }
  int64_t When(const ContractState& c) {
    int32_t day = today_;
    if (Chance(15)) day -= static_cast<int32_t>(Rand(1, 120));
    day = std::clamp(day, c.term_start, c.term_end);
    return static_cast<int64_t>(day) * events::kNsPerDay + Rand(0, 86'399) * events::kNsPerSecond;
  }

  void Open(int i) {
    contracts_.emplace_back();
    ContractState& c = contracts_.back();
    c.name = "C-" + std::to_string(i);
    c.term_start = o_.start_day + static_cast<int32_t>(Rand(0, 30));
    c.term_end = c.term_start + static_cast<int32_t>(Rand(120, 400));
    Event& e =
        Push(EventType::kContractOpened, c, static_cast<int64_t>(c.term_start) * events::kNsPerDay);
    static const char* kCustomers[] = {"Agency North", "Ministère, \"Défense\"", "Agency North",
                                       "City Works"};
    static const char* kCurrencies[] = {"USD", "EUR", "JPY", "USD"};
    e.customer = kCustomers[Rand(0, 3)];
    e.currency = kCurrencies[Rand(0, 3)];
    e.term_start_day = c.term_start;
    e.term_end_day = c.term_end;
    const int lines = static_cast<int>(Rand(1, 3));
    for (int k = 0; k < lines; ++k) {
      const int li = static_cast<int>(Rand(0, 3));
      if (c.lines[li].present) continue;
      LineState& l = c.lines[li];
      l.present = true;
      l.funded = Rand(10, 400) * 60;
      l.overage = Chance(50) ? events::Overage::kAllow : events::Overage::kReject;
      // Odd small rates make half-way roundings frequent (minutes * rate / 60).
      const int64_t rate = Chance(50) ? Rand(1, 200) : Rand(10'000, 40'000);
      l.rates.push_back({INT64_MIN, rate});
      ContractLine cl;
      cl.service_line = static_cast<ServiceLine>(li + 1);
      cl.funded_minutes = l.funded;
      cl.bill_rate_minor = rate;
      cl.overage = l.overage;
      e.lines.push_back(cl);
    }
    if (e.lines.empty()) {  // Rand picked only duplicates: fund one line
      LineState& l = c.lines[1];
      l.present = true;
      l.funded = 6000;
      l.rates.push_back({INT64_MIN, 12'345});
      e.lines.push_back(ContractLine{ServiceLine::kReactive, 6000, 0, 12'345, l.overage});
    }
  }

  int64_t RateAt(const LineState& l, int64_t t) {
    int64_t rate = 0;
    for (const auto& [from, r] : l.rates) {
      if (from <= t) rate = r;
    }
    return rate;
  }

  void Step() {
    if (Chance(3)) ++today_;
    ContractState& c = contracts_[Rand(0, static_cast<int64_t>(contracts_.size()) - 1)];
    if (c.closed) {
      if (std::all_of(contracts_.begin(), contracts_.end(), [](auto& x) { return x.closed; })) {
        Open(static_cast<int>(contracts_.size()));
      }
      return;
    }
    const int64_t roll = Rand(1, 100);
    if (roll <= 45) {
      Consume(c, EventType::kHoursBooked);
    } else if (roll <= 55) {
      Consume(c, EventType::kDeliveryCompleted);
    } else if (roll <= 65) {
      Reverse(c);
    } else if (roll <= 71) {
      Amend(c);
    } else if (roll <= 78) {
      OpenEscalation(c);
    } else if (roll <= 84) {
      ChangeSeverity(c);
    } else if (roll <= 92) {
      ResolveEscalation(c);
    } else if (roll <= 93 && out_.size() > static_cast<size_t>(o_.events) * 3 / 4) {
      Event& e = Push(EventType::kContractClosed, c, When(c, c.latest_ns));
      e.reason = "term over";
      c.closed = true;
    } else {
      Consume(c, EventType::kHoursBooked);
    }
  }

  void Consume(ContractState& c, EventType type) {
    std::vector<int> lines;
    for (int i = 0; i < events::kServiceLineCount; ++i) {
      if (c.lines[i].present) lines.push_back(i);
    }
    const int li = lines[Rand(0, static_cast<int64_t>(lines.size()) - 1)];
    LineState& l = c.lines[li];
    const int32_t minutes =
        static_cast<int32_t>(type == EventType::kHoursBooked ? Rand(1, 600) : Rand(30, 2000));
    if (l.overage == events::Overage::kReject && l.consumed + minutes > l.funded) return;
    const int64_t at = When(c);
    Event& e = Push(type, c, at);
    e.service_line = static_cast<ServiceLine>(li + 1);
    e.minutes = minutes;
    if (type == EventType::kHoursBooked) {
      e.engineer = "eng-" + std::to_string(Rand(1, 5));
      e.cost_rate_minor = Chance(30) ? Rand(1, 99) : Rand(5'000, 20'000);
      if (!c.all_escalations.empty() && Chance(40)) {
        e.reference =
            c.all_escalations[Rand(0, static_cast<int64_t>(c.all_escalations.size()) - 1)];
      } else if (Chance(40)) {
        // A reference to an escalation that is opened only later (or never):
        // it must not count against one opened afterwards.
        e.reference = "ESC-" + std::to_string(c.escalations + Rand(0, 2));
      } else if (Chance(30)) {
        e.reference = "TICKET-" + std::to_string(Rand(1, 50));
      }
    } else {
      e.delivery = "D-" + std::to_string(out_.size());
      e.offering = "Active Directory Security Assessment";
      e.cost_minor = Rand(0, 500'000);
    }
    if (o_.assign) e.applied_bill_rate_minor = RateAt(l, at);
    l.consumed += minutes;
    c.unreversed.push_back(out_.size() - 1);
  }

  void Reverse(ContractState& c) {
    if (c.unreversed.empty()) return;
    const size_t k = static_cast<size_t>(Rand(0, static_cast<int64_t>(c.unreversed.size()) - 1));
    const size_t target = c.unreversed[k];
    c.unreversed[k] = c.unreversed.back();  // swap and pop: O(1) on long runs
    c.unreversed.pop_back();
    const events::Uuid id = out_[target].event_id;
    const int li = static_cast<int>(out_[target].service_line) - 1;
    const int32_t minutes = out_[target].minutes;
    Event& e = Push(EventType::kEntryReversed, c, When(c, out_[target].effective_at_ns));
    e.target_event_id = id;
    e.reason = "booked on the wrong contract";
    c.lines[li].consumed -= minutes;
  }

  void Amend(ContractState& c) {
    const int64_t at = When(c);
    Event& e = Push(EventType::kContractAmended, c, at);
    e.reason = "change order";
    if (Chance(30)) {
      c.term_end += static_cast<int32_t>(Rand(10, 90));
      e.term_end_day = c.term_end;
    }
    const int li = static_cast<int>(Rand(0, 3));
    LineState& l = c.lines[li];
    ContractLine cl;
    cl.service_line = static_cast<ServiceLine>(li + 1);
    if (!l.present) {
      l.present = true;
      cl.funded_minutes_delta = Rand(1, 100) * 60;
      cl.bill_rate_minor = Rand(1, 30'000);
      cl.overage = events::Overage::kAllow;
      l.overage = events::Overage::kAllow;
      l.rates.push_back({INT64_MIN, *cl.bill_rate_minor});
    } else {
      // Never below consumed (the write model's rule).
      const int64_t floor_delta =
          std::min<int64_t>(0, std::max<int64_t>(l.consumed - l.funded, -l.funded));
      cl.funded_minutes_delta = Chance(25) ? Rand(floor_delta, 0) : Rand(0, 200) * 60;
      // The ledger rejects any amendment leaving a line below its consumption
      // (even one that only changes the rate): top such a line up first.
      if (l.funded + cl.funded_minutes_delta < l.consumed) {
        cl.funded_minutes_delta = l.consumed - l.funded + Rand(0, 50) * 60;
      }
      // A line entry must change something (validate.h): a rate when no delta.
      if (Chance(60) || cl.funded_minutes_delta == 0) {
        cl.bill_rate_minor = Chance(50) ? Rand(1, 200) : Rand(10'000, 40'000);
        l.rates.push_back({at, *cl.bill_rate_minor});
      }
    }
    l.funded += cl.funded_minutes_delta;
    e.lines.push_back(cl);
  }

  void OpenEscalation(ContractState& c) {
    const std::string id = "ESC-" + std::to_string(c.escalations++);
    Event& e = Push(EventType::kEscalationOpened, c, When(c));
    c.escalation_opened_ns[id] = e.effective_at_ns;
    e.escalation = id;
    e.severity = static_cast<Severity>(Rand(1, 3));
    e.summary = "service down";
    c.open_escalations.push_back(id);
    c.all_escalations.push_back(id);
  }

  void ChangeSeverity(ContractState& c) {
    if (c.open_escalations.empty()) return;
    const std::string& id =
        c.open_escalations[Rand(0, static_cast<int64_t>(c.open_escalations.size()) - 1)];
    Event& e = Push(EventType::kEscalationSeverityChanged, c, When(c, c.escalation_opened_ns[id]));
    e.escalation = id;
    e.severity = static_cast<Severity>(Rand(1, 3));
  }

  void ResolveEscalation(ContractState& c) {
    if (c.open_escalations.empty()) return;
    const size_t k =
        static_cast<size_t>(Rand(0, static_cast<int64_t>(c.open_escalations.size()) - 1));
    Event& e = Push(EventType::kEscalationResolved, c,
                    When(c, c.escalation_opened_ns[c.open_escalations[k]]));
    e.escalation = c.open_escalations[k];
    e.resolution = "patched";
    c.open_escalations.erase(c.open_escalations.begin() + static_cast<std::ptrdiff_t>(k));
  }

  WorkloadOptions o_;
  std::mt19937_64 rng_;
  std::vector<Event> out_;
  std::vector<ContractState> contracts_;
  int32_t today_ = o_.start_day + 20;
  int64_t recorded_ns_ = static_cast<int64_t>(o_.start_day) * events::kNsPerDay;
  uint64_t uuid_counter_ = 0;
};

}  // namespace

std::vector<Event> GenerateWorkload(const WorkloadOptions& options) {
  return Generator(options).Run();
}

}  // namespace ccl::projections::testing
