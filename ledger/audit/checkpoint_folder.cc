#include "ledger/audit/checkpoint_folder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "events/base/durable_file.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/merkle_json.h"
#include "ledger/store/ledger_folder.h"

namespace ccl::ledger {
namespace {

constexpr std::string_view kFilePrefix = "checkpoint-";
constexpr std::string_view kFileSuffix = ".txt";
constexpr size_t kSizeDigits = 20;
constexpr char kKeyFile[] = "log.key";
constexpr char kVkeyFile[] = "log.vkey";

std::string Num(uint64_t n) { return std::to_string(n); }

std::string FileName(uint64_t size) {
  std::string digits = Num(size);
  return std::string(kFilePrefix) + std::string(kSizeDigits - digits.size(), '0') + digits +
         std::string(kFileSuffix);
}

// The size in a file name of our pattern; false for any other name.
bool SizeOfFileName(std::string_view name, uint64_t* size) {
  if (name.size() != kFilePrefix.size() + kSizeDigits + kFileSuffix.size() ||
      name.substr(0, kFilePrefix.size()) != kFilePrefix ||
      name.substr(name.size() - kFileSuffix.size()) != kFileSuffix) {
    return false;
  }
  *size = 0;
  for (const char c : name.substr(kFilePrefix.size(), kSizeDigits)) {
    if (c < '0' || c > '9' || *size > kTreeSizeMax) return false;
    *size = *size * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// Sizes of the checkpoint files in `folder`, ascending. NotFound when the
// folder does not exist.
Status ListCheckpoints(const std::string& folder, std::vector<uint64_t>* sizes) {
  sizes->clear();
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(folder.c_str()), ::closedir);
  if (!dir) {
    if (errno == ENOENT) return Status::NotFound(folder + ": no checkpoint folder");
    return Status::IOError(folder + ": " + std::strerror(errno));
  }
  while (const dirent* e = ::readdir(dir.get())) {
    uint64_t size;
    if (SizeOfFileName(e->d_name, &size)) sizes->push_back(size);
  }
  std::sort(sizes->begin(), sizes->end());
  return Status::OK();
}

// The folder's key, made on first use; its verifier key under `origin`
// written beside it (rewritten when missing, never changed otherwise).
Status FolderKey(const std::string& folder, const std::string& origin, bool create,
                 SigningKey* key) {
  const std::string path = folder + "/" + kKeyFile;
  Status s = ReadSigningKey(path, key);
  if (s.IsNotFound() && create) {
    CCL_RETURN_IF_ERROR(GenerateSigningKey(key));
    CCL_RETURN_IF_ERROR(WriteKeyFiles(path, *key));
    CCL_RETURN_IF_ERROR(events::SyncDirectory(folder));
    s = Status::OK();
  }
  if (!s.ok()) return s;
  NoteVerifierKey vkey;
  CCL_RETURN_IF_ERROR(NoteVerifierKeyOf(*key, origin, &vkey));
  struct stat st;
  if (create && ::stat((folder + "/" + kVkeyFile).c_str(), &st) != 0) {
    CCL_RETURN_IF_ERROR(
        events::WriteFileDurably(folder + "/" + kVkeyFile, FormatVerifierKey(vkey) + "\n"));
  }
  return Status::OK();
}

// Reads and checks the checkpoint of `size` in `folder` against the folder's
// public key under the ledger's origin.
Status ReadCheckpoint(const std::string& folder, uint64_t size, const std::string& origin,
                      Digest* out) {
  const std::string path = folder + "/" + FileName(size);
  SigningKey only_public;
  Status s = ReadPublicKey(folder + "/" + kKeyFile + ".pub", &only_public.public_key);
  if (s.IsNotFound()) {
    // The first publication writes the private key, then the public one: a
    // crash in between leaves only the private key, which holds both halves.
    s = ReadSigningKey(folder + "/" + kKeyFile, &only_public);
  }
  CCL_RETURN_IF_ERROR(s);
  NoteVerifierKey vkey;
  CCL_RETURN_IF_ERROR(NoteVerifierKeyOf(only_public, origin, &vkey));
  std::string text;
  // The folder's own file: oversized means tampered with, not rejected input.
  s = internal::ReadFileBounded(path, kCheckpointFileBytesMax, &text);
  if (s.IsInvalidArgument()) s = s.WithCode(Status::Code::kCorruption);
  CCL_RETURN_IF_ERROR(s);
  SignedNote note;
  Checkpoint cp;
  // Another ledger's checkpoint: the ledger at this path is not the one
  // that published the folder. Said as such, since no repair fixes it.
  if (ParseSignedNote(text, &note).ok() && ParseCheckpointText(note.text, &cp).ok() &&
      cp.origin != origin) {
    return Status::Corruption(
               "is a checkpoint of another ledger (" + cp.origin + "), not of this one (" + origin +
               "): the ledger here was replaced, or is a new one where another was. If that was "
               "intended, keep the folder as the other ledger's evidence, move it away and run "
               "the command again; otherwise treat the ledger as tampered with")
        .WithContext(path);
  }
  s = OpenCheckpoint(text, vkey, &note, &cp);
  if (s.ok()) s = DigestOfCheckpoint(cp, out);
  if (s.ok() && cp.tree_size != size) {
    s = Status::Corruption("holds a checkpoint of " + Num(cp.tree_size) + " events");
  }
  return s.WithContext(path);
}

// Whether the checkpoint of `size` in `folder` names `origin`. Its
// signature is not checked: the ledger that will be held to it checks that
// on every open; here it only tells whose folder this is.
bool NewestOriginIs(const std::string& folder, uint64_t size, const std::string& origin) {
  std::string text;
  SignedNote note;
  Checkpoint cp;
  return internal::ReadFileBounded(folder + "/" + FileName(size), kCheckpointFileBytesMax, &text)
             .ok() &&
         ParseSignedNote(text, &note).ok() && ParseCheckpointText(note.text, &cp).ok() &&
         cp.origin == origin;
}

// The folder's private key must be the one its public files publish
// (log.vkey, log.key.pub): a log.key from elsewhere would sign a checkpoint
// that the folder's public key then refuses, failing every command after.
Status CheckKeyIsPublished(const std::string& folder, const SigningKey& signing) {
  const std::string key = folder + "/" + kKeyFile, vkey_path = folder + "/" + kVkeyFile;
  const std::string advice =
      ": the keys do not match (a log.key copied from elsewhere?), and a checkpoint signed with "
      "log.key would fail every later check. Put the folder's own log.key back";
  std::string text;
  Status s = internal::ReadFileBounded(vkey_path, kNoteBytesMax, &text);
  if (!s.IsNotFound()) {
    CCL_RETURN_IF_ERROR(s);
    NoteVerifierKey published, mine;
    s = ParseVerifierKey(text, &published);
    if (!s.ok()) return s.WithCode(Status::Code::kCorruption).WithContext(vkey_path);
    CCL_RETURN_IF_ERROR(NoteVerifierKeyOf(signing, published.name, &mine));
    if (mine.type != published.type || mine.public_key != published.public_key) {
      return Status::Corruption(key + ": its public key is not the one in " + vkey_path + advice);
    }
  }
  VerifyingKey pub;
  s = ReadVerifyingKey(key + ".pub", &pub);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s.WithCode(Status::Code::kCorruption);
  if (pub != VerifyingKeyOf(signing)) {
    return Status::Corruption(key + ": its public key is not the one in " + key + ".pub" + advice);
  }
  return Status::OK();
}

Status Prune(const std::string& folder, uint32_t keep_newest) {
  std::vector<uint64_t> sizes;
  CCL_RETURN_IF_ERROR(ListCheckpoints(folder, &sizes));
  if (sizes.size() <= keep_newest) return Status::OK();
  for (size_t i = 0; i + keep_newest < sizes.size(); ++i) {
    const std::string path = folder + "/" + FileName(sizes[i]);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(path + ": " + std::strerror(errno));
    }
  }
  return events::SyncDirectory(folder);
}

}  // namespace

std::string DefaultCheckpointFolder(const std::string& db_path) {
  // The ledger's real path, not the words that named it: a symlink to the
  // ledger, `db/.` or `db/` must find the same folder as `db`, or a rolled
  // back ledger opened through another name would have no checkpoint to be
  // held to (and `db/.` would put the folder inside the ledger).
  std::error_code ec;
  std::filesystem::path p =
      std::filesystem::weakly_canonical(std::filesystem::absolute(db_path, ec), ec);
  std::string text = ec ? db_path : p.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text + ".checkpoints";
}

Status CheckFolderTakesCheckpoints(const std::string& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) {
    // Made when first published; but not through a link to nothing.
    if (::lstat(folder.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      return Status::InvalidArgument(folder +
                                     ": is a symbolic link to a missing folder; the checkpoint "
                                     "of a write could not be published there");
    }
    return Status::OK();
  }
  // access() answers for this process's real ids and reports EROFS for a
  // read-only mount, which permission bits (and root) do not show.
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return Status::IOError(folder + ": " + std::strerror(errno) +
                           ": the checkpoint of a write could not be published");
  }
  // The folder's key signs every checkpoint; a folder that published with
  // it and lost it cannot sign the next one (and a new key is never made
  // over the old public one).
  const std::string key = folder + "/" + kKeyFile;
  if (::stat(key.c_str(), &st) == 0) {
    // A file of that name that is no key (a user's own file in a folder
    // given as --checkpoints) would fail the publish after the write.
    SigningKey signing;
    const Status s = ReadSigningKey(key, &signing);
    if (s.ok()) return CheckKeyIsPublished(folder, signing);
    return Status::InvalidArgument(s.message() +
                                   ": the checkpoint of a write could not be signed with it");
  }
  std::vector<uint64_t> sizes;
  CCL_RETURN_IF_ERROR(ListCheckpoints(folder, &sizes));
  if (sizes.empty() && ::stat((key + ".pub").c_str(), &st) != 0) return Status::OK();
  return Status::Corruption(
      key + ": the checkpoint folder's private key is missing (" +
      (sizes.empty() ? std::string("its public key is there") : "its checkpoints are there") +
      "): the checkpoint of a write could not be signed. Put the key back "
      "from a copy of the folder");
}

