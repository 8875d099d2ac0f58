// Reading a server's event lines back into stored events (tools/sink/feed_event.h).
#include "tools/sink/feed_event.h"

#include <simdjson.h>

#include <cassert>
#include <cstring>
#include <vector>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "events/model/codec.h"
#include "ledger/merkle/merkle.h"

namespace ccl::sink {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

namespace {

Status Bad(std::string_view field, std::string_view rule) {
  return Status::InvalidField(field, rule);
}

Status GetUnsigned(od::value& v, std::string_view field, uint64_t* out) {
  if (v.get_uint64().get(*out) != sj::SUCCESS) return Bad(field, "must be an unsigned integer");
  return Status::OK();
}

Status GetSigned(od::value& v, std::string_view field, int64_t* out) {
  if (v.get_int64().get(*out) != sj::SUCCESS) return Bad(field, "must be an integer");
  return Status::OK();
}

Status GetDigest(od::value& v, std::string_view field, std::array<uint8_t, 32>* out) {
  std::string_view text;
  if (v.get_string().get(text) != sj::SUCCESS || text.size() != 64 ||
      !ledger::HexDecode(text, *out)) {
    return Bad(field, "must be 64 hex digits");
  }
  return Status::OK();
}

Status GetSealedTotal(od::value& v, events::SealedTotal* t) {
  od::object obj;
  if (v.get_object().get(obj) != sj::SUCCESS) return Bad("sealed_totals", "must hold objects");
  for (auto field_result : obj) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != sj::SUCCESS ||
        field.unescaped_key().get(key) != sj::SUCCESS) {
      return Bad("sealed_totals", "invalid JSON");
    }
    od::value value = field.value();
    if (key == "currency") {
      std::string_view text;
      if (value.get_string().get(text) != sj::SUCCESS) {
        return Bad("sealed_totals.currency", "must be a string");
      }
      t->currency.assign(text);
    } else if (key == "revenue_minor") {
      CCL_RETURN_IF_ERROR(GetSigned(value, "sealed_totals.revenue_minor", &t->revenue_minor));
    } else if (key == "cost_minor") {
      CCL_RETURN_IF_ERROR(GetSigned(value, "sealed_totals.cost_minor", &t->cost_minor));
    } else if (key == "margin_minor") {
      CCL_RETURN_IF_ERROR(GetSigned(value, "sealed_totals.margin_minor", &t->margin_minor));
    } else if (key == "minutes") {
      CCL_RETURN_IF_ERROR(GetSigned(value, "sealed_totals.minutes", &t->minutes));
    } else {
      return Bad("sealed_totals", "unknown key");
    }
  }
  return Status::OK();
}

Status GetSealedTotals(od::value& v, std::vector<events::SealedTotal>* out) {
  od::array array;
  if (v.get_array().get(array) != sj::SUCCESS) return Bad("sealed_totals", "must be an array");
  for (auto element : array) {
    od::value value;
    if (std::move(element).get(value) != sj::SUCCESS) return Bad("sealed_totals", "invalid JSON");
    out->emplace_back();
    CCL_RETURN_IF_ERROR(GetSealedTotal(value, &out->back()));
  }
  return Status::OK();
}

// What the line says beside the event's own fields.
struct Assigned {
  bool seq = false, stream_version = false, recorded_at = false, hash = false;
  bool balances_digest = false, margins_digest = false, totals = false;
};

