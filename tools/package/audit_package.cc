#include "tools/package/audit_package.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "events/base/durable_file.h"
#include "events/base/time_format.h"
#include "events/model/json.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/checkpoint.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle_json.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/proof.h"
#include "ledger/store/keys.h"
#include "ledger/store/range_iterator.h"
#include "projections/folds/balances.h"
#include "projections/folds/format.h"
#include "projections/folds/margins.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "tools/package/package_files.h"

namespace ccl::package {
namespace {

using ledger::Hash;
using ledger::HexEncode;

std::string Num(uint64_t n) { return std::to_string(n); }

// BE64(seq) || BE32(length) || bytes: one record of events.bin, pending.bin
// or targets.bin.
void AppendRecord(uint64_t seq, std::string_view bytes, std::string* out) {
  assert(bytes.size() <= UINT32_MAX);
  ledger::AppendBE64(seq, out);
  ledger::AppendBE32(static_cast<uint32_t>(bytes.size()), out);
  out->append(bytes);
}

// A new folder, or an existing empty one: the package never replaces a file.
Status PrepareFolder(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("option '--out': empty folder name");
  CCL_RETURN_IF_ERROR(ledger::internal::EnsureFolder(dir));
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOTDIR) return Status::InvalidArgument(dir + ": exists and is not a folder");
    return Status::IOError(dir + ": " + std::strerror(errno));
  }
  std::string found;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") {
      found = name;
      break;
    }
  }
  ::closedir(d);
  if (!found.empty()) {
    return Status::InvalidArgument(dir + ": not empty (holds " + found +
                                   "); a package goes into a new or empty folder");
  }
  return Status::OK();
}

// One file of the package being written: buffered, hashed as it goes.
class PackageFile {
 public:
  static constexpr size_t kBufferBytes = 1 << 20;

  PackageFile(std::string name, std::unique_ptr<events::DurableFileWriter> writer)
      : name_(std::move(name)), writer_(std::move(writer)) {}
  Status Append(std::string_view data) {
    buffer_.append(data);
    return buffer_.size() >= kBufferBytes ? Flush() : Status::OK();
  }
  std::string* buffer() { return &buffer_; }  // append, then MaybeFlush
  Status MaybeFlush() { return buffer_.size() >= kBufferBytes ? Flush() : Status::OK(); }
  Status Flush() {
    hash_.Update(buffer_);
    bytes_ += buffer_.size();
    Status s = writer_->Append(buffer_);
    buffer_.clear();
    return s;
  }
  const std::string& name() const { return name_; }

 private:
  friend class PackageWriter;
  std::string name_;
  std::unique_ptr<events::DurableFileWriter> writer_;
  ledger::Sha256Stream hash_;
  std::string buffer_;
  uint64_t bytes_ = 0;
};

// Writes the package's files, each new, and remembers their SHA-256 for the
// MANIFEST.
class PackageWriter {
 public:
  explicit PackageWriter(std::string dir) : dir_(std::move(dir)) {}

  Status Open(const std::string& name, std::unique_ptr<PackageFile>* out) {
    const size_t slash = name.rfind('/');
    if (slash != std::string::npos) {
      CCL_RETURN_IF_ERROR(ledger::internal::EnsureFolder(dir_ + "/" + name.substr(0, slash)));
    }
    std::unique_ptr<events::DurableFileWriter> w;
    CCL_RETURN_IF_ERROR(events::DurableFileWriter::Open(dir_ + "/" + name,
                                                        {events::ExistingFile::kRefuse, 0644}, &w));
    *out = std::make_unique<PackageFile>(name, std::move(w));
    return Status::OK();
  }
  // Flushes, makes the file durable and records its hash.
  Status Close(PackageFile* f) {
    CCL_RETURN_IF_ERROR(f->Flush());
    CCL_RETURN_IF_ERROR(f->writer_->Commit());
    files_.push_back({f->name_, HexEncode(f->hash_.Finish())});
    bytes_ += f->bytes_;
    return Status::OK();
  }
  Status Write(const std::string& name, std::string_view data) {
    std::unique_ptr<PackageFile> f;
    CCL_RETURN_IF_ERROR(Open(name, &f));
    CCL_RETURN_IF_ERROR(f->Append(data));
    return Close(f.get());
  }
  // "file <sha256> <name>" lines, by name.
  std::string FileLines() {
    std::sort(files_.begin(), files_.end());
    std::string out;
    for (const auto& [name, hash] : files_) out += "file " + hash + " " + name + "\n";
    return out;
  }
  uint64_t bytes() const { return bytes_; }
  int files() const { return static_cast<int>(files_.size()); }

