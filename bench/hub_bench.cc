// Hub benchmarks (docs/hub.md, BENCHMARKS.md "Hub"), all on 127.0.0.1:
//
//  1. Fan-out overhead for 1, 3 and 10 nodes: median latency of a Beacon count query through
//     the hub minus the median latency of the slowest node queried directly (the baseline: what
//     a caller asking that node alone would wait). Goal: ≤ 2 ms.
//  2. Throughput under wrk (when installed): the hub over 3 nodes vs one node directly
//     (requests/s, ratio).
//  3. One slow node (wrk, when installed): the hub over 3 healthy nodes, then over the same 3
//     plus one that answers after --slow-ms (beyond the node time-out, --timeout-ms), with
//     wrk -c32 on the fan-out endpoint and, at the same time, wrk -c4 on /api/info: requests/s
//     and p99 of both. The fan-out waits on the event loop (no server thread held), so every
//     answer must come within the time-out plus the merge and /api/info must not slow down.
//
// The nodes are HTTP servers answering a canned Beacon count response of a node (about 1 KB)
// without work, so the figures isolate what the hub adds: parse, fan-out, merge, render.
//
//   hub_bench [--iterations N] [--wrk-seconds S] [--timeout-ms T] [--slow-ms S]
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/client.h"
#include "http/server.h"
#include "hub/hub.h"

