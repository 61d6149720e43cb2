// Server internals: one Session per connection, each on its own strand; N threads run one
// io_context. Life cycle of a connection: read header → (100 Continue) → read body → handle →
// write → read header again (keep-alive), with a time-out on every read and write. Errors the
// server answers itself (400, 413, 431) end with a lingering close so the client can read them.
#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/log.h"

namespace genomefed::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
// Concrete executor types instead of Beast's default type-erased any_io_executor: the erased one
// copies (and heap-allocates) strands on every asynchronous operation, a measurable cost at
// ~10 µs per request.
using SessionExecutor = net::strand<net::io_context::executor_type>;
using SessionSocket = net::basic_stream_socket<tcp, SessionExecutor>;
using SessionStream = beast::basic_stream<tcp, SessionExecutor, beast::unlimited_rate_policy>;

namespace {

// Method label for metrics: known methods by name, everything else "OTHER" so that a client
// cannot grow the label set.
std::string_view MethodLabel(std::string_view m) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "POST",    "HEAD", "PUT",
                                                             "DELETE", "OPTIONS", "PATCH"};
  for (std::string_view k : kKnown) {
    if (k == m) return k;
  }
  return "OTHER";
}

// The path as it may appear in a log line: no query (callers may put secrets there), control
// bytes, spaces, quotes and non-ASCII escaped so a request cannot forge log lines.
std::string LoggablePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(std::min<size_t>(path.size(), 512));
  for (unsigned char c : path.substr(0, 512)) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (path.size() > 512) out += "...";
  return out;
}

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// RFC 9110 token characters.
bool ValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsFramingHeader(std::string_view name) {
  for (std::string_view f :
       {"content-length", "transfer-encoding", "connection", "date", "server"}) {
    if (IEquals(name, f)) return true;
  }
  return false;
}

// IMF-fixdate (RFC 9110 section 5.6.7) of now, formatted at most once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[64];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return buf;
}

// Per-endpoint metrics, looked up once; status counters are cached lock-free by status code.
struct EndpointStats {
  Histogram* latency = nullptr;
  std::string method;
  std::string route;
  std::array<std::atomic<Counter*>, 600> by_status{};
};

}  // namespace

class Session;

// Shared by the copies of one Responder: the first answer is delivered, the rest are dropped;
// with no answer at all, the last copy's destruction delivers nullopt (the session makes a 500).
class ResponderState {
 public:
  using Deliver = std::function<void(std::optional<Response>)>;
  explicit ResponderState(Deliver deliver) : deliver_(std::move(deliver)) {}
  ~ResponderState() {
    if (!done_.exchange(true)) deliver_(std::nullopt);
  }
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;
  void Send(Response response) {
    if (!done_.exchange(true)) deliver_(std::move(response));
  }

 private:
  std::atomic<bool> done_{false};
  Deliver deliver_;
};

void Responder::Send(Response response) const {
  if (state_) state_->Send(std::move(response));
}

class ServerImpl {
 public:
  ServerImpl(ServerOptions options, Router router)
      : options_(std::move(options)),
        router_(std::move(router)),
        acceptor_(net::make_strand(ioc_)) {}
  ~ServerImpl() { Stop(std::chrono::milliseconds(0)); }

  Status Init(const RouterFactory& make_router);
  void Stop(std::chrono::milliseconds grace);
  void RunUntilSignal();

  // Called by sessions.
  void Handle(const Request& req, const Router::Match& match, Response& res);
  void HandleAsync(const Request& req, size_t endpoint, const Responder& respond);
  void Record(size_t endpoint, std::string_view method, int status, double seconds);
  void LogAccess(std::string_view method, std::string_view path, int status, size_t bytes,
                 int64_t micros, const std::string& client);
  Response FormatError(int status, std::string_view message);
  void SessionStarted(uint64_t id, const std::shared_ptr<Session>& s);
  void SessionEnded(uint64_t id);

