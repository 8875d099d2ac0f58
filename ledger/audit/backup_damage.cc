#include "ledger/audit/backup_damage.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ccl::ledger {
namespace {

// Files named by the bytes they hold (RocksDB's shared_checksum naming,
// "<number>_<checksum>_<size>.<ext>"): that size, else -1.
int64_t SizeInName(const std::string& path) {
  const std::string stem = std::filesystem::path(path).stem().string();
  const size_t underscore = stem.rfind('_');
  if (path.rfind("shared_checksum/", 0) != 0 || underscore == std::string::npos) return -1;
  const std::string digits = stem.substr(underscore + 1);
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stoll(digits);
}

// What is wrong with one file `rel` a backup description lists, or "".
std::string ListedFileDamage(const std::string& dir, const std::string& rel,
                             const std::string& meta) {
  const std::filesystem::path file = std::filesystem::path(dir) / rel;
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec)
    return file.string() + " is missing or unreadable (" + meta + " lists it): " + ec.message();
  const int64_t named = SizeInName(rel);
  if (named >= 0 && static_cast<uintmax_t>(named) != size) {
    return file.string() + " holds " + std::to_string(size) + " bytes, its name says " +
           std::to_string(named);
  }
  return "";
}

// What is wrong with backup `id`'s description DIR/meta/ID (BackupEngine's
// format: a timestamp, a sequence number, "key value" lines, the number of
// files, then one line per file, its path first) or with a file it lists.
std::string BackupFileDamage(const std::string& dir, uint32_t id) {
  const std::string meta = (std::filesystem::path(dir) / "meta" / std::to_string(id)).string();
  std::ifstream in(meta);
  if (!in) return meta + " cannot be read: " + std::strerror(errno);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  size_t at = 2;  // the timestamp and the sequence number
  while (at < lines.size() &&
         (lines[at].empty() || lines[at].find_first_not_of("0123456789") != std::string::npos)) {
    ++at;
  }
  if (lines.size() < 3 || at >= lines.size() || lines[at].size() > 9) {
    return meta + ", its description, is malformed or cut short";
  }
  const size_t count = std::stoul(lines[at]);
  if (lines.size() - at - 1 < count) {
    return meta + ", its description, is cut short: it lists " + std::to_string(count) +
           " files and holds " + std::to_string(lines.size() - at - 1);
  }
  for (size_t i = 0; i < count; ++i) {
    std::istringstream fields(lines[at + 1 + i]);
    std::string rel;
    fields >> rel;
    if (rel.empty())
      return meta + ", its description, is malformed (line " + std::to_string(at + 2 + i) + ")";
    const std::string damage = ListedFileDamage(dir, rel, meta);
    if (!damage.empty()) return damage;
  }
  return meta +
         " or a file it lists fails RocksDB's checks (its description is not one RocksDB "
         "can read)";
}

}  // namespace

Status DamagedBackup(const std::string& dir, uint32_t id, const std::vector<uint32_t>& intact) {
  std::string m = dir + ": backup " + std::to_string(id) +
                  " is damaged: " + BackupFileDamage(dir, id) + "; nothing was changed";
  if (!intact.empty()) {
    m += "; intact backups there:";
    for (uint32_t i : intact) m += " " + std::to_string(i);
    m += " (restore one with --backup-id N)";
  }
  return Status::Corruption(m);
}

Status NoBackupIn(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  std::error_code ec;
  for (const char* sub : {"private", "shared", "shared_checksum"}) {
    for (auto it = fs::directory_iterator(fs::path(dir) / sub, ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      found.push_back(std::string(sub) + "/" + it->path().filename().string());
    }
    ec.clear();
  }
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("digest-", 0) == 0 && name.ends_with(".json")) found.push_back(name);
  }
  if (found.empty()) {
    return Status::NotFound("no backup in " + dir +
                            " (not a backup folder, or an empty one: `ledgerctl backup DIR` "
                            "makes one)");
  }
  std::sort(found.begin(), found.end());
  return Status::Corruption(
      dir + " is a damaged backup folder: it holds backup files (" + found.front() +
      (found.size() > 1 ? " and " + std::to_string(found.size() - 1) + " more" : std::string()) +
      ") but no description to restore them by (" + (fs::path(dir) / "meta").string() +
      "/N is missing); nothing was changed");
}

}  // namespace ccl::ledger
