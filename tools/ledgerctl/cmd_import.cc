// The import command: options into app::ImportOptions, one app::ImportFile
// per file with a progress bar, one summary line per file.
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "events/base/display.h"
#include "ledger/audit/checkpoint_folder.h"
#include "tools/app/event_readers.h"
#include "tools/app/import.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/progress/progress.h"

namespace ccl::tools {

void PrintImportStop(const std::vector<std::string>& files, size_t failed,
                     const app::ImportResult& partial, const char* why) {
  std::string done, not_done;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string& list = i < failed ? done : not_done;
    list += (list.empty() ? "" : ", ") + files[i];
  }
  if (partial.events > 0) {
    std::printf("%s: %llu appended, %llu duplicates in earlier batches before the %s\n",
                files[failed].c_str(), static_cast<unsigned long long>(partial.appended),
                static_cast<unsigned long long>(partial.duplicates), why);
  }
  if (files.size() == 1) return;
  std::printf("imported: %s\n", done.empty() ? "(none)" : done.c_str());
  std::printf("not imported: %s%s\n", not_done.c_str(),
              partial.events > 0 ? " (the first one in part, as above)" : "");
}

namespace {

// Ctrl-C or SIGTERM during `import --batch N` stops at the next batch
// boundary: what was committed is reported and gets its checkpoint, then exit
// 128 + the signal (130, 143). A whole-file import stops before its next part
// is appended: its append is abandoned, which removes the scratch files it
// wrote, and nothing of that file is committed.
// The signal that asked the import to stop (SIGINT or SIGTERM), 0 if none.
// A second signal while a stop is pending (the import blocked on an input
// that does not come: a terminal, a pipe) ends the process at once, as if
// it had not been caught.
std::atomic<int> g_import_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);  // used in a signal handler
extern "C" void InterruptImport(int signo) {
  if (g_import_signal.exchange(signo) == 0) return;
  ::signal(signo, SIG_DFL);
  ::raise(signo);
}

// Makes SIGINT and SIGTERM only set g_import_signal. SA_RESTART: the store's
// system calls go on; the import asks between batches or parts.
void CatchImportSignals() {
  struct sigaction sa {};
  sa.sa_handler = InterruptImport;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  // Ctrl-C, and the SIGTERM of `kill`, systemd or a container runtime.
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

// A whole-file import: the signals are caught from the first part of the
// first file on, when the input is open and its append about to write
// scratch files (before, a signal ends the process as usual, with nothing
// written: an input read from a terminal or a pipe is never waited for past
// a Ctrl-C), and from then on to the end, so that a signal between two files
// is reported with the files committed before it. A signal before a file's
// last part is handed over abandons that file's append.
bool CatchSignalsAndAskStop() {
  CatchImportSignals();
  return g_import_signal.load() != 0;
}

// The import command's options.
Status ImportOptionsFrom(const po::variables_map& vm, app::ImportOptions* o) {
  if (vm.count("format") && (!app::ParseInputFormat(vm["format"].as<std::string>(), &o->format) ||
                             o->format == app::InputFormat::kJsonArray)) {
    return Status::InvalidArgument("option '--format': jsonl or csv");
  }
  if (vm.count("type")) {
    o->csv_type = vm["type"].as<std::string>();
    std::optional<events::EventType> type;
    CCL_RETURN_IF_ERROR(app::CsvTypeOf(o->csv_type, &type));
  }
  o->batch_events = vm["batch"].as<uint64_t>();
  return Status::OK();
}

}  // namespace

Status ImportWithProgress(ledger::Ledger* ledger, const std::string& path, app::ImportOptions o,
                          const GlobalOptions& g, app::ImportResult* result) {
  Progress bar(path, 0, ShowProgress(g));
  o.progress.on_phase = [&bar](std::string_view source, std::string_view phase, uint64_t total) {
    bar.SetLabel(std::string(source) + ": " + std::string(phase));
    bar.SetTotal(total);
  };
  o.progress.on_progress = [&bar](uint64_t done) { bar.Update(done); };
  return app::ImportFile(ledger, path, o, result);
}

void AddImported(const app::ImportResult& r, app::ImportResult* total) {
  total->events += r.events;
  total->appended += r.appended;
  total->duplicates += r.duplicates;
}

