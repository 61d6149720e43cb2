// Request/Response helpers and the Router (declared in http/server.h).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "http/server.h"

namespace genomefed::http {

const std::string* Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

const std::string* Request::Query(std::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

const std::string* Request::PathParam(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? nullptr : &it->second;
}

namespace {

// "1.2.3.4:5", "[::1]:5", "::1" → canonical IP; "" when unparsable.
std::string PeerIp(std::string_view addr) {
  std::string host(addr);
  if (!host.empty() && host.front() == '[') {
    host = host.substr(
        1, host.find(']') == std::string::npos ? std::string::npos : host.find(']') - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));
  } else if (CanonicalIp(host).empty() && host.rfind(':') != std::string::npos) {
    host = host.substr(0, host.rfind(':'));  // "v6addr:port" as some stacks print it
  }
  return CanonicalIp(host);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ClientIp(const Request& req, const std::vector<std::string>& trusted_proxies) {
  std::string client = PeerIp(req.client_address);
  if (client.empty()) client = req.client_address;
  auto trusted = [&](const std::string& ip) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), ip) != trusted_proxies.end();
  };
  const std::string* xff = req.Header("x-forwarded-for");
  if (xff == nullptr || !trusted(client)) return client;
  std::string_view rest = *xff;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    std::string_view entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    std::string ip = PeerIp(entry);
    if (ip.empty()) break;  // not an address: trust nothing further left
    client = std::move(ip);
    if (!trusted(client)) break;
  }
  return client;
}

Response Response::Json(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Text(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response DefaultErrorFormatter(int status, std::string_view message) {
  nlohmann::ordered_json j;  // "status" first, as in GA4GH examples
  j["status"] = status;
  // Messages may quote untrusted input that is not valid UTF-8; replace rather than throw.
  j["msg"] = std::string(message);
  return Response::Json(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                        status);
}

Response ErrorResponse(const Status& status, const ErrorFormatter& formatter) {
  int code = status.ok() ? 500 : HttpStatusFor(status.code());
  std::string_view msg = status.ok() ? std::string_view("error reported without a cause")
                                     : std::string_view(status.message());
  return formatter ? formatter(code, msg) : DefaultErrorFormatter(code, msg);
}

Handler HealthzHandler(std::function<Status()> check) {
  return [check = std::move(check)](const Request&) {
    if (check) {
      Status s = check();
      if (!s.ok()) return DefaultErrorFormatter(503, s.message());
    }
    return Response::Json(R"({"status":"ok"})");
  };
}

Handler MetricsHandler(const MetricsRegistry* registry) {
  return [registry](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = registry->RenderPrometheus();
    return r;
  };
}

namespace {

// Splits "/a/b" into {"a", "b"}; "/" into {}. A trailing slash is ignored ("/a/" == "/a").
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.size() <= 1) return out;
  size_t pos = 1;
  while (true) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(pos));
      break;
    }
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool LiteralMatches(std::string_view literal, std::string_view raw) {
  if (literal == raw) return true;
  if (raw.find('%') == std::string_view::npos) return false;
  auto decoded = PercentDecode(raw);
  return decoded.ok() && *decoded == literal;
}

}  // namespace

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (!handler) return InvalidArgument("route " + std::string(pattern) + " has no handler");
  return AddEndpoint(method, pattern, std::move(handler), nullptr);
}

Status Router::AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler) {
  if (!handler) return InvalidArgument("route " + std::string(pattern) + " has no handler");
  return AddEndpoint(method, pattern, nullptr, std::move(handler));
}

