#include "audit/verify.h"

#include <openssl/pem.h>

#include "audit/audit_log.h"
#include "core/file.h"
#include "passport/jwt.h"

namespace genomefed::audit {
namespace {

// A checkpoint's JWS must be small; anything larger is not ours.
constexpr size_t kMaxCheckpointJws = 16 * 1024;

Status CheckCheckpoint(const nlohmann::json& record, uint64_t seq, const std::string& prev,
                       const passport::Jwks& keys) {
  if (!record.contains("sig") || !record["sig"].is_string()) return InvalidArgument("no signature");
  GF_ASSIGN_OR_RETURN(passport::Jwt jwt,
                      passport::ParseJwt(record["sig"].get<std::string>(), kMaxCheckpointJws));
  GF_ASSIGN_OR_RETURN(passport::JwsAlg alg, passport::ParseAllowedAlg(jwt.alg));
  auto key = keys.keys.find(jwt.kid);
  if (key == keys.keys.end()) key = keys.keys.find("");  // a PEM key: no kid of its own
  if (key == keys.keys.end()) {
    return PermissionDenied("signed with key '" + jwt.kid + "', which is not among the given keys");
  }
  if (key->second.alg() != alg) return PermissionDenied("key type does not match alg " + jwt.alg);
  GF_RETURN_IF_ERROR(passport::VerifySignature(key->second, alg, jwt.signing_input, jwt.signature));
  const nlohmann::json& p = jwt.payload;
  if (!p.contains("seq") || !p["seq"].is_number_unsigned() || p["seq"].get<uint64_t>() != seq) {
    return InvalidArgument("the signature covers another sequence number");
  }
  if (!p.contains("prev") || !p["prev"].is_string() || p["prev"].get<std::string>() != prev) {
    return InvalidArgument("the signature covers another chain head");
  }
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> VerifyLog(const std::filesystem::path& path, const VerifyOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return NotFound("audit log " + path.string() + " not found");
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return VerifyLogText(text, path.string(), options);
}

Result<VerifyReport> VerifyLogText(std::string_view text, std::string_view name,
                                   const VerifyOptions& options) {
  VerifyReport report;
  report.signatures_checked = options.keys.has_value();
  std::string prev(kGenesisHash);
  uint64_t line_no = 0;
  size_t pos = 0;
  auto fail = [&](uint64_t seq, const std::string& what) {
    return Corruption(std::string(name) + ": line " + std::to_string(line_no) + " (seq " +
                      std::to_string(seq) + "): " + what);
  };
  while (pos < text.size()) {
    ++line_no;
    size_t end = text.find('\n', pos);
    uint64_t expected_seq = report.records + 1;
    if (end == std::string::npos) {
      return fail(expected_seq,
                  "the last record is cut short (no end of line): the tail was truncated");
    }
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object()) return fail(expected_seq, "not a JSON object");
    if (!record.contains("seq") || !record["seq"].is_number_unsigned()) {
      return fail(expected_seq, "no sequence number");
    }
    uint64_t seq = record["seq"].get<uint64_t>();
    if (seq != expected_seq) {
      return fail(expected_seq, "sequence number " + std::to_string(seq) + " where " +
                                    std::to_string(expected_seq) +
                                    " was expected: a record was removed or inserted");
    }
    if (!record.contains("prev") || !record["prev"].is_string() ||
        record["prev"].get<std::string>() != prev) {
      return fail(seq,
                  "its link to the previous record does not match: that record (or this "
                  "one) was altered, removed or reordered");
    }
    if (!record.contains("action") || !record["action"].is_string() || !record.contains("time") ||
        !record["time"].is_string()) {
      return fail(seq, "no action or time");
    }
    if (record["action"] == "audit.checkpoint") {
      ++report.checkpoints;
      if (options.keys) {
        Status s = CheckCheckpoint(record, seq, prev, *options.keys);
        if (!s.ok()) return fail(seq, "checkpoint signature refused: " + s.message());
        report.last_signed_seq = seq;
      }
      report.unsigned_tail = 0;
    } else {
      ++report.unsigned_tail;
    }
    prev = Sha256Hex(line);
    ++report.records;
  }
  report.head = prev;
  if (options.keys && !options.allow_unsigned_tail && report.unsigned_tail > 0) {
    return Corruption(std::string(name) + ": the last " + std::to_string(report.unsigned_tail) +
                      " record(s) (from seq " +
                      std::to_string(report.records - report.unsigned_tail + 1) +
                      ") are not covered by a signed checkpoint: the tail may have been cut (a "
                      "live log: pass --allow-unsigned-tail)");
  }
  return report;
}

Result<passport::Jwks> LoadVerificationKeys(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.find("-----BEGIN PUBLIC KEY-----") != std::string::npos) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
    EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (raw == nullptr) return InvalidArgument(path.string() + ": not a readable PEM public key");
    std::shared_ptr<EVP_PKEY> key(raw, &EVP_PKEY_free);
    passport::JwsAlg alg;
    if (EVP_PKEY_is_a(raw, "EC")) {
      alg = passport::JwsAlg::kES256;
    } else if (EVP_PKEY_is_a(raw, "RSA")) {
      alg = passport::JwsAlg::kRS256;
    } else {
      return InvalidArgument(path.string() + ": only P-256 EC and RSA public keys are supported");
    }
    // The writer names its key by kid; a PEM carries none, so it stands for every kid.
    passport::Jwks jwks;
    jwks.keys.emplace("", passport::PublicKey(key, alg));
    return jwks;
  }
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object() && json.contains("kty")) {
    text = nlohmann::json{{"keys", nlohmann::json::array({json})}}.dump();
  }
  auto parsed = passport::ParseJwks(text);
  if (!parsed.ok()) return InvalidArgument(path.string() + ": " + parsed.status().message());
  if (parsed->keys.empty()) return InvalidArgument(path.string() + ": no usable signing key");
  return parsed;
}

}  // namespace genomefed::audit