 private:
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> files_;
  uint64_t bytes_ = 0;
};

// The previous package's checkpoint, checked against this ledger's tree.
struct Previous {
  std::string note;  // its checkpoint file, copied as previous.checkpoint
  ledger::Digest digest;
};

Status ReadPrevious(ledger::Ledger* ledger, const ledger::MerkleStore& tree, const std::string& dir,
                    uint64_t first_seq, uint64_t last_seq, Previous* out) {
  const std::string path = dir + "/checkpoint";
  CCL_RETURN_IF_ERROR(ledger::internal::ReadFileBounded(path, ledger::kNoteBytesMax, &out->note));
  ledger::SignedNote note;
  ledger::Checkpoint cp;
  Status s = ledger::ParseSignedNote(out->note, &note);
  if (s.ok()) s = ledger::ParseCheckpointText(note.text, &cp);
  if (s.ok()) s = ledger::DigestOfCheckpoint(cp, &out->digest);
  if (!s.ok()) return s.WithCode(Status::Code::kInvalidArgument).WithContext(path);
  const ledger::Digest& d = out->digest;
  if (d.ledger_id != ledger::LedgerIdText(*ledger)) {
    return Status::Corruption(path + ": a checkpoint of ledger " + d.ledger_id + ", not of " +
                              ledger::LedgerIdText(*ledger));
  }
  if (d.tree_size > last_seq) {
    return Status::InvalidArgument(path + ": its tree of " + Num(d.tree_size) +
                                   " events is later than this period's end (" + Num(last_seq) +
                                   ")");
  }
  // Packages chained by --previous cover the ledger without a gap (events no
  // package shows an auditor) or an overlap (events in two packages).
  if (d.tree_size + 1 != first_seq) {
    return Status::InvalidArgument(
        path + ": the previous package ends at seq " + Num(d.tree_size) +
        " and this period starts at seq " + Num(first_seq) + ": " +
        (first_seq > d.tree_size + 1
             ? "seqs " + Num(d.tree_size + 1) + ".." + Num(first_seq - 1) +
                   " would be in no package"
             : "seqs " + Num(first_seq) + ".." + Num(d.tree_size) + " would be in both") +
        "; start this period where the previous one ended (its --to as --from)");
  }
  Hash root, head;
  CCL_RETURN_IF_ERROR(tree.RootAt(d.tree_size, &root));
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(d.tree_size, &head));
  if (root != d.root_hash || head != d.head_hash) {
    return Status::Corruption(path + ": its tree of " + Num(d.tree_size) +
                              " events is not this ledger's (root " + HexEncode(d.root_hash) +
                              ", the ledger's " + HexEncode(root) + ")");
  }
  return Status::OK();
}

