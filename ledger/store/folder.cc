// What a folder without a database holds, before anything opens it with
// create (ledger/store/ledger_impl.h CheckFolderWithoutCurrent).
#include <fcntl.h>
#include <rocksdb/env.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "events/base/durable_file.h"
#include "ledger/store/ledger_folder.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

// Names listed in an error, at most.
constexpr size_t kFolderNamesListedMax = 6;

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// RocksDB's name of a file of its own kind: `prefix`, a number, `suffix`.
bool NumberedName(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return false;
  if (name.size() <= prefix.size() + suffix.size()) return false;
  const std::string_view number =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  return std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A temporary file of RocksDB's, renamed into place once written whole: the
// next options file, or the next CURRENT or IDENTITY.
bool IsTempFile(const std::string& name) {
  return NumberedName(name, "", ".dbtmp") || NumberedName(name, "OPTIONS-", ".dbtmp");
}

// What RocksDB writes while it creates a database, before CURRENT names its
// first MANIFEST (DB::Open with create_if_missing): the lock, its info log
// (and the ones it rotated), the database identity and MANIFEST-000001, and
// its temporary files (IsTempFile). RocksDB rewrites each
// of them when it creates the database again, so they are taken for an
// interrupted creation's only beside its marker (kCreationMarker): without
// it they are someone else's files.
bool IsCreationLeftover(const std::string& name) {
  return name == "LOCK" || name == "LOG" || StartsWith(name, "LOG.old.") || name == "IDENTITY" ||
         name == "MANIFEST-000001" || IsTempFile(name);
}

// Files that only a database that existed write: table and blob files, WALs,
// the MANIFESTs of later opens, options files, our bulk-append folder.
bool IsLedgerData(const std::string& name) {
  return EndsWith(name, ".sst") || EndsWith(name, ".log") || EndsWith(name, ".blob") ||
         StartsWith(name, "MANIFEST-") || StartsWith(name, "OPTIONS-") || name == kIngestFolder;
}

// Up to `n` bytes of the file `path` from `at` (from its end when `at` is
// negative); false when it cannot be read.
bool ReadBytes(const std::string& path, off_t at, size_t n, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok && at < 0) at = std::max<off_t>(0, st.st_size + at);
  out->assign(n, '\0');
  const ssize_t got = ok ? ::pread(fd, out->data(), n, at) : -1;
  ::close(fd);
  if (got < 0) return false;
  out->resize(static_cast<size_t>(got));
  return true;
}

// The first line of every options file RocksDB writes.
constexpr std::string_view kOptionsFileHeader = "# This is a RocksDB option file.";
// The last 8 bytes of every block-based table file (RocksDB's
// kBlockBasedTableMagicNumber, little-endian).
constexpr std::string_view kTableMagic = "\xf7\xcf\xf4\x85\xb7\x41\xe2\x88";

// Whether the file `name` of the folder `path` is one a database wrote: an
// options file or a table file of RocksDB's name and content. One that
// cannot be read counts as one (an error never invites a creation).
bool DatabaseWrote(const std::string& path, const std::string& name) {
  const std::string file = path + "/" + name;
  std::string bytes;
  if (NumberedName(name, "OPTIONS-", "")) {
    return !ReadBytes(file, 0, kOptionsFileHeader.size(), &bytes) || bytes == kOptionsFileHeader;
  }
  if (NumberedName(name, "", ".sst")) {
    return !ReadBytes(file, -8, kTableMagic.size(), &bytes) || bytes == kTableMagic;
  }
  return false;
}

// Whether the folder `path` holds a file that only a database writes, told
// by its content as well as its name (DatabaseWrote): a file of the user's
// may have any name.
bool HoldsDatabaseFiles(const std::string& path, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return DatabaseWrote(path, n); });
}

