// Fuzz target: the ledger's own stored values and keys that it decodes on
// open and on every append (ledger/contract_state.h, ledger/keys.h): the
// write-model contract and escalation states, the head, the streams and
// escalations keys. A damaged ledger may hold any bytes there; the decoders
// must refuse them, never crash. Properties: what decodes re-encodes to the
// same bytes (the encodings are canonical).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/contract_state.h"
#include "ledger/keys.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledger;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  ContractState c;
  ccl::Status s = DecodeContractState(bytes, &c);
  if (s.ok()) {
    std::string again;
    EncodeContractState(c, &again);
    FUZZ_CHECK(again == bytes);
  } else {
    FUZZ_CHECK(s.IsCorruption() && !s.message().empty());
  }

  EscalationState esc;
  s = DecodeEscalationState(bytes, &esc);
  if (s.ok()) {
    FUZZ_CHECK(EncodeEscalationState(esc) == bytes);
  } else {
    FUZZ_CHECK(s.IsCorruption() && !s.message().empty());
  }

  Head head;
  if (DecodeHead(bytes, &head)) FUZZ_CHECK(EncodeHead(head) == bytes);

  std::string_view contract, escalation;
  uint64_t version = 0;
  if (ParseStreamKey(bytes, &contract, &version)) {
    FUZZ_CHECK(StreamKey(contract, version) == bytes);
  }
  if (ParseEscalationKey(bytes, &contract, &escalation)) {
    FUZZ_CHECK(EscalationKey(contract, escalation) == bytes);
  }
  return 0;
}
