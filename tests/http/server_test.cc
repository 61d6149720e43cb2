// The server end to end: a real server on 127.0.0.1:0, requests through the curl client and a
// raw socket for bytes no client would send.
#include "http/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "http/client.h"
#include "http/http_test_util.h"
#include "support/test_support.h"

namespace genomefed::http {
namespace {

using namespace std::chrono_literals;
using genomefed::http::testing::RawSocket;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.access_log = options_access_log_;
    if (options.limits.threads < 4) options.limits.threads = 4;
    Router router;
    ASSERT_OK(router.Get("/hello", [](const Request&) { return Response::Json(R"({"hi":1})"); }));
    ASSERT_OK(router.Get("/api/g_variants/{id}/individuals", [](const Request& req) {
      nlohmann::json j;
      j["id"] = *req.PathParam("id");
      j["route"] = req.route;
      j["path"] = req.path;
      auto range = req.query.equal_range("filters");
      for (auto it = range.first; it != range.second; ++it) j["filters"].push_back(it->second);
      const std::string* ua = req.Header("x-test");
      j["x_test"] = ua ? *ua : "";
      j["client"] = req.client_address;
      return Response::Json(j.dump());
    }));
    ASSERT_OK(router.Post("/echo", [](const Request& req) {
      Response r = Response::Text(req.body, 201);
      r.headers.emplace_back("X-Echo-Length", std::to_string(req.body.size()));
      r.headers.emplace_back("X-Bad", "a\r\nInjected: yes");  // must be dropped
      return r;
    }));
    ASSERT_OK(router.Get("/nocontent", [](const Request&) {
      Response r = Response::Text("must not be sent", 204);
      r.headers.emplace_back("Content-Length", "999");  // framing is the server's: dropped
      r.headers.emplace_back("Bad Name", "x");          // not a token: dropped
      r.headers.emplace_back("X-Kept", "yes");
      return r;
    }));
    ASSERT_OK(router.Get("/throw", [](const Request&) -> Response {
      throw std::runtime_error("boom: internal detail");
    }));
    ASSERT_OK(router.Get("/throw-int", [](const Request&) -> Response { throw 42; }));
    ASSERT_OK(router.Get("/slow", [this](const Request& req) {
      slow_started_.store(true);
      const std::string* ms = req.Query("ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(ms ? std::stoi(*ms) : 300));
      return Response::Json(R"({"slow":true})");
    }));
    auto server = Server::Start(std::move(options), std::move(router));
    ASSERT_OK(server);
    server_ = std::move(*server);
    client_ = MakeCurlClient();
  }

  std::string Url(const std::string& path) const { return server_->base_url() + path; }

  Result<ClientResponse> Get(const std::string& path, uint32_t timeout_ms = 5000) {
    ClientRequest req;
    req.url = Url(path);
    req.timeout_ms = timeout_ms;
    return client_->Send(req);
  }

  static const std::string* FindHeader(const ClientResponse& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return &v;
    }
    return nullptr;
  }

  bool options_access_log_ = false;
  std::atomic<bool> slow_started_{false};
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ServerTest, RoutesWithPathParamsQueryAndHeaders) {
  StartServer();
  ClientRequest req;
  req.url = Url("/api/g_variants/22%3A100%3AA%3EG/individuals?filters=HP%3A0001&filters=a+b");
  req.headers = {{"X-Test", "Value"}};
  auto res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
  auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["id"], "22:100:A>G");
  EXPECT_EQ(j["route"], "/api/g_variants/{id}/individuals");
  EXPECT_EQ(j["path"], "/api/g_variants/22%3A100%3AA%3EG/individuals");
  EXPECT_EQ(j["filters"], nlohmann::json({"HP:0001", "a b"}));
  EXPECT_EQ(j["x_test"], "Value");
  EXPECT_EQ(j["client"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
  ASSERT_NE(FindHeader(*res, "content-type"), nullptr);
  EXPECT_EQ(*FindHeader(*res, "content-type"), "application/json");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  auto res = Get("/nope");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 404);
  auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["status"], 404);
  EXPECT_TRUE(j["msg"].is_string());

  ClientRequest req;
  req.method = "DELETE";
  req.url = Url("/hello");
  res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 405);
  ASSERT_NE(FindHeader(*res, "allow"), nullptr);
  EXPECT_EQ(*FindHeader(*res, "allow"), "GET, HEAD");
}

