#include "htsget/request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace genomefed::htsget {

using nlohmann::json;

std::string_view ErrorName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "InvalidInput";
    case ErrorKind::kInvalidRange:
      return "InvalidRange";
    case ErrorKind::kUnsupportedFormat:
      return "UnsupportedFormat";
    case ErrorKind::kNotFound:
      return "NotFound";
    case ErrorKind::kPermissionDenied:
      return "PermissionDenied";
    case ErrorKind::kInvalidAuthentication:
      return "InvalidAuthentication";
    case ErrorKind::kInternal:
      return "InternalError";
  }
  return "InternalError";
}

int HttpStatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kInvalidRange:
    case ErrorKind::kUnsupportedFormat:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kPermissionDenied:
      return 403;
    case ErrorKind::kInvalidAuthentication:
      return 401;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorBody(const Error& error) {
  return json{{"htsget", {{"error", ErrorName(error.kind)}, {"message", error.message}}}}.dump();
}

Error ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {ErrorKind::kNotFound, status.message()};
    case StatusCode::kUnauthenticated:
      return {ErrorKind::kInvalidAuthentication, status.message()};
    case StatusCode::kPermissionDenied:
      return {ErrorKind::kPermissionDenied, status.message()};
    case StatusCode::kInvalidArgument:
      return {ErrorKind::kInvalidInput, status.message()};
    default:
      // Stored-data and I/O failures: details go to the log, not to the caller.
      return {ErrorKind::kInternal, "the node could not read the archived file"};
  }
}

namespace {

Error Invalid(std::string m) { return {ErrorKind::kInvalidInput, std::move(m)}; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<Error> ParseFormat(std::string_view value, Request* out) {
  std::string f = Upper(value);
  if (f != "VCF" && f != "BCF") {
    return Error{ErrorKind::kUnsupportedFormat,
                 "format '" + std::string(value.substr(0, 40)) +
                     "' is not served for variants (VCF or BCF, whichever the file is)"};
  }
  out->format = std::move(f);
  return std::nullopt;
}

std::optional<Error> ParseClass(std::string_view value, Request* out) {
  if (value == "header") {
    out->header_only = true;
    return std::nullopt;
  }
  if (value == "body") return std::nullopt;  // htsget 1.3 allows it: the default
  return Invalid("class must be 'header' (or absent), not '" + std::string(value.substr(0, 40)) +
                 "'");
}

std::optional<Error> ParseScheme(std::string_view value, Request* out) {
  std::string s = Upper(value);
  if (s == "C4GH" || s == "CRYPT4GH") {
    out->encrypted = true;
    return std::nullopt;
  }
  return Invalid("encryptionScheme must be c4gh, not '" + std::string(value.substr(0, 40)) + "'");
}

std::optional<Error> ParseCoordinate(std::string_view name, std::string_view text,
                                     std::optional<uint64_t>* out) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
      v > (uint64_t{1} << 62)) {
    return Invalid(std::string(name) + " must be a non-negative integer, not '" +
                   std::string(text.substr(0, 40)) + "'");
  }
  *out = v;
  return std::nullopt;
}

std::optional<Error> CheckRegion(const Region& r) {
  if (r.reference_name.empty()) {
    if (r.start || r.end) return Invalid("start and end need a referenceName");
    return Invalid("referenceName must not be empty");
  }
  if (r.reference_name == "*") {
    return Invalid("referenceName '*' (unplaced reads) does not apply to variants");
  }
  if (r.start && r.end && *r.start > *r.end) {
    return Error{ErrorKind::kInvalidRange, "start " + std::to_string(*r.start) +
                                               " is greater than end " + std::to_string(*r.end)};
  }
  return std::nullopt;
}

std::optional<Error> CheckTags(const std::vector<std::string>& tags,
                               const std::vector<std::string>& notags) {
  std::set<std::string> t(tags.begin(), tags.end());
  for (const auto& n : notags) {
    if (t.count(n)) return Invalid("tag '" + n + "' is both in tags and notags");
  }
  return std::nullopt;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t c = s.find(',');
    out.emplace_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

}  // namespace

