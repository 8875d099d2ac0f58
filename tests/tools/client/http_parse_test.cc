// The client's parsers of server output (tools/client/http_parse.h) against
// well-formed and malformed responses, fed whole and in every split: a limit
// hit or a broken protocol is an IOError naming it, and nothing waits for
// bytes that can never make the input valid.
#include "tools/client/http_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccl::client {
namespace {

struct Parsed {
  Status status;
  bool done = false;
  unsigned code = 0;
  std::string body;
};

// Feeds `bytes` in pieces of `piece` bytes (0: whole), then the end of the
// connection when `eof`.
Parsed Read(std::string_view bytes, size_t piece, bool eof, size_t header_max = 1024) {
  ResponseReader reader(header_max);
  Parsed p;
  const BodySink sink = [&](std::string_view b) {
    p.body.append(b);
    return Status::OK();
  };
  const size_t step = piece == 0 ? bytes.size() : piece;
  for (size_t at = 0; at < bytes.size() && p.status.ok() && !reader.done(); at += step) {
    p.status = reader.Feed(bytes.substr(at, step), sink);
  }
  if (p.status.ok() && eof) p.status = reader.FeedEof();
  p.done = reader.done();
  if (reader.header_done()) p.code = reader.status();
  return p;
}

TEST(ResponseReaderTest, ContentLengthBodyInEverySplit) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
      "11\r\n\r\n{\"a\":\"xyz\"}";
  for (size_t piece = 0; piece <= 7; ++piece) {
    Parsed p = Read(r, piece, false);
    ASSERT_TRUE(p.status.ok()) << piece << ": " << p.status.ToString();
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.code, 200u);
    EXPECT_EQ(p.body, "{\"a\":\"xyz\"}");
  }
}

TEST(ResponseReaderTest, HeadersAreListedInOrderWithLowerCaseNames) {
  ResponseReader reader(1024);
  const std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nLedger-Sealed-Close: {\"seq\":7}\r\n"
      "Content-Length: 0\r\n\r\n";
  ASSERT_TRUE(reader.Feed(r, [](std::string_view) { return Status::OK(); }).ok());
  ASSERT_TRUE(reader.header_done());
  const std::vector<std::pair<std::string, std::string>> want = {
      {"content-type", "text/csv"},
      {"ledger-sealed-close", "{\"seq\":7}"},
      {"content-length", "0"}};
  EXPECT_EQ(reader.headers(), want);
  Response response;
  response.headers = reader.headers();
  EXPECT_EQ(response.Header("ledger-sealed-close"), "{\"seq\":7}");
  EXPECT_EQ(response.Header("absent"), "");
}

TEST(ResponseReaderTest, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t piece : {0, 1, 2, 5}) {
    Parsed p = Read(r, piece, false);
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body, "abcdefg");
  }
}

TEST(ResponseReaderTest, BodyUpToTheCloseEndsAtEof) {
  Parsed p = Read("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline 1\nline 2", 3, true);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, "line 1\nline 2");
}

TEST(ResponseReaderTest, MalformedStatusLineIsAnIoError) {
  for (const char* r : {"HTTP/1.1 2x0 OK\r\n\r\n", "SMTP ready\r\n\r\n", "HTTP/9.9 200 OK\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n"}) {
    Parsed p = Read(r, 0, true);
    EXPECT_TRUE(p.status.IsIOError()) << r;
    EXPECT_NE(p.status.message().find("malformed HTTP response"), std::string::npos)
        << p.status.message();
  }
}

TEST(ResponseReaderTest, HeaderOverTheLimitFailsBeforeItEnds) {
  // A header that never ends, fed slowly: refused once past the limit,
  // never held waiting for its end.
  std::string endless = "HTTP/1.1 200 OK\r\n";
  while (endless.size() < 4096) endless += "X-Padding: aaaaaaaaaaaaaaaa\r\n";
  Parsed p = Read(endless, 100, false, 1024);
  ASSERT_TRUE(p.status.IsIOError()) << p.status.ToString();
  EXPECT_NE(p.status.message().find("over 1024 bytes (limit response header)"), std::string::npos)
      << p.status.message();
  // A complete header over the limit too.
  Parsed whole = Read(endless + "\r\n", 0, false, 1024);
  EXPECT_TRUE(whole.status.IsIOError());
  // Just under it is fine.
  Parsed under = Read("HTTP/1.1 204 No Content\r\n\r\n", 0, false, 1024);
  EXPECT_TRUE(under.status.ok() && under.done && under.code == 204);
}

