#include "fakeserver/response_renderer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace rb {

namespace {

void append_number(std::string& out, std::uint64_t value) {
  const fmt::format_int text(value);
  out.append(text.data(), text.size());
}

nlohmann::json openai_error(std::string_view message, std::string_view type,
                            std::optional<std::string_view> code) {
  nlohmann::json error = {{"message", message}, {"type", type}, {"param", nullptr}};
  error["code"] = code ? nlohmann::json(*code) : nlohmann::json(nullptr);
  return {{"error", std::move(error)}};
}

std::string server_error_message(int status) {
  switch (status) {
    case 500:
      return "The server had an error while processing your request.";
    case 502:
      return "Bad gateway.";
    case 503:
      return "The server is overloaded or not ready yet.";
    case 504:
      return "Gateway timeout.";
    case 429:
      return "You exceeded your current quota, please check your plan and billing details.";
    default:
      return fmt::format("Injected error {}.", status);
  }
}

std::string make_error_body(ErrorKind error, int status) {
  switch (error) {
    case ErrorKind::kRateLimit:
      return openai_error("Rate limit reached for requests. Please try again later.", "requests",
                          "rate_limit_exceeded")
          .dump();
    case ErrorKind::kUnauthorized:
      return openai_error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
          .dump();
    case ErrorKind::kModelNotFound:
      return openai_error("The model does not exist or you do not have access to it.",
                          "invalid_request_error", "model_not_found")
          .dump();
    case ErrorKind::kNotFound:
      return openai_error("Unknown request URL.", "invalid_request_error", "unknown_url").dump();
    case ErrorKind::kMethodNotAllowed:
      return openai_error("Method not allowed for this URL.", "invalid_request_error", std::nullopt)
          .dump();
    case ErrorKind::kInvalidRequest:
      return openai_error("The request body must be a JSON object with a string \"model\".",
                          "invalid_request_error", std::nullopt)
          .dump();
    case ErrorKind::kOverloaded:
      return openai_error("The server is overloaded or not ready yet.", "server_error",
                          std::nullopt)
          .dump();
    case ErrorKind::kHeadersTooLarge:
      return openai_error("Request header fields too large.", "invalid_request_error", std::nullopt)
          .dump();
    case ErrorKind::kBodyTooLarge:
      return openai_error("Request body too large.", "invalid_request_error", std::nullopt).dump();
    case ErrorKind::kBadRequest:
      return openai_error("Malformed HTTP request.", "invalid_request_error", std::nullopt).dump();
    case ErrorKind::kServer:
    case ErrorKind::kNone:
      break;
  }
  const std::string_view type = status >= 500 ? "server_error" : "invalid_request_error";
  return openai_error(server_error_message(status), type, std::nullopt).dump();
}

std::string make_models_body(const FaultProfile& profile) {
  nlohmann::json data = nlohmann::json::array();
  const std::vector<std::string> fallback = {"fake-model"};
  for (const std::string& id : profile.models.empty() ? fallback : profile.models) {
    data.push_back(
        {{"id", id}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "retrybench"}});
  }
  return nlohmann::json{{"object", "list"}, {"data", std::move(data)}}.dump();
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status >= 500 ? "Server Error" : "Client Error";
  }
}

std::string format_http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, n);
}

ResponseRenderer::ResponseRenderer(const FaultProfile& profile, std::string endpoint_name)
    : profile_(profile),
      endpoint_name_(std::move(endpoint_name)),
      reply_json_(nlohmann::json(profile.reply).dump()),
      models_body_(make_models_body(profile)),
      health_body_(R"({"status":"ok"})") {
  scratch_.reserve(1024);
}

std::string_view ResponseRenderer::date_header() {
  const std::time_t now = std::time(nullptr);
  if (now != date_second_) {
    date_second_ = now;
    date_line_ = "Date: " + format_http_date(now) + "\r\n";
  }
  return date_line_;
}

const std::string& ResponseRenderer::error_body(ErrorKind error, int status) {
  const std::uint32_t key =
      (static_cast<std::uint32_t>(error) << 16) | static_cast<std::uint32_t>(status);
  auto it = error_bodies_.find(key);
  if (it == error_bodies_.end()) {
    it = error_bodies_.emplace(key, make_error_body(error, status)).first;
  }
  return it->second;
}