std::optional<Error> ParseGet(std::string_view id, const QueryMap& query, Request* out) {
  *out = Request{};
  out->id = std::string(id);
  static const std::set<std::string, std::less<>> kKnown = {"format", "class",  "referenceName",
                                                            "start",  "end",    "fields",
                                                            "tags",   "notags", "encryptionScheme"};
  Region region;
  bool has_region = false;
  std::vector<std::string> tags, notags;
  for (const auto& [key, value] : query) {
    if (!kKnown.count(key)) return Invalid("unknown parameter '" + key.substr(0, 40) + "'");
    if (query.count(key) > 1) return Invalid("parameter '" + key + "' given more than once");
    std::optional<Error> e;
    if (key == "format") e = ParseFormat(value, out);
    if (key == "class") e = ParseClass(value, out);
    if (key == "encryptionScheme") e = ParseScheme(value, out);
    if (key == "referenceName") {
      region.reference_name = value;
      has_region = true;
    }
    if (key == "start") e = ParseCoordinate("start", value, &region.start);
    if (key == "end") e = ParseCoordinate("end", value, &region.end);
    if (key == "tags") tags = SplitComma(value);
    if (key == "notags") notags = SplitComma(value);
    if (e) return e;
  }
  if (has_region || region.start || region.end) {
    if (auto e = CheckRegion(region)) return e;
    out->regions.push_back(std::move(region));
  }
  if (out->header_only && !out->regions.empty()) {
    return Invalid("class=header takes no referenceName, start or end");
  }
  return CheckTags(tags, notags);
}

std::optional<Error> ParsePost(std::string_view id, std::string_view body, const QueryMap& query,
                               Request* out) {
  *out = Request{};
  out->id = std::string(id);
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("the request body is not a JSON object");
  auto string_of = [&j](const char* key, std::string* v) -> std::optional<Error> {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    if (!j[key].is_string()) return Invalid(std::string(key) + " must be a string");
    *v = j[key].get<std::string>();
    return std::nullopt;
  };
  auto strings_of = [&j](const char* key, std::vector<std::string>* v) -> std::optional<Error> {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    if (!j[key].is_array()) return Invalid(std::string(key) + " must be an array of strings");
    for (const auto& item : j[key]) {
      if (!item.is_string()) return Invalid(std::string(key) + " must be an array of strings");
      v->push_back(item.get<std::string>());
    }
    return std::nullopt;
  };
  std::string format, klass, scheme;
  std::vector<std::string> fields, tags, notags;
  for (auto e : {string_of("format", &format), string_of("class", &klass),
                 string_of("encryptionScheme", &scheme), strings_of("fields", &fields),
                 strings_of("tags", &tags), strings_of("notags", &notags)}) {
    if (e) return e;
  }
  if (!format.empty()) {
    if (auto e = ParseFormat(format, out)) return e;
  }
  if (!klass.empty()) {
    if (auto e = ParseClass(klass, out)) return e;
  }
  if (scheme.empty()) {
    auto it = query.find("encryptionScheme");
    if (it != query.end()) scheme = it->second;
  }
  if (!scheme.empty()) {
    if (auto e = ParseScheme(scheme, out)) return e;
  }
  if (j.contains("regions") && !j["regions"].is_null()) {
    if (!j["regions"].is_array()) return Invalid("regions must be an array");
    if (j["regions"].size() > 1000) return Invalid("at most 1000 regions per request");
    for (const auto& r : j["regions"]) {
      if (!r.is_object()) return Invalid("every region must be an object");
      Region region;
      if (!r.contains("referenceName") || !r["referenceName"].is_string()) {
        return Invalid("every region needs a referenceName string");
      }
      region.reference_name = r["referenceName"].get<std::string>();
      for (const char* key : {"start", "end"}) {
        if (!r.contains(key) || r[key].is_null()) continue;
        if (!r[key].is_number_unsigned()) {
          return Invalid(std::string("region ") + key + " must be a non-negative integer");
        }
        auto& slot = std::string_view(key) == "start" ? region.start : region.end;
        slot = r[key].get<uint64_t>();
      }
      if (auto e = CheckRegion(region)) return e;
      out->regions.push_back(std::move(region));
    }
  }
  if (out->header_only && !out->regions.empty()) {
    return Invalid("class=header takes no regions");
  }
  return CheckTags(tags, notags);
}

std::optional<Error> CheckFormat(const Request& request, FileFormat file_format) {
  if (request.format && *request.format != FileFormatName(file_format)) {
    return Error{ErrorKind::kUnsupportedFormat, request.id + " is " +
                                                    std::string(FileFormatName(file_format)) +
                                                    "; it is not served as " + *request.format};
  }
  return std::nullopt;
}

}  // namespace genomefed::htsget