Status CheckFolderOutsideLedger(const std::string& folder, const std::string& db_path) {
  if (!events::IsSameOrInside(folder, db_path)) return Status::OK();
  const bool same = events::IsSameOrInside(db_path, folder);
  return Status::InvalidArgument(
      folder + " is " + (same ? "the ledger's folder" : "inside the ledger's folder " + db_path) +
      ": its checkpoints must be kept outside it (default " + DefaultCheckpointFolder(db_path) +
      ")");
}

bool IsCheckpointFolder(const std::string& folder) {
  std::vector<uint64_t> sizes;
  if (ListCheckpoints(folder, &sizes).ok() && !sizes.empty()) return true;
  struct stat st {};
  if (::stat((folder + "/" + kKeyFile).c_str(), &st) == 0 &&
      ::stat((folder + "/" + kVkeyFile).c_str(), &st) == 0) {
    return true;
  }
  constexpr std::string_view kSuffix = ".checkpoints";
  std::string name = folder;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return false;
  name.resize(name.size() - kSuffix.size());
  if (name.back() == '/') return false;  // a folder named ".checkpoints"
  return ::stat((name + "/CURRENT").c_str(), &st) == 0 &&
         ::stat((name + "/IDENTITY").c_str(), &st) == 0;
}

Status CheckOutputOutsideLedger(const std::string& path, const std::string& db_path,
                                const std::string& checkpoint_folder) {
  if (path.empty() || path == "-") return Status::OK();
  for (const std::string& folder : {db_path, checkpoint_folder}) {
    if (!folder.empty() && events::IsSameOrInside(path, folder)) {
      return Status::InvalidArgument(path + " is inside " + folder +
                                     ", which the ledger owns; write elsewhere");
    }
  }
  // Any other ledger's files are no less its own: a report over another
  // ledger's CURRENT, or over its checkpoint folder's private key, destroys
  // that ledger or its evidence just the same.
  if (const std::string ledger = LedgerFolderAtOrAbove(path); !ledger.empty()) {
    return Status::InvalidArgument(path + " is inside " + ledger +
                                   ", a ledger's folder, which that ledger owns; write elsewhere");
  }
  // The path itself when it names a folder (an output folder), then the
  // folder it is in, each resolved so that no other name of them hides them.
  std::error_code ec;
  const std::filesystem::path p =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) return Status::OK();
  for (const std::filesystem::path& folder : {p, p.parent_path()}) {
    if (std::filesystem::is_directory(folder, ec) && IsCheckpointFolder(folder.string())) {
      return Status::InvalidArgument(path + " is inside " + folder.string() +
                                     ", a ledger's checkpoint folder, which that ledger owns; "
                                     "write elsewhere");
    }
  }
  return Status::OK();
}

