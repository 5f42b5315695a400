#include "engine/http/response_parser.hpp"

#include <cstring>
#include <string_view>

namespace rb::http {

namespace {

ResponseState& state_of(llhttp_t* parser) {
  return *static_cast<ResponseState*>(parser->data);
}

// Clears what belongs to one response, so that a skipped 1xx leaves nothing behind.
void clear_response(ResponseState& state) {
  state.complete = false;
  state.status = 0;
  state.keep_alive = false;
  state.header_bytes = 0;
  state.body_bytes = 0;
  state.field_size = 0;
  state.field_too_long = false;
  state.value = nullptr;
  state.retry_after.reset();
  state.retry_after_ms.reset();
}

int fail(ResponseState& state, std::string message) {
  state.failed = true;
  state.error = std::move(message);
  return -1;
}

int count_header_bytes(ResponseState& state, std::size_t length) {
  state.header_bytes += length;
  if (state.header_bytes > state.limits.max_header_bytes) {
    return fail(state, "response header block exceeds " +
                           std::to_string(state.limits.max_header_bytes) + " bytes");
  }
  return 0;
}

int on_message_begin(llhttp_t* parser) {
  clear_response(state_of(parser));
  return 0;
}

int on_status(llhttp_t* parser, const char*, std::size_t length) {
  return count_header_bytes(state_of(parser), length);
}

int on_header_field(llhttp_t* parser, const char* at, std::size_t length) {
  ResponseState& state = state_of(parser);
  if (state.field_size + length > sizeof(state.field)) {
    state.field_too_long = true;
  } else {
    for (std::size_t i = 0; i < length; ++i) {
      // ASCII lowering: header names are tokens, and std::tolower's locale lookup showed
      // up in profiles of small responses.
      const char c = at[i];
      state.field[state.field_size + i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    state.field_size += length;
  }
  return count_header_bytes(state, length);
}

int on_header_field_complete(llhttp_t* parser) {
  ResponseState& state = state_of(parser);
  state.value = nullptr;
  if (state.field_too_long) {
    return 0;
  }
  const std::string_view name(state.field, state.field_size);
  if (name == "retry-after") {
    state.value = &state.retry_after;
  } else if (name == "retry-after-ms") {
    state.value = &state.retry_after_ms;
  }
  if (state.value != nullptr) {
    // A repeated header keeps its last value.
    state.value->emplace();
  }
  return 0;
}

int on_header_value(llhttp_t* parser, const char* at, std::size_t length) {
  ResponseState& state = state_of(parser);
  if (state.value != nullptr) {
    (*state.value)->append(at, length);
  }
  return count_header_bytes(state, length);
}

int on_header_value_complete(llhttp_t* parser) {
  ResponseState& state = state_of(parser);
  state.field_size = 0;
  state.field_too_long = false;
  state.value = nullptr;
  // The ": " separator and the CRLF are not passed to the data callbacks.
  return count_header_bytes(state, 4);
}

int on_headers_complete(llhttp_t* parser) {
  ResponseState& state = state_of(parser);
  state.status = parser->status_code;
  // llhttp 8.1 takes "HTTP/1.1 2 OK" as status 2; RFC 9112 requires three digits.
  if (state.status < 100 || state.status > 999) {
    return fail(state, "invalid HTTP response: status code " + std::to_string(state.status) +
                           " is not three digits");
  }
  state.keep_alive = llhttp_should_keep_alive(parser) != 0 && state.status != 101;
  const bool interim = state.status >= 100 && state.status < 200 && state.status != 101;
  // Responses to HEAD, 204 and 304 have no body whatever their headers contain (RFC 9110,
  // sections 9.3.2, 15.3.5 and 15.4.5). llhttp 8.1 would read a 204's Content-Length body.
  if (!interim && (state.head_request || state.status == 204 || state.status == 304)) {
    return 1;
  }
  return 0;
}

int on_body(llhttp_t* parser, const char*, std::size_t length) {
  ResponseState& state = state_of(parser);
  state.body_bytes += length;
  if (state.body_bytes > state.limits.max_body_bytes) {
    return fail(state,
                "response body exceeds " + std::to_string(state.limits.max_body_bytes) + " bytes");
  }
  return 0;
}

int on_message_complete(llhttp_t* parser) {
  ResponseState& state = state_of(parser);
  if (state.status >= 100 && state.status < 200 && state.status != 101) {
    return 0;  // an interim response: the final one follows on the same connection
  }
  state.complete = true;
  // Pausing makes llhttp_execute stop right after this response, so the caller can tell
  // the response's bytes from anything that follows them.
  return HPE_PAUSED;
}

llhttp_settings_t make_settings() {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_begin = on_message_begin;
  settings.on_status = on_status;
  settings.on_header_field = on_header_field;
  settings.on_header_field_complete = on_header_field_complete;
  settings.on_header_value = on_header_value;
  settings.on_header_value_complete = on_header_value_complete;
  settings.on_headers_complete = on_headers_complete;
  settings.on_body = on_body;
  settings.on_message_complete = on_message_complete;
  return settings;
}

const llhttp_settings_t kSettings = make_settings();

}  // namespace

ResponseParser::ResponseParser(ParserLimits limits) {
  state_.limits = limits;
  reset(false);
}

void ResponseParser::reset(bool head_request) {
  llhttp_init(&parser_, HTTP_RESPONSE, &kSettings);
  parser_.data = &state_;
  clear_response(state_);
  state_.head_request = head_request;
  state_.failed = false;
  state_.error.clear();
  bytes_received_ = 0;
}

ParseStatus ResponseParser::feed(const char* data, std::size_t size, std::size_t& consumed) {
  consumed = 0;
  if (state_.complete) {
    return ParseStatus::kComplete;
  }
  if (state_.failed) {
    return ParseStatus::kError;
  }
  const llhttp_errno_t code = llhttp_execute(&parser_, data, size);
  const ParseStatus result = status_after(code, data, size, consumed);
  bytes_received_ += consumed;
  return result;
}

ParseStatus ResponseParser::status_after(llhttp_errno_t code, const char* data, std::size_t size,
                                         std::size_t& consumed) {
  if (code == HPE_OK) {
    consumed = size;
    return ParseStatus::kNeedMore;
  }
  if ((code == HPE_PAUSED || code == HPE_PAUSED_UPGRADE) && state_.complete) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data);
    return ParseStatus::kComplete;
  }
  consumed = size;
  if (!state_.failed) {
    state_.failed = true;
    state_.error = std::string("invalid HTTP response: ") + llhttp_errno_name(code) + " (" +
                   llhttp_get_error_reason(&parser_) + ")";
  }
  return ParseStatus::kError;
}

ParseStatus ResponseParser::finish() {
  if (state_.complete) {
    return ParseStatus::kComplete;
  }
  if (state_.failed) {
    return ParseStatus::kError;
  }
  llhttp_finish(&parser_);
  if (state_.complete) {
    return ParseStatus::kComplete;
  }
  state_.failed = true;
  state_.error = bytes_received_ == 0 ? "connection closed before any response byte"
                                      : "connection closed before the response was complete";
  return ParseStatus::kError;
}

}  // namespace rb::http
