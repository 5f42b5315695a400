#include "engine/endpoint.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/request_template.hpp"

namespace rb {
namespace {

TEST(EndpointUrl, SplitsHostPortAndPath) {
  const Endpoint endpoint = parse_endpoint_url("a", "http://127.0.0.1:8080/v1/x?q=1");
  EXPECT_EQ(endpoint.host, "127.0.0.1");
  EXPECT_EQ(endpoint.port, 8080);
  EXPECT_EQ(endpoint.base_path, "/v1/x?q=1");
  EXPECT_FALSE(endpoint.tls);
}

TEST(EndpointUrl, QueryWithoutPath) {
  const Endpoint endpoint = parse_endpoint_url("a", "http://127.0.0.1:8080?q=1");
  EXPECT_EQ(endpoint.port, 8080);
  EXPECT_EQ(endpoint.base_path, "/?q=1");
}

TEST(EndpointUrl, FragmentIsNotSent) {
  EXPECT_EQ(parse_endpoint_url("a", "http://127.0.0.1:8080/p#part").base_path, "/p");
  const Endpoint bare = parse_endpoint_url("a", "http://127.0.0.1:8080#part");
  EXPECT_EQ(bare.base_path, "");
  EXPECT_EQ(bare.port, 8080);
}

TEST(EndpointUrl, ControlCharactersRejected) {
  const std::vector<std::string> urls = {
      "http://127.0.0.1:8080/p\r\nX-Injected: 1", "http://127.0.0.1:8080/a b",
      std::string("http://127.0.0.1:8080/a\0b", 25), "http://127.0.0.1:8080/a\x7f",
      "http://127.0.0.1:8080/a\tb"};
  for (const std::string& url : urls) {
    EXPECT_THROW(parse_endpoint_url("a", url), std::invalid_argument) << url;
  }
}

TEST(RequestMethod, KnownMethodsAccepted) {
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"}) {
    EXPECT_EQ(method_problem(method), "") << method;
  }
}

TEST(RequestMethod, OthersRejected) {
  for (const char* method : {"", "get", "CONNECT", "GE T", "GET /x HTTP/1.1\r\nX-A: 1"}) {
    EXPECT_NE(method_problem(method).find("unknown method"), std::string::npos) << method;
  }
}

}  // namespace
}  // namespace rb
