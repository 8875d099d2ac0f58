// The JSON form of events (schemas/EVENTS.md): one flat object per line.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::events {

// One past the bracket that closes the object or array opening `text`'s
// first value, found by bracket depth outside strings (nothing else is
// checked); npos when nothing closes it within `text`, or a closing bracket
// comes first.
size_t JsonValueEnd(std::string_view text);

class EventAssembler;

// Parses one JSON object into `out` (cleared first, capacity reused), strictly:
// unknown keys, duplicate keys, wrong JSON types, out-of-range or non-integer
// numbers, impossible dates, invalid UTF-8 and over-limit strings are
// InvalidArgument naming the field ("field 'minutes': must be 1..1440, got 1441").
// The ledger-assigned keys (seq, stream_version, recorded_at, hash,
// applied_bill_rate_minor, sealed_*, awaits_approval) are accepted and ignored, and so is
// `currency` on an event other than ContractOpened (the contract's currency an
// export adds to amounts; checked to be an active ISO 4217 code), so `log
// --json` and `export events` output imports back. Runs ValidateEvent before
// returning OK.
// Thread-compatible: one JsonEventParser per thread (it reuses simdjson buffers).
class JsonEventParser {
 public:
  JsonEventParser();
  ~JsonEventParser();
  JsonEventParser(const JsonEventParser&) = delete;
  JsonEventParser& operator=(const JsonEventParser&) = delete;

  Status Parse(std::string_view line, Event* out);
  // The same, but an object without `actor` gets `default_actor` (a server
  // fills in the authenticated principal); empty: `actor` is required.
  Status Parse(std::string_view line, Event* out, std::string_view default_actor);

  // For the CSV reader: parses `json`, a JSON array of line objects as the
  // value of "lines" holds, into the event `assembler` is building (between
  // its Begin and Finish). Errors name the field ("field 'lines[0].overage':
  // ..."); InvalidArgument.
  Status ParseLinesInto(std::string_view json, EventAssembler* assembler);

 private:
  struct Impl;
  Impl* impl_;
};

struct JsonOutputOptions {
  // Include seq, stream_version, recorded_at and (consumption) applied_bill_rate_minor.
  bool assigned_fields = true;
  // When non-null, a "hash" key with this 32-byte chain hash in hex.
  const uint8_t* hash = nullptr;
  // The currency of the event's contract (ISO 4217; the caller looks it up).
  // When non-empty, an event other than ContractOpened that CarriesMoney
  // (events/model/fields.h) gets a "currency" key with it after its payload, so
  // every amount comes with its currency. Read back, that key is checked for
  // form and ignored, like the assigned fields: the ledger knows the
  // contract's currency.
  std::string_view contract_currency;
  // Include the envelope: seq, event_id, type, contract, stream_version,
  // effective_at, recorded_at, actor, source, note. Without it, the object
  // holds the payload alone (with currency and the assigned payload fields),
  // for a store that keeps the envelope in columns of its own.
  bool envelope = true;
};

// Canonical JSON: fixed key order (envelope, then payload in the order of
// schemas/EVENTS.md), no spaces, no trailing newline; optional fields only
// when present. Appends to *out.
void AppendEventJson(const Event& e, const JsonOutputOptions& options, std::string* out);

// The canonical JSON array of a PeriodClosed's sealed totals, as the value of
// "sealed_totals" and its CSV cell. Appends to *out.
void AppendSealedTotalsJson(const PeriodSeal& seal, std::string* out);
// 64 lower-case hex digits of a digest. Appends to *out.
void AppendDigestHex(const std::array<uint8_t, 32>& digest, std::string* out);

// The decimal digits of integer v, '-' first when negative: how every
// machine form (JSON, CSV) writes an integer. Appends to *out.
template <typename Int>
void AppendDecimal(Int v, std::string* out) {
  static_assert(std::is_integral_v<Int> && sizeof(Int) <= 8);
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// The canonical JSON array of e.lines alone ("[]" when empty), as the value
// of "lines" above and as the `lines` cell of the CSV form. Appends to *out.
void AppendLinesJson(const Event& e, std::string* out);

}  // namespace ccl::events