  ServerOptions options_;
  Router router_;
  std::shared_ptr<MetricsRegistry> metrics_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> accepted_{0};
  uint16_t port_ = 0;

  std::vector<std::unique_ptr<EndpointStats>> endpoint_stats_;  // one per router endpoint
  EndpointStats unmatched_stats_;                               // 400/404/405/413/431
  Counter* exceptions_ = nullptr;
  Counter* connections_total_ = nullptr;
  Gauge* connections_open_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;  // guarded by mu_
  uint64_t next_session_id_ = 0;                                   // guarded by mu_
  bool stopped_ = false;                                           // guarded by mu_
  net::io_context* signal_ioc_ = nullptr;                          // guarded by mu_

  // Declared last, destroyed first: pending handlers own Sessions, whose destructors still use
  // the members above.
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;

 private:
  void DoAccept();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerImpl* server, SessionSocket socket, uint64_t id)
      : server_(server), stream_(std::move(socket)), id_(id) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    client_ =
        ec ? std::string("unknown") : ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { server_->SessionEnded(id_); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // From Stop(): idle connections close now; busy ones close after their answer is written.
  void NotifyStop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kReading) self->stream_.cancel();
    });
  }
  void ForceClose() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  enum class State { kReading, kBusy, kClosing };

  std::chrono::milliseconds Timeout() const {
    return std::chrono::milliseconds(server_->options_.limits.request_timeout_ms);
  }

  void ReadHeader() {
    if (server_->stopping_.load(std::memory_order_relaxed)) return Close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(
        std::min(server_->options_.limits.max_header_bytes, kMaxHeaderBytesCeiling));
    parser_->body_limit(server_->options_.limits.max_body_bytes);
    stream_.expires_after(Timeout());
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    started_ = Clock::now();
    if (parser_->is_done()) return Dispatch();
    state_ = State::kBusy;
    const auto& req = parser_->get();
    auto expect = req.find(bhttp::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      // Clients that wait for 100 Continue (curl for larger bodies) would otherwise stall.
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      stream_.expires_after(Timeout());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(Timeout());
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    // Closed, reset or timed-out connections (socket and Beast core errors) and a message cut
    // short by the peer leave nobody to answer.
    bool http_error =
        ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
    if (!http_error || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return Close();
    }
    // Malformed or oversized HTTP: answer once, then close (the framing can no longer be trusted).
    int status = 400;
    std::string msg = "malformed HTTP request: " + ec.message();
    if (ec == bhttp::error::body_limit) {
      status = 413;
      msg = "request body larger than " + std::to_string(server_->options_.limits.max_body_bytes) +
            " bytes";
    } else if (ec == bhttp::error::header_limit) {
      status = 431;
      msg = "request header larger than " +
            std::to_string(
                std::min(server_->options_.limits.max_header_bytes, kMaxHeaderBytesCeiling)) +
            " bytes";
    }
    if (started_ == Clock::time_point{}) started_ = Clock::now();
    Response res = server_->FormatError(status, msg);
    std::string method = parser_ && parser_->is_header_done()
                             ? std::string(SV(parser_->get().method_string()))
                             : std::string("-");
    std::string path = parser_ && parser_->is_header_done()
                           ? std::string(SplitTarget(SV(parser_->get().target())).path)
                           : std::string("-");
    WriteResponse(std::move(res), /*keep_alive=*/false, /*head=*/false, kUnmatched, method, path);
  }

  void Dispatch() {
    state_ = State::kBusy;
    auto& breq = parser_->get();
    Request req;
    req.method = std::string(SV(breq.method_string()));
    std::string_view target = SV(breq.target());
    Target parts = SplitTarget(target);
    req.path = std::string(parts.path);
    bool keep_alive = breq.keep_alive();
    http10_ = breq.version() == 10;
    bool head = breq.method() == bhttp::verb::head;

    Response res;
    size_t endpoint = kUnmatched;
    auto query = ParseQuery(parts.query);
    if (!query.ok()) {
      res = server_->FormatError(400, query.status().message());
    } else {
      req.query = std::move(*query);
      Router::Match match = server_->router_.Find(req.method, req.path);
      switch (match.kind) {
        case Router::Match::Kind::kFound:
          endpoint = match.endpoint;
          req.route = std::string(match.route);
          req.path_params = std::move(match.params);
          req.headers.reserve(std::distance(breq.begin(), breq.end()));
          for (const auto& f : breq) {
            std::string name(SV(f.name_string()));
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers.emplace_back(std::move(name), std::string(SV(f.value())));
          }
          req.body = std::move(breq.body());
          req.client_address = client_;
          if (server_->router_.endpoints()[endpoint].async_handler) {
            // The answer is written whenever the handler sends it; no thread waits for it.
            server_->HandleAsync(req, endpoint, MakeResponder(keep_alive, head, endpoint, req));
            return;
          }
          server_->Handle(req, match, res);
          break;
        case Router::Match::Kind::kMethodNotAllowed:
          res = server_->FormatError(
              405, "method " + req.method + " is not allowed here; use " + match.allow);
          res.headers.emplace_back("Allow", match.allow);
          break;
        case Router::Match::Kind::kBadPath:
          res = server_->FormatError(400, match.error);
          break;
        case Router::Match::Kind::kNotFound:
          res = server_->FormatError(404, "no such endpoint: " + LoggablePath(req.path));
          break;
      }
    }
    WriteResponse(std::move(res), keep_alive, head, endpoint, req.method, req.path);
  }

  static constexpr size_t kUnmatched = static_cast<size_t>(-1);

  // The answer of an asynchronous handler comes back on this session's strand, from any thread.
  Responder MakeResponder(bool keep_alive, bool head, size_t endpoint, const Request& req) {
    auto deliver = [self = shared_from_this(), keep_alive, head, endpoint, method = req.method,
                    path = req.path](std::optional<Response> res) {
      net::post(self->stream_.get_executor(), [self, keep_alive, head, endpoint, method, path,
                                               res = std::move(res)]() mutable {
        Response r = res ? std::move(*res)
                         : self->server_->FormatError(500, "the request handler gave no answer");
        self->WriteResponse(std::move(r), keep_alive, head, endpoint, method, path);
      });
    };
    return Responder(std::make_shared<ResponderState>(std::move(deliver)));
  }

  // The response is serialized here rather than by Beast's serializer: one reused string for the
  // head, the body moved in, one gathered write. Framing headers (Content-Length, Connection) are
  // the server's alone; handlers cannot set them.
  void WriteResponse(Response res, bool keep_alive, bool head, size_t endpoint,
                     const std::string& method, const std::string& path) {
    state_ = State::kBusy;
    int status = res.status;
    if (status < 100 || status > 599) status = 500;
    keep_alive = keep_alive && !server_->stopping_.load(std::memory_order_relaxed);
    // 1xx, 204 and 304 carry no body (RFC 9110 sections 15.2, 15.3.5, 15.4.5).
    bool no_body = status < 200 || status == 204 || status == 304;
    size_t bytes = no_body ? 0 : res.body.size();

    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(status);
    head_.push_back(' ');
    std::string_view reason = SV(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
    head_ += reason;
    head_ += "\r\nServer: ";
    head_ += server_->options_.server_name;
    head_ += "\r\nDate: ";
    head_ += HttpDate();
    if (!no_body) {
      head_ += "\r\nContent-Type: ";
      head_ += HasCrLf(res.content_type) ? std::string_view("application/octet-stream")
                                         : std::string_view(res.content_type);
      head_ += "\r\nContent-Length: ";
      head_ += std::to_string(bytes);
    }
    if (!keep_alive) {
      head_ += "\r\nConnection: close";
    } else if (http10_) {
      head_ += "\r\nConnection: keep-alive";
    }
    for (const auto& [name, value] : res.headers) {
      if (!ValidHeaderName(name) || HasCrLf(value) || IsFramingHeader(name)) {
        log::warn("http: dropped response header '{}' from {}", LoggablePath(name),
                  LoggablePath(path));
        continue;
      }
      head_ += "\r\n";
      head_ += name;
      head_ += ": ";
      head_ += value;
    }
    head_ += "\r\n\r\n";
    body_ = head || no_body ? std::string() : std::move(res.body);

    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
    server_->Record(endpoint, method, status, static_cast<double>(micros) * 1e-6);
    if (server_->options_.access_log) {
      server_->LogAccess(method, path, status, body_.size(), micros, client_);
    }

    // A response without a usable request framing must not be followed by another read.
    bool lingering = !keep_alive && (status == 400 || status == 413 || status == 431);
    stream_.expires_after(Timeout());
    std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
    net::async_write(
        stream_, buffers,
        [self = shared_from_this(), keep_alive, lingering](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          if (lingering) return self->LingeringClose();
          if (!keep_alive) return self->Close();
          self->started_ = {};
          self->ReadHeader();
        });
  }

  // Half-close, then read and discard what the client still sends (bounded), so that it reads
  // our error answer instead of a connection reset.
  void LingeringClose() {
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::milliseconds(500));
    DrainSome();
  }
  void DrainSome() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (1u << 20)) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  ServerImpl* server_;
  SessionStream stream_;
  uint64_t id_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_;  // response head, reused across requests of the connection
  std::string body_;
  bool http10_ = false;
  State state_ = State::kReading;
  Clock::time_point started_{};
  std::array<char, 4096> drain_;
  size_t drained_ = 0;
};

