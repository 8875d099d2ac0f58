#include "ledger/merkle/witness.h"

#include <cassert>

#include "events/base/durable_file.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/merkle_json.h"

namespace ccl::ledger {
namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

std::string StateFileName(std::string_view origin) { return "origin-" + HexEncode(Sha256(origin)); }

// The last cosigned checkpoint of `origin`; *found false when there is none.
Status ReadState(const std::string& dir, std::string_view origin, bool* found, Checkpoint* out) {
  *found = false;
  const std::string path = dir + "/" + StateFileName(origin);
  std::string text;
  Status s = internal::ReadFileBounded(path, kWitnessStateFileBytesMax, &text);
  if (s.IsNotFound()) return Status::OK();
  // The witness's own state file: oversized means damaged, not rejected input.
  if (s.IsInvalidArgument()) s = s.WithCode(Status::Code::kCorruption);
  CCL_RETURN_IF_ERROR(s);
  s = ParseCheckpointText(text, out);
  if (s.ok() && (out->origin != origin || !out->extensions.empty())) {
    s = Status::Corruption("not the state of origin " + std::string(origin));
  }
  if (!s.ok()) return s.WithContext("witness state " + path);
  *found = true;
  return Status::OK();
}

// Consistency of `cp` with the state `last`, by the rules of WitnessCheckpoint.
Status CheckAgainstState(const Checkpoint& last, const Checkpoint& cp,
                         const ConsistencyProof* proof) {
  if (cp.tree_size < last.tree_size) {
    return Status::Corruption("roll-back: the checkpoint has " + Num(cp.tree_size) +
                              " leaves, this witness cosigned " + Num(last.tree_size) + " of " +
                              cp.origin);
  }
  if (cp.tree_size == last.tree_size) {
    if (cp.root_hash != last.root_hash) {
      return Status::Corruption("fork: the checkpoint of " + Num(cp.tree_size) +
                                " leaves has another root than the one this witness cosigned");
    }
    return Status::OK();
  }
  if (last.tree_size == 0) return Status::OK();  // everything extends the empty tree
  if (proof == nullptr) {
    return Status::InvalidArgument("a consistency proof from size " + Num(last.tree_size) + " to " +
                                   Num(cp.tree_size) + " is needed (--proof)");
  }
  if (proof->old_size != last.tree_size || proof->new_size != cp.tree_size) {
    return Status::InvalidArgument("the consistency proof is from " + Num(proof->old_size) +
                                   " to " + Num(proof->new_size) + ", needed from " +
                                   Num(last.tree_size) + " to " + Num(cp.tree_size));
  }
  Status s =
      VerifyConsistency(last.tree_size, cp.tree_size, last.root_hash, cp.root_hash, proof->path);
  if (!s.ok()) {
    return Status::Corruption("fork: the checkpoint is not consistent with the one of " +
                              Num(last.tree_size) +
                              " leaves this witness cosigned: " + s.message());
  }
  return Status::OK();
}

}  // namespace

Status WitnessCheckpoint(const SigningKey& witness_key, std::string_view witness_name,
                         const WitnessRequest& request, WitnessResult* result) {
  assert(!request.state_dir.empty());
  *result = WitnessResult{};
  SignedNote note;
  Checkpoint cp;
  CCL_RETURN_IF_ERROR(OpenCheckpoint(request.note, request.log_key, &note, &cp));
  // A file named as the state folder, or above it, is the caller's mistake,
  // said before the state is read (its own damage is Corruption).
  CCL_RETURN_IF_ERROR(events::CheckFolderPath(request.state_dir));
  Checkpoint last;
  bool found = false;
  CCL_RETURN_IF_ERROR(ReadState(request.state_dir, cp.origin, &found, &last));
  if (found) CCL_RETURN_IF_ERROR(CheckAgainstState(last, cp, request.proof));
  result->first_sight = !found;
  result->previous_size = found ? last.tree_size : 0;

  NoteSignature cosig;
  CCL_RETURN_IF_ERROR(Cosign(witness_key, witness_name, note.text, request.now_seconds, &cosig));
  // The state first: a cosignature never leaves without being remembered.
  Checkpoint state = cp;
  state.extensions.clear();
  CCL_RETURN_IF_ERROR(internal::EnsureFolder(request.state_dir));
  CCL_RETURN_IF_ERROR(events::WriteFileDurably(request.state_dir + "/" + StateFileName(cp.origin),
                                               CheckpointText(state)));
  // One line per cosigner: an earlier cosignature of this key is replaced.
  std::erase_if(note.signatures, [&](const NoteSignature& s) {
    return s.name == cosig.name && s.key_id == cosig.key_id;
  });
  note.signatures.push_back(std::move(cosig));
  result->cosigned_note = FormatSignedNote(note);
  return Status::OK();
}

Status ParseTrustedKeys(std::string_view text, std::vector<NoteVerifierKey>* out) {
  out->clear();
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (out->size() == kTrustedKeysMax) {
      return Status::Corruption("trusted keys: more than " + Num(kTrustedKeysMax) + " keys");
    }
    NoteVerifierKey key;
    Status s = ParseVerifierKey(line, &key);
    if (!s.ok()) return s.WithContext("trusted keys line " + Num(line_no));
    out->push_back(std::move(key));
  }
  return Status::OK();
}

Status CheckCheckpointQuorum(std::string_view note_text,
                             const std::vector<NoteVerifierKey>& trusted, uint32_t quorum,
                             Checkpoint* cp, QuorumReport* report) {
  *report = QuorumReport{};
  SignedNote note;
  CCL_RETURN_IF_ERROR(ParseSignedNote(note_text, &note));
  CCL_RETURN_IF_ERROR(ParseCheckpointText(note.text, cp));
  bool log_signed = false;
  for (const NoteVerifierKey& key : trusted) {
    const std::vector<const NoteSignature*> sigs = SignaturesBy(note, key);
    if (key.type == NoteKeyType::kCosignatureV1) {
      for (const NoteSignature* sig : sigs) {
        uint64_t t = 0;
        CCL_RETURN_IF_ERROR(VerifyCosignature(key, note.text, *sig, &t));
      }
      if (!sigs.empty()) report->cosigners.push_back(key.name);
      continue;
    }
    if (key.name != cp->origin) continue;  // a log key of another log
    for (const NoteSignature* sig : sigs) {
      CCL_RETURN_IF_ERROR(VerifyNoteSignature(key, note.text, *sig));
      log_signed = true;
      report->log_key_name = key.name;
    }
  }
  if (!log_signed) {
    return Status::Corruption("the checkpoint is not signed by a trusted key of its log " +
                              cp->origin);
  }
  if (report->cosigners.size() < quorum) {
    return Status::Corruption("only " + Num(report->cosigners.size()) +
                              " trusted witness cosignature(s), the quorum is " + Num(quorum));
  }
  return Status::OK();
}

}  // namespace ccl::ledger
