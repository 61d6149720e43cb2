#include "passport/jwt.h"

#include <cmath>
#include <set>
#include <vector>

#include "passport/base64url.h"

namespace genomefed::passport {

Result<nlohmann::json> ParseJsonStrict(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return InvalidArgument("JSON nests too deeply");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  // nlohmann keeps the last of duplicated member names; RFC 7515 4 / 7519 4 let a parser refuse
  // them instead, and it must here: {"alg":"none","alg":"RS256"} means different things to
  // different parsers. One set of names per open object, on a stack bounded by max_depth.
  std::vector<std::set<std::string>> names;
  bool duplicate = false;
  auto callback = [&names, &duplicate](int /*depth*/, nlohmann::json::parse_event_t event,
                                       nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      names.emplace_back();
    } else if (event == Event::object_end) {
      if (!names.empty()) names.pop_back();
    } else if (event == Event::key && !names.empty()) {
      if (!names.back().insert(parsed.get<std::string>()).second) duplicate = true;
    }
    return true;
  };
  nlohmann::json parsed = nlohmann::json::parse(text.begin(), text.end(), callback,
                                                /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("malformed JSON");
  if (duplicate) return InvalidArgument("JSON has a duplicated member name");
  return parsed;
}

namespace {

Result<nlohmann::json> DecodeJsonSegment(std::string_view segment, std::string_view what) {
  auto bytes = Base64UrlDecode(segment);
  if (!bytes.ok()) return InvalidArgument(std::string(what) + ": " + bytes.status().message());
  auto json = ParseJsonStrict(*bytes);
  if (!json.ok()) return InvalidArgument(std::string(what) + ": " + json.status().message());
  if (!json->is_object()) return InvalidArgument(std::string(what) + " is not a JSON object");
  return std::move(json).value();
}

Status HeaderString(const nlohmann::json& header, std::string_view name, std::string& out) {
  auto v = StringClaim(header, name);
  if (!v.ok()) return InvalidArgument("JWT header: " + v.status().message());
  if (v->has_value()) out = **v;
  return Status::Ok();
}

}  // namespace

Result<Jwt> ParseJwt(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) {
    return InvalidArgument("JWT of " + std::to_string(token.size()) +
                           " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return InvalidArgument("not a JWT (no '.')");
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return InvalidArgument("not a compact JWS (needs exactly three segments)");
  }
  Jwt jwt;
  GF_ASSIGN_OR_RETURN(jwt.header, DecodeJsonSegment(token.substr(0, dot1), "JWT header"));
  GF_ASSIGN_OR_RETURN(jwt.payload,
                      DecodeJsonSegment(token.substr(dot1 + 1, dot2 - dot1 - 1), "JWT payload"));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature.ok()) return InvalidArgument("JWT signature: " + signature.status().message());
  jwt.signature = std::move(signature).value();
  jwt.signing_input = std::string(token.substr(0, dot2));
  if (jwt.header.contains("crit")) {
    return InvalidArgument("JWT header has 'crit': no JWS extension is supported");
  }
  GF_RETURN_IF_ERROR(HeaderString(jwt.header, "alg", jwt.alg));
  GF_RETURN_IF_ERROR(HeaderString(jwt.header, "kid", jwt.kid));
  GF_RETURN_IF_ERROR(HeaderString(jwt.header, "jku", jwt.jku));
  GF_RETURN_IF_ERROR(HeaderString(jwt.header, "typ", jwt.typ));
  if (jwt.alg.empty()) return InvalidArgument("JWT header has no 'alg'");
  return jwt;
}

Result<std::optional<int64_t>> IntegerClaim(const nlohmann::json& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end()) return std::optional<int64_t>();
  constexpr double kMax = 9007199254740992.0;  // 2^53: beyond it doubles skip integers
  if (it->is_number_integer()) {
    if (it->is_number_unsigned()) {
      uint64_t u = it->get<uint64_t>();
      if (u > static_cast<uint64_t>(kMax))
        return InvalidArgument(std::string(name) + " out of range");
      return std::optional<int64_t>(static_cast<int64_t>(u));
    }
    int64_t v = it->get<int64_t>();
    if (v > static_cast<int64_t>(kMax) || v < -static_cast<int64_t>(kMax)) {
      return InvalidArgument(std::string(name) + " out of range");
    }
    return std::optional<int64_t>(v);
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (!std::isfinite(d) || d > kMax || d < -kMax) {
      return InvalidArgument(std::string(name) + " out of range");
    }
    return std::optional<int64_t>(static_cast<int64_t>(std::floor(d)));
  }
  return InvalidArgument(std::string(name) + " is not a number");
}

Result<std::optional<std::string>> StringClaim(const nlohmann::json& object,
                                               std::string_view name) {
  auto it = object.find(name);
  if (it == object.end()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidArgument(std::string(name) + " is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace genomefed::passport
