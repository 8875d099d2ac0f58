#include "tools/server/framing.h"

#include <boost/algorithm/string/predicate.hpp>
#include <string>

#include "events/base/quote.h"

namespace ccl::ledgerd {

namespace http = boost::beast::http;

std::optional<ApiError> FramingError(const http::request<http::string_body>& req) {
  const size_t codings = req.count(http::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (req.version() < 11) {
    return HttpError(400, "bad_request", "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (req.count(http::field::content_length) != 0) {
    return HttpError(400, "bad_request", "Transfer-Encoding beside Content-Length");
  }
  const auto field = req[http::field::transfer_encoding];
  std::string_view coding(field.data(), field.size());
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
    coding.remove_prefix(1);
  }
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
    coding.remove_suffix(1);
  }
  if (codings != 1 || !boost::iequals(coding, "chunked")) {
    return HttpError(501, "not_implemented",
                     "Transfer-Encoding " + events::QuoteForMessage(coding) +
                         (codings != 1 ? " and more" : "") +
                         ": only a single 'chunked' is understood");
  }
  return std::nullopt;
}

std::optional<ApiError> HostError(const http::request<http::string_body>& req) {
  const size_t hosts = req.count(http::field::host);
  if (hosts == 1 || (hosts == 0 && req.version() < 11)) return std::nullopt;
  return HttpError(400, "bad_request",
                   hosts == 0 ? "an HTTP/1.1 request without a Host field"
                              : "a request with " + std::to_string(hosts) + " Host fields");
}

std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}

}  // namespace ccl::ledgerd
