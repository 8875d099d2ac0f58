#include "ledger/merkle/checkpoint.h"

#include <charconv>

#include "events/model/uuid.h"

namespace ccl::ledger {
namespace {

// The next "\n"-terminated line of *rest, without its newline.
bool NextLine(std::string_view* rest, std::string_view* line) {
  const size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string CheckpointText(const Checkpoint& cp) {
  std::string out = cp.origin + "\n" + std::to_string(cp.tree_size) + "\n" +
                    Base64Encode(std::string_view(
                        reinterpret_cast<const char*>(cp.root_hash.data()), cp.root_hash.size())) +
                    "\n";
  for (const std::string& line : cp.extensions) out += line + "\n";
  return out;
}

Status ParseCheckpointText(std::string_view text, Checkpoint* out) {
  *out = Checkpoint{};
  std::string_view rest = text, line;
  if (!NextLine(&rest, &line) || !IsValidNoteKeyName(line)) {
    return Status::Corruption("checkpoint line 1: not a valid origin");
  }
  out->origin = std::string(line);
  if (!NextLine(&rest, &line) || !ParseDecimal(line, &out->tree_size) ||
      out->tree_size > kTreeSizeMax) {
    return Status::Corruption("checkpoint line 2: not a tree size");
  }
  std::string root;
  if (!NextLine(&rest, &line) || !Base64Decode(line, &root) || root.size() != 32) {
    return Status::Corruption("checkpoint line 3: not the base64 of a 32-byte root hash");
  }
  std::copy(root.begin(), root.end(), out->root_hash.begin());
  while (!rest.empty()) {
    if (!NextLine(&rest, &line) || line.empty() ||
        out->extensions.size() == kCheckpointExtensionLinesMax) {
      return Status::Corruption("checkpoint line " + std::to_string(4 + out->extensions.size()) +
                                ": not a non-empty extension line (at most 16)");
    }
    out->extensions.emplace_back(line);
  }
  return Status::OK();
}

Checkpoint CheckpointOfDigest(const Digest& digest, std::string_view origin) {
  Checkpoint cp;
  cp.origin = std::string(origin);
  cp.tree_size = digest.tree_size;
  cp.root_hash = digest.root_hash;
  cp.extensions.push_back(std::string(kChainHeadExtension) + " " + digest.ledger_id + " " +
                          HexEncode(digest.head_hash));
  return cp;
}

Status DigestOfCheckpoint(const Checkpoint& cp, Digest* out) {
  const std::string prefix = std::string(kChainHeadExtension) + " ";
  for (const std::string& line : cp.extensions) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string_view rest = std::string_view(line).substr(prefix.size());
    const size_t space = rest.find(' ');
    events::Uuid id;
    Digest d;
    if (space == std::string_view::npos || !events::ParseUuid(rest.substr(0, space), &id) ||
        events::FormatUuid(id) != rest.substr(0, space) || rest.size() - space - 1 != 64 ||
        !HexDecode(rest.substr(space + 1), d.head_hash) ||
        HexEncode(d.head_hash) != rest.substr(space + 1)) {
      return Status::Corruption("checkpoint: malformed '" + std::string(kChainHeadExtension) +
                                "' line");
    }
    d.ledger_id = events::FormatUuid(id);
    d.tree_size = d.head_seq = cp.tree_size;
    d.root_hash = cp.root_hash;
    *out = std::move(d);
    return Status::OK();
  }
  return Status::Corruption("checkpoint: no '" + std::string(kChainHeadExtension) +
                            "' line: not a checkpoint of a ledger");
}

Status SignCheckpoint(const SigningKey& key, const Checkpoint& cp, std::string* note_out) {
  SignedNote note;
  note.text = CheckpointText(cp);
  NoteSignature sig;
  CCL_RETURN_IF_ERROR(SignNote(key, cp.origin, note.text, &sig));
  note.signatures.push_back(std::move(sig));
  *note_out = FormatSignedNote(note);
  return Status::OK();
}

Status OpenCheckpoint(std::string_view note, const NoteVerifierKey& log_key, SignedNote* note_out,
                      Checkpoint* cp_out) {
  CCL_RETURN_IF_ERROR(ParseSignedNote(note, note_out));
  CCL_RETURN_IF_ERROR(ParseCheckpointText(note_out->text, cp_out));
  if (cp_out->origin != log_key.name) {
    return Status::Corruption("the checkpoint's origin is " + cp_out->origin +
                              ", the log key's name is " + log_key.name);
  }
  const std::vector<const NoteSignature*> sigs = SignaturesBy(*note_out, log_key);
  if (sigs.empty()) return Status::Corruption("the checkpoint is not signed by the log's key");
  // A failing signature of a known key rejects the whole note (signed-note).
  for (const NoteSignature* sig : sigs) {
    CCL_RETURN_IF_ERROR(VerifyNoteSignature(log_key, note_out->text, *sig));
  }
  return Status::OK();
}

}  // namespace ccl::ledger
