// How a request read by ledgerd says where its body ends, whom it is for
// and what its body holds: checks of its header's fields that decide, before
// any routing, whether the request can be read at all. Internal to
// ccl_server (session.cc).
#pragma once

#include <boost/beast/http.hpp>
#include <optional>
#include <string_view>

#include "tools/access/api_error.h"

namespace ccl::ledgerd {

// What is wrong with how the request says where its body ends, if anything
// (RFC 9112 6.1, 6.3): a Transfer-Encoding other than exactly one `chunked`,
// or one beside a Content-Length, or in HTTP/1.0. The parser reads a coding
// it does not know as no body at all, and the body would then be read as
// the next request on the connection (request smuggling behind a proxy that
// reads it otherwise): such a request is refused and its connection closed.
std::optional<ApiError> FramingError(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

// An HTTP/1.1 request names its host in exactly one Host field (RFC 9112
// 3.2): one without, or with two, is refused as malformed.
std::optional<ApiError> HostError(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

// The media type of a Content-Type value, without its parameters
// (";charset=...").
std::string_view MediaType(std::string_view content_type);

}  // namespace ccl::ledgerd
