// Strict reading of the small JSON documents of the audit trail (digests,
// proofs): one object, no duplicate or unknown keys, exact JSON types,
// canonical lower-case hex, bounded sizes. Internal to ccl_merkle; simdjson
// (error-code API) stays behind the pimpl so callers don't pay for its header.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/merkle.h"

namespace ccl::ledger::internal {

// Reads the whole file at `path` into *out. NotFound when it does not exist,
// IOError when it cannot be read, InvalidArgument when it is larger than
// bytes_max (the file is then not read further) or a part of `path` before
// its last is a file.
[[nodiscard]] Status ReadFileBounded(const std::string& path, size_t bytes_max, std::string* out);

// Creates `folder` (one level) unless it exists; durable (parent synced).
// InvalidArgument when `folder`, or a part of its path, is not a folder.
[[nodiscard]] Status EnsureFolder(const std::string& folder);

// InvalidArgument "<what>: field '<field>': <rule>": a document (digest,
// proof) that parses but breaks a rule of its format.
[[nodiscard]] Status BadField(std::string_view what, std::string_view field, std::string_view rule);

// Every failure is InvalidArgument "field 'x': <rule>" (or about the
// document): a file that does not parse is rejected input, exit code 1. Only
// the caller's check of what a well-formed file says against a ledger or a key
// is a verification failure (Corruption, exit code 3).
class JsonObjectReader {
 public:
  JsonObjectReader();
  ~JsonObjectReader();
  JsonObjectReader(const JsonObjectReader&) = delete;
  JsonObjectReader& operator=(const JsonObjectReader&) = delete;

  // Parses `text`, at most bytes_max bytes, that must be exactly one JSON
  // object with no key repeated.
  [[nodiscard]] Status Parse(std::string_view text, size_t bytes_max);
  // Every key present must be in `allowed`, every `required` one present.
  [[nodiscard]] Status CheckKeys(std::initializer_list<std::string_view> required,
                                 std::initializer_list<std::string_view> optional = {}) const;

  bool Has(std::string_view key) const;
  // Required fields of one JSON type each (a number given as a string, or a
  // fraction, is wrong).
  [[nodiscard]] Status String(std::string_view key, size_t bytes_max, std::string* out) const;
  [[nodiscard]] Status Uint(std::string_view key, uint64_t* out) const;
  [[nodiscard]] Status HashHex(std::string_view key, Hash* out) const;
  [[nodiscard]] Status HexBytes(std::string_view key, size_t bytes_max, std::string* out) const;
  [[nodiscard]] Status HashArray(std::string_view key, size_t count_max,
                                 std::vector<Hash>* out) const;
  // A nested object, read by *child (which borrows this reader's document:
  // use it only while this reader lives).
  [[nodiscard]] Status Object(std::string_view key, JsonObjectReader* child) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The head every audit-trail document starts with: appends "{" and the
// "format" and "ledger_id" fields, each on a line of its own, to *out.
void AppendDocumentHead(std::string_view format, std::string_view ledger_id, std::string* out);

// Reads what AppendDocumentHead wrote: parses `text` (at most bytes_max
// bytes) into *r, checks "format" first (so the wrong kind of file says so),
// then the keys (JsonObjectReader::CheckKeys), then "ledger_id", which must be
// a lower-case UUID, into *ledger_id. Failures are InvalidArgument
// "<what>: ...".
[[nodiscard]] Status ReadDocumentHead(std::string_view what, std::string_view text,
                                      size_t bytes_max, std::string_view format,
                                      std::initializer_list<std::string_view> required,
                                      std::initializer_list<std::string_view> optional,
                                      JsonObjectReader* r, std::string* ledger_id);

}  // namespace ccl::ledger::internal
