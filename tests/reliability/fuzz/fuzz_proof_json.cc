// Fuzz target: inclusion and consistency proof files (ledger/merkle/proof.h).
// Both parsers see every input. Properties: never crashes; errors are
// Corruption with a message; an accepted proof prints to JSON that parses
// back to the same proof; checking it against a digest of the same ledger
// and size returns a Status without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/merkle/digest.h"
#include "ledger/merkle/proof.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledger;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ProofKind kind;
  FuzzAccepted(DetectProofKind(text, &kind), &ccl::Status::IsInvalidArgument);

  InclusionProof inclusion;
  if (FuzzAccepted(ParseInclusionProofJson(text, &inclusion), &ccl::Status::IsInvalidArgument)) {
    FuzzCheckPrintsBack(inclusion, ParseInclusionProofJson, InclusionProofToJson);
    Digest d;
    d.ledger_id = inclusion.ledger_id;
    d.tree_size = d.head_seq = inclusion.tree_size;
    CheckInclusionProof(inclusion, d).IgnoreError();
  }

  ConsistencyProof consistency;
  if (FuzzAccepted(ParseConsistencyProofJson(text, &consistency),
                   &ccl::Status::IsInvalidArgument)) {
    FuzzCheckPrintsBack(consistency, ParseConsistencyProofJson, ConsistencyProofToJson);
    Digest old_digest, new_digest;
    old_digest.ledger_id = new_digest.ledger_id = consistency.ledger_id;
    old_digest.tree_size = old_digest.head_seq = consistency.old_size;
    new_digest.tree_size = new_digest.head_seq = consistency.new_size;
    CheckConsistencyProof(consistency, old_digest, new_digest).IgnoreError();
  }
  return 0;
}
