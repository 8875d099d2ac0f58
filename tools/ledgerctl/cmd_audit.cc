// The audit commands: digest, keygen, prove, consistency, check-proof,
// checkpoint, vkey, witness (schemas/MERKLE.md); backup and restore are in
// cmd_backup.cc. check-proof
// and witness open no ledger: the files given to them are the input. `verify
// --against` is in cmd_ledger.cc and calls ledger::VerifyAgainstDigestFile.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "events/base/display.h"
#include "events/base/durable_file.h"
#include "events/base/time_format.h"
#include "events/model/codec.h"
#include "events/model/json.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/checkpoint.h"
#include "ledger/merkle/cosignature.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle_json.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/proof.h"
#include "ledger/merkle/signing.h"
#include "ledger/merkle/witness.h"
#include "ledger/store/ledger.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"

namespace ccl::tools {

using ledger::Digest;
using ledger::Ledger;

namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

int Usage(const std::string& command, const std::string& what) {
  std::fprintf(stderr, "ledgerctl %s: %s (see ledgerctl %s --help)\n", command.c_str(),
               what.c_str(), command.c_str());
  return kExitUsage;
}

}  // namespace

int64_t NowSecondsNs() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() * events::kNsPerSecond;
}

int FailedCheck(const Status& s) {
  if (!s.IsCorruption()) return Fail(s);
  std::fprintf(stderr, "ledgerctl: verification failed: %s\n", s.message().c_str());
  return ExitCodeFor(s);
}

void DefineOutFileOption(po::options_description* d, const char* help) {
  d->add_options()("out", po::value<std::string>()->value_name("FILE"), help);
}

void DefinePubkeyOption(po::options_description* d, const char* help) {
  d->add_options()("pubkey", po::value<std::string>()->value_name("KEY"), help);
}

void DefineSignOption(po::options_description* d, const char* help) {
  d->add_options()("sign", po::value<std::string>()->value_name("PREFIX"), help);
}

void DefineKeyOption(po::options_description* d, const char* help) {
  d->add_options()("key", po::value<std::string>()->required()->value_name("PREFIX"), help);
}

void DefineOriginOption(po::options_description* d, const char* help) {
  d->add_options()("origin", po::value<std::string>()->value_name("NAME"), help);
}

Status KeyOption(const po::variables_map& vm, ledger::SigningKey* out) {
  return ledger::ReadSigningKey(vm["key"].as<std::string>(), out).WithContext("option '--key'");
}

Status SigningKeyOption(const po::variables_map& vm, std::optional<ledger::SigningKey>* out) {
  out->reset();
  if (!vm.count("sign")) return Status::OK();
  ledger::SigningKey key;
  Status s = ledger::ReadSigningKey(vm["sign"].as<std::string>(), &key);
  if (!s.ok()) return s.WithContext("option '--sign'");
  *out = key;
  return Status::OK();
}

Status TrustedKey(const po::variables_map& vm, std::optional<ledger::VerifyingKey>* out) {
  out->reset();
  const std::string path = OptString(vm, "pubkey");
  if (path.empty()) return Status::OK();
  ledger::VerifyingKey key;
  Status s = ledger::ReadVerifyingKey(path, &key);
  if (!s.ok()) return s.WithContext("option '--pubkey'");
  *out = key;
  return Status::OK();
}

Status ReadTrustedDigest(const std::string& path, const std::optional<ledger::VerifyingKey>& key,
                         Digest* out) {
  CCL_RETURN_IF_ERROR(ledger::ReadDigestFile(path, out));
  Status s = ledger::CheckDigestSignatureBy(*out, key ? &*key : nullptr);
  return s.ok() ? s : s.WithContext(path);
}

int ReadTrustedDigestOptions(const po::variables_map& vm,
                             std::initializer_list<std::pair<const char*, Digest*>> digests) {
  std::optional<ledger::VerifyingKey> key;
  Status s = TrustedKey(vm, &key);
  if (!s.ok()) return Fail(s);
  for (const auto& [option, digest] : digests) {
    s = ReadTrustedDigest(vm[option].as<std::string>(), key, digest);
    if (!s.ok()) return FailedCheck(s);
  }
  return kExitOk;
}

