// Fuzz target: the ledger's own stored values and keys that it decodes on
// open and on every append (ledger/store/contract_state.h, ledger/store/keys.h): the
// write-model contract and escalation states, the head, the streams keys
// and values (format 2: BE64 seq || a copy of the stored event, decoded like
// any stored event) and the escalations keys. A damaged ledger may hold any bytes there; the
// decoders must refuse them, never crash. Properties: what decodes re-encodes to the same bytes
// (the encodings are canonical).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/model/codec.h"
#include "events/model/event.h"
#include "ledger/store/contract_state.h"
#include "ledger/store/keys.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledger;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  ContractState c;
  if (FuzzAccepted(DecodeContractState(bytes, &c), &ccl::Status::IsCorruption)) {
    std::string again;
    EncodeContractState(c, &again);
    FUZZ_CHECK(again == bytes);
  }

  EscalationState esc;
  if (FuzzAccepted(DecodeEscalationState(bytes, &esc), &ccl::Status::IsCorruption)) {
    FUZZ_CHECK(EncodeEscalationState(esc) == bytes);
  }

  Head head;
  if (DecodeHead(bytes, &head)) FUZZ_CHECK(EncodeHead(head) == bytes);

  std::string_view contract, escalation;
  uint64_t version = 0;
  if (ParseStreamKey(bytes, &contract, &version)) {
    FUZZ_CHECK(StreamKey(contract, version) == bytes);
  }
  uint64_t seq = 0;
  std::string_view stored;
  if (ParseStreamValue(bytes, &seq, &stored)) {
    std::string again;
    StreamValueInto(seq, stored, &again);
    FUZZ_CHECK(again == bytes);
    // What a stream iterator does with the copy: decode it (Verifier and
    // validation), refusing what is not an event.
    ccl::events::Event e;
    ccl::Status d = ccl::events::DecodeEvent(stored, &e);
    FUZZ_CHECK(d.ok() || !d.message().empty());
  } else {
    FUZZ_CHECK(bytes.size() < 8);
  }
  if (ParseEscalationKey(bytes, &contract, &escalation)) {
    FUZZ_CHECK(EscalationKey(contract, escalation) == bytes);
  }
  return 0;
}
