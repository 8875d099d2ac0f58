// Key and value encodings of the ledger's column families (schemas/FORMAT.md
// "Column families"). Every integer in a key is big-endian so that RocksDB's
// bytewise order is numeric order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/model/event.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

// Column families, in the order they are opened (the index of a handle).
enum ColumnFamilyId : int {
  kCfDefault = 0,  // unused; RocksDB requires it
  kCfEvents,       // BE64 seq -> stored event bytes
  kCfChain,        // BE64 seq -> 32-byte chain hash h_seq
  kCfStreams,      // contract 0x00 BE64 version -> BE64 seq || stored event bytes
  kCfIds,          // 16-byte event_id -> BE64 seq
  kCfMeta,         // names below -> values below
  kCfProjections,  // projection name -> opaque state
  kCfMerkle,       // the Merkle tree's tiles (schemas/MERKLE.md)
  kCfContracts,    // write model: contract -> ContractState (contract_state.h)
  kCfEscalations,  // write model: contract 0x00 escalation -> EscalationState
  kCfReversals,    // write model: BE64 target seq -> BE64 reversing seq
  kCfAccess,       // access log: BE64 n -> a_n || record bytes (access_log.h)
  kCfCount,
};
// RocksDB names of the column families, indexed by ColumnFamilyId.
extern const char* const kColumnFamilyNames[kCfCount];

// `meta` keys.
inline constexpr std::string_view kMetaFormatVersion = "format_version";  // BE32
inline constexpr std::string_view kMetaLedgerId = "ledger_id";            // 16 bytes
inline constexpr std::string_view kMetaHead = "head";                     // 48 bytes
// BE64 n || a_n of the last access record; absent: the log is empty.
inline constexpr std::string_view kMetaAccessHead = "access_head";  // 40 bytes
// 3: the write model's contract and escalation states carry the effective_at
// values the time-order rules are checked against (format 2 lacked them).
// 2: `streams` values hold a copy of the event (format 1: the seq alone).
// A ledger of an older format is refused on open and re-imported.
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr size_t kHeadBytes = 8 + 32 + 8;
inline constexpr size_t kAccessHeadBytes = 8 + 32;

inline void PutBE64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}
inline uint64_t GetBE64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
// The byte order of two 16-byte keys (event ids: the `ids` table's order),
// by two big-endian loads each rather than a call to memcmp.
inline bool Key16Less(const uint8_t* a, const uint8_t* b) {
  const char* x = reinterpret_cast<const char*>(a);
  const char* y = reinterpret_cast<const char*>(b);
  const uint64_t x0 = GetBE64(x), y0 = GetBE64(y);
  return x0 != y0 ? x0 < y0 : GetBE64(x + 8) < GetBE64(y + 8);
}
inline void AppendBE64(uint64_t v, std::string* out) {
  char b[8];
  PutBE64(v, b);
  out->append(b, 8);
}
inline void AppendBE32(uint32_t v, std::string* out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}
inline uint32_t GetBE32(const char* in) {
  return (uint32_t{static_cast<uint8_t>(in[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(in[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(in[2])} << 8) | uint32_t{static_cast<uint8_t>(in[3])};
}

// An 8-byte key or value holding a seq.
struct SeqKey {
  char bytes[8];
  explicit SeqKey(uint64_t seq) { PutBE64(seq, bytes); }
  std::string_view view() const { return std::string_view(bytes, 8); }
};

// True and *seq set when `bytes` is exactly 8 bytes.
bool DecodeSeq(std::string_view bytes, uint64_t* seq);

// `streams` key: contract 0x00 BE64(version). Contract ids never contain 0x00
// ([A-Za-z0-9._-]), so one contract's keys are contiguous and in version order.
std::string StreamKey(std::string_view contract, uint64_t version);
void StreamKeyInto(std::string_view contract, uint64_t version, std::string* out);
// The prefix shared by every key of one contract's stream: contract 0x00.
std::string StreamPrefix(std::string_view contract);
// Splits a `streams` key; false when malformed.
bool ParseStreamKey(std::string_view key, std::string_view* contract, uint64_t* version);

// `streams` value: BE64(seq) || the event's stored bytes, byte for byte what
// `events` holds under seq. A copy, so that one contract's events are one
// contiguous range scan instead of a point read each (schemas/FORMAT.md
// "Why copies"); verify proves every copy equal to the log.
void StreamValueInto(uint64_t seq, std::string_view event_bytes, std::string* out);
// Splits a `streams` value; false when shorter than the 8-byte seq. The
// event bytes are not checked here (the readers decode and verify them).
bool ParseStreamValue(std::string_view value, uint64_t* seq, std::string_view* event_bytes);

// `escalations` key: contract 0x00 escalation id. The contract part never
// contains 0x00, so the first 0x00 splits the key even if an escalation id
// (any UTF-8) contains one.
std::string EscalationKey(std::string_view contract, std::string_view escalation);
bool ParseEscalationKey(std::string_view key, std::string_view* contract,
                        std::string_view* escalation);

// `meta` head value: BE64 seq || 32-byte hash || BE64 recorded_at_ns.
std::string EncodeHead(const Head& head);
bool DecodeHead(std::string_view bytes, Head* out);
// `meta` access_head value: BE64 n || 32-byte a_n.
std::string EncodeAccessHead(const AccessHead& head);
bool DecodeAccessHead(std::string_view bytes, AccessHead* out);

// "event 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
std::string EventLabel(const events::Uuid& id);

}  // namespace ccl::ledger
