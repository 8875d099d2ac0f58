#include "ledger/merkle/merkle_json.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "events/base/csv_cell.h"
#include "events/base/durable_file.h"
#include "events/base/hex.h"
#include "events/model/uuid.h"

namespace ccl::ledger::internal {
namespace {

// A malformed document is rejected input (InvalidArgument); whether a
// well-formed one matches a ledger is its caller's check (Corruption).
Status FieldError(std::string_view key, std::string_view rule) {
  return Status::InvalidArgument("field '" + std::string(key) + "': " + std::string(rule));
}

}  // namespace

Status BadField(std::string_view what, std::string_view field, std::string_view rule) {
  return Status::InvalidArgument(std::string(what) + ": field '" + std::string(field) +
                                 "': " + std::string(rule));
}

Status EnsureFolder(const std::string& folder) {
  if (::mkdir(folder.c_str(), 0755) == 0) {
    return events::SyncParentDirectory(folder);
  }
  const int err = errno;
  // A file where the folder should be, or under a file: the caller named
  // the wrong path (exit 1), not a failing disk.
  if (err == EEXIST || err == ENOTDIR) return events::CheckFolderPath(folder);
  return Status::IOError(folder + ": " + std::strerror(err));
}

Status ReadFileBounded(const std::string& path, size_t bytes_max, std::string* out) {
  out->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    if (errno == ENOTDIR) return Status::InvalidArgument(path + ": a part of it is not a folder");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string err = std::strerror(errno);
      ::close(fd);
      return Status::IOError(path + ": " + err);
    }
    if (n == 0) break;
    if (out->size() + static_cast<size_t>(n) > bytes_max) {
      ::close(fd);
      return Status::InvalidArgument(path + ": larger than " + std::to_string(bytes_max) +
                                     " bytes");
    }
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

struct JsonObjectReader::Impl {
  // Owns the document for a top-level reader; null for a child, whose object
  // lives in its parent's parser.
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::object object;
  bool valid = false;

  // The value of `key`, or NOT_FOUND. Keys are unique (checked on parse).
  simdjson::error_code Find(std::string_view key, simdjson::dom::element* out) const {
    if (!valid) return simdjson::NO_SUCH_FIELD;
    return object.at_key(key).get(*out);
  }

