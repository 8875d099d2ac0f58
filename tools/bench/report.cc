#include "tools/bench/report.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ccl::bench {

const std::vector<std::string_view>& MetricNames() {
  static const std::vector<std::string_view> kNames = {
      "append_b1_eps",
      "append_b100_eps",
      "append_b1000_eps",
      "append_b1_p50_us",
      "append_b1_p99_us",
      "append_concurrent8_eps",
      "rocksdb_raw_b1000_eps",
      "rocksdb_raw_b1_eps",
      "sqlite_b1000_eps",
      "sqlite_b1_eps",
      "postgres_b1000_eps",
      "postgres_b1_eps",
      "replay_eps",
      "rocksdb_raw_scan_eps",
      "sqlite_scan_eps",
      "postgres_scan_eps",
      "rebuild_eps",
      "verify_eps",
      "contract_balance_p50_us",
      "disk_bytes_per_event",
      "peak_rss_mb",
  };
  return kNames;
}

namespace {

std::string Sanitize(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// Splits "a\tb\tc" into at most `n` fields (the last keeps any tabs).
std::vector<std::string_view> Fields(std::string_view line, size_t n) {
  std::vector<std::string_view> f;
  while (f.size() + 1 < n) {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) break;
    f.push_back(line.substr(0, tab));
    line.remove_prefix(tab + 1);
  }
  f.push_back(line);
  return f;
}

bool ParseDouble(std::string_view s, double* out) {
  std::string copy(s);
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && std::isfinite(*out);
}

// Numbers as people read them: throughputs and byte counts whole, small
// figures (latencies, ratios) with up to three decimals.
std::string FormatNumber(double v) {
  char buf[64];
  if (std::fabs(v) >= 100 || v == std::floor(v)) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3f", v);
    std::string s(buf);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  }
  return buf;
}

// 1234567 -> "1,234,567" for the table; JSON gets plain numbers.
std::string Grouped(double v) {
  std::string s = FormatNumber(v);
  if (std::fabs(v) < 10000 || s.find('.') != std::string::npos) return s;
  std::string out;
  size_t digits = s.size() - (s[0] == '-' ? 1 : 0);
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '-') continue;
    --digits;
    if (digits > 0 && digits % 3 == 0) out += ',';
  }
  return out;
}

void AppendJsonString(std::string_view s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

}  // namespace

void Report::Set(std::string_view name, double value) {
  values_[std::string(name)] = value;
  missing_.erase(std::string(name));
}

void Report::Missing(std::string_view name, std::string_view reason) {
  if (Has(name)) return;
  missing_.emplace(std::string(name), Sanitize(reason));  // the first reason is the cause
}

void Report::Context(std::string_view name, double value) { context_[std::string(name)] = value; }

void Report::ContextText(std::string_view name, std::string_view value) {
  context_text_[std::string(name)] = Sanitize(value);
}

void Report::Note(std::string_view text) { notes_.push_back(Sanitize(text)); }

void Report::Merge(const Report& other) {
  for (const auto& [k, v] : other.values_) Set(k, v);
  for (const auto& [k, v] : other.missing_) Missing(k, v);
  for (const auto& [k, v] : other.context_) context_[k] = v;
  for (const auto& [k, v] : other.context_text_) context_text_[k] = v;
  for (const auto& n : other.notes_) notes_.push_back(n);
}

namespace {

// "KIND\tname\tvalue" lines, one per entry; numbers with all 17 digits, so
// that Parse reads back the same double.
void AppendLines(char kind, const std::map<std::string, std::string>& entries, std::string* out) {
  for (const auto& [k, v] : entries) *out += std::string{kind, '\t'} + k + "\t" + v + "\n";
}

void AppendLines(char kind, const std::map<std::string, double>& entries, std::string* out) {
  char buf[64];
  for (const auto& [k, v] : entries) {
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    *out += std::string{kind, '\t'} + k + "\t" + buf + "\n";
  }
}

}  // namespace

std::string Report::Serialize() const {
  std::string out;
  AppendLines('M', values_, &out);
  AppendLines('X', missing_, &out);
  AppendLines('C', context_, &out);
  AppendLines('T', context_text_, &out);
  for (const auto& n : notes_) out += "N\t" + n + "\n";
  return out;
}

Report Report::Parse(std::string_view text) {
  Report r;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;  // an unfinished last line is dropped
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.size() < 2 || line[1] != '\t') continue;
    const char kind = line[0];
    line.remove_prefix(2);
    if (kind == 'N') {
      r.Note(line);
      continue;
    }
    std::vector<std::string_view> f = Fields(line, 2);
    if (f.size() != 2 || f[0].empty()) continue;
    if (kind == 'X') {
      r.Missing(f[0], f[1]);
    } else if (kind == 'T') {
      r.ContextText(f[0], f[1]);
    } else if (kind == 'M' || kind == 'C') {
      double v = 0;
      if (!ParseDouble(f[1], &v)) continue;
      if (kind == 'M') {
        r.Set(f[0], v);
      } else {
        r.Context(f[0], v);
      }
    }
  }
  return r;
}

