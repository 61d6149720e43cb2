// http_bench: the genomefed HTTP server answering one fixed JSON document, for the comparison
// with nginx serving the same bytes as a static file (bench/http_vs_nginx.sh drives both with
// wrk). Prints "port=N" on stdout once listening; stops on SIGTERM/SIGINT.
//
//   http_bench --body FILE [--port 0] [--threads 1] [--access-log]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/log.h"
#include "http/server.h"

int main(int argc, char** argv) {
  using namespace genomefed;
  std::string body_file;
  uint16_t port = 0;
  uint32_t threads = 1;
  bool access_log = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--body" && i + 1 < argc) {
      body_file = argv[++i];
    } else if (a == "--port" && i + 1 < argc) {
      port = static_cast<uint16_t>(std::atoi(argv[++i]));
    } else if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else if (a == "--access-log") {
      access_log = true;
    } else {
      std::fprintf(stderr,
                   "usage: http_bench --body FILE [--port N] [--threads N] [--access-log]\n");
      return 2;
    }
  }
  std::string body;
  if (!body_file.empty()) {
    std::ifstream in(body_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "http_bench: cannot read %s\n", body_file.c_str());
      return 1;
    }
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    body = R"({"meta":{"beaconId":"bench"},"responseSummary":{"exists":true}})";
  }
  log::Init("info");

  http::Router router;
  auto handler = [&body](const http::Request&) { return http::Response::Json(body); };
  if (!router.Get("/bench.json", handler).ok()) return 1;

  http::ServerOptions options;
  options.port = port;
  options.limits.threads = threads;
  options.access_log = access_log;
  options.shutdown_grace_ms = 1000;
  auto server = http::Server::Start(std::move(options), std::move(router));
  if (!server.ok()) {
    std::fprintf(stderr, "http_bench: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("port=%u\n", (*server)->port());
  std::fflush(stdout);
  (*server)->RunUntilSignal();
  return 0;
}