// One key of the line: an assigned field into *e, the hash into *hash;
// any other key was read by JsonEventParser.
Status ReadKey(std::string_view key, od::value& value, events::Event* e, ledger::Hash* hash,
               Assigned* seen) {
  if (key == "seq") {
    seen->seq = true;
    return GetUnsigned(value, key, &e->seq);
  }
  if (key == "stream_version") {
    seen->stream_version = true;
    return GetUnsigned(value, key, &e->stream_version);
  }
  if (key == "recorded_at") {
    seen->recorded_at = true;
    std::string_view text;
    if (value.get_string().get(text) != sj::SUCCESS) return Bad(key, "must be a string");
    const Status s = events::ParseInstant(text, &e->recorded_at_ns);
    return s.ok() ? s : Bad(key, s.message());
  }
  if (key == "applied_bill_rate_minor") {
    int64_t rate = 0;
    CCL_RETURN_IF_ERROR(GetSigned(value, key, &rate));
    e->applied_bill_rate_minor = rate;
    return Status::OK();
  }
  if (key == "awaits_approval") {
    bool pending = false;
    if (value.get_bool().get(pending) != sj::SUCCESS) return Bad(key, "must be true or false");
    e->awaits_approval = pending;
    return Status::OK();
  }
  if (key == "hash") {
    seen->hash = true;
    return GetDigest(value, key, hash);
  }
  if (key == "sealed_balances_digest" || key == "sealed_margins_digest" || key == "sealed_totals") {
    if (!e->seal.has_value()) e->seal.emplace();
    if (key == "sealed_totals") {
      seen->totals = true;
      return GetSealedTotals(value, &e->seal->totals);
    }
    const bool balances = key == "sealed_balances_digest";
    (balances ? seen->balances_digest : seen->margins_digest) = true;
    return GetDigest(value, key, balances ? &e->seal->balances_digest : &e->seal->margins_digest);
  }
  return Status::OK();
}

}  // namespace

struct FeedEventReader::Impl {
  events::JsonEventParser writer_fields;
  od::parser parser;
  std::vector<char> buffer;  // the line, padded as simdjson reads past its end

  Status ReadAssigned(std::string_view line, events::Event* e, ledger::Hash* hash);
};

Status FeedEventReader::Impl::ReadAssigned(std::string_view line, events::Event* e,
                                           ledger::Hash* hash) {
  buffer.assign(line.size() + sj::SIMDJSON_PADDING, '\0');
  std::memcpy(buffer.data(), line.data(), line.size());
  od::document doc;
  od::object obj;
  if (parser.iterate(sj::padded_string_view(buffer.data(), line.size(), buffer.size())).get(doc) !=
          sj::SUCCESS ||
      doc.get_object().get(obj) != sj::SUCCESS) {
    return Status::InvalidArgument("invalid JSON: not an object");
  }
  Assigned seen;
  for (auto field_result : obj) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != sj::SUCCESS ||
        field.unescaped_key().get(key) != sj::SUCCESS) {
      return Status::InvalidArgument("invalid JSON");
    }
    od::value value = field.value();
    CCL_RETURN_IF_ERROR(ReadKey(key, value, e, hash, &seen));
  }
  if (!seen.seq) return Bad("seq", "required in an event the server sends");
  if (!seen.stream_version) return Bad("stream_version", "required in an event the server sends");
  if (!seen.recorded_at) return Bad("recorded_at", "required in an event the server sends");
  if (!seen.hash) return Bad("hash", "required in an event the server sends");
  const bool is_close = e->type == events::EventType::kPeriodClosed;
  if (is_close != (seen.balances_digest && seen.margins_digest && seen.totals)) {
    return Bad("sealed_totals", is_close ? "a PeriodClosed needs its three sealed figures"
                                         : "only a PeriodClosed carries sealed figures");
  }
  return Status::OK();
}

FeedEventReader::FeedEventReader() : impl_(std::make_unique<Impl>()) {}
FeedEventReader::~FeedEventReader() = default;

Status FeedEventReader::ReadUnchained(std::string_view line, FeedEvent* out) {
  assert(out != nullptr);
  CCL_RETURN_IF_ERROR(impl_->writer_fields.Parse(line, &out->event));
  return impl_->ReadAssigned(line, &out->event, &out->hash);
}

Status FeedEventReader::Read(std::string_view line, uint64_t previous_seq,
                             const ledger::Hash& previous, FeedEvent* out) {
  CCL_RETURN_IF_ERROR(ReadUnchained(line, out));
  const uint64_t seq = out->event.seq;
  if (seq != previous_seq + 1) {
    return Status::Corruption("server: event at seq " + std::to_string(seq) + " where seq " +
                              std::to_string(previous_seq + 1) + " was due");
  }
  out->bytes.clear();
  events::EncodeEvent(out->event, &out->bytes);
  if (ledger::ChainHash(previous, seq, out->bytes) != out->hash) {
    return Status::Corruption("server: the chain hash sent for seq " + std::to_string(seq) +
                              " does not follow from the event and the hash at seq " +
                              std::to_string(previous_seq) +
                              ": the event or the history before it differs from the ledger's");
  }
  return Status::OK();
}

}  // namespace ccl::sink
