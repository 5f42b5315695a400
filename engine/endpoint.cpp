#include "engine/endpoint.hpp"

#include <algorithm>
#include <stdexcept>

namespace rb {

std::string Endpoint::host_header() const {
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string out;
  if (ipv6) {
    out.push_back('[');
    out.append(host);
    out.push_back(']');
  } else {
    out = host;
  }
  if (!default_port) {
    out.push_back(':');
    out.append(std::to_string(port));
  }
  return out;
}

Endpoint parse_endpoint_url(const std::string& name, const std::string& url) {
  Endpoint ep;
  ep.name = name;
  ep.url = url;

  // A space or control byte would end the request line or a header early and let the rest
  // of the URL inject header lines into every request.
  const bool bad_character = std::any_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
  if (bad_character) {
    throw std::invalid_argument(
        "a URL must not contain spaces or control characters; percent-encode them (%20 for a "
        "space)");
  }

  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
    ep.port = 80;
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    ep.tls = true;
    ep.port = 443;
  } else {
    throw std::invalid_argument("URL must start with http:// or https://");
  }

  // A fragment (#...) is for the client only: HTTP clients never send it.
  rest = rest.substr(0, rest.find('#'));
  const auto slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    // http://host?q=1 requests /?q=1.
    ep.base_path =
        rest[slash] == '?' ? std::string(1, '/').append(rest, slash) : rest.substr(slash);
  }
  if (authority.find('@') != std::string::npos) {
    throw std::invalid_argument("credentials in the URL are not supported; use a header");
  }

  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      throw std::invalid_argument("unterminated [ in IPv6 address");
    }
    ep.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        throw std::invalid_argument("expected :port after ]");
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    ep.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (ep.host.empty()) {
    throw std::invalid_argument("URL has no host");
  }
  if (ep.host.find(':') != std::string::npos && authority.front() != '[') {
    throw std::invalid_argument("invalid host \"" + ep.host +
                                "\" (write an IPv6 address in brackets, such as [::1])");
  }
  const bool ends_with_colon = !authority.empty() && authority.back() == ':';
  if (ends_with_colon) {
    throw std::invalid_argument("empty port after ':'");
  }
  if (!port_text.empty()) {
    std::size_t used = 0;
    unsigned long port = 0;
    try {
      port = std::stoul(port_text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != port_text.size() || port == 0 || port > 65535) {
      throw std::invalid_argument("invalid port \"" + port_text + "\" (expected 1 to 65535)");
    }
    ep.port = static_cast<std::uint16_t>(port);
  }
  return ep;
}

}  // namespace rb
