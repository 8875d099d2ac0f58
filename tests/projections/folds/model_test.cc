// Seeded randomized model test: random valid workloads (tests/projections/
// workload.h) are folded by the projections and by a deliberately simple
// model here (brute force over the whole event list, its own rounding), and
// every row is compared field by field, for the full log, as-of days and
// known-at prefixes. Failures print the seed; rerun one with
// CCL_MODEL_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "events/base/time_format.h"
#include "projections/folds/format.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "tests/projections/folds/workload.h"

namespace ccl::projections {
namespace {

using events::Event;
using events::EventType;
using testing::GenerateWorkload;
using testing::WorkloadOptions;

// ---- The model: a few lines per figure, no state carried between events.

// minutes * rate / 60, half to even, without __int128 or events::ValueMinor.
int64_t ModelValue(int64_t minutes, int64_t rate) {
  const bool neg = (minutes < 0) != (rate < 0);
  const uint64_t n =
      static_cast<uint64_t>(std::llabs(minutes)) * static_cast<uint64_t>(std::llabs(rate));
  uint64_t q = n / 60;
  const uint64_t r = n % 60;
  if (r > 30 || (r == 30 && q % 2 == 1)) ++q;
  return neg ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

int64_t ModelHalfEvenDiv(int64_t a, int64_t b) {  // b > 0
  const bool neg = a < 0;
  const uint64_t n = static_cast<uint64_t>(std::llabs(a));
  uint64_t q = n / static_cast<uint64_t>(b);
  const uint64_t r = n % static_cast<uint64_t>(b);
  if (2 * r > static_cast<uint64_t>(b) || (2 * r == static_cast<uint64_t>(b) && q % 2 == 1)) ++q;
  return neg ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

// REQUIRES: ns >= 0 (every instant of these workloads).
int32_t Day(int64_t ns) {
  assert(ns >= 0);
  return static_cast<int32_t>(ns / events::kNsPerDay);
}

struct Model {
  // The view's events, in seq order; targets resolved by id over the log.
  std::vector<const Event*> view;
  std::map<events::Uuid, const Event*> by_id;

  const Event* Target(const Event& e) const { return by_id.at(e.target_event_id); }

  static Model Build(const std::vector<Event>& log, std::optional<int32_t> as_of,
                     std::optional<int64_t> known_at) {
    Model m;
    for (const Event& e : log) m.by_id[e.event_id] = &e;
    for (const Event& e : log) {
      if (known_at && e.recorded_at_ns > *known_at) break;
      if (as_of) {
        if (Day(e.effective_at_ns) > *as_of) continue;
        if (e.type == EventType::kEntryReversed && Day(m.Target(e)->effective_at_ns) > *as_of) {
          continue;
        }
      }
      m.view.push_back(&e);
    }
    return m;
  }

  std::vector<BalanceRow> Balances() const {
    std::map<std::pair<std::string, std::string>, BalanceRow> rows;
    auto row = [&](const std::string& c, events::ServiceLine l) -> BalanceRow& {
      BalanceRow& r = rows[{c, std::string(events::ServiceLineName(l))}];
      r.contract = c;
      r.service_line = l;
      return r;
    };
    for (const Event* e : view) {
      if (e->type == EventType::kContractOpened) {
        for (const auto& l : e->lines)
          row(e->contract, l.service_line).funded_minutes += l.funded_minutes;
      } else if (e->type == EventType::kContractAmended) {
        for (const auto& l : e->lines) {
          row(e->contract, l.service_line).funded_minutes += l.funded_minutes_delta;
        }
      } else if (e->IsConsumption()) {
        row(e->contract, e->service_line).consumed_minutes += e->minutes;
      } else if (e->type == EventType::kEntryReversed) {
        row(e->contract, Target(*e)->service_line).consumed_minutes -= Target(*e)->minutes;
      }
    }
    std::vector<BalanceRow> out;
    for (auto& [k, r] : rows) {
      r.remaining_minutes = std::max<int64_t>(0, r.funded_minutes - r.consumed_minutes);
      r.overage_minutes = std::max<int64_t>(0, r.consumed_minutes - r.funded_minutes);
      out.push_back(r);
    }
    return out;
  }

  MarginReport Margins(const std::vector<MarginKey>& keys) const {
    std::map<std::string, std::pair<std::string, std::string>>
        who;  // contract -> customer, currency
    for (const Event* e : view) {
      if (e->type == EventType::kContractOpened) who[e->contract] = {e->customer, e->currency};
    }
    struct Sum {
      int64_t revenue = 0, cost = 0;
    };
    std::map<std::pair<std::vector<std::string>, std::string>, Sum> groups;
    std::map<std::string, Sum> totals;
    auto add = [&](const Event& c, int sign) {
      const int64_t revenue = ModelValue(c.minutes, c.applied_bill_rate_minor.value_or(0));
      const int64_t cost = c.type == EventType::kHoursBooked
                               ? ModelValue(c.minutes, c.cost_rate_minor)
                               : c.cost_minor;
      const auto& [customer, currency] = who[c.contract];
      std::vector<std::string> k;
      for (MarginKey key : keys) {
        if (key == MarginKey::kCustomer) k.push_back(customer);
        if (key == MarginKey::kContract) k.push_back(c.contract);
        if (key == MarginKey::kMonth) k.push_back(events::FormatMonth(Day(c.effective_at_ns)));
      }
      Sum& g = groups[{k, currency}];
      g.revenue += sign * revenue;
      g.cost += sign * cost;
      totals[currency].revenue += sign * revenue;
      totals[currency].cost += sign * cost;
    };
    for (const Event* e : view) {
      if (e->IsConsumption()) add(*e, +1);
      if (e->type == EventType::kEntryReversed) add(*Target(*e), -1);
    }
    auto make = [](std::vector<std::string> k, std::string cur, const Sum& s) {
      MarginRow r;
      r.keys = std::move(k);
      r.currency = std::move(cur);
      r.revenue_minor = s.revenue;
      r.cost_minor = s.cost;
      r.margin_minor = s.revenue - s.cost;
      // Revenue is never negative here: a reversal lands in its target's group.
      if (s.revenue != 0) r.margin_bp = ModelHalfEvenDiv(r.margin_minor * 10000, s.revenue);
      return r;
    };
    MarginReport rep;
    rep.keys = keys;
    for (const auto& [k, s] : groups) rep.rows.push_back(make(k.first, k.second, s));
    for (const auto& [cur, s] : totals) rep.totals.push_back(make({}, cur, s));
    return rep;
  }

  std::vector<EscalationRow> Escalations() const {
    std::map<std::pair<std::string, int>, EscalationRow> rows;
    struct Acc {
      int64_t total = 0;
    };
    std::map<std::pair<std::string, int>, Acc> acc;
    for (const Event* open : view) {
      if (open->type != EventType::kEscalationOpened) continue;
      events::Severity sev = open->severity;
      const Event* resolution = nullptr;
      int64_t minutes = 0;
      for (const Event* e : view) {
        if (e->contract != open->contract) continue;
        if (e->type == EventType::kEscalationSeverityChanged && e->escalation == open->escalation &&
            e->seq > open->seq && resolution == nullptr) {
          sev = e->severity;
        }
        if (e->type == EventType::kEscalationResolved && e->escalation == open->escalation &&
            e->seq > open->seq && resolution == nullptr) {
          resolution = e;
        }
        if (e->type == EventType::kHoursBooked && e->reference == open->escalation &&
            e->seq > open->seq) {
          minutes += e->minutes;
        }
        if (e->type == EventType::kEntryReversed) {
          const Event* t = Target(*e);
          if (t->type == EventType::kHoursBooked && t->reference == open->escalation &&
              t->seq > open->seq) {
            minutes -= t->minutes;
          }
        }
      }
      EscalationRow& r = rows[{open->contract, static_cast<int>(sev)}];
      r.contract = open->contract;
      r.severity = sev;
      ++r.opened;
      r.minutes_booked += minutes;
      if (resolution != nullptr) {
        ++r.resolved;
        int64_t secs = (resolution->effective_at_ns - open->effective_at_ns) / events::kNsPerSecond;
        if (resolution->effective_at_ns < open->effective_at_ns) secs = 0;
        acc[{open->contract, static_cast<int>(sev)}].total += secs;
        r.resolve_seconds_max = std::max(r.resolve_seconds_max.value_or(0), secs);
      }
    }
    std::vector<EscalationRow> out;
    for (auto& [k, r] : rows) {
      r.open = r.opened - r.resolved;
      if (r.resolved > 0) r.resolve_seconds_mean = ModelHalfEvenDiv(acc[k].total, r.resolved);
      out.push_back(r);
    }
    return out;
  }

  // What Burn reads of a contract's line: its term, whether it is closed,
  // its overage policy.
  struct BurnTerm {
    std::optional<int32_t> start, end;
    bool closed = false;
    events::Overage overage = events::Overage::kUnset;
  };

  // b's line's term as of the view, adding the minutes consumed on it in
  // the 90 days up to d to r->window_minutes.
  BurnTerm ScanBurnLine(const BalanceRow& b, int32_t d, BurnRow* r) const {
    BurnTerm t;
    for (const Event* e : view) {
      if (e->contract != b.contract) continue;
      auto in_window = [&](const Event& c) {
        return c.service_line == b.service_line && Day(c.effective_at_ns) >= d - 89 &&
               Day(c.effective_at_ns) <= d;
      };
      if (e->IsConsumption() && in_window(*e)) r->window_minutes += e->minutes;
      if (e->type == EventType::kEntryReversed && in_window(*Target(*e))) {
        r->window_minutes -= Target(*e)->minutes;
      }
      if (e->type == EventType::kContractOpened) {
        t.start = e->term_start_day;
        t.end = e->term_end_day;
      }
      if (e->type == EventType::kContractOpened || e->type == EventType::kContractAmended) {
        for (const events::ContractLine& l : e->lines) {
          if (l.service_line == b.service_line && l.overage != events::Overage::kUnset) {
            t.overage = l.overage;
          }
        }
      }
      if (e->type == EventType::kContractAmended && e->term_end_day && t.start)
        t.end = e->term_end_day;
      if (e->type == EventType::kContractClosed) t.closed = true;
    }
    return t;
  }

  std::vector<BurnRow> Burn(int32_t d) const {
    std::vector<BalanceRow> balances = Balances();
    std::vector<BurnRow> out;
    for (const BalanceRow& b : balances) {
      BurnRow r;
      r.contract = b.contract;
      r.service_line = b.service_line;
      r.as_of_day = d;
      r.funded_minutes = b.funded_minutes;
      r.consumed_minutes = b.consumed_minutes;
      const auto [start, end, closed, overage] = ScanBurnLine(b, d, &r);
      r.burn_minutes_per_day = ModelHalfEvenDiv(r.window_minutes, 90);
      r.term_end_day = end;
      if (end && !closed) r.remaining_days = std::max(0, *end - std::max(d, *start - 1));
      const int64_t demand =
          r.consumed_minutes + ModelHalfEvenDiv(r.window_minutes * r.remaining_days, 90);
      r.projected_minutes = demand;
      if (overage == events::Overage::kReject) {
        r.projected_minutes = std::min(demand, std::max(r.funded_minutes, r.consumed_minutes));
      }
      const int64_t left = r.funded_minutes - r.consumed_minutes;
      if (left <= 0 && r.consumed_minutes > 0) r.exhaustion_day = d;
      if (left > 0 && r.window_minutes > 0 && end && !closed) {
        // Smallest k with k * window >= left * 90.
        int64_t k = left * 90 / r.window_minutes;
        if (k * r.window_minutes < left * 90) ++k;
        if (d + k <= *end) r.exhaustion_day = static_cast<int32_t>(d + k);
      }
      const bool running = end && !closed && *start <= d && d <= *end;
      if (running && demand > r.funded_minutes) {
        r.flag = BurnFlag::kOverrun;
      } else if (running && demand * 100 < r.funded_minutes * 80) {
        r.flag = BurnFlag::kUnderuse;
      }
      out.push_back(r);
    }
    return out;
  }

  int32_t MaxDay() const {
    int32_t d = 0;
    for (const Event* e : view) d = std::max(d, Day(e->effective_at_ns));
    return d;
  }
};

// ---- Folding the projections over the same view, as the runner would.

void Fold(const Model& m, ProjectionSet* set) {
  for (Projection* p : set->All()) p->Reset();
  for (const Event* e : m.view) {
    const Event* target = e->type == EventType::kEntryReversed ? m.Target(*e) : nullptr;
    for (Projection* p : set->All()) p->Apply(*e, target);
  }
}

std::string Show(const RowSet& set) {
  std::string out;
  WriteRowSet(set, OutputFormat::kJson, &out);
  return out;
}

template <typename Row, typename ToSet>
void ExpectRowsEqual(const std::vector<Row>& got, const std::vector<Row>& want, ToSet to_set,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what << "\ngot:\n"
                                     << Show(to_set(got)) << "want:\n"
                                     << Show(to_set(want));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << what << " row " << i << "\ngot:  " << Show(to_set({got[i]}))
                               << "want: " << Show(to_set({want[i]}));
  }
}

void CompareAll(const Model& m, ProjectionSet* set, const View& view, const std::string& what) {
  Fold(m, set);
  ExpectRowsEqual(BalanceRows(set->balances), m.Balances(), BalanceRowSet, what + " balances");
  ExpectRowsEqual(EscalationRows(set->escalations), m.Escalations(), EscalationRowSet,
                  what + " escalations");
  // "Today" a few days after the last event, so windows end after it.
  const int32_t day = BurnEvaluationDay(view, m.MaxDay() + 3);
  EXPECT_EQ(day, view.as_of_day.value_or(m.MaxDay() + 3)) << what;
  ExpectRowsEqual(BurnRows(set->burn, day, false), m.Burn(day), BurnRowSet, what + " burn");
  const std::vector<std::vector<MarginKey>> key_sets = {
      {MarginKey::kContract},
      {MarginKey::kCustomer},
      {MarginKey::kMonth},
      {MarginKey::kContract, MarginKey::kMonth},
      {MarginKey::kMonth, MarginKey::kCustomer, MarginKey::kContract}};
  for (const auto& keys : key_sets) {
    MarginReport got;
    ASSERT_TRUE(BuildMarginReport(set->margins, keys, "", "", &got).ok());
    const MarginReport want = m.Margins(keys);
    auto as_set = [&](const std::vector<MarginRow>& rows) {
      MarginReport r{keys, rows, {}};
      return MarginRowSet(r);
    };
    ExpectRowsEqual(got.rows, want.rows, as_set, what + " margins");
    ExpectRowsEqual(got.totals, want.totals, as_set, what + " margin totals");
  }
}

std::vector<uint64_t> Seeds() {
  if (const char* s = std::getenv("CCL_MODEL_SEED")) return {std::strtoull(s, nullptr, 10)};
  std::vector<uint64_t> seeds;
  const uint64_t base = std::random_device{}();
  for (uint64_t i = 0; i < 12; ++i) seeds.push_back(i < 4 ? i + 1 : base + i);
  return seeds;
}

class ProjectionModelTest : public ::testing::Test {};

TEST_F(ProjectionModelTest, FoldsMatchModelForFullLogAsOfAndKnownAt) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (rerun: CCL_MODEL_SEED=" + std::to_string(seed) + ")");
    WorkloadOptions o;
    o.seed = seed;
    o.contracts = 2 + static_cast<int>(seed % 4);
    o.events = 600 + static_cast<int>(seed % 700);
    const std::vector<Event> log = GenerateWorkload(o);
    ProjectionSet set;
    CompareAll(Model::Build(log, std::nullopt, std::nullopt), &set, View{}, "full");
    std::mt19937_64 rng(seed);
    const int32_t first = Day(log.front().effective_at_ns);
    int32_t last = 0;
    for (const Event& e : log) last = std::max(last, Day(e.effective_at_ns));
    for (int k = 0; k < 4 && !HasFailure(); ++k) {
      View v;
      v.as_of_day = first + static_cast<int32_t>(rng() % static_cast<uint64_t>(last - first + 40));
      CompareAll(Model::Build(log, v.as_of_day, std::nullopt), &set, v,
                 "as-of " + events::FormatDate(*v.as_of_day));
      View w;
      w.known_at_ns = log[rng() % log.size()].recorded_at_ns + 1;
      if (k % 2 == 1) w.as_of_day = v.as_of_day;
      CompareAll(Model::Build(log, w.as_of_day, w.known_at_ns), &set, w,
                 "known-at " + events::FormatInstant(*w.known_at_ns));
    }
    if (HasFailure()) return;
  }
}

// Serialize -> deserialize -> serialize is the identity, and a state decoded
// from a snapshot taken midway, then fed the rest, equals the state fed the
// whole log (the pure form of "incremental equals rebuild").
TEST_F(ProjectionModelTest, SnapshotMidwayThenCatchUpEqualsFullFold) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    WorkloadOptions o;
    o.seed = seed;
    o.events = 1500;
    const std::vector<Event> log = GenerateWorkload(o);
    const Model m = Model::Build(log, std::nullopt, std::nullopt);
    ProjectionSet full;
    Fold(m, &full);
    const size_t cut = static_cast<size_t>(seed * 7919 % log.size());
    ProjectionSet first;
    for (size_t i = 0; i < cut; ++i) {
      const Event* t = log[i].type == EventType::kEntryReversed ? m.Target(log[i]) : nullptr;
      for (Projection* p : first.All()) p->Apply(log[i], t);
    }
    ProjectionSet resumed;
    for (size_t k = 0; k < 4; ++k) {
      std::string bytes;
      first.All()[k]->SerializeState(&bytes);
      ASSERT_TRUE(resumed.All()[k]->DeserializeState(bytes).ok()) << first.All()[k]->name();
      std::string again;
      resumed.All()[k]->SerializeState(&again);
      ASSERT_EQ(bytes, again) << first.All()[k]->name();
    }
    for (size_t i = cut; i < log.size(); ++i) {
      const Event* t = log[i].type == EventType::kEntryReversed ? m.Target(log[i]) : nullptr;
      for (Projection* p : resumed.All()) p->Apply(log[i], t);
    }
    for (size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(HexOf(StateDigest(*full.All()[k])), HexOf(StateDigest(*resumed.All()[k])))
          << full.All()[k]->name() << " cut at " << cut;
    }
    if (HasFailure()) return;
  }
}

