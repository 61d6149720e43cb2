// GA4GH htsget 1.3 requests for variants (`/variants/{id}`, GET query parameters or a POST JSON
// body) as a plain struct, and the spec's errors: `{"htsget": {"error": NAME, "message": ...}}`
// with its HTTP status (InvalidInput 400, InvalidRange 400, UnsupportedFormat 400, NotFound 404,
// PermissionDenied 403, InvalidAuthentication 401). No HTTP types: the node's routes pass the
// query map or the body in and send the error body out.
//
// Accepted as the spec allows for variants: `format` (VCF, BCF), `class=header`,
// `referenceName` + `start`/`end` (0-based, half-open), POST `regions` (several), `fields`
// (ignored: reads only), `tags`/`notags` (checked for overlap, otherwise ignored: every tag is
// returned), `encryptionScheme` (c4gh; also "crypt4gh", any case). Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "htsget/slice.h"

namespace genomefed::htsget {

enum class ErrorKind {
  kInvalidInput,
  kInvalidRange,
  kUnsupportedFormat,
  kNotFound,
  kPermissionDenied,
  kInvalidAuthentication,
  kInternal,
};
std::string_view ErrorName(ErrorKind kind);  // "InvalidInput", ... as in the spec
int HttpStatusOf(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInvalidInput;
  std::string message;
};
// The spec's error body.
std::string ErrorBody(const Error& error);
// The kind for a Status of the rest of the node (kNotFound → NotFound, kUnauthenticated →
// InvalidAuthentication, kPermissionDenied → PermissionDenied, kInvalidArgument → InvalidInput,
// anything else → an internal error with a message safe to show).
Error ErrorFromStatus(const Status& status);

struct Request {
  std::string id;
  std::optional<std::string> format;  // "VCF" | "BCF" as asked (upper-cased)
  bool header_only = false;           // class=header
  std::vector<Region> regions;        // empty: the whole file
  bool encrypted = false;             // encryptionScheme=c4gh
};

using QueryMap = std::multimap<std::string, std::string, std::less<>>;

// GET: parameters from the query string. On failure returns the spec error.
std::optional<Error> ParseGet(std::string_view id, const QueryMap& query, Request* out);
// POST: the JSON body (plus the query string, for encryptionScheme given there).
std::optional<Error> ParsePost(std::string_view id, std::string_view body, const QueryMap& query,
                               Request* out);

// UnsupportedFormat unless the requested format (if any) is the file's.
std::optional<Error> CheckFormat(const Request& request, FileFormat file_format);

}  // namespace genomefed::htsget
