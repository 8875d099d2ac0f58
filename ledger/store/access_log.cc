// Access record bytes, their checks, the access genesis, the filters and the
// JSON form (ledger/store/access_log.h). The layout is schemas/FORMAT.md "Access log".
#include "ledger/store/access_log.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "events/base/csv_cell.h"
#include "events/base/enum_names.h"
#include "events/base/hex.h"
#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "ledger/store/keys.h"

namespace ccl::ledger {
namespace {

constexpr uint8_t kRecordFormat = 1;
// format, kind, time, auth, status, rows, bytes, first_seq, last_seq
constexpr size_t kFixedBytes = 1 + 1 + 8 + 1 + 2 + 8 + 8 + 8 + 8;

void AppendBE16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void AppendField(std::string_view s, std::string* out) {
  assert(s.size() <= limits::kAccessFieldBytesMax);
  AppendBE16(static_cast<uint16_t>(s.size()), out);
  out->append(s);
}

Status CheckField(std::string_view name, std::string_view value) {
  if (value.size() <= limits::kAccessFieldBytesMax) return Status::OK();
  return Status::InvalidArgument("access record: " + std::string(name) + " of " +
                                 std::to_string(value.size()) + " bytes, at most " +
                                 std::to_string(limits::kAccessFieldBytesMax));
}

// Reads the record's bytes front to back; every shortfall is Corruption
// naming the field.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  Status Take(size_t n, std::string_view field, std::string_view* out) {
    if (rest_.size() < n) {
      return Status::Corruption("access record: truncated in " + std::string(field));
    }
    *out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return Status::OK();
  }
  Status U8(std::string_view field, uint8_t* out) {
    std::string_view b;
    CCL_RETURN_IF_ERROR(Take(1, field, &b));
    *out = static_cast<uint8_t>(b[0]);
    return Status::OK();
  }
  Status U64(std::string_view field, uint64_t* out) {
    std::string_view b;
    CCL_RETURN_IF_ERROR(Take(8, field, &b));
    *out = GetBE64(b.data());
    return Status::OK();
  }
  Status Str(std::string_view field, std::string* out) {
    std::string_view b;
    CCL_RETURN_IF_ERROR(Take(2, field, &b));
    const size_t n =
        (static_cast<size_t>(static_cast<uint8_t>(b[0])) << 8) | static_cast<uint8_t>(b[1]);
    if (n > limits::kAccessFieldBytesMax) {
      return Status::Corruption("access record: " + std::string(field) + " of " +
                                std::to_string(n) + " bytes, at most " +
                                std::to_string(limits::kAccessFieldBytesMax));
    }
    CCL_RETURN_IF_ERROR(Take(n, field, &b));
    out->assign(b);
    return Status::OK();
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Indexed by the stored byte; a byte without a name is an unknown kind.
constexpr std::string_view kAccessKindNames[] = {"", "request", "start", "policy_reload",
                                                 "tokens_reload"};
constexpr std::string_view kAuthMethodNames[] = {"none", "certificate", "token"};

bool KnownKind(uint8_t k) { return !events::EnumName(kAccessKindNames, k).empty(); }
bool KnownAuth(uint8_t a) { return !events::EnumName(kAuthMethodNames, a).empty(); }

Status DecodeFixed(Reader* in, AccessRecord* r) {
  uint8_t format = 0, kind = 0, auth = 0;
  uint64_t time = 0, status = 0;
  CCL_RETURN_IF_ERROR(in->U8("format", &format));
  if (format != kRecordFormat) {
    return Status::Corruption("access record: unknown record format " + std::to_string(format));
  }
  CCL_RETURN_IF_ERROR(in->U8("kind", &kind));
  if (!KnownKind(kind))
    return Status::Corruption("access record: unknown kind " + std::to_string(kind));
  CCL_RETURN_IF_ERROR(in->U64("time", &time));
  CCL_RETURN_IF_ERROR(in->U8("auth", &auth));
  if (!KnownAuth(auth)) {
    return Status::Corruption("access record: unknown authentication method " +
                              std::to_string(auth));
  }
  std::string_view st;
  CCL_RETURN_IF_ERROR(in->Take(2, "status", &st));
  status = (static_cast<uint64_t>(static_cast<uint8_t>(st[0])) << 8) | static_cast<uint8_t>(st[1]);
  r->kind = static_cast<AccessKind>(kind);
  r->time_ns = static_cast<int64_t>(time);
  r->auth = static_cast<AuthMethod>(auth);
  r->status = static_cast<uint16_t>(status);
  CCL_RETURN_IF_ERROR(in->U64("rows", &r->rows));
  CCL_RETURN_IF_ERROR(in->U64("bytes", &r->bytes));
  CCL_RETURN_IF_ERROR(in->U64("first_seq", &r->first_seq));
  CCL_RETURN_IF_ERROR(in->U64("last_seq", &r->last_seq));
  return Status::OK();
}

// A text field of a record as a JSON string. The server records what a
// client sent (a target's path, a parameter's value, a certificate's CN),
// which may be any bytes: text of ASCII only is written as it is (with
// AppendJsonString's escapes), any other as EscapeForMessage shows it (every
// byte from 0x80 as \xNN, a backslash as \x5c), so that a line is valid
// UTF-8 JSON and no invalid UTF-8, bidirectional override or line separator
// reaches its reader raw.
void AppendRecordText(std::string_view text, std::string* out) {
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  events::AppendJsonString(ascii ? text : events::EscapeForMessage(text), out);
}

}  // namespace

std::string_view AccessKindName(AccessKind kind) {
  return events::EnumName(kAccessKindNames, kind, "unknown");
}

std::string_view AuthMethodName(AuthMethod method) {
  return events::EnumName(kAuthMethodNames, method, "unknown");
}

std::string_view AccessRecord::Param(std::string_view name) const {
  for (const AccessParam& p : params) {
    if (p.name == name) return p.value;
  }
  return {};
}

Status CheckAccessRecord(const AccessRecord& r) {
  if (!KnownKind(static_cast<uint8_t>(r.kind))) {
    return Status::InvalidArgument("access record: unknown kind");
  }
  if (!KnownAuth(static_cast<uint8_t>(r.auth))) {
    return Status::InvalidArgument("access record: unknown authentication method");
  }
  CCL_RETURN_IF_ERROR(CheckField("principal", r.principal));
  CCL_RETURN_IF_ERROR(CheckField("client", r.client));
  CCL_RETURN_IF_ERROR(CheckField("method", r.method));
  CCL_RETURN_IF_ERROR(CheckField("route", r.route));
  if (r.params.size() > limits::kAccessParamsMax) {
    return Status::InvalidArgument("access record: " + std::to_string(r.params.size()) +
                                   " parameters, at most " +
                                   std::to_string(limits::kAccessParamsMax));
  }
  for (const AccessParam& p : r.params) {
    CCL_RETURN_IF_ERROR(CheckField("parameter name", p.name));
    CCL_RETURN_IF_ERROR(CheckField("parameter " + p.name, p.value));
  }
  if ((r.first_seq == 0) != (r.last_seq == 0) || r.first_seq > r.last_seq) {
    return Status::InvalidArgument("access record: first_seq " + std::to_string(r.first_seq) +
                                   " and last_seq " + std::to_string(r.last_seq) +
                                   " are not a seq range");
  }
  return Status::OK();
}

void EncodeAccessRecord(const AccessRecord& r, std::string* out) {
  assert(CheckAccessRecord(r).ok());
  out->clear();
  out->reserve(kFixedBytes + 64);
  out->push_back(static_cast<char>(kRecordFormat));
  out->push_back(static_cast<char>(r.kind));
  AppendBE64(static_cast<uint64_t>(r.time_ns), out);
  out->push_back(static_cast<char>(r.auth));
  AppendBE16(r.status, out);
  AppendBE64(r.rows, out);
  AppendBE64(r.bytes, out);
  AppendBE64(r.first_seq, out);
  AppendBE64(r.last_seq, out);
  AppendField(r.principal, out);
  AppendField(r.client, out);
  AppendField(r.method, out);
  AppendField(r.route, out);
  out->push_back(static_cast<char>(r.params.size()));
  for (const AccessParam& p : r.params) {
    AppendField(p.name, out);
    AppendField(p.value, out);
  }
}

Status DecodeAccessRecord(std::string_view bytes, AccessRecord* out) {
  Reader in(bytes);
  AccessRecord r;
  CCL_RETURN_IF_ERROR(DecodeFixed(&in, &r));
  CCL_RETURN_IF_ERROR(in.Str("principal", &r.principal));
  CCL_RETURN_IF_ERROR(in.Str("client", &r.client));
  CCL_RETURN_IF_ERROR(in.Str("method", &r.method));
  CCL_RETURN_IF_ERROR(in.Str("route", &r.route));
  uint8_t count = 0;
  CCL_RETURN_IF_ERROR(in.U8("parameter count", &count));
  if (count > limits::kAccessParamsMax) {
    return Status::Corruption("access record: " + std::to_string(count) + " parameters, at most " +
                              std::to_string(limits::kAccessParamsMax));
  }
  r.params.resize(count);
  for (AccessParam& p : r.params) {
    CCL_RETURN_IF_ERROR(in.Str("parameter name", &p.name));
    CCL_RETURN_IF_ERROR(in.Str("parameter value", &p.value));
  }
  if (!in.done()) return Status::Corruption("access record: bytes after the last parameter");
  if ((r.first_seq == 0) != (r.last_seq == 0) || r.first_seq > r.last_seq) {
    return Status::Corruption("access record: first_seq and last_seq are not a seq range");
  }
  *out = std::move(r);
  return Status::OK();
}

bool ParseAccessValue(std::string_view value, Hash* hash, std::string_view* record_bytes) {
  if (value.size() < hash->size()) return false;
  std::memcpy(hash->data(), value.data(), hash->size());
  *record_bytes = value.substr(hash->size());
  return true;
}

bool MatchesAccessFilter(const AccessFilter& f, const AccessRecord& r) {
  if (!f.principal.empty() && r.principal != f.principal) return false;
  if (!f.contract.empty() && r.Param("contract") != f.contract) return false;
  if (r.time_ns < f.since_ns) return false;
  if (f.denied && r.status != 401 && r.status != 403 && r.status != 429) return false;
  return true;
}

void AppendAccessEntryJson(const AccessEntry& e, std::string* out) {
  const AccessRecord& r = e.record;
  *out += "{\"n\":" + std::to_string(e.n) + ",\"time\":\"" + events::FormatInstantNs(r.time_ns) +
          "\",\"kind\":\"" + std::string(AccessKindName(r.kind)) + "\",\"principal\":";
  AppendRecordText(r.principal, out);
  *out += ",\"auth\":\"" + std::string(AuthMethodName(r.auth)) + "\",\"client\":";
  AppendRecordText(r.client, out);
  *out += ",\"method\":";
  AppendRecordText(r.method, out);
  *out += ",\"route\":";
  AppendRecordText(r.route, out);
  *out += ",\"params\":{";
  for (size_t i = 0; i < r.params.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendRecordText(r.params[i].name, out);
    out->push_back(':');
    AppendRecordText(r.params[i].value, out);
  }
  *out += "},\"status\":" + std::to_string(r.status) + ",\"rows\":" + std::to_string(r.rows) +
          ",\"bytes\":" + std::to_string(r.bytes);
  if (r.first_seq != 0) {
    *out += ",\"first_seq\":" + std::to_string(r.first_seq) +
            ",\"last_seq\":" + std::to_string(r.last_seq);
  }
  *out += ",\"hash\":\"" + events::HexEncode(e.hash) + "\"}";
}

}  // namespace ccl::ledger