// Chained packages' periods meet exactly: this one starts at the instant the
// previous one ends (its MANIFEST's period line), so no recorded_at is in no
// package or in two, whether or not an event was recorded there.
Status CheckPeriodsMeet(const std::string& dir, int64_t from_ns) {
  const std::string path = dir + "/MANIFEST";
  std::string text;
  CCL_RETURN_IF_ERROR(ledger::internal::ReadFileBounded(path, ledger::kNoteBytesMax, &text));
  ledger::SignedNote note;
  CCL_RETURN_IF_ERROR(ledger::ParseSignedNote(text, &note)
                          .WithCode(Status::Code::kInvalidArgument)
                          .WithContext(path));
  const size_t at = note.text.find("\nperiod ");
  const size_t space = at == std::string::npos ? at : note.text.find(' ', at + 8);
  const size_t eol = space == std::string::npos ? space : note.text.find('\n', space);
  int64_t end_ns = 0;
  if (eol == std::string::npos ||
      !events::ParseInstant(note.text.substr(space + 1, eol - space - 1), &end_ns).ok()) {
    return Status::InvalidArgument(path + ": no period line 'period <from> <end>'");
  }
  if (end_ns == from_ns) return Status::OK();
  const std::string end = events::FormatInstant(end_ns), from = events::FormatInstant(from_ns);
  return Status::InvalidArgument(
      path + ": the previous package's period ends at " + end + " and this one starts at " + from +
      ": " +
      (from_ns > end_ns ? "what is recorded from " + end + " to " + from + " would be in no package"
                        : "what is recorded from " + from + " to " + end + " would be in both") +
      "; start this period where the previous one ended (--from " + end + ")");
}

// The events recorded before the period that folding it needs, by seq: the
// pending events its approvals approve (pending.bin), and the targets of the
// reversals it folds, its own or approved ones (targets.bin).
struct Earlier {
  std::set<uint64_t> pending;
  std::set<uint64_t> targets;
};

// Notes what folding `e` (at seq, in the period from first_seq) needs from
// before the period, as the projections fold it (events::FigureStepOf): a
// pending event nothing yet; an approval the event it approves, then what
// that one needs; a reversal its target.
Status NoteEarlierNeeds(ledger::Ledger* ledger, const events::Event& e, uint64_t seq,
                        uint64_t first_seq, Earlier* out) {
  const events::Event* subject = &e;
  events::Event approved;
  switch (events::FigureStepOf(e)) {
    case events::FigureStep::kNothing:
      return Status::OK();
    case events::FigureStep::kApprovedTarget: {
      Status s = ledger->GetByEventId(e.target_event_id, &approved);
      if (!s.ok()) return s.WithContext("the event approved at seq " + Num(seq));
      if (approved.seq < first_seq) out->pending.insert(approved.seq);
      subject = &approved;
      break;
    }
    case events::FigureStep::kSelf:
      break;
  }
  if (subject->type != events::EventType::kEntryReversed) return Status::OK();
  events::Event target;
  Status s = ledger->GetByEventId(subject->target_event_id, &target);
  if (!s.ok()) return s.WithContext("the target of the reversal folded at seq " + Num(seq));
  if (target.seq < first_seq) out->targets.insert(target.seq);
  return Status::OK();
}

// Writes the period's events into events.bin and events.jsonl as it reads
// them, and collects what folding them needs from before the period.
Status WritePeriod(ledger::Ledger* ledger, uint64_t first_seq, uint64_t last_seq, PackageWriter* w,
                   Earlier* earlier) {
  std::unique_ptr<PackageFile> records, json;
  CCL_RETURN_IF_ERROR(w->Open("events.bin", &records));
  CCL_RETURN_IF_ERROR(w->Open("events.jsonl", &json));
  std::unique_ptr<ledger::EventIterator> it = ledger::NewRangeIterator(ledger, first_seq, last_seq);
  for (; last_seq >= first_seq && it->Valid() && it->seq() <= last_seq; it->Next()) {
    AppendRecord(it->seq(), it->bytes(), records->buffer());
    Hash h;
    CCL_RETURN_IF_ERROR(it->chain_hash(&h));
    events::JsonOutputOptions options;
    options.hash = h.data();
    events::AppendEventJson(it->event(), options, json->buffer());
    json->buffer()->push_back('\n');
    CCL_RETURN_IF_ERROR(records->MaybeFlush());
    CCL_RETURN_IF_ERROR(json->MaybeFlush());
    CCL_RETURN_IF_ERROR(NoteEarlierNeeds(ledger, it->event(), it->seq(), first_seq, earlier));
  }
  CCL_RETURN_IF_ERROR(it->status());
  CCL_RETURN_IF_ERROR(w->Close(records.get()));
  return w->Close(json.get());
}

