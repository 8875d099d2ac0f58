// Ledger statistics (tools/feed/stats.h).
#include "tools/feed/stats.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/base/time_format.h"
#include "events/model/uuid.h"
#include "ledger/store/range_iterator.h"

namespace ccl::feed {

namespace {

// "12.3 MiB": sizes for people, from integers (one decimal, truncated).
std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  uint64_t scaled10 = bytes * 10;
  uint64_t whole = bytes;
  while (whole >= 1024 && unit < 4) {
    scaled10 = whole * 10 / 1024;
    whole /= 1024;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + " B";
  return std::to_string(scaled10 / 10) + "." + std::to_string(scaled10 % 10) + " " + kUnits[unit];
}

}  // namespace

Status ComputeStats(ledger::Ledger* ledger,
                    const std::function<void(uint64_t, uint64_t)>& on_progress,
                    LedgerStats* stats) {
  *stats = LedgerStats();
  stats->ledger_id = ledger->ledger_id();
  stats->head = ledger->head();
  const uint64_t last = stats->head.seq;
  std::unordered_set<std::string> customers;
  int64_t eff_min = std::numeric_limits<int64_t>::max();
  int64_t eff_max = std::numeric_limits<int64_t>::min();
  std::unique_ptr<ledger::EventIterator> it = ledger::NewRangeIterator(ledger, 1, last);
  for (; it->Valid() && it->seq() <= last; it->Next()) {
    const events::Event& e = it->event();
    ++stats->events;
    const int type = static_cast<int>(e.type) - 1;
    if (type >= 0 && type < events::kEventTypeCount) ++stats->events_by_type[type];
    if (e.type == events::EventType::kContractOpened) {
      ++stats->contracts;
      if (customers.find(e.customer) == customers.end()) customers.insert(e.customer);
    } else if (e.type == events::EventType::kContractClosed) {
      ++stats->contracts_closed;
    }
    eff_min = std::min(eff_min, e.effective_at_ns);
    eff_max = std::max(eff_max, e.effective_at_ns);
    if (stats->events == 1) stats->recorded_first_ns = e.recorded_at_ns;
    stats->recorded_last_ns = e.recorded_at_ns;
    if (on_progress && (stats->events & 0xffff) == 0) on_progress(stats->events, last);
  }
  CCL_RETURN_IF_ERROR(it->status());
  if (stats->events != last) {
    return Status::Corruption("read " + std::to_string(stats->events) +
                              " events but the head is seq " + std::to_string(last));
  }
  if (on_progress) on_progress(stats->events, last);
  stats->customers = customers.size();
  if (stats->events > 0) {
    stats->effective_min_ns = eff_min;
    stats->effective_max_ns = eff_max;
  }
  stats->disk_bytes = ledger->DiskBytes();
  return Status::OK();
}

std::string FormatStatsText(const LedgerStats& s) {
  std::string out;
  auto line = [&out](std::string_view name, const std::string& value) {
    out.append(name);
    // Wide enough for "  EscalationSeverityChanged".
    out.append(std::string(30 - std::min<size_t>(29, name.size()), ' '));
    out.append(value);
    out.push_back('\n');
  };
  line("ledger id", events::FormatUuid(s.ledger_id));
  line("head seq", events::FormatThousands(s.head.seq));
  line("head hash", events::HexEncode(s.head.hash));
  line("events", events::FormatThousands(s.events));
  for (int t = 0; t < events::kEventTypeCount; ++t) {
    const auto type = static_cast<events::EventType>(t + 1);
    line("  " + std::string(events::EventTypeName(type)),
         events::FormatThousands(s.events_by_type[t]));
  }
  line("contracts", events::FormatThousands(s.contracts) + " (" +
                        events::FormatThousands(s.contracts_closed) + " closed)");
  line("customers", events::FormatThousands(s.customers));
  if (s.events > 0) {
    line("effective", events::FormatInstant(s.effective_min_ns) + " .. " +
                          events::FormatInstant(s.effective_max_ns));
    line("recorded", events::FormatInstantNs(s.recorded_first_ns) + " .. " +
                         events::FormatInstantNs(s.recorded_last_ns));
  } else {
    line("effective", "-");
    line("recorded", "-");
  }
  line("size on disk",
       HumanBytes(s.disk_bytes) + " (" + events::FormatThousands(s.disk_bytes) + " bytes)");
  return out;
}

std::string FormatStatsJson(const LedgerStats& s) {
  auto instant = [&s](int64_t ns, bool full) {
    if (s.events == 0) return std::string("null");
    return "\"" + (full ? events::FormatInstantNs(ns) : events::FormatInstant(ns)) + "\"";
  };
  std::string out = "{\"ledger_id\":\"" + events::FormatUuid(s.ledger_id) + "\"";
  out += ",\"head_seq\":" + std::to_string(s.head.seq);
  out += ",\"head_hash\":\"" + events::HexEncode(s.head.hash) + "\"";
  out += ",\"events\":" + std::to_string(s.events);
  out += ",\"events_by_type\":{";
  for (int t = 0; t < events::kEventTypeCount; ++t) {
    if (t != 0) out += ",";
    out += "\"" + std::string(events::EventTypeName(static_cast<events::EventType>(t + 1))) +
           "\":" + std::to_string(s.events_by_type[t]);
  }
  out += "},\"contracts\":" + std::to_string(s.contracts);
  out += ",\"contracts_closed\":" + std::to_string(s.contracts_closed);
  out += ",\"customers\":" + std::to_string(s.customers);
  out += ",\"effective_first\":" + instant(s.effective_min_ns, false);
  out += ",\"effective_last\":" + instant(s.effective_max_ns, false);
  out += ",\"recorded_first\":" + instant(s.recorded_first_ns, true);
  out += ",\"recorded_last\":" + instant(s.recorded_last_ns, true);
  out += ",\"disk_bytes\":" + std::to_string(s.disk_bytes) + "}\n";
  return out;
}

}  // namespace ccl::feed
