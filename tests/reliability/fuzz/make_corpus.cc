// Writes the seed corpora of the fuzz targets (tests/reliability/corpus/
// <target>/) from a generated workload appended to a real ledger, so every
// seed is a realistic, valid input the fuzzer then mutates. Not a test: run
// by hand when the formats change, and commit the output:
//
//   ccl_fuzz_make_corpus tests/reliability/corpus
//
// Digest and proof seeds are the worked examples of tests/data/merkle, copied
// by the same command from the source tree.
#include <rocksdb/db.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "events/model/codec.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"
#include "tests/reliability/reliability_util.h"
#include "tools/generator/generator.h"

namespace ccl::reliability {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

// Prints `s` on stderr when it failed; whether it is OK.
template <typename S>
bool Ok(const S& s) {
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return s.ok();
}

// A new ledger at `path` holding a small generated workload.
Status FillLedger(const std::string& path, std::unique_ptr<ledger::Ledger>* l) {
  ledger::Options o;
  o.create_if_missing = true;
  o.sync = false;
  Status s = ledger::Ledger::Open(o, path, l);
  if (!s.ok()) return s;
  tools::GeneratorOptions g;
  g.contracts = 4;
  g.days = 400;
  g.seed = 11;
  std::vector<events::Event> all;
  s = tools::GenerateEvents(
      g,
      [&](const events::Event& e) {
        all.push_back(e);
        return Status::OK();
      },
      nullptr);
  ledger::AppendResult r;
  if (s.ok()) s = (*l)->Append(all, ledger::AppendOptions(), &r);
  return s;
}

// Stored events: two of each type, with the fields the ledger assigned.
// Returns them decoded.
std::vector<events::Event> WriteStoredEventSeeds(ledger::Ledger* l, const fs::path& out) {
  std::map<events::EventType, int> taken;
  std::vector<events::Event> samples;
  for (std::unique_ptr<ledger::EventIterator> it = l->NewIterator(1); it->Valid(); it->Next()) {
    if (taken[it->event().type]++ >= 2) continue;
    samples.push_back(it->event());
    Write(out / "event_decode", "stored-" + std::to_string(it->seq()), std::string(it->bytes()));
  }
  return samples;
}

// JSON lines: the same events with and without the assigned fields. CSV:
// first byte 0 (a `type` column), then files of one type (first byte the
// type, no type column needed).
void WriteTextSeeds(const std::vector<events::Event>& samples, const fs::path& out) {
  for (const events::Event& e : samples) {
    std::string with, without;
    events::AppendEventJson(e, events::JsonOutputOptions{}, &with);
    events::JsonOutputOptions without_assigned;
    without_assigned.assigned_fields = false;
    events::AppendEventJson(e, without_assigned, &without);
    Write(out / "json_event", "log-" + std::to_string(e.seq), with);
    Write(out / "json_event", "import-" + std::to_string(e.seq), without);
  }
  events::CsvOutputOptions csv_options;
  std::string mixed(1, '\0');
  events::AppendCsvHeader(csv_options, &mixed);
  for (const events::Event& e : samples) events::AppendEventCsv(e, csv_options, nullptr, &mixed);
  Write(out / "csv", "mixed", mixed);
  for (const events::Event& e : samples) {
    std::string one(1, static_cast<char>(e.type));
    csv_options.assigned_fields = false;
    events::AppendCsvHeader(csv_options, &one);
    events::AppendEventCsv(e, csv_options, nullptr, &one);
    Write(out / "csv", "single-" + std::to_string(e.seq), one);
  }
}

// Snapshots of every projection, as the runner stores them; and the bare
// body with mode bit 0 set (the target appends the checksum).
Status WriteSnapshotSeeds(ledger::Ledger* l, const fs::path& out) {
  projections::ProjectionSet set;
  std::vector<projections::Projection*> ps = set.All();
  projections::RunStats stats;
  Status s = projections::Runner(l, projections::RunnerOptions()).CatchUp(ps, &stats);
  if (!s.ok()) return s;
  const auto& names = projections::ProjectionNames();
  for (size_t i = 0; i < names.size(); ++i) {
    std::string snapshot;
    s = l->GetProjectionState(names[i], &snapshot);
    if (!s.ok()) return s;
    const char mode = static_cast<char>(i << 1);
    Write(out / "snapshot", std::string(names[i]) + "-stored", std::string(1, mode) + snapshot);
    Write(out / "snapshot", std::string(names[i]) + "-body",
          std::string(1, static_cast<char>(mode | 1)) + snapshot.substr(0, snapshot.size() - 32));
  }
  return Status::OK();
}

// The ledger's own state values and keys, read raw from the CLOSED ledger
// at `path`: a few of each column family the write model and the head
// live in.
rocksdb::Status WriteLedgerStateSeeds(const std::string& path, const fs::path& out) {
  rocksdb::DBOptions o;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < ledger::kCfCount; ++i) {
    cfs.emplace_back(ledger::kColumnFamilyNames[i], rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status rs = rocksdb::DB::OpenForReadOnly(o, path, cfs, &handles, &db);
  if (!rs.ok()) return rs;
  const std::pair<ledger::ColumnFamilyId, std::string_view> wanted[] = {
      {ledger::kCfContracts, "contract"},
      {ledger::kCfEscalations, "escalation"},
      {ledger::kCfStreams, "stream"},
      {ledger::kCfMeta, "meta"}};
  for (const auto& [cf, label] : wanted) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[cf]));
    int n = 0;
    for (it->SeekToFirst(); it->Valid() && n < 3; it->Next(), ++n) {
      Write(out / "ledger_state", std::string(label) + "-key-" + std::to_string(n),
            it->key().ToString());
      Write(out / "ledger_state", std::string(label) + "-value-" + std::to_string(n),
            it->value().ToString());
    }
  }
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
  return rs;
}

// Digests and proofs: the worked examples of schemas/MERKLE.md.
void CopyMerkleSeeds(const fs::path& merkle_data, const fs::path& out) {
  for (const char* f : {"digest-3.json", "digest-5-signed.json"}) {
    fs::create_directories(out / "digest_json");
    fs::copy_file(merkle_data / f, out / "digest_json" / f, fs::copy_options::overwrite_existing);
  }
  for (const char* f : {"inclusion-3-of-5.json", "consistency-3-to-5.json"}) {
    fs::create_directories(out / "proof_json");
    fs::copy_file(merkle_data / f, out / "proof_json" / f, fs::copy_options::overwrite_existing);
  }
}

int Run(const fs::path& out, const fs::path& merkle_data) {
  TempDir tmp("ccl-make-corpus");
  std::unique_ptr<ledger::Ledger> l;
  if (!Ok(FillLedger(tmp.Sub("db"), &l))) return 1;
  WriteTextSeeds(WriteStoredEventSeeds(l.get(), out), out);
  if (!Ok(WriteSnapshotSeeds(l.get(), out))) return 1;
  l.reset();
  if (!Ok(WriteLedgerStateSeeds(tmp.Sub("db"), out))) return 1;
  CopyMerkleSeeds(merkle_data, out);
  std::printf("seed corpora written to %s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace ccl::reliability

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR (e.g. tests/reliability/corpus)\n", argv[0]);
    return 2;
  }
  return ccl::reliability::Run(argv[1], CCL_MERKLE_TEST_DATA);
}