Status CheckFolderHoldsNoCheckpoint(const std::string& folder, const std::string& own_origin) {
  std::vector<uint64_t> sizes;
  Status s = ListCheckpoints(folder, &sizes);
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(s);
  if (sizes.empty()) return Status::OK();
  if (!own_origin.empty() && NewestOriginIs(folder, sizes.back(), own_origin)) return Status::OK();
  return Status::InvalidArgument(
      "the checkpoint folder " + folder + " holds checkpoints of another ledger (the newest of " +
      Num(sizes.back()) +
      " events): a new or restored ledger would be held to them. Keep that folder as the other "
      "ledger's evidence and move it away, or give the new ledger its own folder; nothing was "
      "created");
}

std::string LedgerOrigin(const Ledger& ledger) { return LedgerOriginOf(LedgerIdText(ledger)); }

std::string LedgerOriginOf(const std::string& ledger_id) { return "ccl.ledger/" + ledger_id; }

Status CheckLedgerExtendsCheckpoint(Ledger* ledger, const std::string& folder,
                                    OwnCheckpointReport* report) {
  *report = OwnCheckpointReport{};
  std::vector<uint64_t> sizes;
  Status s = ListCheckpoints(folder, &sizes);
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(s);
  if (sizes.empty()) return Status::OK();
  report->found = true;
  report->checkpoint_size = sizes.back();
  report->path = folder + "/" + FileName(sizes.back());
  Digest digest;
  CCL_RETURN_IF_ERROR(ReadCheckpoint(folder, sizes.back(), LedgerOrigin(*ledger), &digest));
  uint64_t size = ledger->head().seq;
  if (size < digest.tree_size) {
    // A read-only view may be older than a checkpoint a writer published
    // since it opened: catch up once before calling the ledger behind.
    CCL_RETURN_IF_ERROR(ledger->Refresh());
    size = ledger->head().seq;
  }
  if (size < digest.tree_size) {
    return Status::Corruption("ledger is behind its own checkpoint: size " + Num(size) +
                              ", checkpoint " + Num(digest.tree_size) + " (" + report->path + ")");
  }
  std::unique_ptr<MerkleStore> tree;
  CCL_RETURN_IF_ERROR(OpenLedgerTree(ledger, &tree));
  s = CheckDigestOfLedger(ledger, *tree, digest);
  if (!s.ok()) {
    return Status::Corruption("the ledger does not extend its own checkpoint of " +
                              Num(digest.tree_size) + " events (" + report->path +
                              "): " + s.message());
  }
  return Status::OK();
}

