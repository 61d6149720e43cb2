// Asynchronous handlers (http::AsyncHandler, Responder) and the client's asynchronous fan-out
// (HttpClient::SendAllAsync), on real servers on 127.0.0.1.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "http/client.h"
#include "http/server.h"

namespace genomefed::http {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

// Answers handed to other threads, sent after `delay`; joined by the destructor.
class Delayer {
 public:
  void Later(std::chrono::milliseconds delay, Responder r, Response res) {
    std::lock_guard lock(mu_);
    threads_.emplace_back([delay, r, res]() mutable {
      std::this_thread::sleep_for(delay);
      r.Send(std::move(res));
    });
  }
  ~Delayer() { Join(); }
  void Join() {
    std::vector<std::thread> t;
    {
      std::lock_guard lock(mu_);
      t.swap(threads_);
    }
    for (auto& x : t) x.join();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

std::unique_ptr<Server> StartServer(Router router, uint32_t threads = 1) {
  ServerOptions o;
  o.access_log = false;
  o.limits.threads = threads;
  o.shutdown_grace_ms = 2000;
  auto s = Server::Start(std::move(o), std::move(router));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<ClientResponse> Fetch(HttpClient& c, const std::string& url, uint32_t timeout_ms = 5000) {
  ClientRequest r;
  r.url = url;
  r.timeout_ms = timeout_ms;
  return c.Send(r);
}

TEST(AsyncHandlerTest, WaitingHoldsNoThread) {
  Delayer delayer;
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("GET", "/slow",
                            [&](const Request& req, Responder r) {
                              delayer.Later(std::chrono::milliseconds(600), r,
                                            Response::Text("late " + req.path));
                            })
                  .ok());
  ASSERT_TRUE(router.Get("/fast", [](const Request&) { return Response::Text("fast"); }).ok());
  auto server = StartServer(std::move(router), /*threads=*/1);
  ASSERT_TRUE(server);
  const std::string base = server->base_url();
  // Eight slow requests in flight on a one-thread server...
  std::vector<std::future<Result<ClientResponse>>> slow;
  auto t0 = Clock::now();
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::async(std::launch::async, [&] {
      auto c = MakeCurlClient();
      return Fetch(*c, base + "/slow");
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  // ...and the fast endpoint still answers at once.
  auto c = MakeCurlClient();
  auto t1 = Clock::now();
  auto fast = Fetch(*c, base + "/fast");
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->body, "fast");
  EXPECT_LT(MsSince(t1), 200);
  for (auto& f : slow) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "late /slow");
  }
  // All eight waited together, not one after another.
  EXPECT_LT(MsSince(t0), 600 * 3);
}

TEST(AsyncHandlerTest, LostThrowingAndDoubleAnswers) {
  Delayer delayer;
  Router router;
  ASSERT_TRUE(router.AddAsync("GET", "/lost", [](const Request&, Responder) {}).ok());
  ASSERT_TRUE(
      router
          .AddAsync("GET", "/throws",
                    [](const Request&, Responder) -> void { throw std::runtime_error("boom"); })
          .ok());
  ASSERT_TRUE(router
                  .AddAsync("GET", "/twice",
                            [&](const Request&, Responder r) {
                              r.Send(Response::Text("first", 201));
                              r.Send(Response::Text("second", 202));
                              delayer.Later(std::chrono::milliseconds(10), r,
                                            Response::Text("third", 203));
                            })
                  .ok());
  auto server = StartServer(std::move(router), 2);
  ASSERT_TRUE(server);
  auto c = MakeCurlClient();
  auto lost = Fetch(*c, server->base_url() + "/lost");
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->status, 500);
  auto thrown = Fetch(*c, server->base_url() + "/throws");
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->status, 500);
  for (int i = 0; i < 3; ++i) {
    // Keep-alive: the same connection carries on with the next request.
    auto twice = Fetch(*c, server->base_url() + "/twice");
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(twice->status, 201);
    EXPECT_EQ(twice->body, "first");
  }
  delayer.Join();
  EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST(AsyncHandlerTest, StopWaitsForAnswersInFlight) {
  Delayer delayer;
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("GET", "/slow",
                            [&](const Request&, Responder r) {
                              delayer.Later(std::chrono::milliseconds(300), r,
                                            Response::Text("done"));
                            })
                  .ok());
  auto server = StartServer(std::move(router), 1);
  ASSERT_TRUE(server);
  auto pending = std::async(std::launch::async, [url = server->base_url() + "/slow"] {
    auto c = MakeCurlClient();
    return Fetch(*c, url);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server->Stop(std::chrono::milliseconds(2000));
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "done");
}

TEST(SendAllAsyncTest, ResultsInOrderEachWithinItsOwnTimeout) {
  Delayer delayer;
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("GET", "/wait/{ms}",
                            [&](const Request& req, Responder r) {
                              int ms = std::stoi(*req.PathParam("ms"));
                              delayer.Later(std::chrono::milliseconds(ms), r,
                                            Response::Text(*req.PathParam("ms")));
                            })
                  .ok());
  auto server = StartServer(std::move(router), 1);
  ASSERT_TRUE(server);
  // A port nobody listens on.
  uint16_t closed = 0;
  {
    auto s = StartServer(Router(), 1);
    closed = s->port();
    s->Stop(std::chrono::milliseconds(0));
  }
  auto client = MakeCurlClient();
  constexpr int kBatches = 20;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, calls = 0;
  std::vector<std::vector<Result<ClientResponse>>> results(kBatches);
  auto t0 = Clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::vector<ClientRequest> reqs(4);
    reqs[0].url = server->base_url() + "/wait/50";
    reqs[1].url = server->base_url() + "/wait/2000";
    reqs[1].timeout_ms = 300;
    reqs[2].url = "http://127.0.0.1:" + std::to_string(closed) + "/x";
    reqs[3].url = server->base_url() + "/wait/1";
    client->SendAllAsync(std::move(reqs), [&, b](std::vector<Result<ClientResponse>> r) {
      std::lock_guard lock(mu);
      results[b] = std::move(r);
      ++calls;
      if (++done == kBatches) cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return done == kBatches; }));
  }
  // Twenty batches, each bounded by its slowest request's time-out, ran side by side.
  EXPECT_LT(MsSince(t0), 300 + 700);
  EXPECT_EQ(calls, kBatches);
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), 4u);
    ASSERT_TRUE(r[0].ok());
    EXPECT_EQ(r[0]->body, "50");
    EXPECT_EQ(r[1].status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(r[2].status().code(), StatusCode::kUnavailable);
    ASSERT_TRUE(r[3].ok());
    EXPECT_EQ(r[3]->body, "1");
  }
  // An empty batch completes too.
  std::promise<size_t> empty;
  client->SendAllAsync({},
                       [&](std::vector<Result<ClientResponse>> r) { empty.set_value(r.size()); });
  EXPECT_EQ(empty.get_future().get(), 0u);
  delayer.Join();
}

TEST(SendAllAsyncTest, DestroyingTheClientEndsTransfersInFlight) {
  Delayer delayer;
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("GET", "/never",
                            [&](const Request&, Responder r) {
                              delayer.Later(std::chrono::milliseconds(1500), r,
                                            Response::Text("late"));
                            })
                  .ok());
  auto server = StartServer(std::move(router), 1);
  ASSERT_TRUE(server);
  std::promise<StatusCode> code;
  {
    auto client = MakeCurlClient();
    std::vector<ClientRequest> reqs(1);
    reqs[0].url = server->base_url() + "/never";
    reqs[0].timeout_ms = 10000;
    client->SendAllAsync(std::move(reqs), [&](std::vector<Result<ClientResponse>> r) {
      code.set_value(r[0].status().code());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto t0 = Clock::now();
    client.reset();
    EXPECT_LT(MsSince(t0), 500);
  }
  EXPECT_EQ(code.get_future().get(), StatusCode::kUnavailable);
  delayer.Join();
}

}  // namespace
}  // namespace genomefed::http