// Whether `names` are all what RocksDB writes when it begins creating a
// database (IsCreationLeftover), its identity and first MANIFEST among
// them: left by an init that stopped before any ledger was made.
bool BegunCreation(const std::vector<std::string>& names) {
  const auto has = [&](std::string_view n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  return has("IDENTITY") && has("MANIFEST-000001") &&
         std::all_of(names.begin(), names.end(), IsCreationLeftover);
}

std::string ListNames(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out;
  for (size_t i = 0; i < names.size() && i < kFolderNamesListedMax; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kFolderNamesListedMax) {
    out += " and " + std::to_string(names.size() - kFolderNamesListedMax) + " more";
  }
  return out;
}

// The marker's whole content: a file of that name holding anything else is
// not ours.
constexpr std::string_view kCreationMarkerText =
    "ledger creation under way: removed once the ledger's meta is written\n";

std::string MarkerPath(const std::string& path) {
  return path + "/" + std::string(kCreationMarker);
}

}  // namespace

bool CreationMarkerPresent(const std::string& path) {
  const std::string marker = MarkerPath(path);
  const int fd = ::open(marker.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  return n == static_cast<ssize_t>(kCreationMarkerText.size()) &&
         std::string_view(buf, static_cast<size_t>(n)) == kCreationMarkerText;
}

Status WriteCreationMarker(rocksdb::Env* env, const std::string& path) {
  const std::string marker = MarkerPath(path);
  rocksdb::Status s = env->CreateDirIfMissing(path);
  std::unique_ptr<rocksdb::WritableFile> file;
  if (s.ok()) s = env->NewWritableFile(marker, &file, rocksdb::EnvOptions());
  if (s.ok())
    s = file->Append(rocksdb::Slice(kCreationMarkerText.data(), kCreationMarkerText.size()));
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  // Its name too must be durable before RocksDB writes anything.
  std::unique_ptr<rocksdb::Directory> dir;
  if (s.ok()) s = env->NewDirectory(path, &dir);
  if (s.ok()) s = dir->Fsync();
  if (s.ok()) return Status::OK();
  if (file != nullptr) env->DeleteFile(marker).PermitUncheckedError();  // this run's
  return FromRocks(s, "create the ledger at " + path + ": write " + marker);
}

std::vector<std::string> CreationTempFiles(const std::string& path) {
  std::vector<std::string> names;
  if (!CreationMarkerPresent(path)) return names;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(path, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (IsTempFile(name)) names.push_back(name);
  }
  return names;
}

Status RemoveCreationMarker(rocksdb::Env* env, const std::string& path,
                            const std::vector<std::string>& temp_files) {
  // The marker last: while it is there, a later init removes what is left.
  for (const std::string& name : temp_files) {
    // Gone already when this open's RocksDB wrote one of its name and renamed it.
    const std::string file = path + "/" + name;
    const rocksdb::Status t = env->DeleteFile(file);
    if (!t.ok() && !env->FileExists(file).IsNotFound()) {
      return FromRocks(t, "finish the creation of " + path + ": remove " + file);
    }
  }
  const rocksdb::Status s = env->DeleteFile(MarkerPath(path));
  if (s.ok() || s.IsNotFound()) return Status::OK();
  return FromRocks(s, "finish the creation of " + path + ": remove " + MarkerPath(path));
}

Status UnfinishedCreation(const std::string& path) {
  return Status::NotFound("no ledger at " + path + ": the init that began creating one there did " +
                          "not finish (it left " + MarkerPath(path) + "); run `ledgerctl --db " +
                          path + " init` to finish it");
}

std::string DamagedLedgerAdvice() {
  return "nothing was changed. Keep the folder as it is (copy it before any repair), and "
         "restore the latest backup into a new folder: `ledgerctl --db NEW_FOLDER restore "
         "BACKUP_DIR`, which verifies the copy; then `ledgerctl --db NEW_FOLDER verify`";
}

namespace {

// `path` resolved as LedgerFolderAtOrAbove resolves it; empty when it cannot be.
std::filesystem::path Resolved(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? std::filesystem::path() : p;
}

// The first of `folder` and the folders above it that holds a database
// (CURRENT and IDENTITY), or "".
std::string LedgerFolderFrom(std::filesystem::path folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::path p = std::move(folder); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "CURRENT", ec) && fs::exists(p / "IDENTITY", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return "";
}

// The folder above `path` that holds a database, or "" when none does: a
// ledger created inside another's folder would be copied, backed up and
// deleted with it.
std::string LedgerFolderAbove(const std::string& path) {
  const std::filesystem::path p = Resolved(path);
  return p.empty() ? "" : LedgerFolderFrom(p.parent_path());
}

// A ledger is created only outside any other ledger's folder.
Status CheckNotInsideALedger(const std::string& path) {
  const std::string above = LedgerFolderAbove(path);
  if (above.empty()) return Status::OK();
  return Status::InvalidArgument(path + " is inside the ledger folder " + above +
                                 ": a ledger is created only outside another ledger's folder; "
                                 "nothing was changed");
}

// The names in the folder at `path` but those of an interrupted creation
// (its marker, and beside it IsCreationLeftover's): ledger data
// (IsLedgerData) into *data, anything else into *foreign.
Status ListFolder(const std::string& path, std::vector<std::string>* data,
                  std::vector<std::string>* foreign) {
  const bool marked = CreationMarkerPresent(path);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(path, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (marked && (name == kCreationMarker || IsCreationLeftover(name))) continue;
    // A file system's own folder at the root of a fresh mount.
    if (name == "lost+found") continue;
    (IsLedgerData(name) ? data : foreign)->push_back(name);
  }
  if (ec) return Status::IOError(path + ": " + ec.message());
  return Status::OK();
}

// A folder of ledger data that no open can read: what is missing, what was
// found, and what to do (never to be created over).
Status CannotBeOpened(const std::string& path, const std::string& why,
                      const std::vector<std::string>& data) {
  return Status::Corruption(path + " holds ledger data that cannot be opened: " + why + " (found " +
                            ListNames(data) + "); " + DamagedLedgerAdvice());
}

}  // namespace

Status CheckCurrentNamesAManifest(rocksdb::Env* env, const std::string& path) {
  std::string current;
  if (!rocksdb::ReadFileToString(env, path + "/CURRENT", &current).ok()) return Status::OK();
  while (!current.empty() && (current.back() == '\n' || current.back() == '\r')) {
    current.pop_back();
  }
  // Only a plain MANIFEST name is judged here; anything else is RocksDB's to
  // report.
  if (!StartsWith(current, "MANIFEST-") || current.find('/') != std::string::npos) {
    return Status::OK();
  }
  if (!env->FileExists(path + "/" + current).IsNotFound()) return Status::OK();
  std::vector<std::string> data;
  std::vector<std::string> foreign;
  CCL_RETURN_IF_ERROR(ListFolder(path, &data, &foreign));
  return CannotBeOpened(path, "its CURRENT file names " + current + ", which is missing", data);
}

bool HoldsDatabase(const std::string& path) {
  const std::string current = path + "/CURRENT";
  if (::access(current.c_str(), F_OK) != 0) return false;
  std::string text;
  if (!ReadBytes(current, 0, 64, &text)) return true;  // RocksDB says why
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return NumberedName(text, "MANIFEST-", "");
}

std::string LedgerFolderAtOrAbove(const std::string& path) {
  const std::filesystem::path p = Resolved(path);
  return p.empty() ? "" : LedgerFolderFrom(p);
}

Status CheckFolderWithoutCurrent(const std::string& path, bool creating) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) return Status::IOError(path + ": " + ec.message());
    CCL_RETURN_IF_ERROR(events::CheckFolderPath(path));
    if (creating) return CheckNotInsideALedger(path);
    return Status::NotFound("no ledger at " + path);
  }
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + " is not a folder");
  }
  std::vector<std::string> data;
  std::vector<std::string> foreign;
  CCL_RETURN_IF_ERROR(ListFolder(path, &data, &foreign));
  if (!data.empty()) {
    if (CreationMarkerPresent(path) || HoldsDatabaseFiles(path, data)) {
      const bool current = std::find(foreign.begin(), foreign.end(), "CURRENT") != foreign.end();
      return CannotBeOpened(
          path, current ? "its CURRENT file names no MANIFEST" : "its CURRENT file is missing",
          data);
    }
    // Named like a database's files, but no database wrote them.
    foreign.insert(foreign.end(), data.begin(), data.end());
  }
  if (!foreign.empty()) {
    // Not NotFound: that would invite creating a ledger here.
    if (!creating) {
      return Status::InvalidArgument("no ledger at " + path + ": it holds files that are not a " +
                                     "ledger's (" + ListNames(foreign) + ")");
    }
    if (BegunCreation(foreign)) {
      return Status::InvalidArgument(
          path + " holds what RocksDB writes as it begins creating a database (" +
          ListNames(foreign) +
          ") and no ledger: an init of an earlier version stopped there, or the files are "
          "someone else's; init never writes over files it did not create: move the folder aside "
          "(or remove it) and run init again; nothing was changed");
    }
    return Status::InvalidArgument(
        path + " holds files that are not a ledger's (" + ListNames(foreign) +
        "): a ledger is created only in a new or empty folder, since creating one writes over "
        "files of RocksDB's names (LOG, IDENTITY, LOCK, ...) and init never replaces a file it "
        "did not create; move them away or choose another folder; nothing was changed");
  }
  if (creating) return CheckNotInsideALedger(path);
  if (CreationMarkerPresent(path)) return UnfinishedCreation(path);
  return Status::NotFound("no ledger at " + path);
}