Status ServerImpl::Init(const RouterFactory& make_router) {
  if (options_.limits.threads == 0) {
    options_.limits.threads = std::max(1u, std::thread::hardware_concurrency());
  }
  if (options_.limits.request_timeout_ms == 0) {
    return InvalidArgument("server request_timeout_ms must be > 0");
  }
  if (!options_.error_formatter) options_.error_formatter = DefaultErrorFormatter;
  if (!metrics_)
    metrics_ = options_.metrics ? options_.metrics : std::make_shared<MetricsRegistry>();

  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return InvalidArgument("server host '" + options_.host + "' is not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return IOError("cannot open a socket for " + where + ": " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return IOError("cannot bind " + where + ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return IOError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  if (make_router) {
    // The routes are built now that the bound address is known (port 0 → the real port).
    auto router = make_router(BaseUrl(options_.host, port_));
    if (!router.ok()) return router.status();
    router_ = std::move(router).value();
  }

  if (options_.serve_metrics && !router_.Has("GET", "/metrics")) {
    GF_RETURN_IF_ERROR(router_.Get("/metrics", MetricsHandler(metrics_.get())));
  }
  if (options_.serve_healthz && !router_.Has("GET", "/healthz")) {
    GF_RETURN_IF_ERROR(router_.Get("/healthz", HealthzHandler()));
  }

  static constexpr std::string_view kLatName = "genomefed_http_request_duration_seconds";
  for (const Router::Endpoint& e : router_.endpoints()) {
    auto stats = std::make_unique<EndpointStats>();
    stats->method = e.method;
    stats->route = e.pattern;
    stats->latency = &metrics_->GetHistogram(
        kLatName, "Time from the end of the request header to the response being queued",
        {{"method", e.method}, {"route", e.pattern}});
    endpoint_stats_.push_back(std::move(stats));
  }
  unmatched_stats_.route = "unmatched";
  exceptions_ = &metrics_->GetCounter("genomefed_http_handler_exceptions_total",
                                      "Handlers that threw (answered with 500)");
  connections_total_ =
      &metrics_->GetCounter("genomefed_http_connections_total", "TCP connections accepted");
  connections_open_ = &metrics_->GetGauge("genomefed_http_connections_open", "Open connections");

  work_.emplace(net::make_work_guard(ioc_));
  DoAccept();
  for (uint32_t i = 0; i < options_.limits.threads; ++i) {
    threads_.emplace_back([this] {
      // Handlers catch their own exceptions (Handle); this is the last line for anything a
      // completion handler lets escape (a library limit, say): log it, keep serving.
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          log::error("http: uncaught exception in the I/O loop: {}", e.what());
        } catch (...) {
          log::error("http: uncaught non-exception in the I/O loop");
        }
        exceptions_->Inc();
      }
    });
  }
  return Status::Ok();
}