// The stored events at `seqs`, as records.
Status ReadRecords(ledger::Ledger* ledger, const std::set<uint64_t>& seqs, std::string* out) {
  for (uint64_t seq : seqs) {
    events::Event e;
    std::string bytes;
    CCL_RETURN_IF_ERROR(ledger->Get(seq, &e, &bytes));
    AppendRecord(seq, bytes, out);
  }
  return Status::OK();
}

// Balances and margins at first_seq - 1 and at last_seq: canonical states
// (projections/FORMAT.md), their digests, and the rows at the end.
struct Figures {
  std::string balances_start, margins_start, balances_end, margins_end;
  std::string balances_rows, margins_rows;
};

Status FoldFigures(ledger::Ledger* ledger, uint64_t first_seq, uint64_t last_seq, Figures* out) {
  projections::BalancesProjection balances;
  projections::MarginsProjection margins;
  projections::Projection* const both[] = {&balances, &margins};
  projections::RunnerOptions options;
  options.save_checkpoints = false;
  projections::Runner runner(ledger, options);
  projections::RunStats stats;
  if (first_seq > 1) CCL_RETURN_IF_ERROR(runner.Advance(1, first_seq - 1, both, &stats));
  balances.SerializeState(&out->balances_start);
  margins.SerializeState(&out->margins_start);
  if (last_seq >= first_seq) CCL_RETURN_IF_ERROR(runner.Advance(first_seq, last_seq, both, &stats));
  balances.SerializeState(&out->balances_end);
  margins.SerializeState(&out->margins_end);
  projections::WriteRowSet(projections::BalanceRowSet(projections::BalanceRows(balances)),
                           projections::OutputFormat::kJson, &out->balances_rows);
  if (margins.overflowed()) {
    return Status::Corruption("margins: a sum left the 64-bit range; no figures to package");
  }
  projections::MarginReport report;
  CCL_RETURN_IF_ERROR(projections::BuildMarginReport(
      margins, {projections::MarginKey::kContract, projections::MarginKey::kMonth}, {}, {},
      &report));
  projections::WriteRowSet(projections::MarginRowSet(report), projections::OutputFormat::kJson,
                           &out->margins_rows);
  return Status::OK();
}

std::string StateLine(std::string_view name, uint32_t version, const std::string& start,
                      const std::string& end) {
  return "state " + std::string(name) + " v" + std::to_string(version) + " " +
         HexEncode(ledger::Sha256(start)) + " " + HexEncode(ledger::Sha256(end)) + "\n";
}

// The MANIFEST's lines before the file list (format in PACKAGE_README.md).
Status ManifestHead(ledger::Ledger* ledger, const ledger::MerkleStore& tree,
                    const AuditPackageOptions& o, uint64_t first_seq, uint64_t last_seq,
                    const Figures& f, const Previous* previous, std::string* out) {
  Hash before, head, root;
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(first_seq - 1, &before));
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(last_seq, &head));
  CCL_RETURN_IF_ERROR(tree.RootAt(last_seq, &root));
  ledger::MerkleFrontier frontier;
  CCL_RETURN_IF_ERROR(tree.FrontierAt(first_seq - 1, &frontier));
  std::string& m = *out;
  m = std::string(kManifestFormat) + "\n";
  m += "ledger " + ledger::LedgerIdText(*ledger) + "\n";
  m += "origin " + o.origin + "\n";
  m += "period " + events::FormatInstant(o.from_ns) + " " + events::FormatInstant(o.end_ns) + "\n";
  m += "events " + Num(first_seq) + " " + Num(last_seq) + "\n";
  m += "chain-before " + HexEncode(before) + "\n";
  m += "frontier " + Num(first_seq - 1);
  for (const Hash& h : frontier.nodes()) m += " " + HexEncode(h);
  m += "\ncheckpoint " + Num(last_seq) + " " + HexEncode(root) + " " + HexEncode(head) + "\n";
  if (previous != nullptr) {
    m += "previous " + Num(previous->digest.tree_size) + " " +
         HexEncode(previous->digest.root_hash) + "\n";
  }
  m += StateLine(projections::BalancesProjection::kName, projections::BalancesProjection::kVersion,
                 f.balances_start, f.balances_end);
  m += StateLine(projections::MarginsProjection::kName, projections::MarginsProjection::kVersion,
                 f.margins_start, f.margins_end);
  return Status::OK();
}

