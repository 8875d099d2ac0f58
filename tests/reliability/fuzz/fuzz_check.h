// FUZZ_CHECK: a property of a fuzz target. On failure prints the condition
// and aborts, which libFuzzer (and the corpus replay tests) report as a crash
// with the input that caused it. And the properties every event a target
// accepts, and every document it accepts and prints back, must have.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "events/base/status.h"
#include "events/model/codec.h"
#include "events/model/event.h"
#include "events/model/validate.h"

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

// Whether the parser under test accepted its input (`s` is OK). A refusal must
// carry a message and be of a kind `expected` allows (a Status predicate such
// as &ccl::Status::IsCorruption); else the target fails, printing the refusal.
template <typename Expected>
bool FuzzAccepted(const ccl::Status& s, Expected&& expected) {
  if (s.ok()) return true;
  if (!std::invoke(expected, s) || s.message().empty()) {
    std::fprintf(stderr, "fuzz property failed: refused as %s\n", s.ToString().c_str());
    std::abort();
  }
  return false;
}

// A document `parse` accepted as `value` prints (`print`) to one that parses
// back to the same value and prints to the same text again (the printed form
// is canonical).
template <typename T, typename Parse, typename Print>
void FuzzCheckPrintsBack(const T& value, Parse&& parse, Print&& print) {
  const std::string printed = print(value);
  T again;
  FUZZ_CHECK(parse(printed, &again).ok());
  FUZZ_CHECK(again == value);
  FUZZ_CHECK(print(again) == printed);
}

// An accepted event is valid, and its encoded bytes decode to the same event.
// Returns those bytes.
inline std::string FuzzCheckValidAndRoundTrips(const ccl::events::Event& e) {
  FUZZ_CHECK(ccl::events::ValidateEvent(e).ok());
  std::string bytes;
  ccl::events::EncodeEvent(e, &bytes);
  ccl::events::Event decoded;
  FUZZ_CHECK(ccl::events::DecodeEvent(bytes, &decoded).ok());
  FUZZ_CHECK(decoded == e);
  return bytes;
}
