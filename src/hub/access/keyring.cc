#include "hub/access/keyring.h"

#include <sys/stat.h>

#include "core/file.h"

namespace genomefed::hub::access {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::unique_ptr<KeyRing>> KeyRing::Open(const fs::path& dir, int64_t now_s) {
  std::unique_ptr<KeyRing> ring(new KeyRing());
  ring->dir_ = dir;
  std::lock_guard lock(ring->mu_);
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IOError("[access] keys_dir " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    fs::path index = dir / "keyring.json";
    if (fs::exists(index)) {
      GF_ASSIGN_OR_RETURN(std::string text, ReadFile(index));
      json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("keys") || !j["keys"].is_array()) {
        return Corruption(index.string() + ": not a keyring (expected {\"keys\": [...]})");
      }
      for (const json& k : j["keys"]) {
        if (!k.is_object() || !k.contains("kid") || !k["kid"].is_string()) {
          return Corruption(index.string() + ": a key entry lacks its kid");
        }
        std::string kid = k["kid"].get<std::string>();
        if (kid.find('/') != std::string::npos || kid.find("..") != std::string::npos) {
          return Corruption(index.string() + ": bad kid '" + kid + "'");
        }
        GF_ASSIGN_OR_RETURN(passport::SigningKey key,
                            passport::SigningKey::Load(dir / (kid + ".pem")));
        if (key.kid() != kid) {
          return Corruption(index.string() + ": " + kid + ".pem holds another key");
        }
        Entry e;
        e.key = std::make_shared<const passport::SigningKey>(std::move(key));
        e.created = k.value("created", int64_t{0});
        e.retired = k.value("retired", int64_t{0});
        e.last_exp = k.value("lastExp", int64_t{0});
        ring->entries_.push_back(std::move(e));
      }
    }
  }
  if (ring->entries_.empty()) GF_RETURN_IF_ERROR(ring->AddKeyLocked(now_s));
  return ring;
}

Status KeyRing::AddKeyLocked(int64_t now_s) {
  GF_ASSIGN_OR_RETURN(passport::SigningKey key,
                      passport::SigningKey::Generate(passport::JwsAlg::kES256));
  if (!dir_.empty()) {
    GF_ASSIGN_OR_RETURN(std::string pem, key.PrivatePem());
    Status s = passport::WritePrivateKeyFile(dir_ / (key.kid() + ".pem"), pem, false);
    passport::WipeString(pem);
    GF_RETURN_IF_ERROR(s);
  }
  Entry e;
  e.key = std::make_shared<const passport::SigningKey>(std::move(key));
  e.created = now_s;
  if (!entries_.empty()) entries_.back().retired = now_s;
  entries_.push_back(std::move(e));
  return SaveLocked();
}

Status KeyRing::SaveLocked() const {
  if (dir_.empty()) return Status::Ok();
  json keys = json::array();
  for (const Entry& e : entries_) {
    keys.push_back({{"kid", e.key->kid()},
                    {"created", e.created},
                    {"retired", e.retired},
                    {"lastExp", e.last_exp}});
  }
  json j = {{"keys", keys}, {"active", entries_.back().key->kid()}};
  return WriteFileAtomic(dir_ / "keyring.json", j.dump(1));
}

std::shared_ptr<const passport::SigningKey> KeyRing::NoteSigned(int64_t exp_s) {
  std::lock_guard lock(mu_);
  Entry& e = entries_.back();
  if (exp_s > e.last_exp) {
    e.last_exp = exp_s;
    // Best effort: a failed save only shortens how long a retired key would be published
    // after a restart, it never makes a token verify longer than its exp.
    (void)SaveLocked();
  }
  return e.key;
}

Result<std::string> KeyRing::SignJwt(json header, const json& payload, const std::string& jku,
                                     int64_t exp_s) {
  auto key = NoteSigned(exp_s);
  header["jku"] = jku;
  return key->SignJwt(std::move(header), payload);
}

Result<std::string> KeyRing::IssueVisa(const passport::IssueParams& params,
                                       const passport::VisaSpec& visa) {
  auto key = NoteSigned(params.exp);
  return passport::IssueVisa(*key, params, visa);
}

Result<std::string> KeyRing::IssuePassport(const passport::IssueParams& params,
                                           const std::vector<std::string>& visas) {
  auto key = NoteSigned(params.exp);
  return passport::IssuePassport(*key, params, visas);
}

Status KeyRing::Rotate(int64_t now_s) {
  std::lock_guard lock(mu_);
  return AddKeyLocked(now_s);
}

json KeyRing::Jwks(int64_t now_s, int64_t skew_s) const {
  std::lock_guard lock(mu_);
  std::vector<const passport::SigningKey*> keys;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    bool active = i + 1 == entries_.size();
    if (active || e.last_exp + skew_s >= now_s) keys.push_back(e.key.get());
  }
  return passport::JwksFor(keys);
}

std::string KeyRing::active_kid() const {
  std::lock_guard lock(mu_);
  return entries_.back().key->kid();
}

}  // namespace genomefed::hub::access
