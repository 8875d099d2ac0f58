// Fuzz target: projection snapshots (projections/folds/snapshot.h DecodeSnapshot)
// and the state decoders behind them (Projection::DeserializeState), which
// read bytes from the ledger's `projections` column family.
// First byte: bit 0 set appends the correct SHA-256 to the rest, so the
// fuzzer gets past the checksum into the header and state parsers; bits 1-2
// pick a projection whose DeserializeState also reads the raw rest.
// Properties: never crashes; errors are Corruption with a message; a state
// that decodes re-serializes to exactly the same bytes (the encoding is
// canonical), and a snapshot that decodes re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "projections/folds/registry.h"
#include "projections/folds/snapshot.h"
#include "tests/reliability/fuzz/fuzz_check.h"

namespace {

void CheckState(std::string_view name, std::string_view state) {
  std::unique_ptr<ccl::projections::Projection> p = ccl::projections::NewProjection(name);
  if (p == nullptr) return;
  if (!FuzzAccepted(p->DeserializeState(state), &ccl::Status::IsCorruption)) return;
  std::string again;
  p->SerializeState(&again);
  FUZZ_CHECK(again == state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::projections;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string_view name = ProjectionNames()[(mode >> 1) % ProjectionNames().size()];
  CheckState(name, bytes);
  if (mode & 1) {
    const Sha256 sum = Sha256Of(bytes);
    bytes.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  }
  SnapshotHeader header;
  std::string_view state;
  if (!FuzzAccepted(DecodeSnapshot(bytes, &header, &state), &ccl::Status::IsCorruption)) return 0;
  std::string encoded;
  EncodeSnapshot(header, state, &encoded);
  FUZZ_CHECK(encoded == bytes);
  CheckState(header.projection, state);
  return 0;
}
