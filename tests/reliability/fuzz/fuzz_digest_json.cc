// Fuzz target: digest files (ledger/merkle/digest.h ParseDigestJson), which an
// auditor receives from outside. Properties: never crashes; errors are
// Corruption with a message; an accepted digest prints (DigestToJson) to a
// document that parses back to the same digest, and checking its signature
// returns a Status without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/merkle/digest.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledger;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Digest d;
  // Malformed: InvalidArgument; only a size-0 root that is not the empty
  // tree's is a hash mismatch (Corruption).
  const auto malformed_or_mismatch = [](const ccl::Status& s) {
    return s.IsInvalidArgument() || s.IsCorruption();
  };
  if (!FuzzAccepted(ParseDigestJson(text, &d), malformed_or_mismatch)) return 0;
  FuzzCheckPrintsBack(d, ParseDigestJson, DigestToJson);
  CheckDigestSignature(d, nullptr).IgnoreError();
  return 0;
}
