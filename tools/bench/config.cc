#include "tools/bench/config.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace ccl::bench {

double Percentile(std::vector<double>* samples, double p) {
  const size_t n = samples->size();
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<size_t>(rank, 1, n);
  std::nth_element(samples->begin(), samples->begin() + static_cast<ptrdiff_t>(rank - 1),
                   samples->end());
  return (*samples)[rank - 1];
}

int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double PeakRssMb() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ccl::bench