void PrintImportTotal(size_t files, const app::ImportResult& total, const GlobalOptions& g) {
  if (files <= 1 || g.quiet) return;
  std::printf("total: %llu events, %llu appended, %llu duplicates\n",
              static_cast<unsigned long long>(total.events),
              static_cast<unsigned long long>(total.appended),
              static_cast<unsigned long long>(total.duplicates));
}

void PrintImported(const std::string& path, const app::ImportResult& r, double seconds,
                   const GlobalOptions& g) {
  if (g.quiet) return;  // --quiet: errors and requested data only
  std::printf("%s: %llu events, %llu appended, %llu duplicates (%s)\n", path.c_str(),
              static_cast<unsigned long long>(r.events),
              static_cast<unsigned long long>(r.appended),
              static_cast<unsigned long long>(r.duplicates), Rate(r.events, seconds).c_str());
}

// The last step of an import that committed everything: its summary reached
// stdout, or stderr says that the events are in all the same (exit 4 for the
// lost output). "write stdout: Bad file descriptor" alone reads as a failed
// import, which a script would run again or an operator try to undo.
int CheckSummaryWritten(const app::ImportResult& total) {
  errno = 0;
  if (std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return kExitOk;
  const int err = errno;
  std::fprintf(stderr,
               "ledgerctl import: the events were committed (%llu appended, %llu duplicates), "
               "but their summary could not be written to stdout: %s\n",
               static_cast<unsigned long long>(total.appended),
               static_cast<unsigned long long>(total.duplicates),
               err != 0 ? std::strerror(err) : "an earlier write failed");
  return kExitIO;
}

int RunImport(const po::variables_map& vm, const GlobalOptions& g) {
  const auto& files = vm["files"].as<std::vector<std::string>>();
  app::ImportOptions options;
  if (Status s = ImportOptionsFrom(vm, &options); !s.ok()) {
    std::fprintf(stderr, "ledgerctl import: %s\n", s.message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<ledger::Ledger> ledger;
  Status s =
      ledger::CheckFolderTakesCheckpoints(CheckpointFolder(g)).WithDetail("(nothing was written)");
  // Before the open, whose recovery may rewrite the folder's files.
  if (s.ok()) s = OpenLedger(g, OpenMode::kWrite, &ledger);
  if (s.ok()) s = CheckCheckpointBeforeWrite(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  if (options.batch_events > 0) {
    CatchImportSignals();
    options.should_stop = [] { return g_import_signal.load() != 0; };
  } else {
    options.should_stop = CatchSignalsAndAskStop;
  }
  app::ImportResult total;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    app::ImportResult r;
    const auto start = std::chrono::steady_clock::now();
    s = ImportWithProgress(ledger.get(), path, options, g, &r);
    const int signo = g_import_signal.load();
    const bool interrupted = s.ok() && signo != 0;
    if (!s.ok() || interrupted) {
      // The one line a person or a script needs: FILE:LINE: what is wrong.
      if (!s.ok()) std::fprintf(stderr, "%s\n", s.message().c_str());
      if (interrupted) {
        const bool whole = options.batch_events == 0;
        const std::string what = whole && r.stopped ? "nothing of " + path + " was committed"
                                 : whole            ? path + " was committed before it"
                                                    : "stopped after a committed batch";
        std::fprintf(stderr, "ledgerctl import: interrupted (%s); %s\n",
                     signo == SIGTERM ? "SIGTERM" : "SIGINT", what.c_str());
      }
      // Earlier files and batches are committed: they get their checkpoint.
      if (Status p = PublishOwnCheckpoint(ledger.get(), g); !p.ok()) Fail(p);
      if (interrupted && r.stopped) {
        PrintImportStop(files, i, r, "interruption");
      } else if (interrupted) {  // this file was complete
        PrintImported(path, r, SecondsSince(start), g);
        if (i + 1 < files.size())
          PrintImportStop(files, i + 1, app::ImportResult(), "interruption");
      }
      if (interrupted) return 128 + signo;  // as a shell reports a process the signal ended
      PrintImportStop(files, i, r, "error");
      return ExitCodeFor(s);
    }
    PrintImported(path, r, SecondsSince(start), g);
    AddImported(r, &total);
  }
  s = PublishOwnCheckpoint(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  PrintImportTotal(files.size(), total, g);
  return CheckSummaryWritten(total);
}

}  // namespace ccl::tools
