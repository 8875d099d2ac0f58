// The ledger commands: init, import, append, log, show, verify, generate, demo.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_verify.h"
#include "ledger/merkle/digest.h"
#include "ledger/store/ledger.h"
#include "ledger/store/ledger_folder.h"
#include "ledger/store/range_iterator.h"
#include "tools/app/import.h"
#include "tools/feed/contract_currency.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/progress/progress.h"

namespace ccl::tools {

using events::Event;
using ledger::Ledger;

namespace {

// ---------------------------------------------------------------- init

int RunInit(const po::variables_map&, const GlobalOptions& g) {
  std::unique_ptr<Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kWrite, &ledger);
  // A folder of other files: refused as a creation refuses it (what init
  // does not write over), which changes nothing.
  if (s.IsInvalidArgument() && !ledger::HoldsDatabase(g.db_path)) {
    const Status creating = Ledger::CheckNewFolder(g.db_path);
    if (!creating.ok()) s = creating;
  }
  bool created = false;
  if (s.IsNotFound()) {
    // The folder is checked first: a new ledger whose first checkpoint could
    // not be published would be made all the same.
    s = ledger::CheckFolderHoldsNoCheckpoint(CheckpointFolder(g));
    if (s.ok()) s = ledger::CheckFolderTakesCheckpoints(CheckpointFolder(g));
    if (s.ok()) s = OpenLedger(g, OpenMode::kCreate, &ledger);
    created = true;
  }
  if (s.ok()) s = PublishOwnCheckpoint(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  if (g.quiet) return kExitOk;
  std::printf("%s ledger %s at %s (head seq %llu)\n", created ? "created" : "existing",
              events::FormatUuid(ledger->ledger_id()).c_str(), g.db_path.c_str(),
              static_cast<unsigned long long>(ledger->head().seq));
  return kExitOk;
}

// ---------------------------------------------------------------- append

}  // namespace

Status ParseAppendEvent(const po::variables_map& vm, Event* e, std::string_view default_actor) {
  std::string text;
  if (vm.count("json")) {
    text = vm["json"].as<std::string>();
  } else {
    // Bounded: one event is one line of at most kJsonLineBytesMax bytes (a
    // BOM and line ends besides), so `append < /dev/zero` ends at once
    // instead of reading forever.
    constexpr size_t kMax = limits::kJsonLineBytesMax + 8;
    text.resize(kMax + 1);
    std::cin.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(std::cin.gcount()));
    if (text.size() > kMax) {
      return Status::InvalidArgument("stdin: more than one event of at most " +
                                     std::to_string(limits::kJsonLineBytesMax) +
                                     " bytes; use `ledgerctl import -` for several");
    }
  }
  return app::ParseJsonEvent(text, default_actor, e);
}

