// Test doubles for the passport tests: an in-memory HttpClient that serves fixed bodies by URL
// and records every request, so tests can assert what was (not) fetched.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/client.h"

namespace genomefed::passport::testing {

class FakeHttpClient final : public http::HttpClient {
 public:
  void Serve(const std::string& url, std::string body, int status = 200) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[url] = {status, std::move(body)};
  }
  void FailWith(const std::string& url, Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_[url] = std::move(status);
  }
  void ClearFailure(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.erase(url);
  }
  Result<http::ClientResponse> Send(const http::ClientRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request.url);
    std::string authorization;
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization") authorization = value;
    }
    authorizations_.push_back(authorization);
    if (auto f = failures_.find(request.url); f != failures_.end()) return f->second;
    http::ClientResponse response;
    auto it = routes_.find(request.url);
    if (it == routes_.end()) {
      response.status = 404;
      return response;
    }
    response.status = it->second.first;
    response.body = it->second.second;
    return response;
  }
  std::vector<Result<http::ClientResponse>> SendAll(
      const std::vector<http::ClientRequest>& requests) override {
    std::vector<Result<http::ClientResponse>> out;
    for (const auto& r : requests) out.push_back(Send(r));
    return out;
  }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // The Authorization header of each request ("" when none), in order.
  std::vector<std::string> authorizations() const {
    std::lock_guard<std::mutex> lock(mu_);
    return authorizations_;
  }
  size_t request_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> routes_;
  std::map<std::string, Status> failures_;
  std::vector<std::string> requests_;
  std::vector<std::string> authorizations_;
};

}  // namespace genomefed::passport::testing
