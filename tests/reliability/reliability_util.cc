#include "tests/reliability/reliability_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "events/model/uuid.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"

namespace ccl::reliability {

std::string IdKey(const events::Uuid& id) {
  return std::string(reinterpret_cast<const char*>(id.data()), id.size());
}

std::string FormatBatchLine(char tag, const BatchIds& ids) {
  std::string line(1, tag);
  for (const events::Uuid& id : ids) {
    line += ' ';
    events::AppendUuid(id, &line);
  }
  line += '\n';
  return line;
}

bool ReadBatchLog(const std::string& path, char tag, std::vector<BatchIds>* out) {
  out->clear();
  std::ifstream in(path, std::ios::binary);
  if (!in) return true;
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // partial last line: not recorded
    std::istringstream line(text.substr(pos, nl - pos));
    pos = nl + 1;
    std::string word;
    if (!(line >> word) || word.size() != 1 || word[0] != tag) return false;
    BatchIds ids;
    while (line >> word) {
      events::Uuid id;
      if (!events::ParseUuid(word, &id)) return false;
      ids.push_back(id);
    }
    out->push_back(std::move(ids));
  }
  return true;
}

Status CheckLedgerIntegrity(ledger::Ledger* ledger, LedgerCheck* out) {
  out->events = 0;
  out->ids.clear();
  const uint64_t head = ledger->head().seq;
  std::unique_ptr<ledger::EventIterator> it = ledger->NewIterator(1);
  uint64_t expected = 1;
  for (; it->Valid(); it->Next()) {
    if (it->seq() != expected) {
      return Status::Corruption("seq gap: expected " + std::to_string(expected) + ", found " +
                                std::to_string(it->seq()));
    }
    if (it->event().seq != expected) {
      return Status::Corruption("seq " + std::to_string(expected) + ": event says seq " +
                                std::to_string(it->event().seq));
    }
    if (!out->ids.emplace(IdKey(it->event().event_id), expected).second) {
      return Status::Corruption("seq " + std::to_string(expected) + ": event id " +
                                events::FormatUuid(it->event().event_id) + " stored twice");
    }
    ++expected;
  }
  CCL_RETURN_IF_ERROR(it->status());
  out->events = expected - 1;
  if (out->events != head) {
    return Status::Corruption("log ends at seq " + std::to_string(out->events) + " but head is " +
                              std::to_string(head));
  }
  ledger::VerifyReport report;
  Status s = ledger->Verify(ledger::VerifyProgress(), &report);
  if (!s.ok()) return s.WithContext("verify");
  if (report.events != head) {
    return Status::Corruption("verify checked " + std::to_string(report.events) +
                              " events, head is " + std::to_string(head));
  }
  return Status::OK();
}

Status CheckBatches(ledger::Ledger* ledger, const LedgerCheck& check,
                    const std::vector<BatchIds>& intents, const std::vector<BatchIds>& acked) {
  events::Event e;
  for (const BatchIds& batch : acked) {
    uint64_t previous_seq = 0;
    for (const events::Uuid& id : batch) {
      Status s = ledger->GetByEventId(id, &e);
      if (!s.ok()) {
        return Status::Corruption("acknowledged event " + events::FormatUuid(id) +
                                  " lost: " + s.ToString());
      }
      if (e.event_id != id) {
        return Status::Corruption("GetByEventId(" + events::FormatUuid(id) +
                                  ") returned another event");
      }
      if (previous_seq != 0 && e.seq != previous_seq + 1) {
        return Status::Corruption("acknowledged batch with first id " +
                                  events::FormatUuid(batch.front()) + " is not one run of seqs: " +
                                  std::to_string(previous_seq) + " then " + std::to_string(e.seq));
      }
      previous_seq = e.seq;
    }
  }
  std::unordered_map<std::string, size_t> last_intent;  // id -> last intent holding it
  for (size_t i = 0; i < intents.size(); ++i) {
    for (const events::Uuid& id : intents[i]) last_intent[IdKey(id)] = i;
  }
  for (size_t i = 0; i < intents.size(); ++i) {
    const BatchIds& batch = intents[i];
    size_t present = 0;
    for (const events::Uuid& id : batch) present += check.ids.count(IdKey(id));
    if (present == 0 || present == batch.size()) continue;
    // Not all there, so this Append wrote nothing: what is there came later.
    for (const events::Uuid& id : batch) {
      const std::string key = IdKey(id);
      if (check.ids.count(key) != 0 && last_intent[key] == i) {
        return Status::Corruption(
            "batch partly present: " + std::to_string(present) + " of " +
            std::to_string(batch.size()) + " events (event " + events::FormatUuid(id) + " at seq " +
            std::to_string(check.ids.at(key)) + " was sent by no later batch), first id " +
            events::FormatUuid(batch.front()));
      }
    }
  }
  for (const auto& [id, seq] : check.ids) {
    if (last_intent.count(id) == 0) {
      events::Uuid u;
      std::copy(id.begin(), id.end(), u.begin());
      return Status::Corruption("event " + events::FormatUuid(u) + " at seq " +
                                std::to_string(seq) + " present but never written");
    }
  }
  return Status::OK();
}

Status CheckProjections(ledger::Ledger* ledger, bool save) {
  projections::ProjectionSet caught_up, rebuilt;
  std::vector<projections::Projection*> a = caught_up.All(), b = rebuilt.All();
  projections::RunnerOptions with_save;
  with_save.save_checkpoints = save;
  projections::RunStats stats;
  CCL_RETURN_IF_ERROR(projections::Runner(ledger, with_save).CatchUp(a, &stats));
  projections::RunnerOptions no_save;
  no_save.save_checkpoints = false;
  projections::RunStats rebuild_stats;
  CCL_RETURN_IF_ERROR(projections::Runner(ledger, no_save).Rebuild(b, &rebuild_stats));
  for (size_t i = 0; i < a.size(); ++i) {
    if (projections::StateDigest(*a[i]) != projections::StateDigest(*b[i])) {
      std::string notes;
      for (const std::string& n : stats.notes) notes += "; " + n;
      return Status::Corruption("projection '" + std::string(a[i]->name()) +
                                "': catch-up state differs from a rebuild (catch-up from seq " +
                                std::to_string(stats.from_seq) +
                                (stats.from_snapshot ? ", from a snapshot" : "") + notes + ")");
    }
  }
  return Status::OK();
}

}  // namespace ccl::reliability
