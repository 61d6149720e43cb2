// The HTTP/1.1 server under the node and the hub (RFC 9110 semantics, RFC 9112 message syntax),
// on Boost.Beast/Asio 1.74. It is the only component that knows sockets: handlers are plain
// functions `Response(const Request&)` on small structs, so the core stays free of HTTP types.
//
// What it does for every server built on it: keep-alive, TCP_NODELAY, N threads running one
// io_context, header/body size limits and a per-request read time-out (core/config.h
// ServerLimits), a router with `{param}` path patterns (404, 405 + Allow), one access-log line
// per request (never the query string or the Authorization header), Prometheus metrics per route
// and status, `/healthz` and `/metrics`, graceful shutdown (SIGTERM/SIGINT: stop accepting, let
// in-flight requests finish, bounded wait). A throwing handler yields a 500 made by the
// configurable error formatter, and malformed HTTP yields 400 and a closed connection; neither
// ever stops the server. See docs/http.md for limits, log format and metric names.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "http/metrics.h"
#include "http/url.h"

namespace genomefed::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed request. Handlers receive it by const reference and must not keep pointers into it
// beyond the call.
struct Request {
  std::string method;  // as sent, upper-case by convention ("GET", "POST", ...)
  std::string path;    // the path part of the target, still percent-encoded; no query
  QueryParams query;   // decoded query parameters ('+' = space)
  std::map<std::string, std::string, std::less<>> path_params;  // decoded `{name}` captures
  HeaderList headers;  // names lower-cased, values as sent, in order of arrival
  std::string body;
  std::string client_address;  // "ip:port" of the peer
  std::string route;           // the matched pattern, e.g. "/api/g_variants/{id}"

  // First header with this name (give it lower-case), or nullptr.
  const std::string* Header(std::string_view lower_name) const;
  // First query value with this name, or nullptr.
  const std::string* Query(std::string_view name) const;
  // The decoded `{name}` capture, or nullptr.
  const std::string* PathParam(std::string_view name) const;
};

// The client's IP address (canonical text, no port). The TCP peer's, unless the peer is one of
// `trusted_proxies` (canonical IPs) and sent X-Forwarded-For: then the right-most address of
// that header that is not itself a trusted proxy (entries are appended by each proxy, so those
// left of it are the client's own claims and are not believed). Malformed entries stop the walk
// at the last address that was checked.
std::string ClientIp(const Request& req, const std::vector<std::string>& trusted_proxies);

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;  // extra headers; names or values containing CR/LF are dropped

  static Response Json(std::string body, int status = 200);
  static Response Text(std::string body, int status = 200);
};

using Handler = std::function<Response(const Request&)>;

class ResponderState;

// Completes one asynchronous request (see AsyncHandler). Copyable; every copy refers to the same
// request. The first Send wins and later ones are ignored; Send may be called from any thread.
// When the last copy is destroyed without Send, the client gets a 500, so a lost callback never
// leaves a connection hanging. A Responder must not outlive the Server that made it.
class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponderState> state) : state_(std::move(state)) {}
  void Send(Response response) const;

 private:
  std::shared_ptr<ResponderState> state_;
};

// A handler that answers later: it returns at once and calls `respond.Send` when the answer is
// ready (from any thread), so waiting for other servers never holds a server thread. `req` is
// valid only during the call: copy what the answer needs.
using AsyncHandler = std::function<void(const Request& req, Responder respond)>;

// Builds the response for an error the server produces itself (400, 404, 405, 413, 431, 500) or a
// handler reports through ErrorResponse. `message` is safe to show to the caller (no internals).
// The node supplies a Beacon error body; the hub its own.
using ErrorFormatter = std::function<Response(int status, std::string_view message)>;

// GA4GH-style JSON `{"status": 404, "msg": "..."}`.
Response DefaultErrorFormatter(int status, std::string_view message);

// The response for a non-OK Status: HttpStatusFor(code) and its message through `formatter`.
Response ErrorResponse(const Status& status,
                       const ErrorFormatter& formatter = DefaultErrorFormatter);

// `GET /healthz`: 200 {"status":"ok"} while `check` returns OK (or is empty), else 503 with the
// Status message through DefaultErrorFormatter.
Handler HealthzHandler(std::function<Status()> check = {});

// `GET /metrics`: Prometheus text format 0.0.4 of `registry` (which must outlive the handler).
Handler MetricsHandler(const MetricsRegistry* registry);

