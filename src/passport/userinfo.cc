#include "passport/userinfo.h"

#include <cctype>

#include "passport/jwt.h"
#include "passport/url_check.h"

namespace genomefed::passport {

Result<UserinfoDocument> ParseUserinfo(std::string_view body) {
  GF_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJsonStrict(body));
  if (!doc.is_object()) return InvalidArgument("userinfo is not a JSON object");
  GF_ASSIGN_OR_RETURN(auto sub, StringClaim(doc, "sub"));
  if (!sub.has_value() || sub->empty()) return InvalidArgument("userinfo has no 'sub'");
  UserinfoDocument out;
  out.sub = *sub;
  if (auto it = doc.find("ga4gh_passport_v1"); it != doc.end()) {
    if (!it->is_array()) return InvalidArgument("userinfo ga4gh_passport_v1 is not an array");
    out.visas = std::move(*it);
  }
  return out;
}

bool LooksLikeAccessToken(std::string_view token, size_t max_bytes) {
  if (token.empty() || token.size() > max_bytes) return false;
  size_t i = 0;
  for (; i < token.size(); ++i) {
    char c = token[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
          c == '~' || c == '+' || c == '/')) {
      break;
    }
  }
  if (i == 0) return false;
  for (; i < token.size(); ++i) {
    if (token[i] != '=') return false;
  }
  return true;
}

Result<UserinfoDocument> FetchUserinfo(http::HttpClient& client, const std::string& url,
                                       std::string_view access_token,
                                       const UserinfoOptions& options) {
  http::ClientRequest request;
  request.url = url;
  request.timeout_ms = options.timeout_ms;
  request.max_response_bytes = options.max_response_bytes;
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Authorization", "Bearer " + std::string(access_token));
  const std::string shown = "userinfo " + RedactUrl(url);
  auto response = client.Send(request);
  if (!response.ok()) return response.status().WithContext(shown);
  if (response->status == 401 || response->status == 403) {
    return Unauthenticated(shown + " refused the access token (HTTP " +
                           std::to_string(response->status) + ")");
  }
  if (response->status != 200) {
    return Unavailable(shown + " answered HTTP " + std::to_string(response->status));
  }
  auto doc = ParseUserinfo(response->body);
  if (!doc.ok()) return doc.status().WithContext(shown);
  return doc;
}

}  // namespace genomefed::passport
