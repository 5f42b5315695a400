#include <benchmark/benchmark.h>

#include <string>

#include "engine/http/response_parser.hpp"

namespace {

// A typical small keep-alive response, like nginx's response for a short static file.
const std::string kSmallResponse =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Thu, 03 Dec 2026 12:00:00 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 27\r\n"
    "Connection: keep-alive\r\n"
    "x-ratelimit-remaining-requests: 99\r\n"
    "\r\n"
    "{\"status\":\"ok\",\"tokens\":12}";

const std::string kChunkedResponse =
    "HTTP/1.1 429 Too Many Requests\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 2\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "1b\r\n{\"error\":\"rate_limit_hit\"}\r\n0\r\n\r\n";

void parse_whole(benchmark::State& state, const std::string& response) {
  rb::http::ResponseParser parser;
  for (auto _ : state) {
    parser.reset(false);
    std::size_t consumed = 0;
    benchmark::DoNotOptimize(parser.feed(response.data(), response.size(), consumed));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * response.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_ParseSmallResponse(benchmark::State& state) {
  parse_whole(state, kSmallResponse);
}
BENCHMARK(BM_ParseSmallResponse);

void BM_ParseChunkedRetryAfter(benchmark::State& state) {
  parse_whole(state, kChunkedResponse);
}
BENCHMARK(BM_ParseChunkedRetryAfter);

}  // namespace