namespace {

// The members of an object or array nested in the report's JSON, one a line
// at four spaces; Close appends the closing bracket, on its own line at two
// spaces unless there were no members.
class NestedMembers {
 public:
  explicit NestedMembers(std::string* out) : out_(out) {}
  // Starts the next member: its separator and indent.
  void Next() {
    *out_ += first_ ? "\n    " : ",\n    ";
    first_ = false;
  }
  // Starts the next member of an object: `"key": `.
  void Key(std::string_view key) {
    Next();
    AppendJsonString(key, out_);
    *out_ += ": ";
  }
  void Close(char bracket) {
    if (!first_) *out_ += "\n  ";
    *out_ += bracket;
  }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace

std::string ReportJson(const Report& r) {
  std::string out = "{\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  for (std::string_view name : MetricNames()) {
    if (!r.Has(name)) continue;
    sep();
    out += "  ";
    AppendJsonString(name, &out);
    out += ": " + FormatNumber(r.Get(name));
  }
  sep();
  out += "  \"missing\": {";
  NestedMembers missing(&out);
  for (std::string_view name : MetricNames()) {
    if (r.Has(name)) continue;
    auto it = r.missing().find(std::string(name));
    missing.Key(name);
    AppendJsonString(it != r.missing().end() ? it->second : "not measured", &out);
  }
  missing.Close('}');
  sep();
  out += "  \"context\": {";
  NestedMembers context(&out);
  for (const auto& [k, v] : r.context()) {
    context.Key(k);
    out += FormatNumber(v);
  }
  for (const auto& [k, v] : r.context_text()) {
    context.Key(k);
    AppendJsonString(v, &out);
  }
  context.Close('}');
  sep();
  out += "  \"notes\": [";
  NestedMembers notes(&out);
  for (const std::string& note : r.notes()) {
    notes.Next();
    AppendJsonString(note, &out);
  }
  notes.Close(']');
  out += "\n}\n";
  return out;
}

namespace {

// A figure for the table: a metric, else a context figure, else empty.
struct Cell {
  bool present = false;
  double value = 0;
};

Cell Lookup(const Report& r, std::string_view name) {
  if (name.empty()) return {};
  if (r.Has(name)) return {true, r.Get(name)};
  auto it = r.context().find(std::string(name));
  if (it != r.context().end()) return {true, it->second};
  return {};
}

std::string ShowCell(const Report& r, std::string_view name) {
  if (name.empty()) return "";
  Cell c = Lookup(r, name);
  if (c.present) return Grouped(c.value);
  return r.missing().count(std::string(name)) != 0 ? "missing" : "";
}

// ours / peer, for "higher is better" rows; peer / ours for latencies and
// sizes, so that a ratio above 1 always means "ours is better".
std::string Ratio(const Report& r, std::string_view ours, std::string_view peer,
                  bool lower_is_better) {
  Cell a = Lookup(r, ours);
  Cell b = Lookup(r, peer);
  if (!a.present || !b.present || a.value <= 0 || b.value <= 0) return "";
  const double ratio = lower_is_better ? b.value / a.value : a.value / b.value;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", ratio);
  return buf;
}

struct Row {
  const char* label;
  const char* ours;
  const char* raw;
  const char* sqlite;
  const char* postgres;
  bool lower_is_better;
};

constexpr Row kRows[] = {
    {"append, batch 1000 (events/s)", "append_b1000_eps", "rocksdb_raw_b1000_eps",
     "sqlite_b1000_eps", "postgres_b1000_eps", false},
    {"append, batch 1000, vs raw RocksDB with our key layout (events/s)", "append_b1000_eps",
     "rocksdb_layout_b1000_eps", "", "", false},
    {"append, batch 100 (events/s)", "append_b100_eps", "", "", "", false},
    {"append, batch 1 (events/s)", "append_b1_eps", "rocksdb_raw_b1_eps", "sqlite_b1_eps",
     "postgres_b1_eps", false},
    {"append, batch 1, p50 (us)", "append_b1_p50_us", "rocksdb_raw_b1_p50_us", "sqlite_b1_p50_us",
     "postgres_b1_p50_us", true},
    {"append, batch 1, p99 (us)", "append_b1_p99_us", "rocksdb_raw_b1_p99_us", "sqlite_b1_p99_us",
     "postgres_b1_p99_us", true},
    {"append, 8 threads x batch 1 (events/s)", "append_concurrent8_eps", "", "", "", false},
    {"full read (events/s)", "replay_eps", "rocksdb_raw_scan_eps", "sqlite_scan_eps",
     "postgres_scan_eps", false},
    {"rebuild all projections (events/s)", "rebuild_eps", "", "", "", false},
    {"verify chain + indexes (events/s)", "verify_eps", "", "", "", false},
    {"contract balance, p50 (us)", "contract_balance_p50_us", "", "", "", true},
    {"disk bytes per event", "disk_bytes_per_event", "rocksdb_raw_disk_bytes_per_event",
     "sqlite_disk_bytes_per_event", "postgres_disk_bytes_per_event", true},
    {"peak RSS (MB)", "peak_rss_mb", "", "", "", true},
};

struct Target {
  const char* label;
  const char* numerator;
  const char* denominator;  // empty: an absolute goal
  bool at_most;             // goal is an upper bound
  double goal;
};

constexpr Target kTargets[] = {
    {"append_b1000_eps / rocksdb_raw_b1000_eps", "append_b1000_eps", "rocksdb_raw_b1000_eps", false,
     0.3},
    {"append_b1000_eps / sqlite_b1000_eps", "append_b1000_eps", "sqlite_b1000_eps", false, 2},
    {"append_b1000_eps / postgres_b1000_eps", "append_b1000_eps", "postgres_b1000_eps", false, 2.5},
    {"append_b1_p50_us / raw single synced put p50", "append_b1_p50_us", "rocksdb_raw_b1_p50_us",
     true, 1.5},
    {"append_concurrent8_eps / append_b1_eps", "append_concurrent8_eps", "append_b1_eps", false, 4},
    {"replay_eps / rocksdb_raw_scan_eps", "replay_eps", "rocksdb_raw_scan_eps", false, 0.6},
    {"rebuild_eps", "rebuild_eps", "", false, 2'000'000},
    {"verify_eps", "verify_eps", "", false, 1'000'000},
};

}  // namespace

std::string ReportMarkdown(const Report& r) {
  std::string out;
  out +=
      "| workload | ours | RocksDB raw | SQLite | PostgreSQL | ours vs raw | ours vs SQLite | "
      "ours vs PostgreSQL |\n";
  out += "|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Row& row : kRows) {
    out += "| ";
    out += row.label;
    out += " | " + ShowCell(r, row.ours);
    out += " | " + ShowCell(r, row.raw);
    out += " | " + ShowCell(r, row.sqlite);
    out += " | " + ShowCell(r, row.postgres);
    out += " | " + Ratio(r, row.ours, row.raw, row.lower_is_better);
    out += " | " + Ratio(r, row.ours, row.sqlite, row.lower_is_better);
    out += " | " + Ratio(r, row.ours, row.postgres, row.lower_is_better);
    out += " |\n";
  }
  out += "\nRatios: above 1.00x means ours is better (faster, or smaller for latency and size).\n";

