// libFuzzer target: the HTTP client's response parser on arbitrary bytes. The first input
// byte picks the chunk size, so the parser also sees responses split at every offset, and
// the second picks HEAD or not. Checks the parser's own contract on every call.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/http/response_parser.hpp"

namespace {

// Small limits, so inputs of a few KiB reach the limit checks.
constexpr rb::http::ParserLimits kLimits{.max_header_bytes = 1024, .max_body_bytes = 4096};

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t chunk = 1 + data[0] % 64;
  const bool head = (data[1] & 1) != 0;
  const char* bytes = reinterpret_cast<const char*>(data + 2);
  std::size_t left = size - 2;

  rb::http::ResponseParser parser(kLimits);
  parser.reset(head);
  rb::http::ParseStatus status = rb::http::ParseStatus::kNeedMore;
  while (left > 0 && status == rb::http::ParseStatus::kNeedMore) {
    const std::size_t n = left < chunk ? left : chunk;
    std::size_t consumed = 0;
    status = parser.feed(bytes, n, consumed);
    check(consumed <= n);
    if (status == rb::http::ParseStatus::kComplete) {
      check(parser.complete());
      check(parser.status() >= 100 && parser.status() <= 999);
      // The response may end inside this chunk; the rest belongs to no request.
      break;
    }
    bytes += n;
    left -= n;
  }
  if (status == rb::http::ParseStatus::kNeedMore) {
    status = parser.finish();
    check(status != rb::http::ParseStatus::kNeedMore);
  }
  check(parser.body_bytes() <= kLimits.max_body_bytes);
  check(status != rb::http::ParseStatus::kError || !parser.error().empty());

  // A parser is reused for the next request on a connection; reset must clear everything.
  parser.reset(false);
  check(!parser.complete());
  check(parser.body_bytes() == 0);
  return 0;
}
