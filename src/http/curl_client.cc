// The libcurl implementation of HttpClient (declared in http/client.h).
//
// Connection reuse: libcurl does not support sharing one connection cache between threads
// (CURL_LOCK_DATA_CONNECT, see CURLSHOPT_SHARE(3)), so connections live in a pool of engines,
// each a curl multi handle (its connection cache) with its own easy handles. A call borrows one
// engine for its duration, so concurrent callers never touch the same handles, and keep-alive
// connections survive from one call to the next. DNS cache and TLS sessions, which may be shared
// across threads, sit in one share handle with locks. Send is SendAll of one request; each
// transfer carries its own CURLOPT_TIMEOUT_MS, so a slow peer ends at its own limit and never
// delays the others.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "http/client.h"

namespace genomefed::http {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State of one transfer, owned by the caller for the life of the transfer.
struct Transfer {
  ClientResponse response;
  uint64_t max_bytes = 0;
  bool too_large = false;
  curl_slist* header_list = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
  std::chrono::steady_clock::time_point started;

  ~Transfer() {
    // Header lines may hold bearer tokens: wipe curl's copies before freeing them.
    for (curl_slist* l = header_list; l != nullptr; l = l->next) {
      if (l->data != nullptr) std::memset(l->data, 0, std::strlen(l->data));
    }
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue, say): headers before it belong to another answer.
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->response.headers.emplace_back(std::move(name), std::string(value));
  return n;
}

class CurlClient final : public HttpClient {
 public:
  CurlClient() {
    GlobalInit();
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlClient::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlClient::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlClient() override {
    StopLoop();
    for (Engine* e : idle_engines_) DestroyEngine(e);
    curl_share_cleanup(share_);
  }

  Result<ClientResponse> Send(const ClientRequest& request) override {
    std::vector<Result<ClientResponse>> results = SendAll({request});
    return std::move(results.front());
  }

  std::vector<Result<ClientResponse>> SendAll(const std::vector<ClientRequest>& requests) override {
    std::vector<Result<ClientResponse>> results(requests.size(),
                                                Result<ClientResponse>(Internal("not sent")));
    if (requests.empty()) return results;
    Engine* engine = AcquireEngine();
    if (engine == nullptr) {
      for (auto& r : results) r = Internal("curl_multi_init failed");
      return results;
    }
    CURLM* multi = engine->multi;
    std::vector<Transfer> transfers(requests.size());
    std::vector<CURL*> handles(requests.size(), nullptr);
    size_t running_count = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      handles[i] = AcquireEasy(engine);
      Status s = Prepare(handles[i], requests[i], transfers[i]);
      if (!s.ok()) {
        results[i] = s;
        ReleaseEasy(engine, handles[i]);
        handles[i] = nullptr;
        continue;
      }
      curl_easy_setopt(handles[i], CURLOPT_PRIVATE, reinterpret_cast<void*>(i));
      curl_multi_add_handle(multi, handles[i]);
      ++running_count;
    }

    int still_running = static_cast<int>(running_count);
    while (running_count > 0) {
      CURLMcode mc = curl_multi_perform(multi, &still_running);
      if (mc != CURLM_OK) break;
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        void* priv = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        size_t i = reinterpret_cast<size_t>(priv);
        Status s = Finish(handles[i], msg->data.result, requests[i], transfers[i]);
        if (s.ok()) {
          results[i] = std::move(transfers[i].response);
        } else {
          results[i] = s;
        }
        curl_multi_remove_handle(multi, handles[i]);
        ReleaseEasy(engine, handles[i]);
        handles[i] = nullptr;
        --running_count;
      }
      if (running_count == 0) break;
      // Wakes on socket activity or curl's own next time-out, whichever is first.
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    // Only reached with handles left if curl_multi_perform failed.
    for (size_t i = 0; i < handles.size(); ++i) {
      if (handles[i] == nullptr) continue;
      curl_multi_remove_handle(multi, handles[i]);
      ReleaseEasy(engine, handles[i]);
      results[i] = Internal("curl multi failed before " +
                            requests[i].url.substr(0, requests[i].url.find('?')) + " finished");
    }
    ReleaseEngine(engine);
    return results;
  }

