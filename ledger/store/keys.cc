// Key and value encodings (ledger/store/keys.h).
#include "ledger/store/keys.h"

#include <cstring>

#include "events/model/uuid.h"

namespace ccl::ledger {

const char* const kColumnFamilyNames[kCfCount] = {
    "default",     "events", "chain",     "streams",     "ids",       "meta",
    "projections", "merkle", "contracts", "escalations", "reversals", "access",
};

bool DecodeSeq(std::string_view bytes, uint64_t* seq) {
  if (bytes.size() != 8) return false;
  *seq = GetBE64(bytes.data());
  return true;
}

void StreamKeyInto(std::string_view contract, uint64_t version, std::string* out) {
  out->assign(contract);
  out->push_back('\0');
  AppendBE64(version, out);
}

std::string StreamKey(std::string_view contract, uint64_t version) {
  std::string k;
  StreamKeyInto(contract, version, &k);
  return k;
}

std::string StreamPrefix(std::string_view contract) {
  std::string k(contract);
  k.push_back('\0');
  return k;
}

bool ParseStreamKey(std::string_view key, std::string_view* contract, uint64_t* version) {
  if (key.size() < 9) return false;  // the contract (empty: the ledger stream), 0x00, BE64
  const size_t sep = key.size() - 9;
  if (key[sep] != '\0' || key.substr(0, sep).find('\0') != std::string_view::npos) return false;
  *contract = key.substr(0, sep);
  *version = GetBE64(key.data() + sep + 1);
  return true;
}

void StreamValueInto(uint64_t seq, std::string_view event_bytes, std::string* out) {
  out->clear();
  out->reserve(8 + event_bytes.size());
  AppendBE64(seq, out);
  out->append(event_bytes);
}

bool ParseStreamValue(std::string_view value, uint64_t* seq, std::string_view* event_bytes) {
  if (value.size() < 8) return false;
  *seq = GetBE64(value.data());
  *event_bytes = value.substr(8);
  return true;
}

std::string EscalationKey(std::string_view contract, std::string_view escalation) {
  std::string k;
  k.reserve(contract.size() + 1 + escalation.size());
  k.append(contract);
  k.push_back('\0');
  k.append(escalation);
  return k;
}

bool ParseEscalationKey(std::string_view key, std::string_view* contract,
                        std::string_view* escalation) {
  const size_t sep = key.find('\0');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 == key.size()) return false;
  *contract = key.substr(0, sep);
  *escalation = key.substr(sep + 1);
  return true;
}

std::string EncodeHead(const Head& head) {
  std::string v;
  v.reserve(kHeadBytes);
  AppendBE64(head.seq, &v);
  v.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  AppendBE64(static_cast<uint64_t>(head.recorded_at_ns), &v);
  return v;
}

bool DecodeHead(std::string_view bytes, Head* out) {
  if (bytes.size() != kHeadBytes) return false;
  out->seq = GetBE64(bytes.data());
  std::memcpy(out->hash.data(), bytes.data() + 8, 32);
  out->recorded_at_ns = static_cast<int64_t>(GetBE64(bytes.data() + 40));
  return true;
}

std::string EncodeAccessHead(const AccessHead& head) {
  std::string out;
  AppendBE64(head.n, &out);
  out.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return out;
}

bool DecodeAccessHead(std::string_view bytes, AccessHead* out) {
  if (bytes.size() != kAccessHeadBytes) return false;
  out->n = GetBE64(bytes.data());
  std::memcpy(out->hash.data(), bytes.data() + 8, 32);
  return true;
}

std::string EventLabel(const events::Uuid& id) { return "event " + events::FormatUuid(id); }

}  // namespace ccl::ledger
