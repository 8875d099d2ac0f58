// The workload generator. One pass over the days; for each day, each open
// contract produces its activity in causal order, the day's events of all
// contracts are ordered by effective_at, then handed to the sink. The
// generator keeps its own copy of every balance the write model checks
// (funded and consumed per line, open escalations, unreversed consumption,
// the term), so a `reject` line is never overdrawn and nothing falls outside
// a term or after a close.
#include "tools/generator/generator.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "tools/generator/generator_state.h"
#include "tools/generator/generator_vocabulary.h"

namespace ccl::tools {

// ---------------------------------------------------------------------------
// PRNG: splitmix64 expands the seed, xoshiro256** draws. Both are fixed
// algorithms, so the stream never depends on the standard library.

namespace {
uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

namespace generator_internal {

events::Uuid DerivedUuid(uint64_t seed, uint64_t tag) {
  uint64_t mix = seed ^ tag;
  const uint64_t a = SplitMix64(&mix);
  const uint64_t b = SplitMix64(&mix);
  events::Uuid id{};
  for (int i = 0; i < 8; ++i) {
    id[i] = static_cast<uint8_t>(a >> (56 - 8 * i));
    id[8 + i] = static_cast<uint8_t>(b >> (56 - 8 * i));
  }
  id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

}  // namespace generator_internal

Xoshiro256::Xoshiro256(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix64(&seed);
}

uint64_t Xoshiro256::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Xoshiro256::Below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

int64_t Xoshiro256::Between(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

bool Xoshiro256::Chance(uint32_t per_mille) { return Below(1000) < per_mille; }

// ---------------------------------------------------------------------------

namespace generator_internal {

using namespace generator_vocabulary;  // NOLINT: the word lists read better unqualified

// Money scale relative to US cents, in percent: one USD cent is 0.92 euro
// cent, 0.79 penny, 1.5 yen (JPY has no minor digits).
int64_t CurrencyPercent(std::string_view currency) {
  if (currency == "EUR") return 92;
  if (currency == "GBP") return 79;
  if (currency == "JPY") return 150;
  return 100;
}

int WeekdayOf(int32_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }  // 0 = Monday

void Generator::BuildNames() {
  engineer_names_.reserve(kEngineerCount);
  engineer_logins_.reserve(kEngineerCount);
  for (const char* last : kLastNames) {
    for (const char* first : kFirstNames) {
      engineer_names_.push_back(std::string(first) + " " + last);
      std::string login(1, static_cast<char>(first[0] | 0x20));
      login += '.';
      for (const char* p = last; *p; ++p) {
        if (*p != '\'') login += static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
      }
      engineer_logins_.push_back(std::move(login));
    }
  }
}

std::string Generator::Numbered(const char* prefix, uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s-%07llu", prefix, static_cast<unsigned long long>(n));
  return buf;
}

void Generator::NewUuid(events::Uuid* id) {
  const uint64_t a = rng_.Next();
  const uint64_t b = rng_.Next();
  for (int i = 0; i < 8; ++i) {
    (*id)[i] = static_cast<uint8_t>(a >> (56 - 8 * i));
    (*id)[8 + i] = static_cast<uint8_t>(b >> (56 - 8 * i));
  }
  (*id)[6] = static_cast<uint8_t>(((*id)[6] & 0x0f) | 0x40);  // version 4
  (*id)[8] = static_cast<uint8_t>(((*id)[8] & 0x3f) | 0x80);  // RFC 4122 variant
}

Event* Generator::NewEvent(const ContractState& c, EventType type, const events::Uuid* id) {
  if (used_ == pool_.size()) {
    pool_.emplace_back();
    pool_time_.push_back(0);
  }
  Event* e = &pool_[used_];
  events::ClearEvent(e);
  pool_time_[used_] = 0;
  ++used_;
  if (id != nullptr) {
    e->event_id = *id;
  } else {
    NewUuid(&e->event_id);
  }
  e->type = type;
  e->contract = c.id;
  e->actor = c.tam;
  e->source = "crm";
  return e;
}

void Generator::OpenContractState(size_t index, ContractState* c) {
  const size_t customers = std::max<size_t>(1, (options_.contracts + 2) / 3);
  const size_t customer = rng_.Below(customers);
  const CustomerSeed& seed = kCustomers[customer % kCustomerSeedCount];
  c->customer = seed.name;
  if (customer >= kCustomerSeedCount) {
    c->customer += " - Region " + std::to_string(customer / kCustomerSeedCount + 1);
  }
  c->currency = seed.currency;
  c->percent = CurrencyPercent(c->currency);

  // Staggered starts within the first two months (or the run, if shorter).
  const int32_t stagger = static_cast<int32_t>(std::min<uint32_t>(options_.days, 60));
  c->term_start = options_.start_day + static_cast<int32_t>(rng_.Below(stagger));
  const int32_t years = rng_.Chance(200) ? 2 : 1;
  c->term_end = c->term_start + years * kTermDays - 1;
  c->renews = rng_.Chance(700);

  char id[32];
  std::snprintf(id, sizeof(id), "SC-%.4s-%06zu", events::FormatDate(c->term_start).c_str(),
                index + 1);
  c->id = id;
  c->tam = "tam." + engineer_logins_[rng_.Below(kEngineerCount)];

  // 2..4 service lines; reactive in most contracts, since escalations need it.
  ServiceLine order[4] = {kAllLines[0], kAllLines[1], kAllLines[2], kAllLines[3]};
  for (size_t i = 3; i > 0; --i) std::swap(order[i], order[rng_.Below(i + 1)]);
  if (rng_.Chance(850)) {
    for (size_t i = 0; i < 4; ++i) {
      if (order[i] == ServiceLine::kReactive) std::swap(order[0], order[i]);
    }
  }
  const size_t line_count = static_cast<size_t>(rng_.Between(2, 4));
  for (size_t i = 0; i < line_count; ++i) {
    LineState& l = c->lines[static_cast<int>(order[i])];
    l.present = true;
    l.bill_rate = rng_.Between(200, 320) * c->percent;  // 200..320 USD/h, in minor units
    const bool designated = order[i] == ServiceLine::kDesignatedEngineering;
    l.overage = rng_.Chance(designated ? 250 : 550) ? Overage::kReject : Overage::kAllow;
  }

  // Engineers: one per line first, so every line has someone booking to it.
  c->engineer_count = static_cast<size_t>(rng_.Between(3, kEngineersPerContractMax));
  for (size_t i = 0; i < c->engineer_count; ++i) {
    c->engineers[i] = static_cast<uint16_t>(rng_.Below(kEngineerCount));
    c->engineer_line[i] = static_cast<uint8_t>(order[i < line_count ? i : rng_.Below(line_count)]);
    c->engineer_cost[i] = rng_.Between(85, 150) * c->percent;
  }

  // Fund each line near its expected burn (0.6 bookings per engineer per
  // weekday, ~200 minutes each, plus deliveries), times 0.95..1.3: most
  // lines end about right, some run out, some leave hours unused.
  for (ServiceLine s : kAllLines) {
    LineState& l = c->lines[static_cast<int>(s)];
    if (!l.present) continue;
    int64_t engineers = 0;
    for (size_t i = 0; i < c->engineer_count; ++i)
      engineers += c->engineer_line[i] == static_cast<uint8_t>(s);
    int64_t yearly = engineers * 6 * 200 * 261 / 10;
    if (s == ServiceLine::kProactive || s == ServiceLine::kServiceDelivery) yearly += 5 * 1400;
    yearly = yearly * rng_.Between(95, 130) / 100;
    yearly = std::max<int64_t>(600, yearly / 600 * 600);  // whole 10 hours
    l.annual_minutes = yearly;
    l.funded = yearly * years;
  }
}

void Generator::EmitOpened(ContractState* c) {
  Event* e = NewEvent(*c, EventType::kContractOpened);
  e->customer = c->customer;
  e->term_start_day = c->term_start;
  e->term_end_day = c->term_end;
  e->currency = c->currency;
  for (ServiceLine s : kAllLines) {
    const LineState& l = c->lines[static_cast<int>(s)];
    if (!l.present) continue;
    ContractLine cl;
    cl.service_line = s;
    cl.funded_minutes = l.funded;
    cl.bill_rate_minor = l.bill_rate;
    cl.overage = l.overage;
    e->lines.push_back(cl);
  }
  pool_time_[used_ - 1] = -1;  // 00:00:00, before the day's activity
}

int32_t Generator::Capacity(const ContractState& c, ServiceLine line, int32_t minutes) const {
  const LineState& l = c.lines[static_cast<int>(line)];
  if (!l.present) return 0;
  if (l.overage == Overage::kAllow) return minutes;
  const int64_t remaining = l.funded - l.consumed;
  if (remaining <= 0) return 0;
  return static_cast<int32_t>(std::min<int64_t>(minutes, remaining));
}

void Generator::RecordConsumption(ContractState* c, const Event& e) {
  c->lines[static_cast<int>(e.service_line)].consumed += e.minutes;
  Consumption entry{e.event_id, static_cast<uint8_t>(e.service_line), e.minutes};
  if (c->recent_count < kRecentConsumptionMax) {
    c->recent[c->recent_count++] = entry;
  } else {
    c->recent[rng_.Below(kRecentConsumptionMax)] = entry;  // forget an older one
  }
}

void Generator::EmitBooking(ContractState* c, size_t engineer, int32_t day) {
  const ServiceLine line = static_cast<ServiceLine>(c->engineer_line[engineer]);
  // Mostly 1..4 hours, sometimes a long day; quarter-hour steps.
  int32_t minutes =
      static_cast<int32_t>(15 * (rng_.Chance(700) ? rng_.Between(1, 16) : rng_.Between(17, 32)));
  minutes = Capacity(*c, line, minutes);
  if (minutes == 0) {
    // A TAM tops up an exhausted `reject` line now and then; otherwise the
    // work is not booked to this contract.
    if (rng_.Chance(300)) EmitTopUp(c, line);
    return;
  }
  Event* e = NewEvent(*c, EventType::kHoursBooked);
  e->actor = engineer_logins_[c->engineers[engineer]];
  e->source = "psa-timesheets";
  e->engineer = engineer_names_[c->engineers[engineer]];
  e->service_line = line;
  e->minutes = minutes;
  e->cost_rate_minor = c->engineer_cost[engineer];
  if (line == ServiceLine::kReactive && !c->open.empty() && rng_.Chance(800)) {
    e->reference = Numbered("INC", c->open[rng_.Below(c->open.size())].number);
  } else if (rng_.Chance(500)) {
    e->reference = Numbered("TKT", next_ticket_++);
  }
  if (WeekdayOf(day) >= 5) e->note = "Weekend work on a severity A escalation";
  RecordConsumption(c, *e);
}

void Generator::EmitDelivery(ContractState* c) {
  ServiceLine line = ServiceLine::kProactive;
  if (!c->lines[static_cast<int>(line)].present) line = ServiceLine::kServiceDelivery;
  if (!c->lines[static_cast<int>(line)].present) return;
  const int32_t minutes = Capacity(*c, line, static_cast<int32_t>(rng_.Between(8, 40) * 60));
  if (minutes == 0) return;
  Event* e = NewEvent(*c, EventType::kDeliveryCompleted);
  e->actor = c->tam;
  e->source = "psa-deliveries";
  e->delivery = Numbered("DLV", next_delivery_++);
  e->offering = kOfferings[rng_.Below(std::size(kOfferings))];
  e->service_line = line;
  e->minutes = minutes;
  // A partner-delivered offering carries the partner's fee; an in-house one
  // the engineers' cost of the hours.
  e->cost_minor = rng_.Chance(400) ? rng_.Between(20, 150) * 100 * c->percent
                                   : int64_t{minutes} * 110 * c->percent / 60;
  RecordConsumption(c, *e);
}

void Generator::EmitRateChange(ContractState* c) {
  // The ledger checks every amended line against its consumption (funded
  // must stay >= consumed), so an overdrawn `allow` line is not re-rated.
  ServiceLine candidates[4];
  size_t n = 0;
  for (ServiceLine s : kAllLines) {
    const LineState& l = c->lines[static_cast<int>(s)];
    if (l.present && l.funded >= l.consumed) candidates[n++] = s;
  }
  if (n == 0) return;
  const ServiceLine s = candidates[rng_.Below(n)];
  LineState& l = c->lines[static_cast<int>(s)];
  l.bill_rate = l.bill_rate * rng_.Between(103, 108) / 100;
  Event* e = NewEvent(*c, EventType::kContractAmended);
  e->reason = "Rate change per contract modification";
  ContractLine cl;
  cl.service_line = s;
  cl.funded_minutes_delta = 0;
  cl.bill_rate_minor = l.bill_rate;
  e->lines.push_back(cl);
}

void Generator::EmitTopUp(ContractState* c, ServiceLine line) {
  LineState& l = c->lines[static_cast<int>(line)];
  const int64_t delta = std::max<int64_t>(600, l.annual_minutes / 4 / 600 * 600);
  l.funded += delta;
  Event* e = NewEvent(*c, EventType::kContractAmended);
  e->reason = "Funded hours top-up";
  ContractLine cl;
  cl.service_line = line;
  cl.funded_minutes_delta = delta;
  e->lines.push_back(cl);
}

void Generator::EmitRenewal(ContractState* c) {
  c->term_end += kTermDays;
  Event* e = NewEvent(*c, EventType::kContractAmended);
  e->reason = "Annual renewal";
  e->term_end_day = c->term_end;
  for (ServiceLine s : kAllLines) {
    LineState& l = c->lines[static_cast<int>(s)];
    if (!l.present) continue;
    // A renewal funds the next year and trues up any overage of this one,
    // so funded never ends below consumed.
    const int64_t delta = l.annual_minutes + std::max<int64_t>(0, l.consumed - l.funded);
    l.funded += delta;
    ContractLine cl;
    cl.service_line = s;
    cl.funded_minutes_delta = delta;
    e->lines.push_back(cl);
  }
}

void Generator::EmitClosed(ContractState* c, const char* reason) {
  Event* e = NewEvent(*c, EventType::kContractClosed);
  e->reason = reason;
  c->closed = true;
}

void Generator::ContractDay(ContractState* c, int32_t day, bool last_day) {
  contract_first_ = used_;
  if (day == c->term_start) EmitOpened(c);
  if (stats_ != nullptr) ++stats_->contract_days;
  const bool weekday = WeekdayOf(day) < 5;

  EmitContractChanges(c, day, weekday);
  // Escalations opened (weekends too, less often).
  if (c->lines[static_cast<int>(ServiceLine::kReactive)].present &&
      rng_.Chance(weekday ? 50 : 15)) {
    EmitEscalationOpened(c, day);
  }
  EmitWork(c, day, weekday);
  if (weekday && rng_.Chance(2) && day > c->term_start + 180) EmitDescope(c);
  UpdateEscalations(c, day);

  if (weekday && rng_.Chance(c->held_case == 0 ? 2 : 20)) EmitLegalHold(c);

  // Evening: the end of a term that is not renewed, or of the run.
  if (day == c->term_end) {
    EmitClosed(c, "Term ended");
  } else if (last_day && rng_.Chance(100)) {
    EmitClosed(c, "Consolidated into an enterprise agreement");
  }
  AssignDayTimes(day);
}

void Generator::EmitContractChanges(ContractState* c, int32_t day, bool weekday) {
  if (c->renews && day == c->term_end - kRenewalNoticeDays && c->term_end < last_day_) {
    EmitRenewal(c);
  } else if (weekday && rng_.Chance(4)) {
    EmitRateChange(c);
  }
  if (weekday && rng_.Chance(15)) {
    for (ServiceLine s : kAllLines) {
      const LineState& l = c->lines[static_cast<int>(s)];
      if (l.present && l.overage == Overage::kReject && (l.funded - l.consumed) * 20 < l.funded) {
        EmitTopUp(c, s);
        break;
      }
    }
  }
}

void Generator::EmitEscalationOpened(ContractState* c, int32_t day) {
  const uint64_t r = rng_.Below(100);
  const Severity sev = r < 15 ? Severity::kA : (r < 60 ? Severity::kB : Severity::kC);
  const int32_t days_open = static_cast<int32_t>(
      sev == Severity::kA ? rng_.Between(0, 3) : rng_.Between(1, sev == Severity::kB ? 10 : 21));
  OpenEscalation esc{next_escalation_++, sev, day + days_open};
  c->open.push_back(esc);
  Event* e = NewEvent(*c, EventType::kEscalationOpened);
  e->actor = "incident-bridge";
  e->source = "itsm";
  e->escalation = Numbered("INC", esc.number);
  e->severity = sev;
  e->summary = kEscalationSummaries[rng_.Below(std::size(kEscalationSummaries))];
}

void Generator::EmitWork(ContractState* c, int32_t day, bool weekday) {
  // Bookings: most engineers on weekdays; on weekends only for severity A.
  bool severity_a_open = false;
  for (const OpenEscalation& esc : c->open) severity_a_open |= esc.severity == Severity::kA;
  for (size_t i = 0; i < c->engineer_count; ++i) {
    if (weekday ? rng_.Chance(600)
                : (severity_a_open &&
                   c->engineer_line[i] == static_cast<uint8_t>(ServiceLine::kReactive) &&
                   rng_.Chance(500))) {
      EmitBooking(c, i, day);
    }
  }
  if (weekday && rng_.Chance(20)) EmitDelivery(c);
  if (weekday && rng_.Chance(30)) {
    const bool rebook = rng_.Chance(500) && c->recent_count > 0;
    EmitReversal(c);
    if (rebook) EmitBooking(c, rng_.Below(c->engineer_count), day);
  }
}

void Generator::EmitDescope(ContractState* c) {
  for (ServiceLine s : kAllLines) {
    LineState& l = c->lines[static_cast<int>(s)];
    if (!l.present || l.overage != Overage::kAllow) continue;
    const int64_t spare = (l.funded - l.consumed) / 4 / 60 * 60;
    if (spare < 600) continue;
    l.funded -= spare;
    Event* e = NewEvent(*c, EventType::kContractAmended);
    e->reason = "Descoped unused hours";
    ContractLine cl;
    cl.service_line = s;
    cl.funded_minutes_delta = -spare;
    e->lines.push_back(cl);
    break;
  }
}

void Generator::UpdateEscalations(ContractState* c, int32_t day) {
  for (size_t i = 0; i < c->open.size();) {
    OpenEscalation& esc = c->open[i];
    if (day >= esc.resolve_day) {
      Event* e = NewEvent(*c, EventType::kEscalationResolved);
      e->actor = "incident-bridge";
      e->source = "itsm";
      e->escalation = Numbered("INC", esc.number);
      e->resolution = kResolutions[rng_.Below(std::size(kResolutions))];
      esc = c->open.back();
      c->open.pop_back();
      continue;
    }
    if (rng_.Chance(60)) {
      Severity next = esc.severity == Severity::kA                         ? Severity::kB
                      : (esc.severity == Severity::kC || rng_.Chance(500)) ? Severity::kA
                                                                           : Severity::kC;
      esc.severity = next;
      Event* e = NewEvent(*c, EventType::kEscalationSeverityChanged);
      e->actor = "incident-bridge";
      e->source = "itsm";
      e->escalation = Numbered("INC", esc.number);
      e->severity = next;
    }
    ++i;
  }
}

void Generator::AssignDayTimes(int32_t day) {
  const size_t n = used_ - contract_first_;
  times_.clear();
  for (size_t i = contract_first_; i < used_; ++i) {
    if (pool_time_[i] >= 0 && pool_[i].type != EventType::kContractClosed) {  // drawn
      times_.push_back(kWorkdayStartSeconds + static_cast<int64_t>(rng_.Below(kWorkdaySeconds)));
    }
  }
  std::sort(times_.begin(), times_.end());
  size_t t = 0;
  const int64_t midnight_ns = int64_t{day} * events::kNsPerDay;
  for (size_t i = contract_first_; i < contract_first_ + n; ++i) {
    if (pool_time_[i] == kSameTimeAsPrevious) {
      assert(i > contract_first_);
      pool_time_[i] = pool_time_[i - 1];
      pool_[i].effective_at_ns = pool_time_[i];
      continue;
    }
    int64_t s;
    if (pool_time_[i] < 0) {
      s = 0;
    } else if (pool_[i].type == EventType::kContractClosed) {
      s = 23 * 3600 + 30 * 60;
    } else {
      s = times_[t++];
    }
    pool_time_[i] = midnight_ns + s * events::kNsPerSecond;
    pool_[i].effective_at_ns = pool_time_[i];
  }
}

Status Generator::FlushDay() {
  order_.resize(used_);
  for (size_t i = 0; i < used_; ++i) order_[i] = static_cast<uint32_t>(i);
  // Stable: equal times keep contract order, and within a contract causal order.
  std::stable_sort(order_.begin(), order_.end(),
                   [this](uint32_t a, uint32_t b) { return pool_time_[a] < pool_time_[b]; });
  for (uint32_t i : order_) {
    const Event& e = pool_[i];
    if (stats_ != nullptr) {
      ++stats_->events;
      ++stats_->events_by_type[static_cast<int>(e.type)];
    }
    CCL_RETURN_IF_ERROR(sink_(e));
  }
  used_ = 0;
  return Status::OK();
}

Status Generator::Run() {
  CCL_RETURN_IF_ERROR(ValidateGeneratorOptions(options_));
  BuildNames();
  last_day_ = options_.start_day + static_cast<int32_t>(options_.days) - 1;
  contracts_.resize(options_.contracts);
  for (size_t i = 0; i < contracts_.size(); ++i) OpenContractState(i, &contracts_[i]);
  if (options_.approvals) CCL_RETURN_IF_ERROR(EmitApprovalPolicy(options_.start_day));
  for (int32_t day = options_.start_day; day <= last_day_; ++day) {
    current_day_ = day;
    if (day > options_.start_day && events::MonthIndexOf(day) != events::MonthIndexOf(day - 1)) {
      CCL_RETURN_IF_ERROR(FlushDeferredDecisions(day));
      if (options_.close_periods) CCL_RETURN_IF_ERROR(EmitPeriodClosed(day));
    }
    for (ContractState& c : contracts_) {
      if (c.closed || day < c.term_start) continue;
      ContractDay(&c, day, day == last_day_);
    }
    CCL_RETURN_IF_ERROR(FlushDay());
  }
  return Status::OK();
}

}  // namespace generator_internal

Status ValidateGeneratorOptions(const GeneratorOptions& options) {
  if (options.contracts < 1 || options.contracts > kGeneratorContractsMax) {
    return Status::InvalidArgument("option '--contracts': must be 1.." +
                                   std::to_string(kGeneratorContractsMax) + ", got " +
                                   std::to_string(options.contracts));
  }
  if (options.days < 1 || options.days > kGeneratorDaysMax) {
    return Status::InvalidArgument("option '--days': must be 1.." +
                                   std::to_string(kGeneratorDaysMax) + ", got " +
                                   std::to_string(options.days));
  }
  int32_t first = 0;
  int32_t last = 0;
  Status s = events::ParseDate("1970-01-01", &first);
  if (s.ok()) s = events::ParseDate(std::to_string(limits::kYearMax) + "-12-31", &last);
  if (!s.ok()) return s;
  // The latest date the run can produce: a renewal extends a 2-year term
  // that started up to 60 days in by another year.
  const int64_t latest =
      int64_t{options.start_day} + options.days + 60 + 3 * generator_internal::kTermDays;
  if (options.start_day < first || latest > last) {
    return Status::InvalidArgument("option '--start': the run must end (with renewals) by " +
                                   std::to_string(limits::kYearMax) + "-12-31");
  }
  return Status::OK();
}

Status GenerateEvents(const GeneratorOptions& options, const EventSink& sink,
                      GeneratorStats* stats) {
  if (stats != nullptr) *stats = GeneratorStats();
  generator_internal::Generator g(options, sink, stats);
  return g.Run();
}

}  // namespace ccl::tools