  out += "\n| target | measured | goal | |\n|---|--:|--:|---|\n";
  for (const Target& t : kTargets) {
    Cell a = Lookup(r, t.numerator);
    Cell b = Lookup(r, t.denominator);
    const bool ratio = t.denominator[0] != '\0';
    std::string measured;
    std::string verdict = "missing";
    if (a.present && (!ratio || (b.present && b.value > 0))) {
      const double v = ratio ? a.value / b.value : a.value;
      char buf[32];
      if (ratio) {
        std::snprintf(buf, sizeof(buf), "%.2f", v);
        measured = buf;
      } else {
        measured = Grouped(v);
      }
      verdict = (t.at_most ? v <= t.goal : v >= t.goal) ? "met" : "MISSED";
    }
    char goal[48];
    if (ratio) {
      std::snprintf(goal, sizeof(goal), "%s %.1f", t.at_most ? "<=" : ">=", t.goal);
    } else {
      std::snprintf(goal, sizeof(goal), "%s %s", t.at_most ? "<=" : ">=", Grouped(t.goal).c_str());
    }
    out += "| " + std::string(t.label) + " | " + measured + " | " + goal + " | " + verdict + " |\n";
  }

  bool any_missing = false;
  for (std::string_view name : MetricNames()) {
    if (r.Has(name)) continue;
    if (!any_missing) out += "\nMissing:\n";
    any_missing = true;
    auto it = r.missing().find(std::string(name));
    out += "- `" + std::string(name) +
           "`: " + (it != r.missing().end() ? it->second : std::string("not measured")) + "\n";
  }
  if (!r.notes().empty()) {
    out += "\nNotes:\n";
    for (const std::string& n : r.notes()) out += "- " + n + "\n";
  }
  return out;
}

}  // namespace ccl::bench
