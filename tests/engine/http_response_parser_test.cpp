#include <gtest/gtest.h>

#include <string>

#include "engine/http/response_parser.hpp"

namespace rb::http {
namespace {

// What parsing one response produced, for comparing whole and split input.
struct Parsed {
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;
  int code = 0;
  bool keep_alive = false;
  std::uint64_t body_bytes = 0;
  std::optional<std::string> retry_after;
  std::optional<std::string> retry_after_ms;
};

Parsed collect(ResponseParser& parser, ParseStatus status, std::size_t consumed) {
  Parsed out;
  out.status = status;
  out.consumed = consumed;
  out.code = parser.status();
  out.keep_alive = parser.keep_alive();
  out.body_bytes = parser.body_bytes();
  out.retry_after = parser.retry_after();
  out.retry_after_ms = parser.retry_after_ms();
  return out;
}

// Feeds `input` in pieces of `step` bytes (0: all at once); `eof` then signals the close.
Parsed parse(const std::string& input, std::size_t step, bool eof = false, bool head = false,
             ParserLimits limits = {}) {
  ResponseParser parser(limits);
  parser.reset(head);
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t total = 0;
  const std::size_t piece = step == 0 ? input.size() : step;
  for (std::size_t at = 0; at < input.size() && status == ParseStatus::kNeedMore; at += piece) {
    std::size_t consumed = 0;
    status = parser.feed(input.data() + at, std::min(piece, input.size() - at), consumed);
    total += consumed;
  }
  if (eof && status == ParseStatus::kNeedMore) {
    status = parser.finish();
  }
  return collect(parser, status, total);
}

void expect_same(const Parsed& a, const Parsed& b) {
  EXPECT_EQ(a.status, b.status);
  if (a.status == ParseStatus::kError) {
    return;  // after an error nothing else is meaningful
  }
  EXPECT_EQ(a.consumed, b.consumed);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.keep_alive, b.keep_alive);
  EXPECT_EQ(a.body_bytes, b.body_bytes);
  EXPECT_EQ(a.retry_after, b.retry_after);
  EXPECT_EQ(a.retry_after_ms, b.retry_after_ms);
}

// Parses whole and byte by byte and checks both agree; returns the whole result.
Parsed parse_both_ways(const std::string& input, bool eof = false, bool head = false) {
  const Parsed whole = parse(input, 0, eof, head);
  const Parsed bytewise = parse(input, 1, eof, head);
  expect_same(whole, bytewise);
  return whole;
}

TEST(HttpResponseParser, ContentLengthBody) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: t\r\n\r\nhello";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.code, 200);
  EXPECT_TRUE(parsed.keep_alive);
  EXPECT_EQ(parsed.body_bytes, 5u);
  EXPECT_EQ(parsed.consumed, input.size());
}

TEST(HttpResponseParser, ChunkedBody) {
  const std::string input =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.body_bytes, 12u);
  EXPECT_TRUE(parsed.keep_alive);
  EXPECT_EQ(parsed.consumed, input.size());
}

TEST(HttpResponseParser, CloseDelimitedBody) {
  const std::string input = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end";
  const Parsed open = parse(input, 0);
  EXPECT_EQ(open.status, ParseStatus::kNeedMore);
  const Parsed parsed = parse_both_ways(input, /*eof=*/true);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.body_bytes, 13u);
  EXPECT_FALSE(parsed.keep_alive);
}

TEST(HttpResponseParser, InterimResponseSkipped) {
  const std::string input =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nretry-after-ms: 6500\r\n"
      "Content-Length: 0\r\n\r\n";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.code, 429);
  EXPECT_EQ(parsed.retry_after, "7");
  EXPECT_EQ(parsed.retry_after_ms, "6500");
  EXPECT_EQ(parsed.consumed, input.size());
}

TEST(HttpResponseParser, NoContentHasNoBody) {
  const std::string response = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";
  const std::string input = response + "HTTP/1.1 200 OK\r\n";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.code, 204);
  EXPECT_EQ(parsed.body_bytes, 0u);
  EXPECT_EQ(parsed.consumed, response.size());
}

TEST(HttpResponseParser, NotModifiedHasNoBody) {
  const std::string input = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.code, 304);
  EXPECT_EQ(parsed.body_bytes, 0u);
  EXPECT_TRUE(parsed.keep_alive);
}

TEST(HttpResponseParser, HeadResponseHasNoBody) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
  const Parsed parsed = parse_both_ways(input, false, /*head=*/true);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.body_bytes, 0u);
  EXPECT_EQ(parsed.consumed, input.size());
}

TEST(HttpResponseParser, SecondResponseLeftUnconsumed) {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const std::string input = first + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const Parsed parsed = parse(input, 0);
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_EQ(parsed.consumed, first.size());
}

TEST(HttpResponseParser, OversizeHeadersRejected) {
  std::string input = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 2000; ++i) {
    input += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n";
  }
  input += "Content-Length: 0\r\n\r\n";
  const Parsed parsed = parse_both_ways(input);
  EXPECT_EQ(parsed.status, ParseStatus::kError);
}

TEST(HttpResponseParser, HeadersAtLimitAccepted) {
  ParserLimits limits;
  limits.max_header_bytes = 200;
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parse(input, 0, false, false, limits).status, ParseStatus::kComplete);
  limits.max_header_bytes = 10;
  EXPECT_EQ(parse(input, 0, false, false, limits).status, ParseStatus::kError);
}

TEST(HttpResponseParser, BodyLimitRejected) {
  ParserLimits limits;
  limits.max_body_bytes = 100;
  const std::string input =
      "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'x');
  EXPECT_EQ(parse(input, 0, false, false, limits).status, ParseStatus::kError);
  EXPECT_EQ(parse(input, 7, false, false, limits).status, ParseStatus::kError);
}

TEST(HttpResponseParser, EofMidBodyIsError) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
  const Parsed parsed = parse_both_ways(input, /*eof=*/true);
  EXPECT_EQ(parsed.status, ParseStatus::kError);
}

TEST(HttpResponseParser, GarbageIsError) {
  const Parsed parsed = parse_both_ways("\x16\x03\x01garbage that is not HTTP\r\n\r\n");
  EXPECT_EQ(parsed.status, ParseStatus::kError);
}

TEST(HttpResponseParser, Http10ClosesByDefault) {
  const Parsed parsed = parse_both_ways("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(parsed.status, ParseStatus::kComplete);
  EXPECT_FALSE(parsed.keep_alive);
}

TEST(HttpResponseParser, ResetReusesParser) {
  ResponseParser parser;
  const std::string input = "HTTP/1.1 503 Busy\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n";
  for (int round = 0; round < 3; ++round) {
    parser.reset(false);
    std::size_t consumed = 0;
    EXPECT_EQ(parser.feed(input.data(), input.size(), consumed), ParseStatus::kComplete);
    EXPECT_EQ(parser.status(), 503);
    EXPECT_EQ(parser.retry_after(), "2");
  }
}

}  // namespace
}  // namespace rb::http
