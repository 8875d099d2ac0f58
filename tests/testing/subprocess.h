// Runs a program as a child process, for the tests that check a binary the
// way a user or a script sees it: standard streams redirected to files (or
// stdin to a pipe), the exit code read as a shell reports it (128 + the
// signal that ended it). Every test that starts a process uses this one.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <string>
#include <vector>

extern char** environ;

namespace ccl::subprocess {

struct SpawnOptions {
  // stdin: the file stdin_path ("" = /dev/null); or, with stdin_pipe, a pipe
  // whose write end Spawn returns.
  std::string stdin_path;
  bool stdin_pipe = false;
  // stdout and stderr: files created or truncated (appended to with
  // append_output); "" = this process's own.
  std::string stdout_path;
  std::string stderr_path;
  bool append_output = false;
  bool stderr_to_stdout = false;  // stderr to wherever stdout goes
  std::string cwd;                // "" = this process's
  bool search_path = false;       // args[0] is looked up in PATH
  // "NAME=value" entries added to this process's environment.
  std::vector<std::string> env_extra;
};

struct Child {
  pid_t pid = -1;       // -1 when the program could not be started
  int stdin_pipe = -1;  // with stdin_pipe: the write end (close it to end the input)
};

// Starts args[0] (a path, or a name with search_path) with the arguments
// after it.
// REQUIRES: !args.empty()
inline Child Spawn(std::vector<std::string> args, const SpawnOptions& o = {}) {
  assert(!args.empty());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int pipe_fds[2] = {-1, -1};
  if (o.stdin_pipe) {
    if (::pipe2(pipe_fds, O_CLOEXEC) == 0)
      posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
  } else {
    const std::string in = o.stdin_path.empty() ? "/dev/null" : o.stdin_path;
    posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  }
  const int out_flags = O_WRONLY | O_CREAT | (o.append_output ? O_APPEND : O_TRUNC);
  if (!o.stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, o.stdout_path.c_str(), out_flags, 0644);
  }
  if (o.stderr_to_stdout) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else if (!o.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, o.stderr_path.c_str(), out_flags, 0644);
  }
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, o.cwd.c_str());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = o.env_extra;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  Child child;
  const int rc =
      o.search_path ? posix_spawnp(&child.pid, argv[0], &actions, nullptr, argv.data(), envp.data())
                    : posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  if (rc != 0) child.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
  child.stdin_pipe = pipe_fds[1];
  return child;
}

// Sends `sig` to the child `pid`; false (sending nothing) when pid is not a
// started child's (kill(2) would read 0 and -1 as "the group" and "all").
inline bool Signal(pid_t pid, int sig) { return pid > 0 && ::kill(pid, sig) == 0; }

// Writes `input` to a child's stdin pipe (blocking while the pipe is full
// until the child reads) and closes it; a closed or failed pipe ends it.
inline void FeedAndClose(int fd, const std::string& input) {
  if (fd < 0) return;
  for (size_t done = 0; done < input.size();) {
    const ssize_t n = ::write(fd, input.data() + done, input.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Reaps `pid` (blocking unless WNOHANG in `flags`): the raw wait status, or
// -1 when WNOHANG and it still runs (or pid is not a child).
inline int ReapStatus(pid_t pid, int flags = 0) {
  int status = 0;
  if (pid <= 0 || ::waitpid(pid, &status, flags) != pid) return -1;
  return status;
}

// The exit code of a wait status, or 128 + the signal that ended the process.
inline int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits for `pid`: its exit code, or 128 + the signal that ended it; -1 when
// pid is not a child (e.g. it could not be started).
inline int Wait(pid_t pid) {
  const int status = ReapStatus(pid);
  return status < 0 ? -1 : ExitCodeOf(status);
}

// Wait's answer once `pid` has ended (reaping it); -1 while it runs.
inline int ExitCode(pid_t pid) {
  const int status = ReapStatus(pid, WNOHANG);
  return status < 0 ? -1 : ExitCodeOf(status);
}

}  // namespace ccl::subprocess