Status CheckStoredLedgerExtendsCheckpoint(const std::string& db_path, const std::string& folder,
                                          OwnCheckpointReport* report) {
  *report = OwnCheckpointReport{};
  Options options;
  options.read_only = true;
  std::unique_ptr<Ledger> ledger;
  if (!Ledger::Open(options, db_path, &ledger).ok()) return Status::OK();
  return CheckLedgerExtendsCheckpoint(ledger.get(), folder, report);
}

Status PublishCheckpoint(Ledger* ledger, const CheckpointFolderOptions& options,
                         PublishResult* result) {
  assert(!options.folder.empty());
  if (options.keep_newest < 1 || options.keep_newest > kCheckpointsKeptMax) {
    return Status::InvalidArgument("checkpoints kept: must be 1..1000000");
  }
  *result = PublishResult{};
  const std::string& folder = options.folder;
  const std::string origin = LedgerOrigin(*ledger);
  CCL_RETURN_IF_ERROR(internal::EnsureFolder(folder));
  SigningKey key;
  CCL_RETURN_IF_ERROR(FolderKey(folder, origin, /*create=*/true, &key));
  OwnCheckpointReport own;
  CCL_RETURN_IF_ERROR(CheckLedgerExtendsCheckpoint(ledger, folder, &own));
  std::unique_ptr<MerkleStore> tree;
  CCL_RETURN_IF_ERROR(OpenLedgerTree(ledger, &tree));
  result->tree_size = tree->size();
  result->path = folder + "/" + FileName(tree->size());
  if (own.found && own.checkpoint_size == tree->size()) return Status::OK();
  Digest digest;
  CCL_RETURN_IF_ERROR(MakeDigest(ledger, *tree, 0, &digest));
  std::string note;
  CCL_RETURN_IF_ERROR(SignCheckpoint(key, CheckpointOfDigest(digest, origin), &note));
  CCL_RETURN_IF_ERROR(events::WriteFileDurably(folder + "/" + FileName(tree->size()), note));
  result->written = true;
  return Prune(folder, options.keep_newest);
}

}  // namespace ccl::ledger