// Maps (method, path) to handlers. Patterns are absolute paths whose segments are literals or
// `{name}` captures of one whole segment; a trailing slash on a request path is ignored. Literal
// segments win over captures when both match. Not thread-safe while adding; Find is const and
// may be called from any thread once the router is handed to the server.
class Router {
 public:
  // kInvalidArgument for a malformed pattern (not starting with '/', unbalanced braces, a capture
  // name repeated), kAlreadyExists when the method is already registered for the pattern.
  Status Add(std::string_view method, std::string_view pattern, Handler handler);
  Status Get(std::string_view pattern, Handler handler) {
    return Add("GET", pattern, std::move(handler));
  }
  Status Post(std::string_view pattern, Handler handler) {
    return Add("POST", pattern, std::move(handler));
  }
  // The same for a handler that answers asynchronously.
  Status AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler);
  bool Has(std::string_view method, std::string_view pattern) const;

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed, kBadPath };
    Kind kind = Kind::kNotFound;
    size_t endpoint = 0;     // kFound: index into endpoints(), stable per (method, pattern)
    std::string_view route;  // kFound and kMethodNotAllowed: the pattern
    std::string allow;       // kMethodNotAllowed: "GET, POST"
    std::map<std::string, std::string, std::less<>> params;  // kFound
    std::string error;  // kBadPath: what was wrong (e.g. a bad percent-escape)
  };
  // `path` is the raw (encoded) path without query. HEAD falls back to GET.
  Match Find(std::string_view method, std::string_view path) const;

  struct Endpoint {
    std::string method;
    std::string pattern;
    Handler handler;             // one of the two is set
    AsyncHandler async_handler;  // set for AddAsync endpoints
  };
  const std::vector<Endpoint>& endpoints() const { return endpoints_; }

 private:
  Status AddEndpoint(std::string_view method, std::string_view pattern, Handler handler,
                     AsyncHandler async_handler);

  struct Segment {
    std::string text;  // literal, or capture name
    bool capture = false;
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::vector<size_t> endpoints;  // indexes into endpoints_
  };
  std::vector<Route> routes_;
  std::vector<Endpoint> endpoints_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;    // 0 = ephemeral; Server::port() tells which
  ServerLimits limits;  // threads, max_body_bytes, max_header_bytes, request_timeout_ms
  std::string server_name = "genomefed";  // the Server header and the access-log tag
  bool access_log = true;                 // one info line per request (see docs/http.md)
  ErrorFormatter error_formatter = DefaultErrorFormatter;
  std::shared_ptr<MetricsRegistry> metrics;  // shared with the application; made if null
  bool serve_metrics = true;                 // adds GET /metrics unless the router has it
  bool serve_healthz = true;  // adds GET /healthz (HealthzHandler()) unless the router has it
  uint32_t shutdown_grace_ms = 5000;  // Stop(): how long in-flight requests may take to finish
};

// Options for a `listen` address as written in the node and hub configs ("127.0.0.1:8080",
// "[::1]:8080", "localhost:0") with the configured limits. The host must be an IP address or
// "localhost" (no name resolution at start-up); kInvalidArgument otherwise.
Result<ServerOptions> MakeServerOptions(std::string_view listen, const ServerLimits& limits);

class ServerImpl;

using RouterFactory = std::function<Result<Router>(const std::string& base_url)>;

// "http://host:port", IPv6 hosts in brackets.
std::string BaseUrl(std::string_view host, uint16_t port);

// A running server. Handlers run on the server's threads, up to limits.threads at once, and must
// be thread-safe; a handler that blocks holds one thread (keep slow work off the hot routes, or
// make it an AsyncHandler: its connection then waits without a thread).
class Server {
 public:
  // Binds host:port, starts the threads and returns a running server. kInvalidArgument for bad
  // options, kIOError when the address cannot be bound (in use, permission).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Router router);
  // The same, with the routes built by `make_router` once the address is bound and before any
  // connection is accepted; it receives base_url() ("http://host:PORT", the real port when
  // options.port is 0), for applications that advertise their own URL. Its error is returned.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, RouterFactory make_router);

  ~Server();  // Stop() with the configured grace
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;  // the bound port (useful with port 0)
  const std::string& host() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  MetricsRegistry& metrics();

  // Graceful stop: closes the listener, closes idle keep-alive connections, lets requests being
  // handled finish and write their answer (with Connection: close) for up to `grace`, then
  // closes what remains and joins the threads. Idempotent; safe from any thread but a handler.
  void Stop(std::chrono::milliseconds grace);
  void Stop();  // with options.shutdown_grace_ms

  // Blocks until SIGTERM or SIGINT arrives (or Stop() is called from elsewhere), then Stop().
  void RunUntilSignal();

  // Connections accepted since start (for tests of keep-alive reuse).
  uint64_t connections_accepted() const;

 private:
  explicit Server(std::unique_ptr<ServerImpl> impl);
  std::unique_ptr<ServerImpl> impl_;
};

}  // namespace genomefed::http