void ResponseRenderer::format_completion(const Decision& d, const ResponseContext& context) {
  scratch_.clear();
  const std::int64_t created = static_cast<std::int64_t>(std::time(nullptr));
  fmt::format_to(std::back_inserter(scratch_),
                 R"({{"id":"chatcmpl-rb{}","object":"chat.completion","created":{},"model":{},)"
                 R"("system_fingerprint":"retrybench-{}","choices":[{{"index":0,"message":)"
                 R"({{"role":"assistant","content":{}}},"logprobs":null,"finish_reason":"stop"}}],)"
                 R"("usage":{{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{}}}}})",
                 context.sequence, created, context.model_json, endpoint_name_, reply_json_,
                 d.prompt_tokens, d.completion_tokens, d.prompt_tokens + d.completion_tokens);
}

void ResponseRenderer::append_retry_after(Duration retry_after, std::string& out) {
  switch (profile_.retry_after_format) {
    case RetryAfterFormat::kSeconds:
      out.append("Retry-After: ");
      append_number(out, static_cast<std::uint64_t>(retry_after_seconds(retry_after)));
      out.append("\r\n");
      break;
    case RetryAfterFormat::kHttpDate: {
      // An HTTP-date has whole seconds; rounding up keeps the client from retrying early.
      const std::time_t at = std::time(nullptr) + retry_after_seconds(retry_after);
      out.append("Retry-After: ").append(format_http_date(at)).append("\r\n");
      break;
    }
    case RetryAfterFormat::kNone:
      break;
  }
  if (profile_.retry_after_ms) {
    out.append("retry-after-ms: ");
    append_number(out, static_cast<std::uint64_t>((retry_after.count() + 999999) / 1000000));
    out.append("\r\n");
  }
}

void ResponseRenderer::append_headers(const Decision& d, const ResponseContext& context,
                                      std::size_t body_size, std::string& out) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::uint64_t>(d.status));
  out.append(" ").append(reason_phrase(d.status));
  out.append("\r\nServer: retrybench\r\nContent-Type: application/json\r\n");
  out.append(date_header());
  out.append("Content-Length: ");
  append_number(out, body_size);
  out.append("\r\n");
  if (!context.keep_alive) {
    out.append("Connection: close\r\n");
  }
  if (d.rate_limit) {
    out.append("x-ratelimit-limit-requests: ");
    append_number(out, static_cast<std::uint64_t>(d.rate_limit->limit));
    out.append("\r\nx-ratelimit-remaining-requests: ");
    append_number(out,
                  static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.rate_limit->remaining)));
    out.append("\r\nx-ratelimit-reset-requests: ")
        .append(format_reset_duration(d.rate_limit->reset));
    out.append("\r\n");
  }
  if (d.retry_after) {
    append_retry_after(*d.retry_after, out);
  }
  if (d.route == Route::kMethodNotAllowed) {
    out.append("Allow: GET, POST\r\n");
  }
  out.append("\r\n");
}

RenderedSpan ResponseRenderer::render(const Decision& d, const ResponseContext& context,
                                      std::string& out) {
  std::string_view body;
  switch (d.body) {
    case BodyKind::kCompletion:
      format_completion(d, context);
      body = scratch_;
      break;
    case BodyKind::kModels:
      body = models_body_;
      break;
    case BodyKind::kHealth:
      body = health_body_;
      break;
    case BodyKind::kStats:
      body = context.stats_json;
      break;
    case BodyKind::kError:
      body = error_body(d.error, d.status);
      break;
    case BodyKind::kCustom:
      body = d.custom_body != nullptr ? std::string_view(*d.custom_body) : std::string_view();
      break;
  }

  RenderedSpan span;
  span.start = out.size();
  append_headers(d, context, body.size(), out);
  span.body_start = out.size();
  if (!context.head) {
    out.append(body);
  }
  span.end = out.size();
  return span;
}

void ResponseRenderer::render_malformed(std::string& out) {
  out.append("HTTP/1.1 OK 2OO\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace rb
