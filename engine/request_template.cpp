#include "engine/request_template.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "common/printable.hpp"

namespace rb {

namespace {

bool same_name(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
    return true;
  }
  static constexpr std::string_view kMarks = "!#$%&'*+-.^_`|~";
  return kMarks.find(c) != std::string_view::npos;
}

}  // namespace

std::string header_problem(const std::string& name, const std::string& value) {
  if (name.empty()) {
    return "a header name must not be empty";
  }
  if (!std::all_of(name.begin(), name.end(), is_token_char)) {
    return "invalid header name \"" + printable(name) +
           "\": use letters, digits and !#$%&'*+-.^_`|~ only (in a scenario file, ${NAME} "
           "expands in values, not in names)";
  }
  if (same_name(name, "content-length") || same_name(name, "transfer-encoding")) {
    // A framing header that disagrees with the body would leave bytes on a kept-alive
    // connection and put every later response out of step.
    return "header \"" + name + "\" is set by retrybench from the body; remove it";
  }
  const bool control = std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
  if (control) {
    return "the value of header \"" + name +
           "\" must not contain a line break, NUL or other control character (tab is allowed)";
  }
  return "";
}

std::string method_problem(const std::string& method) {
  static constexpr std::array<std::string_view, 8> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"};
  if (std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end()) {
    return "";
  }
  return "unknown method \"" + printable(method) +
         "\" (expected GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH or TRACE)";
}

std::string render_request(const RequestTemplate& request, const std::string& host_header,
                           const std::string& base_path) {
  std::string target = base_path;
  if (!target.empty() && target.back() == '/' && !request.path.empty() &&
      request.path.front() == '/') {
    target.pop_back();
  }
  target += request.path.empty() ? "/" : request.path;

  std::string out;
  out.reserve(128 + request.body.size());
  out += request.method + " " + target + " HTTP/1.1\r\n";

  bool has_host = false;
  bool has_length = false;
  bool has_user_agent = false;
  for (const auto& [name, value] : request.headers) {
    has_host = has_host || same_name(name, "host");
    has_length =
        has_length || same_name(name, "content-length") || same_name(name, "transfer-encoding");
    has_user_agent = has_user_agent || same_name(name, "user-agent");
  }
  if (!has_host) {
    out += "Host: " + host_header + "\r\n";
  }
  if (!has_user_agent) {
    out += "User-Agent: retrybench\r\n";
  }
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + value + "\r\n";
  }
  if (!has_length && (!request.body.empty() || request.method == "POST" ||
                      request.method == "PUT" || request.method == "PATCH")) {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

}  // namespace rb
