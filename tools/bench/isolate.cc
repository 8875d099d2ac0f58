#include "tools/bench/isolate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/bench/config.h"

namespace ccl::bench {

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Report Failed(std::span<const std::string_view> expected, const std::string& reason) {
  Report r;
  for (std::string_view name : expected) r.Missing(name, reason);
  return r;
}

}  // namespace

Report RunIsolated(std::string_view label, std::span<const std::string_view> expected,
                   const std::function<void(Report*)>& phase) {
  std::fprintf(stderr, "[bench] %.*s ...\n", static_cast<int>(label.size()), label.data());
  std::fflush(stdout);  // or the child would print the parent's buffer again
  std::fflush(stderr);
  Stopwatch watch;
  int fds[2];
  if (pipe(fds) != 0) return Failed(expected, std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Failed(expected, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    Report r;
    phase(&r);
    const bool ok = WriteAll(fds[1], r.Serialize());
    close(fds[1]);
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(ok ? 0 : 3);  // no static destructors: they belong to the parent
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Report r = Report::Parse(text);
  std::string ended;
  if (WIFSIGNALED(status)) {
    ended = "benchmark phase '" + std::string(label) + "' was killed by signal " +
            std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    ended = "benchmark phase '" + std::string(label) + "' exited with code " +
            std::to_string(WEXITSTATUS(status));
  }
  for (std::string_view name : expected) {
    if (!r.Has(name)) r.Missing(name, ended.empty() ? "not reported by its phase" : ended);
  }
  std::fprintf(stderr, "[bench] %.*s done in %.1f s\n", static_cast<int>(label.size()),
               label.data(), watch.ElapsedSeconds());
  return r;
}

}  // namespace ccl::bench
