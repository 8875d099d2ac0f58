// Progress bar drawing (tools/progress/progress.h). The line is redrawn in place with
// "\r" and erased with "\r\x1b[K" (erase to end of line), the two controls
// every terminal emulator understands.
#include "tools/progress/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "events/base/display.h"

namespace ccl::tools {

namespace {

constexpr int kBarColumnsMin = 10;
constexpr int kBarColumnsMax = 40;
constexpr int kDefaultWidth = 80;
constexpr int64_t kNsPerSecond = 1'000'000'000;
// Below this, a rate is mostly noise and an ETA from it misleads.
constexpr int64_t kEtaAfterNs = kNsPerSecond;

bool IsTerminal(std::FILE* stream) {
  if (stream == nullptr) return false;
  const int fd = ::fileno(stream);
  if (fd < 0 || ::isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

int TerminalWidth(std::FILE* stream) {
  struct winsize ws {};
  if (::ioctl(::fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return kDefaultWidth;
}

}  // namespace

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t h = seconds / 3600;
  const int64_t m = seconds / 60 % 60;
  const int64_t s = seconds % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld", static_cast<long long>(m),
                  static_cast<long long>(s));
  }
  return buf;
}

std::string FormatProgressLine(const std::string& label, uint64_t done, uint64_t total,
                               int64_t elapsed_ns, const std::string& unit, int width) {
  // Integer arithmetic throughout: a rate is events per second, rounded down.
  const uint64_t rate =
      elapsed_ns > 0 ? static_cast<uint64_t>(static_cast<unsigned __int128>(done) * kNsPerSecond /
                                             static_cast<uint64_t>(elapsed_ns))
                     : 0;
  std::string counts;
  std::string percent;
  if (total > 0) {
    const uint64_t shown = std::min(done, total);
    percent =
        std::to_string(static_cast<unsigned>(static_cast<unsigned __int128>(shown) * 100 / total)) +
        "%";
    counts = events::FormatThousands(done) + "/" + events::FormatThousands(total) + " " + unit;
  } else {
    counts = events::FormatThousands(done) + " " + unit;
  }
  std::string tail = "  " + counts;
  if (elapsed_ns > 0) tail += "  " + events::FormatThousands(rate) + "/s";
  if (total > 0 && done > 0 && done < total && rate > 0 && elapsed_ns >= kEtaAfterNs) {
    tail += "  ETA " + FormatDuration(static_cast<int64_t>((total - done) / rate));
  }

  std::string line = label;
  if (total > 0) {
    // "label [####......] 100%" + tail; the bar takes what is left, within bounds.
    const int fixed = static_cast<int>(label.size() + 3 + 1 + 4 + tail.size());
    const int bar = std::clamp(width - fixed, 0, kBarColumnsMax);
    if (bar >= kBarColumnsMin) {
      const uint64_t shown = std::min(done, total);
      const int filled = static_cast<int>(static_cast<unsigned __int128>(shown) *
                                          static_cast<unsigned>(bar) / total);
      line += " [" + std::string(filled, '#') + std::string(bar - filled, '.') + "]";
    }
    line += " " + std::string(4 - std::min<size_t>(4, percent.size()), ' ') + percent;
  }
  line += tail;
  if (width > 0 && line.size() > static_cast<size_t>(width)) line.resize(width);
  return line;
}

Progress::Progress(std::string label, uint64_t total, bool enabled, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  active_ =
      enabled && options_.stream != nullptr && (options_.force_draw || IsTerminal(options_.stream));
  if (!active_) return;
  width_ = options_.width > 0 ? options_.width : TerminalWidth(options_.stream);
  // Leave the last column free: writing into it makes some terminals wrap.
  width_ = std::max(20, width_ - 1);
  start_ns_ = Now();
  last_draw_ns_ = start_ns_;
}

Progress::~Progress() { Finish(); }

int64_t Progress::Now() const {
  if (options_.now_ns) return options_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Progress::Update(uint64_t done) {
  if (done > done_) done_ = done;
  if (!active_) return;
  const int64_t now = Now();
  // The first draw waits one interval too: operations that finish quickly
  // never flash a bar.
  if (now - last_draw_ns_ < options_.redraw_interval_ns) return;
  Draw(now);
}

void Progress::Draw(int64_t now) {
  last_draw_ns_ = now;
  const std::string line =
      FormatProgressLine(label_, done_, total_, now - start_ns_, options_.unit, width_);
  std::fprintf(options_.stream, "\r%s\x1b[K", line.c_str());
  std::fflush(options_.stream);
  drawn_ = true;
}

void Progress::Finish() {
  if (!active_) return;
  active_ = false;
  if (drawn_) {
    std::fputs("\r\x1b[K", options_.stream);
    std::fflush(options_.stream);
  }
}

}  // namespace ccl::tools