TEST_F(ServerTest, BadEscapesAre400) {
  StartServer();
  auto res = Get("/api/g_variants/x%zz/individuals");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 400);
  res = Get("/hello?x=%4");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("'x'"), std::string::npos) << res->body;
}

TEST_F(ServerTest, CustomErrorFormatterIsUsed) {
  ServerOptions options;
  options.error_formatter = [](int status, std::string_view msg) {
    nlohmann::json j;
    j["error"] = {{"errorCode", status}, {"errorMessage", std::string(msg)}};
    return Response::Json(j.dump(), status);
  };
  StartServer(std::move(options));
  auto res = Get("/nope");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"]["errorCode"], 404);
  res = Get("/throw");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"]["errorCode"], 500);
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerStaysUp) {
  StartServer();
  for (const char* path : {"/throw", "/throw-int", "/throw"}) {
    auto res = Get(path);
    ASSERT_OK(res);
    EXPECT_EQ(res->status, 500);
    // The exception text is internal and must not reach the caller.
    EXPECT_EQ(res->body.find("boom"), std::string::npos) << res->body;
  }
  auto res = Get("/hello");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(server_->metrics().RenderPrometheus().find("genomefed_http_handler_exceptions_total 3"),
            std::string::npos);
}

TEST_F(ServerTest, PostBodyEchoAndHeaderInjectionDropped) {
  StartServer();
  ClientRequest req;
  req.method = "POST";
  req.url = Url("/echo");
  req.body = std::string(5000, 'x');  // above curl's default Expect: 100-continue threshold
  auto res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, req.body);
  ASSERT_NE(FindHeader(*res, "x-echo-length"), nullptr);
  EXPECT_EQ(*FindHeader(*res, "x-echo-length"), "5000");
  EXPECT_EQ(FindHeader(*res, "x-bad"), nullptr);
  EXPECT_EQ(FindHeader(*res, "injected"), nullptr);
}

TEST_F(ServerTest, BodyLimitIs413AndServerStaysUp) {
  ServerOptions options;
  options.limits.max_body_bytes = 1024;
  StartServer(std::move(options));
  ClientRequest req;
  req.method = "POST";
  req.url = Url("/echo");
  req.body = std::string(1024, 'y');
  auto ok = client_->Send(req);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 201);
  req.body = std::string(64 * 1024, 'y');
  auto res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(nlohmann::json::parse(res->body)["status"], 413);
  auto after = Get("/hello");
  ASSERT_OK(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions options;
  options.limits.max_body_bytes = 100;
  StartServer(std::move(options));
  RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  std::string chunk(200, 'z');
  ASSERT_TRUE(s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nc8\r\n" +
                     chunk + "\r\n0\r\n\r\n"));
  std::string got = s.ReadAll(2000ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
}

// A header over the cap is answered 431 and the server keeps serving. The second case is one
// field over Beast's per-field maximum (65,533 bytes) with a configured cap above it: the cap is
// clamped, so it is still 431, never an exception out of the parser.
TEST_F(ServerTest, HeaderLimitIs431) {
  for (const auto& [cap, name, size] :
       {std::tuple{uint32_t{2048}, "X-Big", size_t{8000}},
        std::tuple{uint32_t{1} << 20, "Authorization", size_t{70000}}}) {
    SCOPED_TRACE(name);
    ServerOptions options;
    options.limits.max_header_bytes = cap;
    StartServer(std::move(options));
    ClientRequest req;
    req.url = Url("/hello");
    req.headers = {{name, std::string(size, 'h')}};
    auto res = client_->Send(req);
    ASSERT_OK(res);
    EXPECT_EQ(res->status, 431);
    auto after = Get("/hello");
    ASSERT_OK(after);
    EXPECT_EQ(after->status, 200);
  }
}

