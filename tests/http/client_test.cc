// The curl client against a real server on loopback: status mapping of transport failures,
// methods, headers, size cap, thread safety.
#include "http/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/http_test_util.h"
#include "http/server.h"
#include "support/test_support.h"

namespace genomefed::http {
namespace {

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    ASSERT_OK(router.Add("GET", "/big", [](const Request& req) {
      return Response::Text(std::string(std::stoul(*req.Query("n")), 'b'));
    }));
    auto echo = [](const Request& req) {
      std::string out = req.method + " " + req.body;
      if (const std::string* auth = req.Header("authorization")) out += " auth=" + *auth;
      Response r = Response::Text(out);
      r.headers.emplace_back("X-Mixed-Case", "  v  ");
      return r;
    };
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      ASSERT_OK(router.Add(m, "/echo", echo));
    }
    ASSERT_OK(router.Get("/sleep", [](const Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return Response::Text("late");
    }));
    ServerOptions options;
    options.limits.threads = 2;
    options.access_log = false;
    auto server = Server::Start(options, std::move(router));
    ASSERT_OK(server);
    server_ = std::move(*server);
    client_ = MakeCurlClient();
  }

  std::string Url(const std::string& p) const { return server_->base_url() + p; }

  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ClientTest, MethodsBodiesAndLowerCaseHeaders) {
  for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    ClientRequest req;
    req.method = m;
    req.url = Url("/echo");
    if (std::string(m) != "GET") req.body = "payload";
    req.headers = {{"Authorization", "Bearer t0k"}};
    auto res = client_->Send(req);
    ASSERT_OK(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, std::string(m) + " " + req.body + " auth=Bearer t0k");
    bool found = false;
    for (const auto& [n, v] : res->headers) {
      if (n == "x-mixed-case") {
        found = true;
        EXPECT_EQ(v, "v");
      }
    }
    EXPECT_TRUE(found);
    EXPECT_GT(res->elapsed_ms, 0);
  }
}

TEST_F(ClientTest, HeadHasNoBody) {
  ClientRequest req;
  req.method = "HEAD";
  req.url = Url("/big?n=100");
  auto res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(ClientTest, NonSuccessStatusIsAResult) {
  ClientRequest req;
  req.url = Url("/missing");
  auto res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(ClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = server_->port();
  server_->Stop(std::chrono::milliseconds(100));
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/echo";
  auto res = client_->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable) << res.status().ToString();
}

TEST_F(ClientTest, TimeoutIsDeadlineExceeded) {
  ClientRequest req;
  req.url = Url("/sleep");
  req.timeout_ms = 150;
  auto t0 = std::chrono::steady_clock::now();
  auto res = client_->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kDeadlineExceeded) << res.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1200));
}

TEST_F(ClientTest, ResponseOverCapIsResourceExhausted) {
  ClientRequest req;
  req.url = Url("/big?n=100000");
  req.max_response_bytes = 1000;
  auto res = client_->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kResourceExhausted) << res.status().ToString();
  req.max_response_bytes = 100000;
  res = client_->Send(req);
  ASSERT_OK(res);
  EXPECT_EQ(res->body.size(), 100000u);
}

TEST_F(ClientTest, BadUrlsAndHeadersAreInvalidArgument) {
  ClientRequest req;
  req.url = "ftp://127.0.0.1/x";
  EXPECT_EQ(client_->Send(req).status().code(), StatusCode::kInvalidArgument);
  req.url = Url("/echo");
  req.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  auto res = client_->Send(req);
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(res.status().message().find("Injected"), std::string::npos);  // values never shown
}

TEST_F(ClientTest, SendAllKeepsOrderAndPerRequestErrors) {
  std::vector<ClientRequest> reqs(3);
  reqs[0].url = Url("/big?n=10");
  reqs[1].url = "not a url";
  reqs[2].url = Url("/big?n=20");
  auto results = client_->SendAll(reqs);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_OK(results[0]);
  EXPECT_EQ(results[0]->body.size(), 10u);
  EXPECT_EQ(results[1].status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK(results[2]);
  EXPECT_EQ(results[2]->body.size(), 20u);
  EXPECT_TRUE(client_->SendAll({}).empty());
}

TEST_F(ClientTest, SendAllUnreachablePeerFailsAlone) {
  // A port that was just bound and released: nothing listens there.
  uint16_t dead_port;
  {
    auto tmp = Server::Start({}, Router());
    ASSERT_OK(tmp);
    dead_port = (*tmp)->port();
  }
  std::vector<ClientRequest> reqs(2);
  reqs[0].url = "http://127.0.0.1:" + std::to_string(dead_port) + "/x";
  reqs[1].url = Url("/big?n=5");
  auto results = client_->SendAll(reqs);
  EXPECT_EQ(results[0].status().code(), StatusCode::kUnavailable);
  ASSERT_OK(results[1]);
  EXPECT_EQ(results[1]->body, "bbbbb");
}

TEST_F(ClientTest, SharedClientFromManyThreads) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        ClientRequest req;
        req.url = Url("/big?n=" + std::to_string(i + 1));
        auto res = client_->Send(req);
        if (res.ok() && res->body.size() == static_cast<size_t>(i + 1)) ok.fetch_add(1);
        if (i % 10 == 0) {
          auto all = client_->SendAll({req, req});
          if (all[0].ok() && all[1].ok()) ok.fetch_add(0);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  // Connections are reused through the share: far fewer connections than requests.
  EXPECT_LT(server_->connections_accepted(), 40u);
}

}  // namespace
}  // namespace genomefed::http
