// What a benchmark phase found: numbers for the fixed metric names
// (MetricNames), reasons for metrics that could not be measured ("missing", never a
// zero), context figures that explain the numbers (counts, modes, reference
// latencies) and free-form notes. Phases run in child processes
// (tools/bench/isolate.h) and send their Report to the parent as text lines.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ccl::bench {

// The published metric names, in the order the JSON and the table list
// them. These names are a published interface: the README, CI dashboards and
// the smoke test read them.
const std::vector<std::string_view>& MetricNames();

class Report {
 public:
  // A measured number for `name`. Replaces an earlier value or missing reason.
  void Set(std::string_view name, double value);
  // `name` could not be measured; `reason` says why (one line).
  // Keeps an existing number (a measurement wins over a later excuse) and an
  // existing reason (the first failure is the cause, later ones follow).
  void Missing(std::string_view name, std::string_view reason);
  // Figures that are not published metrics (event counts, modes, peer
  // latencies the targets refer to).
  void Context(std::string_view name, double value);
  void ContextText(std::string_view name, std::string_view value);
  void Note(std::string_view text);

  bool Has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  // REQUIRES: Has(name)
  double Get(std::string_view name) const { return values_.at(std::string(name)); }
  const std::map<std::string, double>& values() const { return values_; }
  const std::map<std::string, std::string>& missing() const { return missing_; }
  const std::map<std::string, double>& context() const { return context_; }
  const std::map<std::string, std::string>& context_text() const { return context_text_; }
  const std::vector<std::string>& notes() const { return notes_; }

  // Adds everything of `other` (its numbers win over our missing reasons).
  void Merge(const Report& other);

  // Line protocol between child and parent: one record per line, fields
  // separated by tabs. Text is sanitized (tabs and newlines become spaces).
  std::string Serialize() const;
  // Parses Serialize() output; malformed lines are ignored (a child that died
  // mid-line loses that line, not the rest).
  static Report Parse(std::string_view text);

 private:
  std::map<std::string, double> values_;
  std::map<std::string, std::string> missing_;
  std::map<std::string, double> context_;
  std::map<std::string, std::string> context_text_;
  std::vector<std::string> notes_;
};

// The JSON object written by --json: every metric of MetricNames() with a
// number at the top level, "missing": {name: reason} for those without one,
// "context": {...} with the context figures and texts, "notes": [...].
std::string ReportJson(const Report& r);

// The markdown table printed to stdout: ours side by side with the peers and
// the ratios, then the targets (README.md "Performance") with met / missed,
// then notes.
std::string ReportMarkdown(const Report& r);

}  // namespace ccl::bench
