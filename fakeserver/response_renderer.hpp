#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fakeserver/fault_model.hpp"
#include "fakeserver/profile.hpp"

namespace rb {

// Per-response values that the decision does not carry.
struct ResponseContext {
  std::string_view model_json;  // completion: the request's model as a JSON string literal
  std::uint64_t sequence = 0;   // completion: a number unique within the endpoint, for the id
  std::string_view stats_json;  // /__stats: the body
  bool keep_alive = true;       // false adds "Connection: close"
  bool head = false;            // HEAD request: headers only
};

// Where the rendered response sits in the output buffer, for faults that cut it short.
struct RenderedSpan {
  std::size_t start = 0;       // offset of the status line
  std::size_t body_start = 0;  // offset of the body
  std::size_t end = 0;         // offset past the body
};

// Writes HTTP/1.1 responses for decisions. Bodies that never change (model list, health,
// error bodies) are built once; a completion body is formatted into a reused buffer, so a
// response costs no allocation once the buffers have grown.
class ResponseRenderer {
 public:
  ResponseRenderer(const FaultProfile& profile, std::string endpoint_name);

  // Appends the response for `decision` to `out`.
  RenderedSpan render(const Decision& decision, const ResponseContext& context, std::string& out);

  // Appends a status line that no HTTP parser accepts, for the malformed-status-line fault.
  static void render_malformed(std::string& out);

 private:
  const std::string& error_body(ErrorKind error, int status);
  void format_completion(const Decision& decision, const ResponseContext& context);
  void append_headers(const Decision& decision, const ResponseContext& context,
                      std::size_t body_size, std::string& out);
  void append_retry_after(Duration retry_after, std::string& out);
  std::string_view date_header();

  const FaultProfile& profile_;
  std::string endpoint_name_;
  std::string reply_json_;   // the reply as a JSON string literal
  std::string models_body_;  // GET /v1/models
  std::string health_body_;  // GET /health
  std::string scratch_;      // completion body being formatted
  std::unordered_map<std::uint32_t, std::string> error_bodies_;  // by (kind, status)
  std::time_t date_second_ = 0;                                  // second that date_line_ shows
  std::string date_line_;                                        // "Date: ...\r\n"
};

// Formats a time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string format_http_date(std::time_t t);

// Standard reason phrase of a status ("Too Many Requests"); a generic one for unknown codes.
std::string_view reason_phrase(int status);

}  // namespace rb