void ServerImpl::DoAccept() {
  auto socket = std::make_shared<SessionSocket>(net::make_strand(ioc_.get_executor()));
  acceptor_.async_accept(*socket, [this, socket](beast::error_code ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // EMFILE and friends: wait a little instead of spinning on the same error.
      log::warn("http: accept failed: {}", ec.message());
      auto timer = std::make_shared<net::steady_timer>(acceptor_.get_executor(),
                                                       std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) {
        if (acceptor_.is_open()) DoAccept();
      });
      return;
    }
    beast::error_code opt_ec;
    socket->set_option(tcp::no_delay(true), opt_ec);
    accepted_.fetch_add(1, std::memory_order_relaxed);
    connections_total_->Inc();
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      id = next_session_id_++;
    }
    auto session = std::make_shared<Session>(this, std::move(*socket), id);
    SessionStarted(id, session);
    session->Start();
    DoAccept();
  });
}

void ServerImpl::SessionStarted(uint64_t id, const std::shared_ptr<Session>& s) {
  connections_open_->Add(1);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.emplace(id, s);
}

void ServerImpl::SessionEnded(uint64_t id) {
  connections_open_->Add(-1);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
  if (sessions_.empty()) cv_.notify_all();
}

Response ServerImpl::FormatError(int status, std::string_view message) {
  try {
    return options_.error_formatter(status, message);
  } catch (...) {
    // The formatter is application code too; it must not take the connection down.
    return DefaultErrorFormatter(status, message);
  }
}