// Every strict prefix and every single-byte change of a valid state is
// rejected or decodes to a state that re-encodes to exactly those bytes:
// nothing is silently misread, and nothing crashes.
TEST_F(ProjectionModelTest, CorruptedStatesAreRejectedOrCanonical) {
  WorkloadOptions o;
  o.seed = 99;
  o.events = 300;
  const std::vector<Event> log = GenerateWorkload(o);
  const Model m = Model::Build(log, std::nullopt, std::nullopt);
  ProjectionSet set;
  Fold(m, &set);
  for (Projection* p : set.All()) {
    std::string bytes;
    p->SerializeState(&bytes);
    std::unique_ptr<Projection> q = NewProjection(p->name());
    for (size_t n = 0; n < bytes.size(); n += 1 + n / 64) {
      EXPECT_FALSE(q->DeserializeState(std::string_view(bytes).substr(0, n)).ok())
          << p->name() << " prefix " << n;
    }
    EXPECT_FALSE(q->DeserializeState(bytes + "x").ok()) << p->name() << " trailing byte";
    for (size_t i = 0; i < bytes.size(); i += 1 + i / 128) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ 0x41);
      if (q->DeserializeState(bad).ok()) {
        std::string again;
        q->SerializeState(&again);
        EXPECT_EQ(again, bad) << p->name() << " byte " << i;
      }
    }
  }
}

}  // namespace
}  // namespace ccl::projections