Status CheckFolderWritable(const std::string& path) {
  // access() answers for this process's ids and reports EROFS for a
  // read-only mount, which permission bits (and root) do not show.
  const std::string lock = path + "/LOCK";
  int error = 0;
  std::string where;
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    error = errno;
  } else if (::access(lock.c_str(), W_OK) != 0) {
    error = errno;
    where = lock + ": ";
  }
  if (error == 0 || error == ENOENT) return Status::OK();  // missing: the open creates it
  return Status::IOError("the ledger folder " + path + " is not writable: " + where +
                         std::strerror(error) +
                         " (writing needs write access to it; read commands work without)");
}

bool LedgerLockHeld(const std::string& path, LockHolder* holder) {
  *holder = LockHolder();
  const int fd = ::open((path + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lk {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  lk.l_pid = 0;  // F_OFD_GETLK requires it
  const int rc = ::fcntl(fd, F_OFD_GETLK, &lk);
  ::close(fd);
  if (rc != 0 || lk.l_type == F_UNLCK) return false;
  // A traditional lock (RocksDB's) reports its process; an OFD lock -1.
  if (lk.l_pid <= 0) return true;
  holder->text = "pid " + std::to_string(lk.l_pid);
  const int cmd =
      ::open(("/proc/" + std::to_string(lk.l_pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (cmd < 0) return true;
  char buf[160];
  const ssize_t n = ::read(cmd, buf, sizeof(buf));
  ::close(cmd);
  if (n <= 0) return true;
  std::string line(buf, static_cast<size_t>(n));
  while (!line.empty() && line.back() == '\0') line.pop_back();
  // argv[0] ends at the first NUL: its last path component is the program.
  const std::string program = line.substr(0, line.find('\0'));
  holder->server = program.substr(program.rfind('/') + 1) == "ledgerd";
  for (char& c : line) {
    if (c == '\0') c = ' ';
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (n == static_cast<ssize_t>(sizeof(buf))) line += "...";
  holder->text += ": " + line;
  return true;
}

}  // namespace ccl::ledger