  Status CheckUnique() const {
    // Objects here have under a dozen keys: quadratic is fine and bounded.
    size_t i = 0;
    for (simdjson::dom::key_value_pair a : object) {
      size_t j = 0;
      for (simdjson::dom::key_value_pair b : object) {
        if (j >= i) break;
        if (a.key == b.key) return FieldError(a.key, "appears twice");
        ++j;
      }
      if (++i > 64) return Status::InvalidArgument("object has more than 64 keys");
    }
    return Status::OK();
  }
};

JsonObjectReader::JsonObjectReader() : impl_(std::make_unique<Impl>()) {}
JsonObjectReader::~JsonObjectReader() = default;

Status JsonObjectReader::Parse(std::string_view text, size_t bytes_max) {
  impl_->valid = false;
  if (text.size() > bytes_max) {
    return Status::InvalidArgument("document of " + std::to_string(text.size()) +
                                   " bytes exceeds the maximum of " + std::to_string(bytes_max));
  }
  // Depth 8 is plenty (the deepest document is object > object) and caps the
  // parser's work on hostile nesting.
  impl_->parser = std::make_unique<simdjson::dom::parser>(bytes_max + 64);
  if (impl_->parser->allocate(text.size() + 64, 8) != simdjson::SUCCESS) {
    return Status::Corruption("cannot allocate a JSON parser");
  }
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::error_code err = impl_->parser->parse(padded).get(root);
  if (err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (root.get_object().get(impl_->object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("not a JSON object");
  }
  impl_->valid = true;
  return impl_->CheckUnique();
}

Status JsonObjectReader::CheckKeys(std::initializer_list<std::string_view> required,
                                   std::initializer_list<std::string_view> optional) const {
  if (!impl_->valid) return Status::InvalidArgument("no JSON object");
  for (simdjson::dom::key_value_pair field : impl_->object) {
    bool known = false;
    for (std::string_view k : required) known = known || k == field.key;
    for (std::string_view k : optional) known = known || k == field.key;
    if (!known) return FieldError(field.key, "unknown field");
  }
  for (std::string_view k : required) {
    if (!Has(k)) return FieldError(k, "missing");
  }
  return Status::OK();
}

bool JsonObjectReader::Has(std::string_view key) const {
  simdjson::dom::element e;
  return impl_->Find(key, &e) == simdjson::SUCCESS;
}

Status JsonObjectReader::String(std::string_view key, size_t bytes_max, std::string* out) const {
  simdjson::dom::element e;
  if (impl_->Find(key, &e) != simdjson::SUCCESS) return FieldError(key, "missing");
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return FieldError(key, "must be a string");
  if (s.size() > bytes_max) {
    return FieldError(key, "longer than " + std::to_string(bytes_max) + " bytes");
  }
  out->assign(s);
  return Status::OK();
}

Status JsonObjectReader::Uint(std::string_view key, uint64_t* out) const {
  simdjson::dom::element e;
  if (impl_->Find(key, &e) != simdjson::SUCCESS) return FieldError(key, "missing");
  // get_uint64 refuses fractions, exponents, negatives and strings.
  if (!e.is_int64() && !e.is_uint64()) return FieldError(key, "must be a non-negative integer");
  if (e.get_uint64().get(*out) != simdjson::SUCCESS) {
    return FieldError(key, "must be a non-negative integer");
  }
  return Status::OK();
}

Status JsonObjectReader::HashHex(std::string_view key, Hash* out) const {
  std::string s;
  CCL_RETURN_IF_ERROR(String(key, 64, &s));
  if (!HexDecode(s, *out)) return FieldError(key, "must be 64 lower-case hex digits");
  return Status::OK();
}

Status JsonObjectReader::HexBytes(std::string_view key, size_t bytes_max, std::string* out) const {
  std::string s;
  CCL_RETURN_IF_ERROR(String(key, 2 * bytes_max, &s));
  if (!HexDecodeString(s, 2 * bytes_max, out)) {
    return FieldError(key, "must be an even number of lower-case hex digits");
  }
  return Status::OK();
}

Status JsonObjectReader::HashArray(std::string_view key, size_t count_max,
                                   std::vector<Hash>* out) const {
  out->clear();
  simdjson::dom::element e;
  if (impl_->Find(key, &e) != simdjson::SUCCESS) return FieldError(key, "missing");
  simdjson::dom::array array;
  if (e.get_array().get(array) != simdjson::SUCCESS) return FieldError(key, "must be an array");
  for (simdjson::dom::element item : array) {
    if (out->size() >= count_max) {
      return FieldError(key, "more than " + std::to_string(count_max) + " hashes");
    }
    std::string_view s;
    Hash h;
    if (item.get_string().get(s) != simdjson::SUCCESS || !HexDecode(s, h)) {
      return FieldError(
          key, "item " + std::to_string(out->size()) + " must be 64 lower-case hex digits");
    }
    out->push_back(h);
  }
  return Status::OK();
}

Status JsonObjectReader::Object(std::string_view key, JsonObjectReader* child) const {
  simdjson::dom::element e;
  if (impl_->Find(key, &e) != simdjson::SUCCESS) return FieldError(key, "missing");
  child->impl_->parser.reset();
  child->impl_->valid = false;
  if (e.get_object().get(child->impl_->object) != simdjson::SUCCESS) {
    return FieldError(key, "must be an object");
  }
  child->impl_->valid = true;
  Status s = child->impl_->CheckUnique();
  return s.ok() ? s : s.WithContext("field '" + std::string(key) + "'");
}

void AppendDocumentHead(std::string_view format, std::string_view ledger_id, std::string* out) {
  out->append("{\n  \"format\": ");
  events::AppendJsonString(format, out, /*escape_del_c1=*/false);
  out->append(",\n  \"ledger_id\": ");
  events::AppendJsonString(ledger_id, out, /*escape_del_c1=*/false);
}

Status ReadDocumentHead(std::string_view what, std::string_view text, size_t bytes_max,
                        std::string_view format, std::initializer_list<std::string_view> required,
                        std::initializer_list<std::string_view> optional, JsonObjectReader* r,
                        std::string* ledger_id) {
  Status s = r->Parse(text, bytes_max);
  if (!s.ok()) return s.WithContext(what);
  std::string got;
  if (!r->String("format", 64, &got).ok() || got != format) {
    return BadField(what, "format", "must be \"" + std::string(format) + "\"");
  }
  s = r->CheckKeys(required, optional);
  if (!s.ok()) return s.WithContext(what);
  events::Uuid uuid;
  if (!r->String("ledger_id", 36, ledger_id).ok() || !events::ParseUuid(*ledger_id, &uuid) ||
      events::FormatUuid(uuid) != *ledger_id) {
    return BadField(what, "ledger_id", "must be a lower-case UUID (8-4-4-4-12 hex digits)");
  }
  return Status::OK();
}

}  // namespace ccl::ledger::internal