void ServerImpl::Handle(const Request& req, const Router::Match& match, Response& res) {
  const Handler& handler = router_.endpoints()[match.endpoint].handler;
  try {
    res = handler(req);
    return;
  } catch (const std::exception& e) {
    log::error("http: handler for {} {} threw: {}", req.method, req.route, e.what());
  } catch (...) {
    log::error("http: handler for {} {} threw a non-exception", req.method, req.route);
  }
  exceptions_->Inc();
  res = FormatError(500, "internal error while handling the request");
}

void ServerImpl::HandleAsync(const Request& req, size_t endpoint, const Responder& respond) {
  const AsyncHandler& handler = router_.endpoints()[endpoint].async_handler;
  try {
    handler(req, respond);
    return;
  } catch (const std::exception& e) {
    log::error("http: handler for {} {} threw: {}", req.method, req.route, e.what());
  } catch (...) {
    log::error("http: handler for {} {} threw a non-exception", req.method, req.route);
  }
  exceptions_->Inc();
  respond.Send(FormatError(500, "internal error while handling the request"));
}

void ServerImpl::Record(size_t endpoint, std::string_view method, int status, double seconds) {
  EndpointStats& st =
      endpoint < endpoint_stats_.size() ? *endpoint_stats_[endpoint] : unmatched_stats_;
  if (&st != &unmatched_stats_) {
    st.latency->Observe(seconds);
    Counter* c = st.by_status[status].load(std::memory_order_acquire);
    if (c == nullptr) {
      c = &metrics_->GetCounter(
          "genomefed_http_requests_total", "HTTP requests answered",
          {{"method", st.method}, {"route", st.route}, {"status", std::to_string(status)}});
      st.by_status[status].store(c, std::memory_order_release);
    }
    c->Inc();
    return;
  }
  // Unmatched requests are rare; the method is reduced to a fixed set to bound label values.
  metrics_
      ->GetCounter("genomefed_http_requests_total", "HTTP requests answered",
                   {{"method", std::string(MethodLabel(method))},
                    {"route", "unmatched"},
                    {"status", std::to_string(status)}})
      .Inc();
}

