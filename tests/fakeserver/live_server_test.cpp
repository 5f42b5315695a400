#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fakeserver/fleet.hpp"
#include "raw_client.hpp"

namespace rb {
namespace {

using testing::get;
using testing::post_completion;
using testing::RawClient;
using testing::RawResponse;

FakeEndpointConfig endpoint(const std::string& name, const std::string& profile_json) {
  const JsonDocument doc = JsonDocument::parse("test-profile.json", profile_json);
  FakeEndpointConfig config;
  config.name = name;
  config.profile = parse_fault_profile(JsonNode::root(doc));
  return config;
}

// Starts a fleet with one endpoint and returns it with its port.
struct OneEndpoint {
  explicit OneEndpoint(const std::string& profile_json)
      : fleet({endpoint("test", profile_json)}, 1) {
    fleet.start();
    port = fleet.ports().at(0);
  }
  FakeFleet fleet;
  int port = 0;
};

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

TEST(LiveServer, ServesEveryPath) {
  OneEndpoint server(R"({"models": ["gpt-4o-mini"]})");
  RawClient client(server.port);
  ASSERT_TRUE(client.connected());

  const RawResponse completion = client.request(post_completion("gpt-4o-mini"));
  ASSERT_EQ(completion.status, 200) << completion.head;
  const auto body = nlohmann::json::parse(completion.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_TRUE(body["id"].is_string());
  EXPECT_TRUE(body["created"].is_number());
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_GT(body["usage"]["prompt_tokens"].get<int>(), 10);
  EXPECT_EQ(
      body["usage"]["total_tokens"].get<int>(),
      body["usage"]["prompt_tokens"].get<int>() + body["usage"]["completion_tokens"].get<int>());

  const RawResponse models = client.request(get("/v1/models"));
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(nlohmann::json::parse(models.body)["data"][0]["id"], "gpt-4o-mini");

  const RawResponse health = client.request(get("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");

  const RawResponse stats = client.request(get("/__stats"));
  ASSERT_EQ(stats.status, 200);
  const auto counters = nlohmann::json::parse(stats.body);
  EXPECT_EQ(counters["received"], 4);
  EXPECT_EQ(counters["answered_by_status"]["200"], 3);
  EXPECT_EQ(counters["connections"], 1);
}

TEST(LiveServer, ErrorStatuses) {
  OneEndpoint server(R"({"models": ["gpt-4o-mini"], "api_key": "sk-good",
                         "max_header_bytes": 1024})");
  RawClient client(server.port);
  const std::string auth = "Authorization: Bearer sk-good\r\n";

  EXPECT_EQ(client.request(get("/nope")).status, 404);
  EXPECT_EQ(client.request(post_completion("gpt-4o-mini")).status, 401);
  EXPECT_EQ(client.request(post_completion("gpt-4o-mini", "Authorization: Bearer bad\r\n")).status,
            401);
  EXPECT_EQ(client.request(post_completion("gpt-4o-mini", "x-api-key: sk-good\r\n")).status, 200);
  const RawResponse unknown = client.request(post_completion("gpt-9", auth));
  ASSERT_EQ(unknown.status, 404);
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["error"]["code"], "model_not_found");
  EXPECT_EQ(client.request(post_completion("gpt-4o-mini", auth)).status, 200);

  RawClient oversized(server.port);
  const RawResponse big =
      oversized.request(get("/health", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  EXPECT_EQ(big.status, 431);
  EXPECT_TRUE(oversized.wait_closed());

  RawClient garbage(server.port);
  const RawResponse bad = garbage.request("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("connection"), "close");
  EXPECT_TRUE(garbage.wait_closed());

  RawClient spaced(server.port);
  const RawResponse space_before_colon = spaced.request(get("/health", "X-Test : 1\r\n"));
  EXPECT_EQ(space_before_colon.status, 400);
  EXPECT_TRUE(spaced.wait_closed());
}

TEST(LiveServer, KeepAliveAndPipelining) {
  OneEndpoint server(R"({"latency": {"distribution": "uniform", "min": 1, "max": 20}})");
  RawClient client(server.port);
  std::string burst;
  for (int i = 0; i < 20; ++i) {
    burst += i % 2 == 0 ? get("/v1/models") : post_completion("any-model");
  }
  ASSERT_TRUE(client.send(burst));
  for (int i = 0; i < 20; ++i) {
    const RawResponse r = client.read_response();
    ASSERT_EQ(r.status, 200) << i;
    const auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["object"], i % 2 == 0 ? "list" : "chat.completion") << i;
  }
  EXPECT_EQ(server.fleet.stats().at(0).connections, 1u);
}

TEST(LiveServer, FaultsOnReusedConnections) {
  OneEndpoint server(R"({"errors": [{"status": 503, "probability": 0.5}]})");
  RawClient client(server.port);
  int ok = 0;
  int unavailable = 0;
  for (int i = 0; i < 400; ++i) {
    const int status = client.request(get("/v1/models")).status;
    ok += status == 200;
    unavailable += status == 503;
  }
  EXPECT_EQ(ok + unavailable, 400);
  EXPECT_GT(unavailable, 140);
  EXPECT_GT(ok, 140);
  const EndpointStats stats = server.fleet.stats().at(0);
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.faults.at("error"), static_cast<std::uint64_t>(unavailable));
}

TEST(LiveServer, ResetIsSeenByClient) {
  OneEndpoint server(R"({"connection": {"reset_before_response": 1}})");
  RawClient client(server.port);
  const RawResponse r = client.request(get("/v1/models"));
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.reset);
}

TEST(LiveServer, MidResponseResetAndTruncation) {
  OneEndpoint mid(R"({"connection": {"reset_mid_response": 1}})");
  RawClient a(mid.port);
  const RawResponse cut = a.request(get("/v1/models"));
  EXPECT_EQ(cut.status, 200);
  EXPECT_TRUE(cut.reset);
  EXPECT_LT(cut.body.size(), std::stoul(cut.header("content-length")));

  OneEndpoint truncated(R"({"connection": {"truncated_body": 1}})");
  RawClient b(truncated.port);
  const RawResponse half = b.request(get("/v1/models"));
  EXPECT_EQ(half.status, 200);
  EXPECT_TRUE(half.closed);
  EXPECT_LT(half.body.size(), std::stoul(half.header("content-length")));

  OneEndpoint closing(R"({"connection": {"close_without_response": 1}})");
  RawClient c(closing.port);
  const RawResponse none = c.request(get("/v1/models"));
  EXPECT_EQ(none.status, 0);
  EXPECT_TRUE(none.closed || none.reset);

  OneEndpoint malformed(R"({"connection": {"malformed_status_line": 1}})");
  RawClient d(malformed.port);
  const RawResponse garbled = d.request(get("/v1/models"));
  EXPECT_EQ(garbled.status, 0);
  EXPECT_NE(garbled.head.find("HTTP/1.1 OK"), std::string::npos);
}

TEST(LiveServer, RateLimitHeaders) {
  OneEndpoint server(R"({"rate_limit": {"rps": 1, "burst": 2}, "retry_after_ms": true})");
  RawClient client(server.port);
  const RawResponse first = client.request(get("/v1/models"));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("x-ratelimit-limit-requests"), "2");
  EXPECT_EQ(first.header("x-ratelimit-remaining-requests"), "1");
  EXPECT_FALSE(first.header("x-ratelimit-reset-requests").empty());
  EXPECT_EQ(client.request(get("/v1/models")).status, 200);
  const RawResponse limited = client.request(get("/v1/models"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");
  EXPECT_FALSE(limited.header("retry-after-ms").empty());
  EXPECT_EQ(nlohmann::json::parse(limited.body)["error"]["code"], "rate_limit_exceeded");
}

TEST(LiveServer, LatencyIsApplied) {
  OneEndpoint server(R"({"latency": 150})");
  RawClient client(server.port);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.request(get("/v1/models")).status, 200);
  const double ms = elapsed_ms(start);
  EXPECT_GE(ms, 149.0);
  EXPECT_LT(ms, 2000.0);
}

TEST(LiveServer, HoldNeverAnswers) {
  OneEndpoint server(R"({"timeout": {"probability": 1}})");
  RawClient client(server.port, 500);
  const RawResponse r = client.request(get("/v1/models"));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(server.fleet.stats().at(0).faults.at("timeout_hold"), 1u);
}

TEST(LiveServer, CapacityQueuesRequests) {
  OneEndpoint server(R"({"latency": 100, "capacity": {"concurrency": 1, "queue": 5}})");
  std::vector<std::thread> threads;
  std::vector<double> times(4);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      RawClient client(server.port);
      if (client.request(get("/v1/models")).status == 200) {
        times[i] = elapsed_ms(start);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::sort(times.begin(), times.end());
  // One at a time: the last of four finishes after about 400 ms.
  EXPECT_GE(times[0], 99.0);
  EXPECT_GE(times[3], 399.0);
  EXPECT_LT(times[3], 3000.0);
  EXPECT_EQ(server.fleet.stats().at(0).capacity.peak_in_service, 1);
}

TEST(LiveServer, CapacityRejectsWith409) {
  OneEndpoint server(R"({"latency": 300, "capacity": {"concurrency": 1, "reject_status": 409}})");
  RawClient first(server.port);
  ASSERT_TRUE(first.send(get("/v1/models")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  RawClient second(server.port);
  EXPECT_EQ(second.request(get("/v1/models")).status, 409);
  EXPECT_EQ(first.read_response().status, 200);
}

TEST(LiveServer, OutagePhaseRefusesThenRecovers) {
  OneEndpoint server(R"({"phases": [{"from": "300ms", "to": "900ms", "outage": "refuse"}]})");
  {
    RawClient before(server.port);
    EXPECT_EQ(before.request(get("/health")).status, 200);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    RawClient during(server.port);
    EXPECT_FALSE(during.connected());
    EXPECT_EQ(during.connect_errno(), ECONNREFUSED);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  RawClient after(server.port);
  ASSERT_TRUE(after.connected());
  EXPECT_EQ(after.request(get("/health")).status, 200);
}

TEST(LiveServer, ResetRestartsPhaseClockAndCounters) {
  OneEndpoint server(R"({"phases": [{"from": "0s", "to": "400ms", "outage": "503"}]})");
  RawClient client(server.port);
  EXPECT_EQ(client.request(get("/v1/models")).status, 503);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(client.request(get("/v1/models")).status, 200);
  server.fleet.reset(5);
  EXPECT_EQ(server.fleet.stats().at(0).received, 0u);
  EXPECT_EQ(client.request(get("/v1/models")).status, 503);
  const auto json = server.fleet.stats_json();
  EXPECT_EQ(json[0]["faults"]["outage_503"], 1);
}

TEST(LiveServer, HeaderTimeoutClosesSlowClient) {
  OneEndpoint server(R"({"header_timeout": "300ms", "idle_timeout": "10s"})");
  RawClient slow(server.port, 3000);
  ASSERT_TRUE(slow.send("GET /health HTTP/1.1\r\nHost: x\r\n"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_GE(elapsed_ms(start), 250.0);
  EXPECT_LT(elapsed_ms(start), 2500.0);
}

TEST(LiveServer, IdleTimeoutClosesIdleClient) {
  OneEndpoint server(R"({"idle_timeout": "300ms"})");
  RawClient idle(server.port, 3000);
  EXPECT_EQ(idle.request(get("/health")).status, 200);
  EXPECT_TRUE(idle.wait_closed());
}

TEST(LiveServer, SeveralEndpointsOnOwnPorts) {
  FakeFleet fleet({endpoint("a", "{}"), endpoint("b", R"({"errors": [{"status": 502,
                                                            "probability": 1}]})")},
                  3);
  fleet.start();
  const auto ports = fleet.ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], ports[1]);
  EXPECT_EQ(fleet.base_urls()[0], "http://127.0.0.1:" + std::to_string(ports[0]));
  RawClient a(ports[0]);
  RawClient b(ports[1]);
  EXPECT_EQ(a.request(get("/v1/models")).status, 200);
  EXPECT_EQ(b.request(get("/v1/models")).status, 502);
  const auto stats = fleet.stats();
  EXPECT_EQ(stats[1].answered_by_status.at(502), 1u);
  fleet.stop();
  fleet.stop();
}

TEST(LiveServer, ListenFailureThrows) {
  OneEndpoint taken("{}");
  FakeEndpointConfig config = endpoint("clash", "{}");
  config.port = taken.port;
  FakeFleet fleet({config}, 1);
  try {
    fleet.start();
    FAIL() << "start() succeeded on a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(taken.port)),
        std::string::npos)
        << e.what();
  }
}

TEST(LiveServer, ManyIdleConnectionsDoNotStall) {
  OneEndpoint server("{}");
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port));
    idle.back()->send("GET /he");
  }
  RawClient client(server.port);
  EXPECT_EQ(client.request(get("/health")).status, 200);
}

}  // namespace
}  // namespace rb