TEST_F(ServerTest, MalformedRequestsAre400AndServerStaysUp) {
  StartServer();
  const std::vector<std::string> garbage = {
      "GARBAGE\r\n\r\n",
      "GET /hello HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET /hello HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      "GET /he\x01llo HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",  // TLS hello
  };
  for (const std::string& bytes : garbage) {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(s.Send(bytes));
    std::string got = s.ReadAll(2000ms);
    EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << "for " << bytes << " got: " << got;
    EXPECT_TRUE(s.closed()) << "connection must be closed after a malformed request";
  }
  auto res = Get("/hello");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ServerTest, RandomBytesNeverTakeTheServerDown) {
  StartServer();
  std::mt19937 rng(42);
  const std::vector<std::string> prefixes = {"", "GET / HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\n",
                                             "GET /api/g_variants/"};
  for (int i = 0; i < 60; ++i) {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    std::string bytes = prefixes[rng() % prefixes.size()];
    size_t n = 1 + rng() % 300;
    for (size_t k = 0; k < n; ++k) {
      bytes.push_back(rng() % 3 == 0 ? "\r\n:% "[rng() % 5] : static_cast<char>(rng() % 256));
    }
    bytes += "\r\n\r\n";
    s.Send(bytes);
    std::string got = s.ReadAll(300ms);
    if (!got.empty()) {
      EXPECT_EQ(got.rfind("HTTP/1.1 ", 0), 0u) << got;
    }
  }
  auto res = Get("/hello");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ServerTest, ClientClosingMidRequestIsHarmless) {
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  }
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.Send("GET /hel"));
  }
  auto res = Get("/hello");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ServerTest, ReadTimeoutClosesStalledConnection) {
  ServerOptions options;
  options.limits.request_timeout_ms = 300;
  StartServer(std::move(options));
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finishes the header
  auto t0 = std::chrono::steady_clock::now();
  s.ReadAll(3000ms);
  EXPECT_TRUE(s.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(
      s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\n\r\n"));
  std::string got = s.ReadUntil("\r\n\r\n", 2000ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 100 Continue", 0), 0u) << got;
  ASSERT_TRUE(s.Send("hello"));
  got = s.ReadUntil("hello", 2000ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 201", 0), 0u) << got;
}

TEST_F(ServerTest, HeadAnswersGetWithoutBody) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(
      s.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n"
             "Connection: close\r\n\r\n"));
  std::string got = s.ReadAll(2000ms);
  // Pipelined: the HEAD answer has Content-Length 8 but no body, then the GET answer follows.
  size_t second = got.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << got;
  std::string head = got.substr(0, second);
  EXPECT_NE(head.find("Content-Length: 8\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  EXPECT_EQ(got.substr(got.size() - 8), R"({"hi":1})");
}

TEST_F(ServerTest, NoContentHasNoBodyAndFramingHeadersAreTheServers) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(
      s.Send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n"
             "Connection: close\r\n\r\n"));
  std::string got = s.ReadAll(2000ms);
  size_t second = got.find("HTTP/1.1 200 OK\r\n");
  ASSERT_NE(second, std::string::npos) << got;
  std::string first = got.substr(0, second);
  EXPECT_EQ(first.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << first;
  EXPECT_EQ(first.find("Content-Length"), std::string::npos) << first;
  EXPECT_EQ(first.find("must not be sent"), std::string::npos) << first;
  EXPECT_EQ(first.find("Bad Name"), std::string::npos) << first;
  EXPECT_NE(first.find("X-Kept: yes\r\n"), std::string::npos) << first;
  EXPECT_EQ(first.substr(first.size() - 4), "\r\n\r\n");
  std::string rest = got.substr(second);
  EXPECT_NE(rest.find("Content-Length: 8\r\n"), std::string::npos) << rest;
  EXPECT_NE(rest.find("Connection: close\r\n"), std::string::npos) << rest;
  EXPECT_NE(rest.find("Server: genomefed\r\n"), std::string::npos) << rest;
  // IMF-fixdate, e.g. "Date: Sun, 22 Nov 2026 06:40:00 GMT".
  size_t date = rest.find("Date: ");
  ASSERT_NE(date, std::string::npos) << rest;
  std::string value = rest.substr(date + 6, rest.find("\r\n", date) - date - 6);
  EXPECT_EQ(value.size(), 29u) << value;
  EXPECT_EQ(value.substr(value.size() - 4), " GMT") << value;
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::string got = s.ReadUntil(R"({"hi":1})", 2000ms);
    EXPECT_NE(got.find("Connection: keep-alive\r\n"), std::string::npos) << got;
    ASSERT_TRUE(s.Send("GET /hello HTTP/1.0\r\n\r\n"));
    got = s.ReadAll(2000ms);
    EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos) << got;
    EXPECT_TRUE(s.closed());
  }
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  uint64_t before = server_->connections_accepted();
  for (int i = 0; i < 20; ++i) {
    auto res = Get("/hello");
    ASSERT_OK(res);
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(server_->connections_accepted() - before, 1u);
}

TEST_F(ServerTest, ConcurrentClientsAllAnswered) {
  StartServer();
  constexpr int kThreads = 8, kEach = 100;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = MakeCurlClient();  // one keep-alive connection per thread
      for (int i = 0; i < kEach; ++i) {
        ClientRequest req;
        req.url =
            Url("/api/g_variants/v" + std::to_string(t) + "_" + std::to_string(i) + "/individuals");
        auto res = client->Send(req);
        if (res.ok() && res->status == 200 &&
            nlohmann::json::parse(res->body)["id"] ==
                "v" + std::to_string(t) + "_" + std::to_string(i)) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  std::string text = server_->metrics().RenderPrometheus();
  EXPECT_NE(text.find("genomefed_http_requests_total{method=\"GET\",route=\"/api/g_variants/{id}/"
                      "individuals\",status=\"200\"} 800\n"),
            std::string::npos)
      << text;
}

TEST_F(ServerTest, SendAllSlowEndpointTimesOutOthersReturnQuickly) {
  StartServer();
  std::vector<ClientRequest> reqs(4);
  for (auto& r : reqs) {
    r.url = Url("/hello");
    r.timeout_ms = 5000;
  }
  reqs[1].url = Url("/slow?ms=2500");
  reqs[1].timeout_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  auto results = client_->SendAll(reqs);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(results.size(), 4u);
  // Margins are wide for a loaded 2-core machine; the slow handler takes 2.5 s, so anything
  // under that shows that no request waited for it.
  for (size_t i : {0u, 2u, 3u}) {
    ASSERT_OK(results[i]);
    EXPECT_EQ(results[i]->status, 200);
    EXPECT_LT(results[i]->elapsed_ms, 1000) << i;
  }
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].status().code(), StatusCode::kDeadlineExceeded)
      << results[1].status().ToString();
  EXPECT_LT(elapsed, 2000ms);
  EXPECT_GE(elapsed, 250ms);
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightRequest) {
  StartServer();
  auto in_flight = std::async(std::launch::async, [this] { return Get("/slow?ms=400"); });
  for (int i = 0; i < 200 && !slow_started_.load(); ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(slow_started_.load());
  RawSocket idle(server_->port());  // an idle keep-alive connection must not hold up the stop
  ASSERT_TRUE(idle.connected());
  std::this_thread::sleep_for(20ms);
  uint16_t port = server_->port();
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop(3000ms);
  auto stop_took = std::chrono::steady_clock::now() - t0;
  auto res = in_flight.get();
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"slow":true})");
  ASSERT_NE(FindHeader(*res, "connection"), nullptr);
  EXPECT_EQ(*FindHeader(*res, "connection"), "close");
  EXPECT_LT(stop_took, 2000ms);
  idle.ReadAll(500ms);
  EXPECT_TRUE(idle.closed());
  RawSocket after(port);
  EXPECT_FALSE(after.connected()) << "the listener must be closed after Stop";
}

