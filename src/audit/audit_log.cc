#include "audit/audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>

#include "core/file.h"
#include "core/log.h"

namespace genomefed::audit {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

// Member names that suggest a credential. Matched case-insensitively as substrings, so
// "access_token", "Authorization" and "client_secret" are all caught.
bool LooksLikeCredential(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kNeedles = {
      "token", "authorization", "password", "passport", "secret", "private", "cookie", "apikey"};
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view needle : kNeedles) {
    if (lower.find(needle) != std::string::npos) return true;
  }
  return lower == "key" || lower.ends_with("_key") || lower.ends_with("-key");
}

nlohmann::ordered_json Redacted(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [name, member] : value.items()) {
      out[name] = LooksLikeCredential(name) ? nlohmann::ordered_json(kRedacted) : Redacted(member);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& member : value) out.push_back(Redacted(member));
    return out;
  }
  return nlohmann::ordered_json::parse(value.dump());
}

std::string UtcNowMillis() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("audit log " + path.string() + ": write failed: " + ErrnoMessage(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

AuditLog::AuditLog(Options options) : options_(std::move(options)) {}

AuditLog::~AuditLog() {
  Status s = Close();
  if (!s.ok()) log::warn("audit log {}: {}", options_.path.string(), s.message());
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const Options& options) {
  if (options.path.empty()) return InvalidArgument("audit log: no path configured");
  std::unique_ptr<AuditLog> audit_log(new AuditLog(options));
  if (!options.signing_key_pem.empty()) {
    GF_ASSIGN_OR_RETURN(auto key, passport::SigningKey::Load(options.signing_key_pem));
    audit_log->key_.emplace(std::move(key));
  }
  GF_RETURN_IF_ERROR(audit_log->OpenFile());
  audit_log->last_checkpoint_ = std::chrono::steady_clock::now();
  if (audit_log->key_ && options.sign_every_seconds > 0) {
    audit_log->timer_ = std::thread([raw = audit_log.get()] { raw->TimerLoop(); });
  }
  return audit_log;
}

Status AuditLog::OpenFile() {
  const std::filesystem::path& path = options_.path;
  std::error_code ec;
  bool existed = std::filesystem::exists(path, ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return IOError("audit log " + path.string() + ": " + ErrnoMessage(errno));
  prev_hash_ = std::string(kGenesisHash);
  if (!existed) {
    // The new name must survive a crash too.
    return SyncPath(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
  }
  // Continue the chain after the last complete line. Logs are read whole here: opening is rare
  // (start-up) and the records are small.
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  uint64_t dropped = text.size() - complete;
  if (dropped > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0 || ::fdatasync(fd_) != 0) {
      return IOError("audit log " + path.string() +
                     ": cannot cut a partial record: " + ErrnoMessage(errno));
    }
    text.resize(complete);
  }
  if (!text.empty()) {
    size_t start = text.rfind('\n', text.size() - 2);
    start = start == std::string::npos ? 0 : start + 1;
    std::string_view last(text.data() + start, text.size() - 1 - start);
    auto parsed = nlohmann::json::parse(last, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("seq") || !parsed["seq"].is_number_unsigned()) {
      return Corruption("audit log " + path.string() +
                        ": the last record is not an audit record; run `genomefed audit verify`");
    }
    next_seq_ = parsed["seq"].get<uint64_t>() + 1;
    durable_seq_ = next_seq_ - 1;
    prev_hash_ = Sha256Hex(last);
  }
  if (dropped > 0) {
    Event recovered;
    recovered.identity = "operator";
    recovered.action = "audit.recovered";
    recovered.decision = "info";
    recovered.reason = "a partial record of " + std::to_string(dropped) +
                       " bytes (never acknowledged) was cut off at open";
    std::unique_lock lock(mu_);
    uint64_t seq = AddLineLocked(RenderLocked(recovered));
    return FlushLocked(lock, seq);
  }
  return Status::Ok();
}

std::string AuditLog::RenderLocked(const Event& event) const {
  nlohmann::ordered_json record;
  record["seq"] = next_seq_;
  record["time"] = UtcNowMillis();
  record["identity"] = event.identity;
  record["action"] = event.action;
  record["dataset"] = event.dataset;
  record["request"] =
      event.request.is_null() ? nlohmann::ordered_json::object() : Redacted(event.request);
  record["decision"] = event.decision;
  record["reason"] = event.reason;
  record["bytes"] = event.bytes;
  record["prev"] = prev_hash_;
  // Invalid UTF-8 from a request is replaced, never a reason to lose the record.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

uint64_t AuditLog::AddLineLocked(std::string line) {
  prev_hash_ = Sha256Hex(line);
  pending_ += line;
  pending_ += '\n';
  ++records_since_checkpoint_;
  return next_seq_++;
}

Status AuditLog::AddCheckpointLocked() {
  if (!key_ || records_since_checkpoint_ == 0) return Status::Ok();
  nlohmann::json payload = {{"seq", next_seq_}, {"prev", prev_hash_}, {"time", UtcNowMillis()}};
  GF_ASSIGN_OR_RETURN(std::string jws, key_->SignJwt({{"typ", "audit-checkpoint+jwt"}}, payload));
  nlohmann::ordered_json record;
  record["seq"] = next_seq_;
  record["time"] = payload["time"];
  record["action"] = "audit.checkpoint";
  record["sig"] = jws;
  record["prev"] = prev_hash_;
  AddLineLocked(record.dump());
  records_since_checkpoint_ = 0;
  last_checkpoint_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status AuditLog::FlushLocked(std::unique_lock<std::mutex>& lock, uint64_t through_seq) {
  while (durable_seq_ < through_seq) {
    if (!status_.ok()) return status_;
    if (flushing_) {
      cv_.wait(lock);
      continue;
    }
    // This thread writes everything pending (its own record and any added meanwhile): one
    // fdatasync for the whole group.
    flushing_ = true;
    std::string batch;
    batch.swap(pending_);
    uint64_t batch_last = next_seq_ - 1;
    lock.unlock();
    Status written = WriteAll(fd_, batch, options_.path);
    if (written.ok() && ::fdatasync(fd_) != 0) {
      written =
          IOError("audit log " + options_.path.string() + ": fdatasync: " + ErrnoMessage(errno));
    }
    lock.lock();
    flushing_ = false;
    if (!written.ok()) {
      status_ = written;
    } else {
      durable_seq_ = batch_last;
    }
    cv_.notify_all();
  }
  return status_;
}

Status AuditLog::Append(const Event& event) {
  std::unique_lock lock(mu_);
  if (closed_) return FailedPrecondition("audit log " + options_.path.string() + " is closed");
  if (!status_.ok()) return status_;
  uint64_t seq = AddLineLocked(RenderLocked(event));
  uint64_t through = seq;
  if (options_.sign_every_records > 0 && records_since_checkpoint_ >= options_.sign_every_records) {
    GF_RETURN_IF_ERROR(AddCheckpointLocked());
    through = next_seq_ - 1;
  }
  return FlushLocked(lock, through);
}

void AuditLog::TimerLoop() {
  const auto period = std::chrono::seconds(options_.sign_every_seconds);
  std::unique_lock lock(mu_);
  while (!closed_) {
    auto due = last_checkpoint_ + period;
    if (cv_.wait_until(lock, due, [&] { return closed_; })) break;
    if (std::chrono::steady_clock::now() < last_checkpoint_ + period) continue;
    if (records_since_checkpoint_ == 0 || !status_.ok()) {
      last_checkpoint_ = std::chrono::steady_clock::now();
      continue;
    }
    Status s = AddCheckpointLocked();
    if (s.ok()) s = FlushLocked(lock, next_seq_ - 1);
    if (!s.ok())
      log::warn("audit log {}: checkpoint failed: {}", options_.path.string(), s.message());
  }
}

Status AuditLog::Close() {
  std::unique_lock lock(mu_);
  if (fd_ < 0) return Status::Ok();
  Status result = status_;
  if (result.ok() && !closed_) {
    result = AddCheckpointLocked();
    if (result.ok()) result = FlushLocked(lock, next_seq_ - 1);
  }
  closed_ = true;
  cv_.notify_all();
  lock.unlock();
  if (timer_.joinable()) timer_.join();
  lock.lock();
  ::close(fd_);
  fd_ = -1;
  return result;
}

uint64_t AuditLog::last_seq() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

}  // namespace genomefed::audit