namespace {

int RunAppend(const po::variables_map& vm, const GlobalOptions& g) {
  Event e;
  Status s = ParseAppendEvent(vm, &e);
  if (!s.ok()) return Fail(s);

  std::unique_ptr<Ledger> ledger;
  s = ledger::CheckFolderTakesCheckpoints(CheckpointFolder(g)).WithDetail("(nothing was written)");
  // Before the open, whose recovery may rewrite the folder's files.
  if (s.ok()) s = OpenLedger(g, OpenMode::kWrite, &ledger);
  if (s.ok()) s = CheckCheckpointBeforeWrite(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  ledger::AppendOptions options;
  if (vm.count("expected-version")) {
    options.expected_versions.emplace_back(e.contract, vm["expected-version"].as<uint64_t>());
  }
  ledger::AppendResult result;
  s = ledger->Append(std::span<const Event>(&e, 1), options, &result);
  // The ledger's message names the rejected event (ledger.h Append).
  if (!s.ok()) return Fail(s);
  s = PublishOwnCheckpoint(ledger.get(), g);
  if (!s.ok()) return Fail(s);
  const ledger::EventOutcome& outcome = result.outcomes.at(0);
  Event stored;
  s = ledger->Get(outcome.seq, &stored);
  if (!s.ok()) return Fail(s);
  if (g.quiet) return kExitOk;
  // A ledger-wide event's stream is the ledger's own (schemas/FORMAT.md).
  const std::string stream =
      stored.contract.empty() ? std::string("ledger-wide") : "contract " + stored.contract;
  std::printf("%s seq %llu (%s, stream version %llu)%s\n",
              outcome.duplicate ? "duplicate of" : "appended",
              static_cast<unsigned long long>(outcome.seq), stream.c_str(),
              static_cast<unsigned long long>(stored.stream_version),
              stored.awaits_approval ? ", awaits approval (ledgerctl pending)" : "");
  return kExitOk;
}

// ---------------------------------------------------------------- log

int RunLog(const po::variables_map& vm, const GlobalOptions& g) {
  LogOptions o;
  if (!ParseLogOptions(vm, &o)) return kExitUsage;
  const auto& [from, limit, json, with_hash, type, contract] = o;

  std::unique_ptr<Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger, OwnCheckpoint::kWarn);
  if (s.ok()) s = CheckContractExists(ledger.get(), contract);
  if (!s.ok()) return Fail(s);

  // A contract's events come from its stream index, never a full scan; each
  // event's chain hash h_seq is stored beside it (`verify` is what checks it).
  // A long listing reads ahead; a short one (--limit) reads only what it shows.
  std::unique_ptr<ledger::EventIterator> it =
      !contract.empty() ? ledger->NewStreamIterator(contract, 1)
      : limit >= ledger::kReadAheadEventsMin
          ? ledger::NewRangeIterator(ledger.get(), from, UINT64_MAX)
          : ledger->NewIterator(from);
  ledger::Hash hash;

  std::string out;
  events::JsonOutputOptions options;
  feed::ContractCurrencies currencies(ledger.get());  // every amount with its currency
  uint64_t printed = 0;
  if (!json) out = kLogTableHeader;
  for (; it->Valid() && printed < limit; it->Next()) {
    const Event& e = it->event();
    if (e.seq < from) continue;
    if (!contract.empty() && e.contract != contract) continue;
    if (type && e.type != *type) continue;
    ++printed;
    if (json) {
      options.hash = nullptr;
      if (with_hash) {
        s = it->chain_hash(&hash);
        if (!s.ok()) return Fail(s);
        options.hash = hash.data();
      }
      s = currencies.CurrencyFor(e, &options.contract_currency);
      if (!s.ok()) return Fail(s);
      events::AppendEventJson(e, options, &out);
      out += '\n';
    } else {
      AppendLogTableLine(e, &out);
    }
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return Fail(Status::IOError("writing to stdout failed"));
  if (!it->status().ok()) return Fail(it->status());
  return kExitOk;
}

// ---------------------------------------------------------------- show

int RunShow(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string key = vm["key"].as<std::string>();
  std::unique_ptr<Ledger> ledger;
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger, OwnCheckpoint::kWarn);
  if (!s.ok()) return Fail(s);
  Event e;
  std::string bytes;
  std::optional<uint64_t> seq;
  events::Uuid id;
  if (!ParseShowKey(key, &seq, &id, &s)) return kExitUsage;
  if (s.ok() && seq) {
    s = ledger->Get(*seq, &e, &bytes);
  } else if (s.ok()) {
    s = ledger->GetByEventId(id, &e);
    if (s.ok()) s = ledger->Get(e.seq, &e, &bytes);
  }
  if (!s.ok()) return Fail(s);
  events::JsonOutputOptions options;
  ledger::Hash hash;
  if (!vm["no-hash"].as<bool>()) {
    s = ledger->GetChainHash(e.seq, &hash);
    if (!s.ok()) return Fail(s);
    options.hash = hash.data();
  }
  feed::ContractCurrencies currencies(ledger.get());
  s = currencies.CurrencyFor(e, &options.contract_currency);
  if (!s.ok()) return Fail(s);
  std::string json;
  events::AppendEventJson(e, options, &json);
  std::printf("%s\n", PrettyJson(json).c_str());
  return kExitOk;
}

// ---------------------------------------------------------------- verify

// A failed check (Corruption): one "verification failed" line, and on
// stdout "FAILED at seq N" when a seq is known, else "FAILED: table file
// NAME is damaged" when a damaged table file is named; exit 3. Anything
// else stopped the checks before they could decide (an unreadable file, a
// missing folder) and is reported as itself, with its own exit code: it is
// not a verdict on the ledger. The message is printed as the library made
// it: the seq and the file come from the report, never from searching the
// message.
int VerificationFailed(const Status& s, uint64_t first_bad_seq,
                       const std::string& damaged_table = "") {
  if (!s.IsCorruption()) return Fail(s);
  std::fprintf(stderr, "ledgerctl: verification failed: %s\n", s.message().c_str());
  if (first_bad_seq != 0) {
    std::printf("FAILED at seq %llu\n", static_cast<unsigned long long>(first_bad_seq));
  } else if (!damaged_table.empty()) {
    std::printf("FAILED: table file %s is damaged\n", damaged_table.c_str());
  }
  return kExitCorruption;
}

// The events are intact, but a folder whose key cannot sign the next
// checkpoint (a log.key that is not the published one, lost, or no key at
// all) refuses every write: whoever verifies should hear of it now, not at
// the next write. A folder this user may not write to is no news to them.
void WarnIfWritesRefused(const GlobalOptions& g) {
  const Status signer = ledger::CheckFolderTakesCheckpoints(CheckpointFolder(g));
  if (signer.IsCorruption() || signer.IsInvalidArgument()) {
    std::fprintf(stderr, "warning: %s; writes to this ledger are refused until then\n",
                 signer.message().c_str());
  }
}

// verify's OK lines: the events, the access log, then each further check's.
void PrintVerified(const ledger::VerifyReport& report, double seconds,
                   const std::vector<std::string>& summaries) {
  std::printf("OK: %llu events verified, head seq %llu, head hash %s (%s)\n",
              static_cast<unsigned long long>(report.events),
              static_cast<unsigned long long>(report.head.seq),
              events::HexEncode(report.head.hash).c_str(), Rate(report.events, seconds).c_str());
  std::printf("OK: %llu access log records verified, access head hash %s\n",
              static_cast<unsigned long long>(report.access_head.n),
              events::HexEncode(report.access_head.hash).c_str());
  for (const std::string& line : summaries) std::printf("%s\n", line.c_str());
}

int RunVerify(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string against = OptString(vm, "against");
  const bool checkpoint_against = vm.count("trusted-keys") > 0;
  if (checkpoint_against && against.empty()) {
    std::fprintf(stderr, "ledgerctl verify: --trusted-keys needs --against CHECKPOINT\n");
    return kExitUsage;
  }
  if (!against.empty() && !checkpoint_against) {
    // A digest that cannot be read or parsed fails before the ledger is
    // read, so the output never says both "OK" and "failed".
    ledger::Digest digest;
    Status s = ledger::ReadDigestFile(against, &digest);
    if (!s.ok()) return s.IsCorruption() ? VerificationFailed(s, 0) : Fail(s);
  }
  std::unique_ptr<Ledger> ledger;
  // verify checks the checkpoint itself, after the events it proves.
  Status s = OpenLedger(g, OpenMode::kReadOnly, &ledger, OwnCheckpoint::kSkip);
  if (!s.ok()) return Fail(s);
  Progress bar("verifying", ledger->head().seq, ShowProgress(g));
  ledger::VerifyProgress progress;
  progress.on_progress = [&bar](uint64_t done, uint64_t total) {
    bar.SetTotal(total);
    bar.Update(done);
  };
  const auto start = std::chrono::steady_clock::now();
  ledger::VerifyReport report;
  s = ledger->Verify(progress, &report);
  bar.Finish();
  if (!s.ok() && report.first_bad_access_record != 0) {
    const int code = VerificationFailed(s, 0);
    std::printf("FAILED at access record %llu\n",
                static_cast<unsigned long long>(report.first_bad_access_record));
    return code;
  }
  if (!s.ok()) return VerificationFailed(s, report.first_bad_seq, report.damaged_table);
  const double seconds = SecondsSince(start);
  // Every further check runs before anything is printed, so the output never
  // says both "OK" and "failed".
  std::vector<std::string> summaries(1);
  s = VerifyOwnCheckpoint(ledger.get(), g, &summaries[0]);
  if (!s.ok()) return VerificationFailed(s, 0);
  WarnIfWritesRefused(g);
  if (!against.empty()) {
    // Anchored: the events, recomputed, extend a checkpoint or digest
    // published earlier.
    ledger::AnchorReport anchor;
    summaries.emplace_back();
    if (checkpoint_against) {
      s = VerifyAgainstCheckpoint(ledger.get(), vm, &summaries.back(), &anchor.first_bad_seq);
    } else {
      s = ledger::VerifyAgainstDigestFile(ledger.get(), against, OptString(vm, "pubkey"), &anchor,
                                          &summaries.back());
    }
    if (!s.ok()) return VerificationFailed(s, anchor.first_bad_seq);
  }
  if (!g.quiet) PrintVerified(report, seconds, summaries);  // else the exit code is the answer
  return kExitOk;
}

// Option tables read best one option per line; clang-format would fold them.
// clang-format off
// init, import, append: the commands that add events.
void RegisterWriteCommands(CommandTable* table) {
  auto no_options = [](po::options_description*, po::positional_options_description*) {};
  table->push_back(
      {"init", "init", "create an empty ledger at --db (no-op if one exists)", no_options,
       RunInit});
  table->push_back(
      {"import", "import FILE... [--batch N] [--format jsonl|csv] [--type T]",
       "append events from JSON Lines or CSV files ('-': stdin); each file is one atomic append "
       "by default",
       [](po::options_description* d, po::positional_options_description* p) {
         d->add_options()
             ("files", po::value<std::vector<std::string>>()->required()->value_name("FILE"),
              "input files, JSON Lines or CSV ('-': standard input)")
             ("batch", po::value<uint64_t>()->default_value(0)->value_name("N"),
              "append in atomic batches of N events (0: the whole file at once)")
             ("format", po::value<std::string>()->value_name("FMT"),
              "jsonl or csv (default: by content: a first non-blank '{' is JSON Lines)")
             ("type", po::value<std::string>()->value_name("TYPE"),
              "event type for CSV files without a type column");
         p->add("files", -1);
       },
       RunImport});
  table->push_back(
      {"append", "append [--json TEXT] [--expected-version N]",
       "append one JSON event from --json or stdin",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("json", po::value<std::string>()->value_name("TEXT"), "the event (else stdin)")
             ("expected-version", po::value<uint64_t>()->value_name("N"),
              "reject unless the contract's stream version is N (0: new contract)");
       },
       RunAppend});
}