void ServerImpl::LogAccess(std::string_view method, std::string_view path, int status, size_t bytes,
                           int64_t micros, const std::string& client) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  log::info("{} method={} path={} status={} bytes={} us={} client={}", options_.server_name,
            LoggablePath(method.substr(0, 16)), LoggablePath(path), status, bytes, micros, client);
}

void ServerImpl::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    if (signal_ioc_ != nullptr) signal_ioc_->stop();
  }
  stopping_.store(true);
  // The acceptor belongs to the io threads: close it there, and wait so that no connection is
  // accepted once Stop has begun.
  auto closed = std::make_shared<std::promise<void>>();
  auto closed_future = closed->get_future();
  net::post(acceptor_.get_executor(), [this, closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    closed->set_value();
  });
  if (!threads_.empty()) closed_future.wait_for(std::chrono::seconds(1));

  auto live_sessions = [this] {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, weak] : sessions_) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  };
  for (auto& s : live_sessions()) s->NotifyStop();
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  }
  for (auto& s : live_sessions()) s->ForceClose();
  {
    // Give the forced closes a moment to run their completion handlers.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return sessions_.empty(); });
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  beast::error_code ec;
  acceptor_.close(ec);  // no io thread is left: safe here, and a no-op when already closed
}

void ServerImpl::RunUntilSignal() {
  // Signals are waited for on a private io_context in the calling thread, so that Stop() from
  // another thread can end the wait by stopping it.
  net::io_context signal_ioc;
  net::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  signals.async_wait([this](beast::error_code ec, int signo) {
    if (!ec) log::info("{}: signal {} received, shutting down", options_.server_name, signo);
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    signal_ioc_ = &signal_ioc;
  }
  signal_ioc.run();
  {
    std::lock_guard<std::mutex> lock(mu_);
    signal_ioc_ = nullptr;
  }
  Stop(std::chrono::milliseconds(options_.shutdown_grace_ms));
}

std::string BaseUrl(std::string_view host, uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string h = v6 ? "[" + std::string(host) + "]" : std::string(host);
  return "http://" + h + ":" + std::to_string(port);
}

Result<ServerOptions> MakeServerOptions(std::string_view listen, const ServerLimits& limits) {
  GF_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(listen));
  ServerOptions options;
  options.host = hp.host == "localhost" ? "127.0.0.1" : hp.host;
  beast::error_code ec;
  net::ip::make_address(options.host, ec);
  if (ec) {
    return InvalidArgument("listen address '" + std::string(listen) +
                           "': the host must be an IP address or localhost");
  }
  options.port = hp.port;
  options.limits = limits;
  return options;
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Router router) {
  auto impl = std::make_unique<ServerImpl>(std::move(options), std::move(router));
  GF_RETURN_IF_ERROR(impl->Init(nullptr));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, RouterFactory make_router) {
  auto impl = std::make_unique<ServerImpl>(std::move(options), Router());
  GF_RETURN_IF_ERROR(impl->Init(make_router));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<ServerImpl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }
uint16_t Server::port() const { return impl_->port_; }
const std::string& Server::host() const { return impl_->options_.host; }
std::string Server::base_url() const { return BaseUrl(impl_->options_.host, impl_->port_); }
MetricsRegistry& Server::metrics() { return *impl_->metrics_; }
void Server::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }
void Server::Stop() { impl_->Stop(std::chrono::milliseconds(impl_->options_.shutdown_grace_ms)); }
void Server::RunUntilSignal() { impl_->RunUntilSignal(); }
uint64_t Server::connections_accepted() const { return impl_->accepted_.load(); }

}  // namespace genomefed::http