// The C2SP checkpoint at last_seq, and the consistency proof from the
// previous package's.
Status WriteProofs(ledger::Ledger* ledger, const ledger::MerkleStore& tree,
                   const AuditPackageOptions& o, uint64_t last_seq, const Previous* previous,
                   PackageWriter* w) {
  ledger::Digest d;
  d.ledger_id = ledger::LedgerIdText(*ledger);
  d.tree_size = d.head_seq = last_seq;
  CCL_RETURN_IF_ERROR(tree.RootAt(last_seq, &d.root_hash));
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(last_seq, &d.head_hash));
  std::string note;
  CCL_RETURN_IF_ERROR(
      ledger::SignCheckpoint(o.key, ledger::CheckpointOfDigest(d, o.origin), &note));
  CCL_RETURN_IF_ERROR(w->Write("checkpoint", note));
  ledger::NoteVerifierKey vkey;
  CCL_RETURN_IF_ERROR(ledger::NoteVerifierKeyOf(o.key, o.origin, &vkey));
  CCL_RETURN_IF_ERROR(w->Write("log.vkey", ledger::FormatVerifierKey(vkey) + "\n"));
  if (previous == nullptr) return Status::OK();
  ledger::ConsistencyProof proof;
  proof.ledger_id = d.ledger_id;
  proof.old_size = previous->digest.tree_size;
  proof.new_size = last_seq;
  CCL_RETURN_IF_ERROR(tree.ConsistencyPath(proof.old_size, proof.new_size, &proof.path));
  CCL_RETURN_IF_ERROR(w->Write("previous.checkpoint", previous->note));
  return w->Write("consistency.json", ledger::ConsistencyProofToJson(proof));
}

Status WriteData(ledger::Ledger* ledger, uint64_t first_seq, uint64_t last_seq, const Figures& f,
                 PackageWriter* w, AuditPackageResult* result) {
  Earlier earlier;
  CCL_RETURN_IF_ERROR(WritePeriod(ledger, first_seq, last_seq, w, &earlier));
  std::string pending, targets;
  CCL_RETURN_IF_ERROR(ReadRecords(ledger, earlier.pending, &pending));
  CCL_RETURN_IF_ERROR(ReadRecords(ledger, earlier.targets, &targets));
  result->approved_pending = earlier.pending.size();
  result->reversal_targets = earlier.targets.size();
  CCL_RETURN_IF_ERROR(w->Write("pending.bin", pending));
  CCL_RETURN_IF_ERROR(w->Write("targets.bin", targets));
  CCL_RETURN_IF_ERROR(w->Write("balances.start.state", f.balances_start));
  CCL_RETURN_IF_ERROR(w->Write("margins.start.state", f.margins_start));
  CCL_RETURN_IF_ERROR(w->Write("balances.jsonl", f.balances_rows));
  return w->Write("margins.jsonl", f.margins_rows);
}