  void SendAllAsync(std::vector<ClientRequest> requests, SendAllCallback done) override {
    auto batch = std::make_unique<Batch>();
    batch->requests = std::move(requests);
    batch->done = std::move(done);
    const size_t n = batch->requests.size();
    batch->results.assign(n, Result<ClientResponse>(Internal("not sent")));
    batch->transfers = std::vector<Transfer>(n);
    batch->slots.resize(n);
    {
      std::lock_guard<std::mutex> lock(loop_mu_);
      if (!loop_stopping_) {
        if (!loop_thread_.joinable()) {
          loop_multi_ = curl_multi_init();
          if (loop_multi_ != nullptr) {
            curl_multi_setopt(loop_multi_, CURLMOPT_MAXCONNECTS,
                              static_cast<long>(kMaxConnectsLoop));
            loop_thread_ = std::thread([this] { RunLoop(); });
          }
        }
        if (loop_multi_ != nullptr) {
          incoming_.push_back(std::move(batch));
          curl_multi_wakeup(loop_multi_);
          return;
        }
      }
    }
    // No event loop (shutting down, or curl_multi_init failed): fail every request at once.
    for (auto& r : batch->results) r = Unavailable("HTTP client is shutting down");
    batch->done(std::move(batch->results));
  }

 private:
  // Transfers of one SendAllAsync call, owned by the event loop until `done` has run.
  struct Batch;
  struct Slot {
    Batch* batch = nullptr;
    size_t index = 0;
    CURL* handle = nullptr;
  };
  struct Batch {
    std::vector<ClientRequest> requests;
    std::vector<Result<ClientResponse>> results;
    std::vector<Transfer> transfers;
    std::vector<Slot> slots;
    size_t running = 0;
    SendAllCallback done;
  };