TEST_F(ServerTest, StopIsBoundedWhenAHandlerOverstays) {
  StartServer();
  auto in_flight = std::async(std::launch::async, [this] { return Get("/slow?ms=800", 5000); });
  for (int i = 0; i < 200 && !slow_started_.load(); ++i) std::this_thread::sleep_for(5ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop(100ms);
  // Stop waits for the grace, then closes; the handler itself cannot be interrupted.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  auto res = in_flight.get();  // closed without an answer, or answered: either way, no hang
  (void)res;
}

TEST_F(ServerTest, RunUntilSignalReturnsOnSigterm) {
  StartServer();
  auto runner = std::async(std::launch::async, [this] { server_->RunUntilSignal(); });
  // Send SIGTERM only once a handler is installed (SigCgt in /proc/self/status), or the default
  // action would end the whole test binary.
  auto sigterm_caught = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigCgt:", 0) == 0) {
        uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
        return (mask >> (SIGTERM - 1)) & 1;
      }
    }
    return uint64_t{0};
  };
  for (int i = 0; i < 500 && !sigterm_caught(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(sigterm_caught());
  ASSERT_EQ(Get("/hello")->status, 200);
  ::kill(::getpid(), SIGTERM);
  EXPECT_EQ(runner.wait_for(5s), std::future_status::ready);
  RawSocket after(server_->port());
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, MetricsAndHealthz) {
  StartServer();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Get("/hello")->status, 200);
  ASSERT_EQ(Get("/nope")->status, 404);
  auto health = Get("/healthz");
  ASSERT_OK(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  auto res = Get("/metrics");
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(*FindHeader(*res, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = res->body;
  EXPECT_NE(t.find("# TYPE genomefed_http_requests_total counter\n"), std::string::npos) << t;
  EXPECT_NE(
      t.find("genomefed_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 3\n"),
      std::string::npos)
      << t;
  EXPECT_NE(
      t.find(
          "genomefed_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("# TYPE genomefed_http_request_duration_seconds histogram\n"),
            std::string::npos);
  EXPECT_NE(
      t.find("genomefed_http_request_duration_seconds_count{method=\"GET\",route=\"/hello\"} 3\n"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("genomefed_http_request_duration_seconds_bucket{method=\"GET\",route=\"/hello\","
                   "le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(t.find("genomefed_http_connections_total "), std::string::npos);
  // Every non-comment line is "name{labels} value" or "name value".
  std::istringstream lines(t);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    std::string value = line.substr(space + 1);
    EXPECT_NO_THROW((void)std::stod(value)) << line;
  }
}

TEST_F(ServerTest, AccessLogHasNoQueryNorAuthorization) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::info);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  options_access_log_ = true;
  StartServer();
  ClientRequest req;
  req.url = Url("/api/g_variants/v1/individuals?token=SECRETQUERY&x=1");
  req.headers = {{"Authorization", "Bearer SECRETTOKEN"}};
  auto res = client_->Send(req);
  ASSERT_OK(res);
  server_->Stop(1000ms);
  spdlog::set_default_logger(previous);
  std::string log = captured.str();
  EXPECT_NE(log.find("method=GET path=/api/g_variants/v1/individuals status=200 bytes="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("client=127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find(" us="), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
}

TEST(ServerStart, BindFailureIsIOError) {
  auto first = Server::Start({}, Router());
  ASSERT_OK(first);
  ServerOptions options;
  options.port = (*first)->port();
  auto second = Server::Start(options, Router());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
  EXPECT_NE(second.status().message().find(std::to_string(options.port)), std::string::npos);
}

TEST(ServerStart, OptionsFromListenAddress) {
  ServerLimits limits;
  limits.threads = 3;
  auto o = MakeServerOptions("127.0.0.1:8080", limits);
  ASSERT_OK(o);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 8080);
  EXPECT_EQ(o->limits.threads, 3u);
  o = MakeServerOptions("localhost:0", limits);
  ASSERT_OK(o);
  EXPECT_EQ(o->host, "127.0.0.1");
  o = MakeServerOptions("[::1]:9000", limits);
  ASSERT_OK(o);
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(MakeServerOptions("example.org:80", limits).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerOptions("127.0.0.1", limits).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerOptions("127.0.0.1:99999", limits).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ServerStart, BadHostIsInvalidArgument) {
  ServerOptions options;
  options.host = "not-an-ip";
  auto s = Server::Start(options, Router());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace genomefed::http