namespace {

// The ledger at --db, read-only, and its Merkle tree.
Status OpenLedgerAndTree(const GlobalOptions& g, std::unique_ptr<Ledger>* ledger,
                         std::unique_ptr<ledger::MerkleStore>* tree) {
  CCL_RETURN_IF_ERROR(OpenLedger(g, OpenMode::kReadOnly, ledger));
  return ledger::OpenLedgerTree(ledger->get(), tree);
}

// ---------------------------------------------------------------- digest

int RunDigest(const po::variables_map& vm, const GlobalOptions& g) {
  int64_t time_ns = NowSecondsNs();
  if (vm.count("time")) {
    Status s = events::ParseInstant(vm["time"].as<std::string>(), &time_ns);
    if (!s.ok()) return Usage("digest", "option '--time': " + s.message());
  }
  std::optional<ledger::SigningKey> key;
  if (Status s = SigningKeyOption(vm, &key); !s.ok()) return Fail(s);
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<ledger::MerkleStore> tree;
  Status s = OpenLedgerAndTree(g, &ledger, &tree);
  if (!s.ok()) return Fail(s);
  Digest d;
  s = ledger::MakeDigest(ledger.get(), *tree, time_ns, &d);
  if (s.ok() && key) s = ledger::SignDigest(*key, &d);
  if (s.ok()) s = EmitOutput(ledger::DigestToJson(d), OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- keygen

int RunKeygen(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string prefix = vm["out"].as<std::string>();
  ledger::KeyAlgorithm algorithm;
  if (!ledger::ParseKeyAlgorithm(vm["algorithm"].as<std::string>(), &algorithm)) {
    return Usage("keygen", "option '--algorithm': must be ed25519 or ecdsa-p256");
  }
  ledger::SigningKey key;
  Status s = ledger::GenerateSigningKey(&key, algorithm);
  if (s.ok()) s = ledger::WriteKeyFiles(prefix, key);
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    std::printf("wrote %s (%s private key, mode 0600) and %s.pub\npublic key %s\n", prefix.c_str(),
                std::string(ledger::KeyAlgorithmName(algorithm)).c_str(), prefix.c_str(),
                ledger::HexEncode(ledger::VerifyingKeyOf(key).bytes).c_str());
  }
  return kExitOk;
}

// ---------------------------------------------------------------- prove

int RunProve(const po::variables_map& vm, const GlobalOptions& g) {
  Digest digest;
  if (int rc = ReadTrustedDigestOptions(vm, {{"digest", &digest}}); rc != kExitOk) return rc;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<ledger::MerkleStore> tree;
  Status s = OpenLedgerAndTree(g, &ledger, &tree);
  if (!s.ok()) return Fail(s);
  ledger::InclusionProof proof;
  s = ledger::ProveInclusion(ledger.get(), *tree, vm["seq"].as<uint64_t>(), digest, &proof);
  if (s.ok()) s = EmitOutput(ledger::InclusionProofToJson(proof), OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- consistency

int RunConsistency(const po::variables_map& vm, const GlobalOptions& g) {
  Digest old_digest, new_digest;
  const int rc = ReadTrustedDigestOptions(vm, {{"old", &old_digest}, {"new", &new_digest}});
  if (rc != kExitOk) return rc;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<ledger::MerkleStore> tree;
  Status s = OpenLedgerAndTree(g, &ledger, &tree);
  if (!s.ok()) return Fail(s);
  ledger::ConsistencyProof proof;
  s = ledger::ProveConsistency(ledger.get(), *tree, old_digest, new_digest, &proof);
  if (s.ok()) s = EmitOutput(ledger::ConsistencyProofToJson(proof), OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- check-proof

// The proven bytes are what the ledger stored: shows them as the event they
// are. Bytes this build cannot decode (a later schema, or not an event) do not
// make the proof wrong, so that is a note; a decodable event that carries
// another seq than the one it was proven at is a contradiction (Corruption).
Status DescribeEvent(const ledger::InclusionProof& p, std::string* json, std::string* note) {
  events::Event e;
  Status s = events::DecodeEvent(p.event_bytes, &e);
  if (!s.ok()) {
    *note = "the proven bytes do not decode as an event of this version: " + s.message();
    return Status::OK();
  }
  if (e.seq != p.seq) {
    return Status::Corruption("the proven event carries seq " + Num(e.seq) + ", not " + Num(p.seq));
  }
  events::AppendEventJson(e, events::JsonOutputOptions(), json);
  return Status::OK();
}

int RunCheckProof(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string path = vm["proof"].as<std::string>();
  const bool inclusion_args = vm.count("digest") > 0;
  const bool consistency_args = vm.count("old") > 0 || vm.count("new") > 0;
  if (inclusion_args == consistency_args ||
      (consistency_args && !(vm.count("old") && vm.count("new")))) {
    return Usage("check-proof",
                 "give --digest FILE (inclusion) or --old FILE --new FILE (consistency)");
  }
  std::optional<ledger::VerifyingKey> key;
  Status s = TrustedKey(vm, &key);
  if (!s.ok()) return Fail(s);
  std::string text;
  s = ledger::internal::ReadFileBounded(path, ledger::kProofJsonBytesMax, &text);
  if (!s.ok()) return FailedCheck(s);
  ledger::ProofKind kind;
  s = ledger::DetectProofKind(text, &kind);
  if (!s.ok()) return FailedCheck(s.WithContext(path));
  if ((kind == ledger::ProofKind::kInclusion) != inclusion_args) {
    return Usage("check-proof", path + " is " +
                                    (kind == ledger::ProofKind::kInclusion
                                         ? "an inclusion proof: give --digest FILE"
                                         : "a consistency proof: give --old FILE --new FILE"));
  }
  if (kind == ledger::ProofKind::kInclusion) {
    ledger::InclusionProof proof;
    Digest digest;
    s = ledger::ParseInclusionProofJson(text, &proof);
    if (!s.ok()) return FailedCheck(s.WithContext(path));
    s = ReadTrustedDigest(vm["digest"].as<std::string>(), key, &digest);
    if (s.ok()) s = ledger::CheckInclusionProof(proof, digest);
    std::string event_json, note;
    if (s.ok()) s = DescribeEvent(proof, &event_json, &note);
    if (!s.ok()) return FailedCheck(s);
    std::printf("OK: event seq %s is in the tree of %s events of ledger %s (root %s)\n",
                Num(proof.seq).c_str(), Num(digest.tree_size).c_str(), digest.ledger_id.c_str(),
                ledger::HexEncode(digest.root_hash).c_str());
    if (!g.quiet && !event_json.empty()) std::printf("%s\n", event_json.c_str());
    if (!note.empty()) std::fprintf(stderr, "ledgerctl: note: %s\n", note.c_str());
  } else {
    ledger::ConsistencyProof proof;
    Digest old_digest, new_digest;
    s = ledger::ParseConsistencyProofJson(text, &proof);
    if (!s.ok()) return FailedCheck(s.WithContext(path));
    s = ReadTrustedDigest(vm["old"].as<std::string>(), key, &old_digest);
    if (s.ok()) s = ReadTrustedDigest(vm["new"].as<std::string>(), key, &new_digest);
    if (s.ok()) s = ledger::CheckConsistencyProof(proof, old_digest, new_digest);
    if (!s.ok()) return FailedCheck(s);
    std::printf(
        "OK: the %s events of the old digest are, unchanged, the first %s of the new "
        "digest's %s (ledger %s)\n",
        Num(old_digest.tree_size).c_str(), Num(old_digest.tree_size).c_str(),
        Num(new_digest.tree_size).c_str(), new_digest.ledger_id.c_str());
  }
  if (!key && !g.quiet) {
    std::fprintf(stderr, "ledgerctl: note: no --pubkey given: the digests were trusted as given\n");
  }
  return kExitOk;
}

// ---------------------------------------------------------------- checkpoint

int RunCheckpoint(const po::variables_map& vm, const GlobalOptions& g) {
  ledger::SigningKey key;
  Status s = KeyOption(vm, &key);
  if (!s.ok()) return Fail(s);
  const bool want_proof = vm.count("proof-from") > 0;
  if (want_proof != (vm.count("proof-out") > 0)) {
    return Usage("checkpoint", "give --proof-from N and --proof-out FILE together");
  }
  // One file for both would be written twice: refused before either is.
  if (want_proof && vm.count("out") &&
      events::IsSameFile(vm["out"].as<std::string>(), vm["proof-out"].as<std::string>())) {
    return Usage("checkpoint", "--out and --proof-out name the same file");
  }
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<ledger::MerkleStore> tree;
  s = OpenLedgerAndTree(g, &ledger, &tree);
  if (!s.ok()) return Fail(s);
  const std::string origin = OptString(vm, "origin", ledger::LedgerOrigin(*ledger));
  Digest d;
  std::string note;
  s = ledger::MakeDigest(ledger.get(), *tree, 0, &d);
  if (s.ok()) s = ledger::SignCheckpoint(key, ledger::CheckpointOfDigest(d, origin), &note);
  if (s.IsInvalidArgument()) return Usage("checkpoint", "option '--origin': " + s.message());
  if (s.ok() && want_proof) {
    ledger::ConsistencyProof proof;
    proof.ledger_id = d.ledger_id;
    proof.old_size = vm["proof-from"].as<uint64_t>();
    proof.new_size = d.tree_size;
    s = tree->ConsistencyPath(proof.old_size, proof.new_size, &proof.path);
    if (s.ok())
      s = EmitOutput(ledger::ConsistencyProofToJson(proof), vm["proof-out"].as<std::string>());
  }
  if (s.ok()) s = EmitOutput(note, OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

// ---------------------------------------------------------------- vkey

int RunVkey(const po::variables_map& vm, const GlobalOptions&) {
  ledger::VerifyingKey public_key;
  Status s = ledger::ReadVerifyingKey(vm["key"].as<std::string>(), &public_key);
  if (!s.ok()) return Fail(s.WithContext("option '--key'"));
  // A SigningKey holding only the public half: what the vkey functions read.
  ledger::SigningKey only_public;
  only_public.algorithm = public_key.algorithm;
  if (public_key.algorithm == ledger::KeyAlgorithm::kEd25519) {
    std::copy(public_key.bytes.begin(), public_key.bytes.end(), only_public.public_key.begin());
  } else {
    only_public.ecdsa_spki = public_key.bytes;
  }
  const std::string name = vm["name"].as<std::string>();
  ledger::NoteVerifierKey vkey;
  s = vm["cosigner"].as<bool>() ? ledger::CosignerVerifierKey(only_public, name, &vkey)
                                : ledger::NoteVerifierKeyOf(only_public, name, &vkey);
  if (!s.ok()) return Usage("vkey", "option '--name': " + s.message());
  std::printf("%s\n", ledger::FormatVerifierKey(vkey).c_str());
  return kExitOk;
}

// ---------------------------------------------------------------- witness

Status ReadWitnessInputs(const po::variables_map& vm, ledger::WitnessRequest* req,
                         std::optional<ledger::ConsistencyProof>* proof) {
  const std::string path = vm["checkpoint"].as<std::string>();
  CCL_RETURN_IF_ERROR(ledger::internal::ReadFileBounded(path, ledger::kNoteBytesMax, &req->note));
  CCL_RETURN_IF_ERROR(CheckCheckpointFileParses(path, req->note));
  std::string text;
  const std::string log_key_path = vm["log-key"].as<std::string>();
  CCL_RETURN_IF_ERROR(
      ledger::internal::ReadFileBounded(log_key_path, ledger::kNoteBytesMax, &text));
  Status s = AsRejectedInput(ledger::ParseVerifierKey(text, &req->log_key),
                             "option '--log-key' " + log_key_path);
  if (!s.ok()) return s;
  if (vm.count("proof")) {
    const std::string proof_path = vm["proof"].as<std::string>();
    CCL_RETURN_IF_ERROR(
        ledger::internal::ReadFileBounded(proof_path, ledger::kProofJsonBytesMax, &text));
    ledger::ConsistencyProof p;
    s = ledger::ParseConsistencyProofJson(text, &p);
    if (!s.ok()) return s.WithContext(proof_path);
    *proof = std::move(p);
    req->proof = &**proof;
  }
  req->state_dir = vm["state"].as<std::string>();
  req->now_seconds = static_cast<uint64_t>(NowSecondsNs() / events::kNsPerSecond);
  return Status::OK();
}

int RunWitness(const po::variables_map& vm, const GlobalOptions& g) {
  ledger::SigningKey key;
  Status s = KeyOption(vm, &key);
  if (!s.ok()) return Fail(s);
  ledger::WitnessRequest req;
  std::optional<ledger::ConsistencyProof> proof;
  s = ReadWitnessInputs(vm, &req, &proof);
  if (!s.ok()) return s.IsCorruption() ? FailedCheck(s) : Fail(s);
  ledger::WitnessResult result;
  s = ledger::WitnessCheckpoint(key, vm["name"].as<std::string>(), req, &result);
  if (s.IsCorruption()) return FailedCheck(s.WithContext("refusing to cosign"));
  if (s.ok()) s = EmitOutput(result.cosigned_note, OptString(vm, "out"));
  if (!s.ok()) return Fail(s);
  if (!g.quiet) {
    std::fprintf(stderr, "ledgerctl: cosigned; %s\n",
                 result.first_sight ? "first checkpoint of this origin seen by this witness"
                                    : ("consistent with the " + Num(result.previous_size) +
                                       " leaves cosigned before")
                                          .c_str());
  }
  return kExitOk;
}

// clang-format off
// digest, keygen: the signed digest of the head, and the keys that sign it.
void RegisterDigestCommands(CommandTable* table) {
  table->push_back(
      {"digest", "digest [--sign PREFIX] [--out FILE] [--time RFC3339]",
       "print the digest of the ledger's head: tree size, Merkle root, chain head, time",
       [](po::options_description* d, po::positional_options_description*) {
         DefineSignOption(d, "sign with the private key file PREFIX (from keygen)");
         DefineOutFileOption(d);
         d->add_options()
             ("time", po::value<std::string>()->value_name("RFC3339"),
              "the digest's time (default: now)");
       },
       RunDigest});
  table->push_back(
      {"keygen", "keygen --out PREFIX [--algorithm ed25519|ecdsa-p256]",
       "make a key pair: PREFIX (private, mode 0600) and PREFIX.pub",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("out", po::value<std::string>()->required()->value_name("PREFIX"),
              "file name of the private key; the public key goes to PREFIX.pub")
             ("algorithm", po::value<std::string>()->default_value("ed25519")->value_name("ALG"),
              "ed25519, or ecdsa-p256 (FIPS 186-5 ECDSA on P-256 with SHA-256)");
       },
       RunKeygen});
}

// prove, consistency, check-proof: the Merkle tree's proofs, made and checked.
void RegisterProofCommands(CommandTable* table) {
  table->push_back(
      {"prove", "prove --seq N --digest FILE [--pubkey KEY] [--out FILE]",
       "print the inclusion proof of event N in the tree of a digest",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("seq", po::value<uint64_t>()->required()->value_name("N"), "the event")
             ("digest", po::value<std::string>()->required()->value_name("FILE"),
              "a digest of this ledger");
         DefinePubkeyOption(d, "require the digest signed by this public key");
         DefineOutFileOption(d);
       },
       RunProve});
  table->push_back(
      {"consistency", "consistency --old FILE --new FILE [--pubkey KEY] [--out FILE]",
       "print the proof that the new digest's tree extends the old one's",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("old", po::value<std::string>()->required()->value_name("FILE"), "the earlier digest")
             ("new", po::value<std::string>()->required()->value_name("FILE"), "the later digest");
         DefinePubkeyOption(d, "require both digests signed by this public key");
         DefineOutFileOption(d);
       },
       RunConsistency});
  table->push_back(
      {"check-proof", "check-proof PROOF (--digest FILE | --old FILE --new FILE) [--pubkey KEY]",
       "check a proof against trusted digests, from the files alone (opens no ledger)",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "proof", "PROOF", "the proof file");
         d->add_options()
             ("digest", po::value<std::string>()->value_name("FILE"),
              "trusted digest (inclusion proofs)")
             ("old", po::value<std::string>()->value_name("FILE"),
              "trusted earlier digest (consistency proofs)")
             ("new", po::value<std::string>()->value_name("FILE"),
              "trusted later digest (consistency proofs)");
         DefinePubkeyOption(d, "require the digests signed by this public key");
       },
       RunCheckProof});
}

// checkpoint, vkey, witness: C2SP signed notes of the head, and cosigning them.
void RegisterSignedNoteCommands(CommandTable* table) {
  table->push_back(
      {"checkpoint",
       "checkpoint --key PREFIX [--origin NAME] [--out FILE] [--proof-from N --proof-out FILE]",
       "print the ledger's head as a C2SP checkpoint, a signed note (Ed25519 or ECDSA P-256)",
       [](po::options_description* d, po::positional_options_description*) {
         DefineKeyOption(d, "the log's private key file (from keygen)");
         DefineOriginOption(d, "the origin line and key name (default: ccl.ledger/<ledger id>)");
         DefineOutFileOption(d);
         d->add_options()
             ("proof-from", po::value<uint64_t>()->value_name("N"),
              "also write the consistency proof from tree size N to this checkpoint")
             ("proof-out", po::value<std::string>()->value_name("FILE"),
              "the new file for that proof");
       },
       RunCheckpoint});
  table->push_back(
      {"vkey", "vkey --key PUBKEY --name NAME [--cosigner]",
       "print the signed-note verifier key of a public key under NAME",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("key", po::value<std::string>()->required()->value_name("PUBKEY"),
              "the public key file (PREFIX.pub)")
             ("name", po::value<std::string>()->required()->value_name("NAME"),
              "the key name (a log's: its origin)")
             ("cosigner", po::bool_switch(), "a witness's key: cosignature/v1 (type 0x04)");
       },
       RunVkey});
  table->push_back(
      {"witness",
       "witness CHECKPOINT --key PREFIX --name NAME --log-key VKEYFILE --state DIR "
       "[--proof CONSISTENCY] [--out FILE]",
       "as a witness: check a checkpoint against the last one cosigned, add a cosignature",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "checkpoint", "CHECKPOINT", "the log's signed checkpoint");
         DefineKeyOption(d, "the witness's private key file (from keygen)");
         d->add_options()
             ("name", po::value<std::string>()->required()->value_name("NAME"),
              "the witness's key name")
             ("log-key", po::value<std::string>()->required()->value_name("VKEYFILE"),
              "a file holding the log's verifier key")
             ("state", po::value<std::string>()->required()->value_name("DIR"),
              "the witness's state folder: last cosigned size and root per origin")
             ("proof", po::value<std::string>()->value_name("CONSISTENCY"),
              "consistency proof from the last cosigned size (checkpoint --proof-from)");
         DefineOutFileOption(d, "write the cosigned checkpoint to a new FILE instead of stdout");
       },
       RunWitness});
}

}  // namespace

void RegisterAuditCommands(CommandTable* table) {
  RegisterDigestCommands(table);
  RegisterProofCommands(table);
  RegisterSignedNoteCommands(table);
}
// clang-format on

}  // namespace ccl::tools