  // The event loop: adds new batches, runs every transfer, completes batches. One thread.
  void RunLoop() {
    std::vector<std::unique_ptr<Batch>> active;
    for (;;) {
      std::deque<std::unique_ptr<Batch>> fresh;
      bool stopping = false;
      {
        std::lock_guard<std::mutex> lock(loop_mu_);
        fresh.swap(incoming_);
        stopping = loop_stopping_;
      }
      for (auto& b : fresh) {
        Batch* batch = b.get();
        for (size_t i = 0; i < batch->requests.size(); ++i) {
          CURL* h = AcquireLoopEasy();
          Status s = Prepare(h, batch->requests[i], batch->transfers[i]);
          if (!s.ok()) {
            batch->results[i] = s;
            ReleaseLoopEasy(h);
            continue;
          }
          batch->slots[i] = {batch, i, h};
          curl_easy_setopt(h, CURLOPT_PRIVATE, static_cast<void*>(&batch->slots[i]));
          curl_multi_add_handle(loop_multi_, h);
          ++batch->running;
        }
        if (batch->running == 0) {
          Complete(std::move(b));
        } else {
          active.push_back(std::move(b));
        }
      }
      if (stopping) break;
      int still_running = 0;
      curl_multi_perform(loop_multi_, &still_running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(loop_multi_, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        void* priv = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        Slot* slot = static_cast<Slot*>(priv);
        Batch* batch = slot->batch;
        const size_t i = slot->index;
        Status s = Finish(slot->handle, msg->data.result, batch->requests[i], batch->transfers[i]);
        if (s.ok()) {
          batch->results[i] = std::move(batch->transfers[i].response);
        } else {
          batch->results[i] = s;
        }
        curl_multi_remove_handle(loop_multi_, slot->handle);
        ReleaseLoopEasy(slot->handle);
        slot->handle = nullptr;
        if (--batch->running == 0) {
          auto it = std::find_if(active.begin(), active.end(),
                                 [batch](const auto& p) { return p.get() == batch; });
          std::unique_ptr<Batch> owned = std::move(*it);
          active.erase(it);
          Complete(std::move(owned));
        }
      }
      // Wakes on socket activity, curl's next time-out, or curl_multi_wakeup (new work, stop).
      curl_multi_poll(loop_multi_, nullptr, 0, 1000, nullptr);
    }
    // Stopping: end what is still running.
    for (auto& b : active) {
      for (Slot& slot : b->slots) {
        if (slot.handle == nullptr) continue;
        curl_multi_remove_handle(loop_multi_, slot.handle);
        ReleaseLoopEasy(slot.handle);
        slot.handle = nullptr;
        b->results[slot.index] = Unavailable("HTTP client is shutting down");
      }
      Complete(std::move(b));
    }
  }

  static void Complete(std::unique_ptr<Batch> batch) {
    try {
      batch->done(std::move(batch->results));
    } catch (const std::exception& e) {
      log::error("http client: a completion callback threw: {}", e.what());
    } catch (...) {
      log::error("http client: a completion callback threw a non-exception");
    }
  }

  void StopLoop() {
    {
      std::lock_guard<std::mutex> lock(loop_mu_);
      loop_stopping_ = true;
      if (loop_multi_ != nullptr) curl_multi_wakeup(loop_multi_);
    }
    if (loop_thread_.joinable()) loop_thread_.join();
    // Batches that arrived after the loop's last look.
    for (auto& b : incoming_) {
      for (auto& r : b->results) r = Unavailable("HTTP client is shutting down");
      Complete(std::move(b));
    }
    incoming_.clear();
    for (CURL* h : loop_easy_) curl_easy_cleanup(h);
    loop_easy_.clear();
    if (loop_multi_ != nullptr) curl_multi_cleanup(loop_multi_);
    loop_multi_ = nullptr;
  }

  CURL* AcquireLoopEasy() {
    if (!loop_easy_.empty()) {
      CURL* h = loop_easy_.back();
      loop_easy_.pop_back();
      return h;
    }
    return curl_easy_init();
  }
  void ReleaseLoopEasy(CURL* h) {
    if (h == nullptr) return;
    if (loop_easy_.size() >= kMaxIdleEasyLoop) {
      curl_easy_cleanup(h);
      return;
    }
    curl_easy_reset(h);
    loop_easy_.push_back(h);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlClient*>(user)->LockFor(data).lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlClient*>(user)->LockFor(data).unlock();
  }
  std::mutex& LockFor(curl_lock_data data) {
    switch (data) {
      case CURL_LOCK_DATA_DNS:
        return dns_mu_;
      case CURL_LOCK_DATA_SSL_SESSION:
        return ssl_mu_;
      default:
        return share_mu_;
    }
  }

  // A multi handle (whose connection cache keeps keep-alive connections between calls) and the
  // easy handles it has used. Owned by one caller at a time.
  struct Engine {
    CURLM* multi = nullptr;
    std::vector<CURL*> easy;
  };

  Engine* AcquireEngine() {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (!idle_engines_.empty()) {
        Engine* e = idle_engines_.back();
        idle_engines_.pop_back();
        return e;
      }
    }
    auto* e = new Engine;
    e->multi = curl_multi_init();
    if (e->multi == nullptr) {
      delete e;
      return nullptr;
    }
    curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(kMaxConnectsPerEngine));
    return e;
  }