TEST(ResponseReaderTest, BadChunkSizeIsAnIoError) {
  for (const char* body : {"zz\r\nab\r\n0\r\n\r\n", "ffffffffffffffffff\r\n", "2\r\nabc\r\n"}) {
    Parsed p =
        Read(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + body, 0, true);
    EXPECT_TRUE(p.status.IsIOError()) << body;
    EXPECT_FALSE(p.done);
  }
}

TEST(ResponseReaderTest, ConnectionClosedEarlyIsAnIoErrorSayingWhere) {
  Parsed none = Read("", 0, true);
  EXPECT_NE(none.status.message().find("without a response"), std::string::npos);
  Parsed mid_header = Read("HTTP/1.1 200 OK\r\nContent-Le", 0, true);
  EXPECT_NE(mid_header.status.message().find("mid-header"), std::string::npos);
  Parsed mid_body = Read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, true);
  EXPECT_NE(mid_body.status.message().find("mid-body"), std::string::npos);
  Parsed mid_chunk = Read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, true);
  EXPECT_TRUE(mid_chunk.status.IsIOError());
}

TEST(ResponseReaderTest, SinkErrorStopsTheRead) {
  ResponseReader reader(1024);
  Status s = reader.Feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                         [](std::string_view) { return Status::NotFound("stop here"); });
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "stop here");
}

TEST(ResponseReaderTest, BytesAfterTheResponseEndKeepAlive) {
  ResponseReader reader(1024);
  const BodySink sink = [](std::string_view) { return Status::OK(); };
  ASSERT_TRUE(reader.Feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1", sink).ok());
  EXPECT_TRUE(reader.done());
  EXPECT_FALSE(reader.keep_alive());
}

std::vector<std::string> Lines(std::string_view body, size_t piece, size_t max, Status* status) {
  LineSplitter splitter(max);
  std::vector<std::string> out;
  const LineCallback cb = [&](std::string_view l) {
    out.emplace_back(l);
    return Status::OK();
  };
  *status = Status::OK();
  const size_t step = piece == 0 ? body.size() : piece;
  for (size_t at = 0; at < body.size() && status->ok(); at += step) {
    *status = splitter.Feed(body.substr(at, step), cb);
  }
  if (status->ok()) *status = splitter.Finish(cb);
  return out;
}

TEST(LineSplitterTest, LinesInEverySplit) {
  for (size_t piece = 0; piece <= 4; ++piece) {
    Status s;
    auto lines = Lines("a\r\nbc\n\nlast", piece, 16, &s);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "bc", "", "last"})) << piece;
  }
}

TEST(LineSplitterTest, LineOverTheLimitFailsWithoutItsEnd) {
  Status s;
  Lines(std::string(100, 'x'), 7, 16, &s);  // never ends: refused at 17 bytes
  ASSERT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("longer than 16 bytes (limit response line)"), std::string::npos);
  auto ok = Lines(std::string(16, 'x') + "\r\n", 5, 16, &s);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(ok.size(), 1u);
  Lines(std::string(17, 'x') + "\n", 0, 16, &s);
  EXPECT_TRUE(s.IsIOError());
}

TEST(LineSplitterTest, CallerStops) {
  LineSplitter splitter(16);
  int seen = 0;
  Status s = splitter.Feed("a\nb\nc\n", [&](std::string_view) {
    return ++seen == 2 ? Status::Busy("enough") : Status::OK();
  });
  EXPECT_TRUE(s.IsBusy());
  EXPECT_EQ(seen, 2);
}

std::vector<SseEvent> Events(std::string_view stream, size_t max, Status* status) {
  LineSplitter lines(1024);
  SseParser sse(max);
  std::vector<SseEvent> out;
  const SseCallback on_event = [&](const SseEvent& e) {
    out.push_back(e);
    return Status::OK();
  };
  *status = lines.Feed(stream, [&](std::string_view l) { return sse.Line(l, on_event); });
  return out;
}