// The period's seqs: events recorded in [from_ns, end_ns).
Status PeriodSeqs(ledger::Ledger* ledger, const AuditPackageOptions& o, uint64_t* first_seq,
                  uint64_t* last_seq) {
  if (o.from_ns >= o.end_ns) {
    return Status::InvalidArgument("the period ends (" + events::FormatInstant(o.end_ns) +
                                   ") before it starts (" + events::FormatInstant(o.from_ns) + ")");
  }
  // recorded_at is max(clock, the last event's recorded_at) at append, so an
  // event appended after this view is recorded at or after its head's
  // recorded_at: only a period that ends by then holds nothing more to come.
  // The clock proves nothing (a writer may be appending with an earlier
  // reading, and clocks differ).
  const ledger::Head head = ledger->head();
  if (o.end_ns > head.recorded_at_ns) {
    return Status::InvalidArgument(
        "the period ends at " + events::FormatInstant(o.end_ns) + ", after the last event the " +
        "ledger has recorded" +
        (head.seq == 0 ? std::string(" (none yet)")
                       : " (seq " + Num(head.seq) + ", recorded_at " +
                             events::FormatInstant(head.recorded_at_ns) + ")") +
        ": events recorded from now on may still fall in it, so its package could not prove it "
        "complete; wait until the period has ended and the ledger has recorded an event at or "
        "after its end (on a quiet ledger, the month's PeriodClosed event is one), or give a --to "
        "before that recorded_at");
  }
  uint64_t before = 0;
  CCL_RETURN_IF_ERROR(ledger->LastSeqRecordedAtOrBefore(o.from_ns - 1, &before));
  CCL_RETURN_IF_ERROR(ledger->LastSeqRecordedAtOrBefore(o.end_ns - 1, last_seq));
  *first_seq = before + 1;
  if (*last_seq >= *first_seq && *last_seq - *first_seq + 1 > kPackageEventsMax) {
    return Status::InvalidArgument("the period holds " + Num(*last_seq - *first_seq + 1) +
                                   " events, over the " + Num(kPackageEventsMax) +
                                   " a package may hold: choose a shorter period");
  }
  return Status::OK();
}

}  // namespace

Status BuildAuditPackage(ledger::Ledger* ledger, const ledger::MerkleStore& tree,
                         const AuditPackageOptions& o, AuditPackageResult* result) {
  assert(ledger != nullptr && result != nullptr);
  *result = AuditPackageResult{};
  if (!ledger::IsValidNoteKeyName(o.origin)) {
    return Status::InvalidArgument("origin '" + o.origin + "' is not a valid key name");
  }
  uint64_t first_seq = 0, last_seq = 0;
  CCL_RETURN_IF_ERROR(PeriodSeqs(ledger, o, &first_seq, &last_seq));
  std::optional<Previous> previous;
  if (!o.previous_dir.empty()) {
    previous.emplace();
    CCL_RETURN_IF_ERROR(
        ReadPrevious(ledger, tree, o.previous_dir, first_seq, last_seq, &*previous));
    CCL_RETURN_IF_ERROR(CheckPeriodsMeet(o.previous_dir, o.from_ns));
  }
  Figures figures;
  CCL_RETURN_IF_ERROR(FoldFigures(ledger, first_seq, last_seq, &figures));
  std::string manifest;
  CCL_RETURN_IF_ERROR(ManifestHead(ledger, tree, o, first_seq, last_seq, figures,
                                   previous ? &*previous : nullptr, &manifest));
  CCL_RETURN_IF_ERROR(PrepareFolder(o.out_dir));
  PackageWriter w(o.out_dir);
  Status s = WriteData(ledger, first_seq, last_seq, figures, &w, result);
  if (s.ok()) s = WriteProofs(ledger, tree, o, last_seq, previous ? &*previous : nullptr, &w);
  for (const EmbeddedFile& f : kEmbeddedFiles) {
    if (s.ok()) s = w.Write(std::string(f.name), f.text);
  }
  if (s.ok()) {
    manifest += w.FileLines();
    ledger::SignedNote note;
    note.text = manifest;
    note.signatures.emplace_back();
    s = ledger::SignNote(o.key, o.origin, manifest, &note.signatures.back());
    if (s.ok()) s = w.Write("MANIFEST", ledger::FormatSignedNote(note));
  }
  if (!s.ok()) {
    return s.WithContext("audit package " + o.out_dir + " left incomplete (" +
                         std::to_string(w.files()) + " files written)");
  }
  result->first_seq = first_seq;
  result->last_seq = last_seq;
  result->previous_size = previous ? previous->digest.tree_size : 0;
  result->bytes = w.bytes();
  result->files = w.files();
  return Status::OK();
}

}  // namespace ccl::package