// log, show, verify: the commands that read the events back.
void RegisterReadCommands(CommandTable* table) {
  table->push_back(
      {"log", "log [--from SEQ] [--limit N] [--contract C] [--type T] [--json [--no-hash]]",
       "list events in seq order, as a table or JSON Lines",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("from", po::value<uint64_t>()->default_value(1)->value_name("SEQ"), "first seq")
             ("limit", po::value<uint64_t>()->value_name("N"), "at most N events")
             ("contract", po::value<std::string>()->value_name("C"),
              "only contract C (read from its stream index)")
             ("type", po::value<std::string>()->value_name("T"), "only events of type T")
             ("json", po::bool_switch(), "JSON Lines with the assigned fields and chain hash")
             ("no-hash", po::bool_switch(), "with --json: omit \"hash\"");
       },
       RunLog});
  table->push_back(
      {"show", "show SEQ|EVENT_ID [--no-hash]", "print one event as indented JSON",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "key", "SEQ|EVENT_ID", "seq number or event id");
         d->add_options()
             ("no-hash", po::bool_switch(), "omit the chain hash");
       },
       RunShow});
  table->push_back(
      {"verify",
       "verify [--against DIGEST [--pubkey KEY] | --against CHECKPOINT --trusted-keys FILE "
       "[--quorum N]]",
       "re-read every event: Verifier, hash chain, indexes, seq and time order; with --against, "
       "prove the ledger extends a digest",
       [](po::options_description* d, po::positional_options_description*) {
         d->add_options()
             ("against", po::value<std::string>()->value_name("DIGEST"),
              "also prove, from the events, that the ledger extends this digest");
         DefinePubkeyOption(d, "require the digest signed by this Ed25519 public key");
         d->add_options()
             ("trusted-keys", po::value<std::string>()->value_name("FILE"),
              "--against is a checkpoint: the log's and the witnesses' verifier keys, one a line")
             ("quorum", po::value<uint32_t>()->default_value(1)->value_name("N"),
              "witness cosignatures required besides the log's signature");
       },
       RunVerify});
}

}  // namespace

void RegisterLedgerCommands(CommandTable* table) {
  RegisterWriteCommands(table);
  RegisterReadCommands(table);
  RegisterWorkloadCommands(table);
}
// clang-format on

}  // namespace ccl::tools
