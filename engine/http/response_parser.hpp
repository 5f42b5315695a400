#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rb::http {

// Size limits that turn a response into a parse error.
struct ParserLimits {
  std::size_t max_header_bytes = 64 * 1024;         // status line plus header block, bytes
  std::uint64_t max_body_bytes = 64 * 1024 * 1024;  // body bytes after transfer decoding
};

// The state of a response after a call to feed() or finish().
enum class ParseStatus : std::uint8_t {
  kNeedMore,  // the response is not complete yet
  kComplete,  // a final (non-1xx) response was parsed in full
  kError,     // invalid HTTP, a limit was passed, or the input ended mid-response
};

// The per-response state that the llhttp callbacks fill in.
struct ResponseState {
  ParserLimits limits;
  bool head_request = false;
  bool complete = false;
  bool failed = false;
  int status = 0;
  bool keep_alive = false;
  std::uint64_t header_bytes = 0;  // status line and header bytes counted so far
  std::uint64_t body_bytes = 0;    // body bytes after transfer decoding
  char field[32] = {};             // the header name being read, lowercased
  std::size_t field_size = 0;      // bytes in `field`
  bool field_too_long = false;     // the name does not fit `field`, so it is not tracked
  std::optional<std::string>* value = nullptr;  // where the current value goes, if tracked
  std::optional<std::string> retry_after;       // Retry-After value
  std::optional<std::string> retry_after_ms;    // retry-after-ms value
  std::string error;                            // why parsing failed, for logs
};

// Incremental HTTP/1.1 response parser on llhttp. Keeps only what the client needs: status,
// keep-alive decision, Retry-After and retry-after-ms values, and byte counts. Body bytes
// are counted and discarded. One instance per connection, reset before each request.
class ResponseParser {
 public:
  explicit ResponseParser(ParserLimits limits = {});
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Prepares for the response to the next request. A response to HEAD has no body.
  void reset(bool head_request);

  // Parses the next bytes of the response. On kComplete, `consumed` is the number of bytes
  // that belonged to the response; any bytes after them are not part of it.
  ParseStatus feed(const char* data, std::size_t size, std::size_t& consumed);

  // Signals that the peer closed the connection. Completes a response whose body is
  // delimited by the close; any other unfinished response becomes kError.
  ParseStatus finish();

  bool complete() const { return state_.complete; }
  bool started() const { return bytes_received_ > 0; }
  int status() const { return state_.status; }
  // True when the connection may carry the next request (HTTP version and Connection).
  bool keep_alive() const { return state_.keep_alive; }
  std::uint64_t body_bytes() const { return state_.body_bytes; }
  std::uint64_t bytes_received() const { return bytes_received_; }
  const std::optional<std::string>& retry_after() const { return state_.retry_after; }
  const std::optional<std::string>& retry_after_ms() const { return state_.retry_after_ms; }
  // Moves the header values out, for handing to the attempt result.
  std::optional<std::string> take_retry_after() { return std::move(state_.retry_after); }
  std::optional<std::string> take_retry_after_ms() { return std::move(state_.retry_after_ms); }
  // A short description of the parse error, for logs. Empty when there is none.
  const std::string& error() const { return state_.error; }

 private:
  ParseStatus status_after(llhttp_errno_t code, const char* data, std::size_t size,
                           std::size_t& consumed);

  llhttp_t parser_{};
  ResponseState state_;
  std::uint64_t bytes_received_ = 0;
};

}  // namespace rb::http