  void ReleaseEngine(Engine* e) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_engines_.size() < kMaxIdleEngines) {
      idle_engines_.push_back(e);
      return;
    }
    DestroyEngine(e);
  }

  static void DestroyEngine(Engine* e) {
    for (CURL* h : e->easy) curl_easy_cleanup(h);
    curl_multi_cleanup(e->multi);
    delete e;
  }

  static CURL* AcquireEasy(Engine* e) {
    if (!e->easy.empty()) {
      CURL* h = e->easy.back();
      e->easy.pop_back();
      return h;
    }
    return curl_easy_init();
  }

  static void ReleaseEasy(Engine* e, CURL* h) {
    if (h == nullptr) return;
    if (e->easy.size() >= kMaxIdleEasyPerEngine) {
      curl_easy_cleanup(h);
      return;
    }
    curl_easy_reset(h);
    e->easy.push_back(h);
  }

  Status Prepare(CURL* h, const ClientRequest& req, Transfer& t) {
    if (h == nullptr) return Internal("curl_easy_init failed");
    if (req.url.rfind("http://", 0) != 0 && req.url.rfind("https://", 0) != 0) {
      return InvalidArgument("URL must start with http:// or https://: " + req.url);
    }
    t.max_bytes = req.max_response_bytes;
    t.started = std::chrono::steady_clock::now();
    curl_easy_setopt(h, CURLOPT_SHARE, share_);
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS time-outs
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.timeout_ms));
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    if (req.max_response_bytes > 0) {
      curl_easy_setopt(
          h, CURLOPT_MAXFILESIZE_LARGE,
          static_cast<curl_off_t>(std::min<uint64_t>(req.max_response_bytes, INT64_MAX)));
    }

    if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      if (req.method.empty() || req.method.find_first_of(" \r\n") != std::string::npos) {
        return InvalidArgument("bad HTTP method '" + req.method + "'");
      }
      if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    }

    // No "Expect: 100-continue": it costs a round trip (or a 1 s stall on servers without it).
    t.header_list = curl_slist_append(t.header_list, "Expect:");
    for (const auto& [name, value] : req.headers) {
      if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        return InvalidArgument("bad request header '" + name + "'");  // value never shown
      }
      std::string line = name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
      // The line may hold a bearer token: do not leave it in freed memory.
      std::fill(line.begin(), line.end(), '\0');
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.header_list);
    return Status::Ok();
  }

  Status Finish(CURL* h, CURLcode rc, const ClientRequest& req, Transfer& t) {
    t.response.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t.started)
            .count();
    // URLs may carry signed query strings: name only the part before '?'.
    std::string where = req.method + " " + req.url.substr(0, req.url.find('?'));
    std::string detail = t.error[0] != '\0' ? std::string(t.error) : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_OK: {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        t.response.status = static_cast<int>(status);
        return Status::Ok();
      }
      case CURLE_OPERATION_TIMEDOUT:
        return DeadlineExceeded(where + ": no answer within " + std::to_string(req.timeout_ms) +
                                " ms");
      case CURLE_FILESIZE_EXCEEDED:
        return ResourceExhausted(where + ": response larger than " +
                                 std::to_string(req.max_response_bytes) + " bytes");
      case CURLE_WRITE_ERROR:
        if (t.too_large) {
          return ResourceExhausted(where + ": response larger than " +
                                   std::to_string(req.max_response_bytes) + " bytes");
        }
        return Internal(where + ": " + detail);
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return InvalidArgument(where + ": " + detail);
      default:
        return Unavailable(where + ": " + detail);
    }
  }

  static constexpr size_t kMaxIdleEngines = 32;
  static constexpr size_t kMaxIdleEasyPerEngine = 64;
  static constexpr size_t kMaxConnectsPerEngine = 64;

  static constexpr size_t kMaxIdleEasyLoop = 256;
  static constexpr size_t kMaxConnectsLoop = 256;

  // The SendAllAsync event loop. loop_multi_ and loop_easy_ are the loop thread's alone (and
  // the destructor's once it is joined); loop_mu_ guards the hand-over.
  std::mutex loop_mu_;
  std::deque<std::unique_ptr<Batch>> incoming_;  // guarded by loop_mu_
  bool loop_stopping_ = false;                   // guarded by loop_mu_
  CURLM* loop_multi_ = nullptr;
  std::thread loop_thread_;
  std::vector<CURL*> loop_easy_;

  CURLSH* share_ = nullptr;
  std::mutex dns_mu_, ssl_mu_, share_mu_;
  std::mutex pool_mu_;
  std::vector<Engine*> idle_engines_;  // guarded by pool_mu_
};

}  // namespace

std::unique_ptr<HttpClient> MakeCurlClient() { return std::make_unique<CurlClient>(); }

}  // namespace genomefed::http