namespace {

using namespace genomefed;
using nlohmann::json;

std::string CannedAnswer(const std::string& id) {
  json set = {{"id", id + "-cohort"},
              {"setType", "dataset"},
              {"exists", true},
              {"resultsCount", 17},
              {"countPrecision", "exact"},
              {"results", json::array()},
              {"info", {{"returnedGranularity", "count"}}}};
  json meta = {
      {"beaconId", id},
      {"apiVersion", "v2.1.1"},
      {"returnedGranularity", "count"},
      {"returnedSchemas",
       json::array({{{"entityType", "genomicVariation"}, {"schema", "beacon-g_variant-v2.0.0"}}})},
      {"receivedRequestSummary",
       {{"apiVersion", "v2.1.1"},
        {"requestedSchemas", json::array()},
        {"pagination", {{"skip", 0}, {"limit", 10}}},
        {"requestedGranularity", "count"},
        {"requestParameters",
         {{"genomicVariation",
           {{"referenceName", "22"},
            {"start", json::array({16050074})},
            {"referenceBases", "A"},
            {"alternateBases", "G"}}}}}}}};
  json out = {
      {"meta", meta},
      {"responseSummary", {{"exists", true}, {"numTotalResults", 17}, {"countPrecision", "exact"}}},
      {"response", {{"resultSets", json::array({set})}}}};
  return out.dump();
}

std::unique_ptr<http::Server> StartFakeNode(const std::string& id) {
  http::Router router;
  std::string body = CannedAnswer(id);
  (void)router.Get("/api/g_variants",
                   [body](const http::Request&) { return http::Response::Json(body); });
  http::ServerOptions o;
  o.access_log = false;
  o.limits.threads = 1;
  auto s = http::Server::Start(std::move(o), std::move(router));
  if (!s.ok()) {
    std::cerr << "node: " << s.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(s).value();
}

// A node that answers every query after a delay, without holding a thread per request (its
// handler is asynchronous; one timer thread sends the answers), so that it can keep any number
// of hub connections waiting.
class SlowNode {
 public:
  SlowNode(const std::string& id, std::chrono::milliseconds delay) : delay_(delay) {
    http::Router router;
    std::string body = CannedAnswer(id);
    (void)router.AddAsync(
        "GET", "/api/g_variants", [this, body](const http::Request&, http::Responder r) {
          std::lock_guard lock(mu_);
          due_.emplace(std::chrono::steady_clock::now() + delay_, Pending{r, body});
          cv_.notify_one();
        });
    http::ServerOptions o;
    o.access_log = false;
    o.limits.threads = 1;
    o.shutdown_grace_ms = 100;
    timer_ = std::thread([this] { Run(); });
    auto s = http::Server::Start(std::move(o), std::move(router));
    if (!s.ok()) {
      std::cerr << "slow node: " << s.status().ToString() << "\n";
      std::exit(1);
    }
    server_ = std::move(s).value();
  }
  ~SlowNode() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    timer_.join();
    server_->Stop(std::chrono::milliseconds(100));
  }
  std::string base_url() const { return server_->base_url(); }

 private:
  struct Pending {
    http::Responder responder;
    std::string body;
  };
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (due_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = due_.begin();
      if (cv_.wait_until(lock, first->first) == std::cv_status::timeout) {
        Pending p = std::move(first->second);
        due_.erase(first);
        lock.unlock();
        p.responder.Send(http::Response::Json(p.body));
        lock.lock();
      }
    }
    due_.clear();  // unanswered requests get the server's 500
  }
  std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, Pending> due_;
  bool stop_ = false;
  std::thread timer_;
  std::unique_ptr<http::Server> server_;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Median wall time of `n` sequential GETs of `url` over one keep-alive connection, in ms.
double MedianLatency(http::HttpClient& client, const std::string& url, int n) {
  std::vector<double> t;
  http::ClientRequest r;
  r.url = url;
  for (int i = 0; i < n / 10 + 1; ++i) (void)client.Send(r);  // warm-up, connection set up
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto res = client.Send(r);
    auto t1 = std::chrono::steady_clock::now();
    if (!res.ok() || res->status != 200) {
      std::cerr << "request failed: " << url << "\n";
      std::exit(1);
    }
    t.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return Median(t);
}

// Requests/s that wrk reports, or -1 when wrk is missing.
double Wrk(const std::string& url, int seconds) {
  std::string cmd = "wrk -t1 -c16 -d" + std::to_string(seconds) + "s '" + url + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char line[512];
  double rps = -1;
  while (fgets(line, sizeof line, p) != nullptr) {
    std::string s(line);
    if (s.rfind("Requests/sec:", 0) == 0) rps = std::atof(s.c_str() + 13);
  }
  int status = pclose(p);
  return status == 0 ? rps : -1;
}

struct WrkResult {
  double rps = -1;
  double p99_ms = -1;
  long non_2xx = 0;
};

double WrkMs(const std::string& v) {
  double x = std::atof(v.c_str());
  if (v.find("us") != std::string::npos) return x / 1000;
  if (v.find("ms") != std::string::npos) return x;
  if (v.find('s') != std::string::npos) return x * 1000;
  return x;
}

// wrk --latency: requests/s, p99 and non-2xx answers.
WrkResult WrkLatency(const std::string& url, int connections, int seconds) {
  std::string cmd = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                    "s --timeout 10s --latency '" + url + "' 2>/dev/null";
  WrkResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char line[512];
  while (fgets(line, sizeof line, p) != nullptr) {
    std::string s(line);
    size_t a = s.find_first_not_of(' ');
    if (a == std::string::npos) continue;
    s = s.substr(a);
    if (s.rfind("Requests/sec:", 0) == 0) r.rps = std::atof(s.c_str() + 13);
    if (s.rfind("99%", 0) == 0) r.p99_ms = WrkMs(s.substr(3));
    if (s.rfind("Non-2xx", 0) == 0) r.non_2xx = std::atol(s.c_str() + s.find(':') + 1);
  }
  if (pclose(p) != 0) r.rps = -1;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000;
  int wrk_seconds = 5;
  int timeout_ms = 1500;
  int slow_ms = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--timeout-ms") timeout_ms = std::atoi(argv[i + 1]);
    if (a == "--slow-ms") slow_ms = std::atoi(argv[i + 1]);
    if (a == "--iterations") iterations = std::atoi(argv[i + 1]);
    if (a == "--wrk-seconds") wrk_seconds = std::atoi(argv[i + 1]);
  }
  log::Init("error");
  const std::string query =
      "/api/g_variants?referenceName=22&start=16050074&referenceBases=A&alternateBases=G"
      "&requestedGranularity=count";
  auto tmp = std::filesystem::temp_directory_path() / ("hub_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  auto client = http::MakeCurlClient();

  std::printf("# fan-out overhead: hub median minus slowest node median (%d sequential queries)\n",
              iterations);
  std::printf("%-6s %14s %14s %14s %10s\n", "nodes", "slowest_ms", "hub_ms", "overhead_ms",
              "ratio");
  std::unique_ptr<hub::Hub> hub3;
  std::vector<std::unique_ptr<http::Server>> nodes3;
  for (int n : {1, 3, 10}) {
    std::vector<std::unique_ptr<http::Server>> nodes;
    HubConfig cfg;
    cfg.id = "bench-hub";
    cfg.limits.threads = 2;
    for (int i = 0; i < n; ++i) {
      nodes.push_back(StartFakeNode("n" + std::to_string(i)));
      cfg.nodes.push_back({"n" + std::to_string(i), nodes.back()->base_url(), "FI"});
    }
    hub::HubOptions o;
    o.config = cfg;
    o.db_override = "sqlite:" + (tmp / ("hub" + std::to_string(n) + ".db")).string();
    o.listen_override = "127.0.0.1:0";
    o.access_log = false;
    o.background_harvest = false;
    auto hub = hub::Hub::Start(std::move(o));
    if (!hub.ok()) {
      std::cerr << hub.status().ToString() << "\n";
      return 1;
    }
    double slowest = 0;
    for (const auto& s : nodes) {
      slowest = std::max(slowest, MedianLatency(*client, s->base_url() + query, iterations / 4));
    }
    double through_hub = MedianLatency(*client, (*hub)->base_url() + query, iterations);
    std::printf("%-6d %14.3f %14.3f %14.3f %10.2f\n", n, slowest, through_hub,
                through_hub - slowest, through_hub / slowest);
    std::fflush(stdout);
    if (n == 3) {
      hub3 = std::move(hub).value();
      nodes3 = std::move(nodes);
    }
  }

  std::printf("\n# throughput under wrk -t1 -c16 -d%ds (hub over 3 nodes vs one node directly)\n",
              wrk_seconds);
  double direct = Wrk(nodes3[0]->base_url() + query, wrk_seconds);
  double via_hub = Wrk(hub3->base_url() + query, wrk_seconds);
  if (direct < 0 || via_hub < 0) {
    std::printf("wrk not available: skipped\n");
  } else {
    std::printf("%-24s %12.0f req/s\n%-24s %12.0f req/s\n%-24s %12.3f\n", "node directly", direct,
                "hub (3-node fan-out)", via_hub, "ratio hub/node", via_hub / direct);
  }
  hub3.reset();

  std::printf(
      "\n# one slow node: 3 healthy nodes (+1 answering after %d ms, node time-out %d ms),\n"
      "# wrk -t1 -c32 -d%ds on g_variants and at the same time wrk -t1 -c4 on /api/info\n",
      slow_ms, timeout_ms, wrk_seconds);
  std::printf("%-12s %12s %10s %8s %12s %10s\n", "network", "fanout_rps", "p99_ms", "non2xx",
              "info_rps", "p99_ms");
  for (bool with_slow : {false, true}) {
    std::unique_ptr<SlowNode> slow;
    HubConfig cfg;
    cfg.id = "bench-hub";
    cfg.limits.threads = 2;
    cfg.node_timeout_ms = static_cast<uint32_t>(timeout_ms);
    for (int i = 0; i < 3; ++i)
      cfg.nodes.push_back({"n" + std::to_string(i), nodes3[i]->base_url(), "FI"});
    if (with_slow) {
      slow = std::make_unique<SlowNode>("slow", std::chrono::milliseconds(slow_ms));
      cfg.nodes.push_back({"slow", slow->base_url(), "DE"});
    }
    hub::HubOptions o;
    o.config = cfg;
    o.db_override = "sqlite:" + (tmp / (with_slow ? "hub-slow.db" : "hub-healthy.db")).string();
    o.listen_override = "127.0.0.1:0";
    o.access_log = false;
    o.background_harvest = false;
    auto hub = hub::Hub::Start(std::move(o));
    if (!hub.ok()) {
      std::cerr << hub.status().ToString() << "\n";
      return 1;
    }
    const std::string base = (*hub)->base_url();
    auto info = std::async(std::launch::async,
                           [&] { return WrkLatency(base + "/api/info", 4, wrk_seconds); });
    WrkResult fan = WrkLatency(base + query, 32, wrk_seconds);
    WrkResult inf = info.get();
    if (fan.rps < 0 || inf.rps < 0) {
      std::printf("wrk not available: skipped\n");
      break;
    }
    std::printf("%-12s %12.0f %10.1f %8ld %12.0f %10.1f\n", with_slow ? "one-slow" : "healthy",
                fan.rps, fan.p99_ms, fan.non_2xx, inf.rps, inf.p99_ms);
    std::fflush(stdout);
    hub->reset();
  }
  std::filesystem::remove_all(tmp);
  return 0;
}