TEST(SseParserTest, EventsIdsDataAndHeartbeats) {
  Status s;
  auto events = Events(
      ": heartbeat\n\nid: 1\ndata: {\"seq\":1}\n\nid: 2\ndata: a\ndata:b\nevent: x\n\n"
      "data\n\n",
      1024, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].id, "1");
  EXPECT_EQ(events[0].data, "{\"seq\":1}");
  EXPECT_EQ(events[1].id, "2");
  EXPECT_EQ(events[1].data, "a\nb");
  EXPECT_EQ(events[2].id, "");
  EXPECT_EQ(events[2].data, "");
}

TEST(SseParserTest, EventOverTheLimitAndUnknownFieldsAreIoErrors) {
  Status s;
  Events("data: " + std::string(40, 'x') + "\ndata: " + std::string(40, 'x') + "\n\n", 64, &s);
  ASSERT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("limit response line"), std::string::npos);
  Events("bogus: 1\n\n", 64, &s);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("unknown field 'bogus'"), std::string::npos) << s.message();
}

TEST(SseParserTest, KnowsWhenTheStreamStoppedInsideAnEvent) {
  SseParser sse(64);
  const SseCallback ignore = [](const SseEvent&) { return Status::OK(); };
  EXPECT_TRUE(sse.between_events());
  ASSERT_TRUE(sse.Line("id: 3", ignore).ok());
  EXPECT_FALSE(sse.between_events());
  ASSERT_TRUE(sse.Line("", ignore).ok());
  EXPECT_TRUE(sse.between_events());
}

TEST(ServerErrorTest, ErrorBodyFieldsAndTheirStatusCode) {
  ServerError e = ParseServerError(
      422, R"j({"error":{"code":"rule_violation","message":"line 2: no contract (rule R-X-01)",)j"
           R"j("field":"contract","line":2,"seq":null}})j");
  EXPECT_EQ(e.code, "rule_violation");
  EXPECT_EQ(e.message, "line 2: no contract (rule R-X-01)");
  EXPECT_EQ(e.field, "contract");
  EXPECT_EQ(e.line, 2u);
  EXPECT_FALSE(e.seq.has_value());
  Status s = StatusOfServerError(e);
  EXPECT_TRUE(s.IsRuleViolation());
  EXPECT_EQ(s.message(), e.message);

  const std::pair<const char*, Status::Code> codes[] = {
      {"invalid_argument", Status::Code::kInvalidArgument},
      {"conflict", Status::Code::kConflict},
      {"not_found", Status::Code::kNotFound},
      {"corruption", Status::Code::kCorruption},
      {"io_error", Status::Code::kIOError},
      {"busy", Status::Code::kBusy}};
  for (const auto& [code, expected] : codes) {
    const std::string body =
        std::string(R"({"error":{"code":")") + code + R"(","message":"m","field":null}})";
    EXPECT_EQ(StatusOfServerError(ParseServerError(400, body)).code(), expected) << code;
  }
}

TEST(ServerErrorTest, OtherCodesGoByHttpStatus) {
  const std::string forbidden = R"({"error":{"code":"forbidden","message":"no role"}})";
  EXPECT_TRUE(StatusOfServerError(ParseServerError(403, forbidden)).IsIOError());
  EXPECT_TRUE(StatusOfServerError(ParseServerError(413, "{}")).IsInvalidArgument());
  EXPECT_TRUE(StatusOfServerError(ParseServerError(503, "")).IsBusy());
  ServerError garbage = ParseServerError(502, "<html>bad gateway</html>");
  EXPECT_EQ(garbage.code, "");
  EXPECT_EQ(garbage.message, "the server answered HTTP 502");
  EXPECT_TRUE(StatusOfServerError(garbage).IsIOError());
  // Wrong JSON types are no error body either.
  ServerError typed = ParseServerError(400, R"({"error":{"code":1,"message":"m"}})");
  EXPECT_EQ(typed.code, "");
}

}  // namespace
}  // namespace ccl::client
