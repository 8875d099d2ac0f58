// The access log: one record per request a service answered (and per
// policy or tokens file reload, and per start-up), kept in the ledger's
// `access` column family as a hash chain of its own, with its own genesis
// (schemas/FORMAT.md "Access log"). The ledger appends records through its
// group commit (Ledger::AppendAccess, AppendOptions::access_records), so a
// write's record is in the same synced WriteBatch as its events.
//
// Record bytes are a documented fixed layout, checked field by field when
// read (DecodeAccessRecord), never trusted.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"

namespace ccl::ledger {

using Hash = std::array<uint8_t, 32>;  // same type as ledger.h's Hash

// What a record is about. Stored as one byte; new kinds are appended.
enum class AccessKind : uint8_t {
  kRequest = 1,       // one HTTP request, answered (or refused) by the service
  kStart = 2,         // the service started serving the ledger
  kPolicyReload = 3,  // the roles policy file was re-read (status: 200 applied, 400 kept the old)
  kTokensReload = 4,  // the tokens file was re-read
};
// How the principal was authenticated. Stored as one byte.
enum class AuthMethod : uint8_t {
  kNone = 0,         // no credentials, or credentials that named nobody
  kCertificate = 1,  // TLS client certificate; the principal is its subject CN
  kToken = 2,        // a bearer token; the principal is the token's owner
};

// "request", "start", "policy_reload", "tokens_reload"; "certificate", ...
std::string_view AccessKindName(AccessKind kind);
std::string_view AuthMethodName(AuthMethod method);

// One (name, value) of a record: a query parameter or path segment that
// selected the data (contract, customer, as_of, known_at, after, seq, ...),
// or for a reload the file's path and SHA-256.
struct AccessParam {
  std::string name;
  std::string value;
  bool operator==(const AccessParam&) const = default;
};

struct AccessRecord {
  AccessKind kind = AccessKind::kRequest;
  int64_t time_ns = 0;    // when the request arrived (ns since the epoch)
  std::string principal;  // "" when unauthenticated
  AuthMethod auth = AuthMethod::kNone;
  std::string client;  // the client's address; "" for a signal or the start-up
  std::string method;  // HTTP method; for a reload or start-up what triggered it
  std::string route;   // the matched route pattern, or the path asked for
  std::vector<AccessParam> params;
  uint16_t status = 0;  // HTTP status answered
  // Reads: rows (lines, events) returned. Writes: events appended (set by
  // the ledger when the record travels with an append).
  uint64_t rows = 0;
  // Reads: response body bytes. Writes: request body bytes.
  uint64_t bytes = 0;
  // A write: the seqs of its events, first and last (duplicates included,
  // set by the ledger); 0 and 0 when it stored or matched none.
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  bool operator==(const AccessRecord&) const = default;

  // The value of parameter `name`, or "" when absent.
  std::string_view Param(std::string_view name) const;
};

// The head of the access chain: the last record's number and hash
// (number 0 and the access genesis hash when the log is empty).
struct AccessHead {
  uint64_t n = 0;
  Hash hash{};
};

// One stored record as read back: its number, chain hash and fields.
struct AccessEntry {
  uint64_t n = 0;
  Hash hash{};
  AccessRecord record;
};

// InvalidArgument naming the field and the limit (limits::kAccess*) when
// `r` cannot be stored: a string or the parameter list over its limit, an
// unknown kind or method, a seq range that is not first <= last with both
// or neither zero.
[[nodiscard]] Status CheckAccessRecord(const AccessRecord& r);
// The record's bytes (schemas/FORMAT.md "Access log"). REQUIRES: CheckAccessRecord(r).ok()
void EncodeAccessRecord(const AccessRecord& r, std::string* out);
// Corruption naming the field unless `bytes` are exactly one well-formed
// record within the limits.
[[nodiscard]] Status DecodeAccessRecord(std::string_view bytes, AccessRecord* out);

// The `access` value of record n: its chain hash a_n followed by its bytes.
// Splits one; false when shorter than the hash.
bool ParseAccessValue(std::string_view value, Hash* hash, std::string_view* record_bytes);

// The chain: a_0 = AccessGenesisHash(ledger_id) (ledger.h), and a_n =
// ChainHash(a_{n-1}, n, bytes_n), the event chain's step over record bytes.

// The filters of `ledgerctl access-log` and GET /v1/access-log; every set
// one must hold.
struct AccessFilter {
  std::string principal;         // exactly this principal; "" any
  std::string contract;          // a record whose `contract` parameter is this; "" any
  int64_t since_ns = INT64_MIN;  // time_ns >= since_ns
  bool denied = false;           // only refusals of authentication or authorization (401, 403, 429)
};
bool MatchesAccessFilter(const AccessFilter& f, const AccessRecord& r);

// The record as one JSON object (no newline): {"n":..,"time":"..",
// "kind":"..","principal":..,"auth":"..",...,"hash":".."}; the JSON Lines
// of `ledgerctl access-log --json` and of GET /v1/access-log.
void AppendAccessEntryJson(const AccessEntry& e, std::string* out);

}  // namespace ccl::ledger
