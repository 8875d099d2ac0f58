// Fuzz target: a request target as ledgerd reads it, the path matched
// against the route table (tools/server/routes.h) and the query string
// parsed for that route (tools/server/query.h). Input: "PATH?QUERY" (the
// first '?' splits). Properties: never crashes; a matched route has one
// non-empty parameter per {name} of its pattern and no '/' in any; a
// rejected query is 400 naming a field; an accepted one holds only the
// route's parameters, free of control characters, and Number() on each gives
// a value within its bound or a 400 naming it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/reliability/fuzz/fuzz_check.h"
#include "tools/server/query.h"
#include "tools/server/routes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledgerd;
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view raw =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  for (const char* method : {"GET", "POST"}) {
    std::vector<std::string> params;
    unsigned status = 0;
    const Route* r = MatchRoute(method, path, &params, &status);
    if (r == nullptr) {
      FUZZ_CHECK(status == 404 || status == 405);
      continue;
    }
    size_t names = 0;
    for (char c : r->pattern) names += c == '{';
    FUZZ_CHECK(params.size() == names);
    for (const std::string& p : params) {
      FUZZ_CHECK(!p.empty() && p.find('/') == std::string::npos);
    }
    Query query;
    auto e = Query::Parse(raw, r->params, &query);
    if (e) {
      FUZZ_CHECK(e->http_status == 400 && !e->field.empty() && !e->message.empty());
      continue;
    }
    for (std::string_view name : r->params) {
      for (char c : query.Get(name)) {
        FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      }
      uint64_t v = 0;
      auto bad = query.Number(name, 7, 1000, &v);
      FUZZ_CHECK(bad ? bad->field == name : v <= 1000);
    }
  }
  return 0;
}
