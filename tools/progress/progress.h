// A one-line progress bar for long operations (import, verify, rebuild,
// export, stats): "label [#####.....]  52%  5,200,000/10,000,000 events
// 410,000/s  ETA 0:12". It is for people watching a terminal, so it draws
// only when its stream is a terminal; when stderr is piped or redirected it
// writes nothing at all, and scripts see exactly the output they would see
// without it. Results never go through it: it only ever writes to its own
// stream (stderr by default), never stdout.
//
// Contract:
// - Construct with a label and the expected total (0 when unknown: then no
//   bar and no ETA, only the count and the rate).
// - Call Update(done) (or Add(n)) as often as you like: it checks a clock and
//   redraws at most every redraw_interval_ns, so calling it once per event in
//   a loop of millions costs a few ns per call.
// - Call Finish() (or let the destructor do it) before printing anything else
//   on the terminal: it erases the line, leaving the terminal as it was.
// - Not thread-safe; one Progress per operation and thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace ccl::tools {

struct ProgressOptions {
  // Where to draw. Not owned. Progress draws only if this stream is a
  // terminal (isatty) and TERM is not "dumb", unless force_draw is set.
  std::FILE* stream = stderr;
  // Draw even when `stream` is not a terminal (tests only).
  bool force_draw = false;
  // Line width in columns; 0: the terminal's width (80 when unknown).
  int width = 0;
  // What is counted ("events", "bytes"...).
  std::string unit = "events";
  int64_t redraw_interval_ns = 100'000'000;  // 10 redraws per second at most
  // Monotonic clock in ns; empty: std::chrono::steady_clock (tests inject one).
  std::function<int64_t()> now_ns;
};

class Progress {
 public:
  // `enabled` false (e.g. --quiet) draws nothing whatever the stream is.
  Progress(std::string label, uint64_t total, bool enabled,
           ProgressOptions options = ProgressOptions());
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // True when this progress draws anything (enabled and a terminal).
  bool active() const { return active_; }

  // Sets the count done so far (may exceed total; never goes backwards in
  // the display). Redraws when the redraw interval has passed.
  void Update(uint64_t done);
  void Add(uint64_t n) { Update(done_ + n); }
  // Changes the expected total (e.g. once a file's size is known).
  void SetTotal(uint64_t total) { total_ = total; }
  // Changes the label (e.g. from "reading" to "appending").
  void SetLabel(std::string label) { label_ = std::move(label); }

  // Erases the line (once); later Updates draw nothing.
  void Finish();

 private:
  int64_t Now() const;
  void Draw(int64_t now);

  std::string label_;
  uint64_t total_;
  ProgressOptions options_;
  bool active_ = false;
  bool drawn_ = false;
  uint64_t done_ = 0;
  int64_t start_ns_ = 0;
  int64_t last_draw_ns_ = 0;
  int width_ = 80;
};

// The text of one progress line (without "\r" or escape codes), as Progress
// draws it; exposed for tests. `elapsed_ns` is the time since the start.
// The rate is done / elapsed; the ETA (remaining / rate) appears only when the
// total is known, something is done, and at least 1 s has passed (earlier
// rates jump around too much to be worth showing). The line is cut to `width`
// columns; the bar shrinks first.
std::string FormatProgressLine(const std::string& label, uint64_t done, uint64_t total,
                               int64_t elapsed_ns, const std::string& unit, int width);

// "0:07", "12:34", "1:02:03": whole seconds as [h:]mm:ss.
std::string FormatDuration(int64_t seconds);

}  // namespace ccl::tools