Status Router::AddEndpoint(std::string_view method, std::string_view pattern, Handler handler,
                           AsyncHandler async_handler) {
  if (method.empty()) return InvalidArgument("route method is empty");
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgument("route pattern '" + std::string(pattern) + "' must start with '/'");
  }
  std::vector<Segment> segments;
  std::vector<std::string> names;
  for (std::string_view seg : SplitPath(pattern)) {
    bool open = seg.find('{') != std::string_view::npos;
    bool close = seg.find('}') != std::string_view::npos;
    if (!open && !close) {
      segments.push_back({std::string(seg), false});
      continue;
    }
    if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}' ||
        seg.substr(1, seg.size() - 2).find_first_of("{}") != std::string_view::npos) {
      return InvalidArgument("route pattern '" + std::string(pattern) +
                             "': a capture must be a whole segment like {id}");
    }
    std::string name(seg.substr(1, seg.size() - 2));
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return InvalidArgument("route pattern '" + std::string(pattern) + "' repeats {" + name + "}");
    }
    names.push_back(name);
    segments.push_back({std::move(name), true});
  }

  // Routes are the same when their shapes are (capture names do not matter for matching).
  auto same_shape = [&](const Route& r) {
    if (r.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (r.segments[i].capture != segments[i].capture) return false;
      if (!segments[i].capture && r.segments[i].text != segments[i].text) return false;
    }
    return true;
  };
  auto it = std::find_if(routes_.begin(), routes_.end(), same_shape);
  if (it == routes_.end()) {
    routes_.push_back({std::string(pattern), std::move(segments), {}});
    it = routes_.end() - 1;
  } else if (it->pattern != pattern) {
    return AlreadyExists("route pattern '" + std::string(pattern) + "' clashes with '" +
                         it->pattern + "'");
  }
  for (size_t e : it->endpoints) {
    if (endpoints_[e].method == method) {
      return AlreadyExists(std::string(method) + " " + std::string(pattern) +
                           " is already registered");
    }
  }
  it->endpoints.push_back(endpoints_.size());
  endpoints_.push_back(
      {std::string(method), std::string(pattern), std::move(handler), std::move(async_handler)});
  return Status::Ok();
}

bool Router::Has(std::string_view method, std::string_view pattern) const {
  for (const Endpoint& e : endpoints_) {
    if (e.method == method && e.pattern == pattern) return true;
  }
  return false;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  if (path.empty() || path.front() != '/') return m;  // "*" or absolute-form: nothing here
  std::vector<std::string_view> segs = SplitPath(path);

  // Candidates ranked so that a literal beats a capture at the first segment where they differ.
  const Route* best = nullptr;
  size_t best_endpoint = 0;
  uint64_t best_score = 0;
  std::vector<std::string_view> allow;  // views into endpoints_ and literals: no copies
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    uint64_t score = 0;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const Segment& s = r.segments[i];
      if (s.capture) {
        ok = !segs[i].empty();
      } else {
        ok = LiteralMatches(s.text, segs[i]);
        if (i < 63) score |= uint64_t{1} << (63 - i);
      }
    }
    if (!ok) continue;
    const size_t* chosen = nullptr;
    for (const size_t& e : r.endpoints) {
      std::string_view em = endpoints_[e].method;
      allow.push_back(em);
      if (em == "GET") allow.push_back("HEAD");
      if (em == method) chosen = &e;
    }
    if (chosen == nullptr && method == "HEAD") {
      for (const size_t& e : r.endpoints) {
        if (endpoints_[e].method == "GET") chosen = &e;
      }
    }
    if (chosen != nullptr && (best == nullptr || score > best_score)) {
      best = &r;
      best_endpoint = *chosen;
      best_score = score;
    }
    if (best == nullptr && m.route.empty()) m.route = r.pattern;
  }
  if (best == nullptr) {
    if (allow.empty()) return m;
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    m.kind = Match::Kind::kMethodNotAllowed;
    for (std::string_view a : allow) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += a;
    }
    return m;
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = best->segments[i];
    if (!s.capture) continue;
    auto decoded = PercentDecode(segs[i]);
    if (!decoded.ok()) {
      m.kind = Match::Kind::kBadPath;
      m.error = "path parameter {" + s.text + "}: " + decoded.status().message();
      return m;
    }
    m.params.emplace(s.text, std::move(*decoded));
  }
  m.kind = Match::Kind::kFound;
  m.endpoint = best_endpoint;
  m.route = best->pattern;
  return m;
}

}  // namespace genomefed::http
