#include "node/delivery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/log.h"
#include "crypt4gh/archive.h"
#include "drs/drs.h"
#include "htsget/archived_file.h"
#include "htsget/bgzf_edit.h"
#include "htsget/c4gh_slice.h"
#include "htsget/data_url.h"
#include "htsget/request.h"
#include "htsget/slice.h"
#include "htsget/ticket.h"
#include "passport/rights.h"
#include "policy/policy.h"

namespace genomefed::node {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kHtsgetContentType = "application/vnd.ga4gh.htsget.v1.3.0+json";
constexpr std::string_view kPublicKeyHeader = "htsget-context-public-key";

// One access decision, as the audit log will record it (src/audit: identity, action, dataset,
// request summary — never a token or key —, decision, reason, bytes sent).
struct Decision {
  std::string identity;
  std::string action;  // "htsget.ticket", "htsget.block", "drs.object", "drs.access", "drs.data"
  std::string dataset;
  json request;
  bool allowed = false;
  std::string reason;
  uint64_t bytes = 0;
};

// Who is asking, from a passport.
struct Caller {
  Status status;  // kUnauthenticated when there is no valid passport
  passport::CallerRights rights;
  std::string authorization;  // the header value, repeated in data URL headers
};

class Delivery {
 public:
  Delivery(const NodeConfig& config, DeliveryOptions options, htsget::DataUrlSigner signer)
      : config_(config),
        options_(std::move(options)),
        authorizer_(config.trust, options_.client, options_.clock),
        policy_(config.policy, options_.clock),
        signer_(std::move(signer)) {}

  Status AddRoutes(http::Router& router);

 private:
  // --- htsget ---
  http::Response HtsgetServiceInfo() const;
  http::Response Ticket(const http::Request& req, bool post);
  http::Response Block(const http::Request& req);
  // --- DRS ---
  http::Response DrsServiceInfo() const;
  http::Response DrsObject(const http::Request& req, bool post);
  http::Response DrsAccess(const http::Request& req, bool post);
  http::Response DrsData(const http::Request& req);

  // The passport of a request: `authorization` ("Bearer ...") checked for `dataset`.
  Caller Authenticate(const std::string& authorization, const std::string& dataset);
  static std::string AuthorizationOf(const http::Request& req, bool drs_post);
  Result<const crypt4gh::KeyPair*> NodeKeys();
  Result<std::shared_ptr<const htsget::SliceIndex>> IndexFor(const htsget::ArchivedFile& file);
  Result<crypt4gh::ArchiveEntry> EntryFor(const htsget::ArchivedFile& file) const;
  Result<std::string> ReadPlaintext(const crypt4gh::ArchiveEntry& entry, uint64_t start,
                                    uint64_t end);
  Result<std::string> ReadBody(const crypt4gh::ArchiveEntry& entry, uint64_t start,
                               uint64_t end) const;
  // The BGZF bytes of a piece of a slice plan (an edge re-compressed), in memory.
  Result<std::string> PieceBytes(const crypt4gh::ArchiveEntry& entry, const htsget::Piece& piece);
  Result<std::string> PiecesBytes(const crypt4gh::ArchiveEntry& entry,
                                  const std::vector<htsget::Piece>& pieces);
  static Result<crypt4gh::PublicKey> RecipientKey(const http::Request& req);
  // The delivery rules for this caller and file (policy::Policy::CheckDelivery).
  Status MayDeliver(const Caller& caller, const std::string& dataset, bool encrypted) const;
  std::string DataUrl(std::string_view route, const htsget::DataUrlClaims& claims) const;
  int64_t Now() const { return options_.clock->NowSeconds(); }

  // The single audit call site for every delivery decision. An allowed access whose record
  // cannot be made durable must not be answered: callers then send AuditFailed().
  Status Audit(const Decision& d);
  http::Response AuditFailed(const Status& s, bool drs);

  http::Response HtsgetError(const htsget::Error& e, Decision& d);
  http::Response DrsError(const Status& s, Decision& d);

  const NodeConfig config_;
  const DeliveryOptions options_;
  passport::Authorizer authorizer_;
  policy::Policy policy_;
  const htsget::DataUrlSigner signer_;
  crypt4gh::X25519Cache x25519_cache_;

  std::mutex mu_;
  std::unique_ptr<crypt4gh::KeyPair> node_keys_;  // GUARDED_BY(mu_), loaded on first use
  std::map<std::string, std::shared_ptr<const htsget::SliceIndex>> indexes_;  // GUARDED_BY(mu_)
};

Status Delivery::Audit(const Decision& d) {
  log::info("delivery: {} {} dataset={} decision={} reason=\"{}\" bytes={} request={}", d.identity,
            d.action, d.dataset, d.allowed ? "allow" : "deny", d.reason, d.bytes, d.request.dump());
  if (!options_.audit) return Status::Ok();
  audit::Event e;
  e.identity = d.identity;
  e.action = d.action;
  e.dataset = d.dataset;
  e.request = d.request;
  e.decision = d.allowed ? "allow" : "deny";
  e.reason = d.reason;
  e.bytes = d.bytes;
  return options_.audit->Append(e);
}

http::Response Delivery::AuditFailed(const Status& s, bool drs) {
  log::error("delivery: audit log append failed, access refused: {}", s.ToString());
  const std::string message = "the node cannot record this access in its audit log";
  if (drs) return http::Response::Json(drs::ErrorBody(503, message), 503);
  return http::Response::Json(htsget::ErrorBody({htsget::ErrorKind::kInternal, message}), 503);
}

http::Response Delivery::HtsgetError(const htsget::Error& e, Decision& d) {
  d.allowed = false;
  d.reason = std::string(htsget::ErrorName(e.kind)) + ": " + e.message;
  (void)Audit(d);  // a refusal is sent whether or not it could be recorded
  http::Response res = http::Response::Json(htsget::ErrorBody(e), htsget::HttpStatusOf(e.kind));
  if (e.kind == htsget::ErrorKind::kInvalidAuthentication) {
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return res;
}

http::Response Delivery::DrsError(const Status& s, Decision& d) {
  d.allowed = false;
  int status = HttpStatusFor(s.code());
  std::string message = s.message();
  if (status >= 500) {
    log::error("delivery: {} {}: {}", d.action, d.request.dump(), s.ToString());
    message = "the node could not read the archived file";
  }
  d.reason = message;
  (void)Audit(d);  // a refusal is sent whether or not it could be recorded
  http::Response res = http::Response::Json(drs::ErrorBody(status, message), status);
  if (status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

std::string Delivery::AuthorizationOf(const http::Request& req, bool drs_post) {
  if (const std::string* a = req.Header("authorization"); a != nullptr && !a->empty()) return *a;
  if (drs_post) {
    // DRS 1.2: POST bodies may carry {"passports": ["<jwt>", ...]} instead of the header.
    json body = json::parse(req.body, nullptr, false);
    if (body.is_object() && body.contains("passports") && body["passports"].is_array() &&
        !body["passports"].empty() && body["passports"][0].is_string()) {
      return "Bearer " + body["passports"][0].get<std::string>();
    }
  }
  return {};
}

Caller Delivery::Authenticate(const std::string& authorization, const std::string& dataset) {
  Caller c;
  c.authorization = authorization;
  if (authorization.empty()) {
    c.status = Unauthenticated(
        "a GA4GH passport is needed (Authorization: Bearer <passport>) with a "
        "ControlledAccessGrants visa for the dataset");
    return c;
  }
  const passport::DatasetRef refs[] = {passport::DatasetRefFor(config_, dataset)};
  c.rights = authorizer_.Authorize(authorization, refs);
  if (!c.rights.token_status.ok()) {
    c.status = Unauthenticated("the passport was refused: " + c.rights.token_status.message());
  } else if (!c.rights.authenticated) {
    c.status = Unauthenticated("the passport was refused");
  }
  return c;
}

Status Delivery::MayDeliver(const Caller& caller, const std::string& dataset,
                            bool encrypted) const {
  policy::Policy::DeliveryRequest r;
  r.level = caller.rights.LevelFor(dataset);
  r.encrypted = encrypted;
  // The grant's researcher country and ethics approval come with applications (hub); until a
  // grant carries them, a node that requires either refuses (default deny).
  return policy_.CheckDelivery(r);
}

Result<const crypt4gh::KeyPair*> Delivery::NodeKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!node_keys_) {
    auto keys = crypt4gh::LoadNodeKeys(config_.data_dir / "keys");
    if (!keys.ok()) return keys.status();
    node_keys_ = std::make_unique<crypt4gh::KeyPair>(std::move(keys).value());
  }
  return node_keys_.get();
}

Result<std::shared_ptr<const htsget::SliceIndex>> Delivery::IndexFor(
    const htsget::ArchivedFile& file) {
  const std::string key = file.id + "/" + file.archive_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = indexes_.find(key);
    if (it != indexes_.end()) return it->second;
  }
  GF_ASSIGN_OR_RETURN(std::shared_ptr<const htsget::SliceIndex> index,
                      htsget::SliceIndex::Open(file));
  std::lock_guard<std::mutex> lock(mu_);
  indexes_[key] = index;
  return index;
}

Result<crypt4gh::ArchiveEntry> Delivery::EntryFor(const htsget::ArchivedFile& file) const {
  auto entry = crypt4gh::GetArchiveEntry(config_.data_dir / "archive", file.archive_id);
  if (!entry.ok() && entry.status().code() == StatusCode::kNotFound) {
    return Corruption("archived file " + file.id + ": archive entry " + file.archive_id +
                      " is missing");
  }
  return entry;
}

Result<std::string> Delivery::ReadPlaintext(const crypt4gh::ArchiveEntry& entry, uint64_t start,
                                            uint64_t end) {
  GF_ASSIGN_OR_RETURN(const crypt4gh::KeyPair* keys, NodeKeys());
  std::string out;
  crypt4gh::StringWriter writer(&out);
  crypt4gh::ByteRange range;
  range.start = start;
  range.end = end;
  GF_ASSIGN_OR_RETURN(uint64_t n, crypt4gh::DecryptEntry(entry, *keys, writer, range));
  if (n != end - start) return Corruption(entry.body_path().string() + ": shorter than recorded");
  return out;
}

Result<std::string> Delivery::PieceBytes(const crypt4gh::ArchiveEntry& entry,
                                         const htsget::Piece& piece) {
  GF_ASSIGN_OR_RETURN(std::string raw, ReadPlaintext(entry, piece.bytes.start, piece.bytes.end));
  if (piece.whole) return raw;
  auto content = htsget::InflateBgzfBlock(raw);
  if (!content.ok()) {
    return Corruption("archive entry " + entry.id + ": block at " +
                      std::to_string(piece.bytes.start) + ": " + content.status().message());
  }
  const size_t from = std::min<size_t>(piece.from, content->size());
  const size_t to = std::min<size_t>(piece.to, content->size());
  return htsget::CompressBgzf(std::string_view(*content).substr(from, to - from));
}

Result<std::string> Delivery::PiecesBytes(const crypt4gh::ArchiveEntry& entry,
                                          const std::vector<htsget::Piece>& pieces) {
  std::string out;
  for (const htsget::Piece& p : pieces) {
    GF_ASSIGN_OR_RETURN(std::string bytes, PieceBytes(entry, p));
    out += bytes;
  }
  return out;
}

Result<std::string> Delivery::ReadBody(const crypt4gh::ArchiveEntry& entry, uint64_t start,
                                       uint64_t end) const {
  if (end > entry.body_size || start > end) {
    return InvalidArgument("range beyond the stored body");
  }
  const fs::path path = entry.body_path();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOError("cannot open " + path.string() + ": " + ErrnoMessage(errno));
  std::string out(end - start, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(start + done));
    if (n <= 0) {
      ::close(fd);
      return Corruption(path.string() + ": shorter than recorded (at offset " +
                        std::to_string(start + done) + ")");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Result<crypt4gh::PublicKey> Delivery::RecipientKey(const http::Request& req) {
  const std::string* header = req.Header(kPublicKeyHeader);
  if (header == nullptr || header->empty()) {
    return InvalidArgument(
        "Crypt4GH delivery needs the recipient's public key: send the base64 of your "
        "Crypt4GH public key file in the Htsget-Context-Public-Key header");
  }
  std::optional<std::string> text = htsget::Base64Decode(*header);
  if (!text) return InvalidArgument("Htsget-Context-Public-Key is not base64");
  auto key = crypt4gh::ParsePublicKey(*text);
  if (!key.ok()) {
    return InvalidArgument("Htsget-Context-Public-Key is not a Crypt4GH public key: " +
                           key.status().message());
  }
  return key;
}

std::string Delivery::DataUrl(std::string_view route, const htsget::DataUrlClaims& claims) const {
  return config_.public_url + std::string(route) + claims.file_id + "?" + signer_.Query(claims);
}

// ---------------------------------------------------------------- htsget

http::Response Delivery::HtsgetServiceInfo() const {
  json info = {
      {"id", config_.id + ".htsget"},
      {"name", config_.name + " htsget"},
      {"type", {{"group", "org.ga4gh"}, {"artifact", "htsget"}, {"version", "1.3.0"}}},
      {"description", "Region slices of archived VCF/BCF files, Crypt4GH-encrypted on request"},
      {"organization", {{"name", config_.name}, {"url", config_.public_url}}},
      {"version", "1.0.0"},
      {"htsget",
       {{"datatype", "variants"},
        {"formats", json::array({"VCF", "BCF"})},
        {"fieldsParameterEffective", false},
        {"tagsParametersEffective", false}}},
  };
  http::Response res = http::Response::Json(info.dump());
  return res;
}

http::Response Delivery::Ticket(const http::Request& req, bool post) {
  const std::string id = *req.PathParam("id");
  Decision d;
  d.action = "htsget.ticket";
  d.identity = "anonymous";
  d.request = {{"id", id}, {"method", req.method}};
  htsget::Request r;
  std::optional<htsget::Error> bad =
      post ? htsget::ParsePost(id, req.body, req.query, &r) : htsget::ParseGet(id, req.query, &r);
  if (bad) return HtsgetError(*bad, d);
  d.request["regions"] = r.regions.size();
  d.request["class"] = r.header_only ? "header" : "body";
  d.request["encrypted"] = r.encrypted;

  auto file = htsget::LoadArchivedFile(config_.data_dir, id);
  const std::string authorization = AuthorizationOf(req, false);
  Caller caller = Authenticate(authorization, file.ok() ? file->dataset : std::string());
  d.identity = caller.rights.identity;
  if (!caller.status.ok()) return HtsgetError(htsget::ErrorFromStatus(caller.status), d);
  if (!file.ok()) {
    // htslib probes <ticket URL>.csi / .tbi for an index: there is none to give.
    return HtsgetError(htsget::ErrorFromStatus(file.status()), d);
  }
  d.dataset = file->dataset;
  if (Status s = MayDeliver(caller, file->dataset, r.encrypted); !s.ok()) {
    return HtsgetError(htsget::ErrorFromStatus(s), d);
  }
  if (auto e = htsget::CheckFormat(r, file->format)) return HtsgetError(*e, d);
  if (!file->bgzf) {
    return HtsgetError({htsget::ErrorKind::kUnsupportedFormat,
                        id +
                            " is not BGZF-compressed and cannot be sliced; get it whole "
                            "through DRS (/ga4gh/drs/v1/objects/" +
                            id + ")"},
                       d);
  }
  std::optional<crypt4gh::PublicKey> recipient;
  if (r.encrypted) {
    auto key = RecipientKey(req);
    if (!key.ok()) return HtsgetError(htsget::ErrorFromStatus(key.status()), d);
    recipient = *key;
  }
  auto internal = [&](const Status& s) {
    log::error("htsget: ticket for {}: {}", id, s.ToString());
    return HtsgetError(htsget::ErrorFromStatus(s), d);
  };
  auto index = IndexFor(*file);
  if (!index.ok()) return internal(index.status());
  auto plan = (*index)->Plan(r.regions, r.header_only);
  if (!plan.ok()) return HtsgetError(htsget::ErrorFromStatus(plan.status()), d);
  auto entry = EntryFor(*file);
  if (!entry.ok()) return internal(entry.status());

  htsget::DataUrlClaims claims;
  claims.file_id = id;
  claims.purpose = "htsget";
  claims.expires_at = Now() + options_.data_url_ttl_seconds;
  claims.identity_tag = htsget::IdentityTag(caller.rights.identity);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", authorization}};
  std::vector<htsget::TicketUrl> urls;
  uint64_t bytes = 0;
  auto size_of = [](const std::vector<htsget::Piece>& pieces) {
    uint64_t n = 0;
    for (const auto& p : pieces) n += p.bytes.size();
    return n;
  };
  if (!recipient) {
    auto header = PiecesBytes(*entry, plan->header);
    if (!header.ok()) return internal(header.status());
    urls.push_back({htsget::DataUri(*header), {}, "header"});
    bytes += header->size();
    claims.kind = htsget::DataKind::kPlaintext;
    for (const htsget::Piece& piece : plan->data) {
      if (!piece.whole) {
        // An edge block, re-compressed from or up to a record boundary: small, inline.
        auto edge = PieceBytes(*entry, piece);
        if (!edge.ok()) return internal(edge.status());
        urls.push_back({htsget::DataUri(*edge), {}, "body"});
        bytes += edge->size();
        continue;
      }
      for (const htsget::ByteSpan& s :
           htsget::SplitSpans({piece.bytes}, options_.max_data_url_bytes)) {
        claims.start = s.start;
        claims.end = s.end;
        urls.push_back({DataUrl("/htsget/blocks/", claims), headers, "body"});
        bytes += s.size();
      }
    }
    urls.push_back({htsget::DataUri(htsget::BgzfEofBlock()), {}, "body"});
    bytes += htsget::BgzfEofBlock().size();
  } else if (plan->block_aligned()) {
    // The archive's own segments: the node opens the Crypt4GH header only.
    std::vector<htsget::ByteSpan> spans;
    for (const auto* list : {&plan->header, &plan->data}) {
      for (const htsget::Piece& p : *list) spans.push_back(p.bytes);
    }
    if (plan->eof) spans.push_back(*plan->eof);
    htsget::CipherSelection sel = htsget::SelectSegments(spans, file->plaintext_size);
    auto keys = NodeKeys();
    if (!keys.ok()) return internal(keys.status());
    auto header =
        htsget::HeaderWithEditList(*entry, **keys, *recipient, sel.edit_list, &x25519_cache_);
    if (!header.ok()) return internal(header.status());
    urls.push_back({htsget::DataUri(*header), {}, ""});
    bytes += header->size();
    claims.kind = htsget::DataKind::kCipherBody;
    for (const htsget::ByteSpan& s : htsget::SplitSpans(sel.body, options_.max_data_url_bytes)) {
      claims.start = s.start;
      claims.end = s.end;
      urls.push_back({DataUrl("/htsget/blocks/", claims), headers, ""});
      bytes += s.size();
    }
  } else {
    // Records cross the slice's block edges (BCF, bgzip'ed VCF): no selection of stored
    // segments gives a valid file, so the slice is assembled in memory, edges re-compressed,
    // and encrypted afresh for the requester. Bounded: larger slices must be asked in parts.
    const uint64_t total = size_of(plan->header) + size_of(plan->data);
    if (total > options_.max_data_url_bytes) {
      return HtsgetError(
          {htsget::ErrorKind::kInvalidRange,
           "this slice (" + std::to_string(total) +
               " bytes) crosses BGZF block "
               "edges and must be re-encoded in memory; ask for regions of at most " +
               std::to_string(options_.max_data_url_bytes) + " bytes"},
          d);
    }
    auto header = PiecesBytes(*entry, plan->header);
    if (!header.ok()) return internal(header.status());
    auto data = PiecesBytes(*entry, plan->data);
    if (!data.ok()) return internal(data.status());
    std::string slice = *header + *data + std::string(htsget::BgzfEofBlock());
    auto keys = NodeKeys();
    if (!keys.ok()) return internal(keys.status());
    crypt4gh::EncryptOptions eo;
    eo.recipients = {*recipient};
    eo.writer = *keys;
    std::string sealed;
    crypt4gh::MemoryReader in(slice);
    crypt4gh::StringWriter out(&sealed);
    auto stats = crypt4gh::Encrypt(in, out, eo);
    if (!stats.ok()) return internal(stats.status());
    urls.push_back({htsget::DataUri(sealed), {}, ""});
    bytes += sealed.size();
  }
  d.allowed = true;
  d.reason = "ControlledAccessGrants";
  d.request["urls"] = urls.size();
  d.bytes = bytes;  // what the ticket's URLs deliver; each block is audited when sent
  if (Status a = Audit(d); !a.ok()) return AuditFailed(a, false);
  http::Response res = http::Response::Json(htsget::TicketJson(file->format, urls));
  res.content_type = std::string(kHtsgetContentType) + "; charset=utf-8";
  return res;
}

http::Response Delivery::Block(const http::Request& req) {
  const std::string id = *req.PathParam("id");
  Decision d;
  d.action = "htsget.block";
  d.identity = "anonymous";
  d.request = {{"id", id}};
  auto claims = signer_.Verify(id, "htsget", req.query, Now());
  if (!claims.ok()) return HtsgetError(htsget::ErrorFromStatus(claims.status()), d);
  d.request["start"] = claims->start;
  d.request["end"] = claims->end;
  auto file = htsget::LoadArchivedFile(config_.data_dir, id);
  if (!file.ok()) return HtsgetError(htsget::ErrorFromStatus(file.status()), d);
  d.dataset = file->dataset;
  Caller caller = Authenticate(AuthorizationOf(req, false), file->dataset);
  d.identity = caller.rights.identity;
  if (!caller.status.ok()) return HtsgetError(htsget::ErrorFromStatus(caller.status), d);
  if (htsget::IdentityTag(caller.rights.identity) != claims->identity_tag) {
    return HtsgetError({htsget::ErrorKind::kPermissionDenied,
                        "this data URL was issued to another identity; request your own ticket"},
                       d);
  }
  const bool encrypted = claims->kind == htsget::DataKind::kCipherBody;
  if (Status s = MayDeliver(caller, file->dataset, encrypted); !s.ok()) {
    return HtsgetError(htsget::ErrorFromStatus(s), d);
  }
  if (claims->end - claims->start > options_.max_data_url_bytes) {
    return HtsgetError({htsget::ErrorKind::kInvalidRange, "data URL range too large"}, d);
  }
  auto entry = EntryFor(*file);
  if (!entry.ok()) {
    log::error("htsget: block of {}: {}", id, entry.status().ToString());
    return HtsgetError(htsget::ErrorFromStatus(entry.status()), d);
  }
  Result<std::string> bytes = encrypted ? ReadBody(*entry, claims->start, claims->end)
                                        : ReadPlaintext(*entry, claims->start, claims->end);
  if (!bytes.ok()) {
    log::error("htsget: block of {}: {}", id, bytes.status().ToString());
    return HtsgetError(htsget::ErrorFromStatus(bytes.status()), d);
  }
  d.allowed = true;
  d.reason = "ControlledAccessGrants";
  d.bytes = bytes->size();
  if (Status a = Audit(d); !a.ok()) return AuditFailed(a, false);
  http::Response res;
  res.content_type = "application/octet-stream";
  res.body = std::move(bytes).value();
  return res;
}

// ---------------------------------------------------------------- DRS

http::Response Delivery::DrsServiceInfo() const {
  return http::Response::Json(
      drs::ServiceInfoJson(config_.id, config_.name, config_.public_url, "1.0.0").dump());
}

http::Response Delivery::DrsObject(const http::Request& req, bool post) {
  const std::string id = *req.PathParam("id");
  Decision d;
  d.action = "drs.object";
  d.identity = "anonymous";
  d.request = {{"id", id}, {"method", req.method}};
  auto file = htsget::LoadArchivedFile(config_.data_dir, id);
  // Not a file: a dataset (a bundle of its files)?
  std::vector<htsget::ArchivedFile> members;
  std::string dataset;
  if (file.ok()) {
    dataset = file->dataset;
  } else if (file.status().code() == StatusCode::kNotFound ||
             file.status().code() == StatusCode::kInvalidArgument) {
    auto all = htsget::ListArchivedFiles(config_.data_dir);
    if (all.ok()) {
      for (auto& f : *all) {
        if (f.dataset == id) members.push_back(std::move(f));
      }
    }
    if (!members.empty()) dataset = id;
  }
  Caller caller = Authenticate(AuthorizationOf(req, post), dataset);
  d.identity = caller.rights.identity;
  if (!caller.status.ok()) return DrsError(caller.status, d);
  if (dataset.empty()) return DrsError(NotFound("no DRS object '" + id + "'"), d);
  d.dataset = dataset;
  if (Status s = MayDeliver(caller, dataset, true); !s.ok()) return DrsError(s, d);
  json body;
  if (file.ok()) {
    auto entry = EntryFor(*file);
    if (!entry.ok()) return DrsError(entry.status(), d);
    body = drs::ObjectJson(*file, *entry, config_.public_url);
  } else {
    std::vector<std::pair<htsget::ArchivedFile, crypt4gh::ArchiveEntry>> files;
    for (auto& f : members) {
      auto entry = EntryFor(f);
      if (!entry.ok()) return DrsError(entry.status(), d);
      files.emplace_back(std::move(f), std::move(entry).value());
    }
    body = drs::BundleJson(dataset, files, config_.public_url);
  }
  d.allowed = true;
  d.reason = "ControlledAccessGrants";
  if (Status a = Audit(d); !a.ok()) return AuditFailed(a, true);
  return http::Response::Json(body.dump());
}

http::Response Delivery::DrsAccess(const http::Request& req, bool post) {
  const std::string id = *req.PathParam("id");
  const std::string access_id = *req.PathParam("access_id");
  Decision d;
  d.action = "drs.access";
  d.identity = "anonymous";
  d.request = {{"id", id}, {"access_id", access_id}};
  auto file = htsget::LoadArchivedFile(config_.data_dir, id);
  const std::string authorization = AuthorizationOf(req, post);
  Caller caller = Authenticate(authorization, file.ok() ? file->dataset : std::string());
  d.identity = caller.rights.identity;
  if (!caller.status.ok()) return DrsError(caller.status, d);
  if (!file.ok()) return DrsError(NotFound("no DRS object '" + id + "'"), d);
  d.dataset = file->dataset;
  if (access_id != drs::kAccessId) {
    return DrsError(NotFound("object " + id + " has no access method '" + access_id + "'"), d);
  }
  if (Status s = MayDeliver(caller, file->dataset, true); !s.ok()) return DrsError(s, d);
  auto key = RecipientKey(req);
  if (!key.ok()) return DrsError(key.status(), d);
  auto entry = EntryFor(*file);
  if (!entry.ok()) return DrsError(entry.status(), d);
  htsget::DataUrlClaims claims;
  claims.file_id = id;
  claims.purpose = "drs";
  claims.kind = htsget::DataKind::kCipherBody;
  claims.start = 0;
  claims.end = entry->body_size;
  claims.expires_at = Now() + options_.data_url_ttl_seconds;
  claims.identity_tag = htsget::IdentityTag(caller.rights.identity);
  claims.recipient = key->Hex();
  d.allowed = true;
  d.reason = "ControlledAccessGrants";
  if (Status a = Audit(d); !a.ok()) return AuditFailed(a, true);
  return http::Response::Json(
      drs::AccessUrlJson(DataUrl("/ga4gh/drs/v1/data/", claims), {{"Authorization", authorization}})
          .dump());
}

http::Response Delivery::DrsData(const http::Request& req) {
  const std::string id = *req.PathParam("id");
  Decision d;
  d.action = "drs.data";
  d.identity = "anonymous";
  d.request = {{"id", id}};
  auto claims = signer_.Verify(id, "drs", req.query, Now());
  if (!claims.ok()) return DrsError(claims.status(), d);
  auto file = htsget::LoadArchivedFile(config_.data_dir, id);
  if (!file.ok()) return DrsError(file.status(), d);
  d.dataset = file->dataset;
  Caller caller = Authenticate(AuthorizationOf(req, false), file->dataset);
  d.identity = caller.rights.identity;
  if (!caller.status.ok()) return DrsError(caller.status, d);
  if (htsget::IdentityTag(caller.rights.identity) != claims->identity_tag) {
    return DrsError(PermissionDenied("this access URL was issued to another identity"), d);
  }
  if (Status s = MayDeliver(caller, file->dataset, true); !s.ok()) return DrsError(s, d);
  crypt4gh::PublicKey recipient;
  bool key_ok = claims->recipient.size() == 64;
  for (size_t i = 0; key_ok && i < 32; ++i) {
    key_ok = std::sscanf(claims->recipient.c_str() + 2 * i, "%2hhx", &recipient.bytes[i]) == 1;
  }
  if (!key_ok) return DrsError(Unauthenticated("access URL without a recipient key"), d);
  auto entry = EntryFor(*file);
  if (!entry.ok()) return DrsError(entry.status(), d);
  auto keys = NodeKeys();
  if (!keys.ok()) return DrsError(keys.status(), d);
  auto header = crypt4gh::HeaderForRecipient(*entry, **keys, recipient, &x25519_cache_);
  if (!header.ok()) return DrsError(header.status(), d);
  auto body = ReadBody(*entry, 0, entry->body_size);
  if (!body.ok()) return DrsError(body.status(), d);
  http::Response res;
  res.content_type = "application/octet-stream";
  res.body = std::move(header).value() + std::move(body).value();
  d.allowed = true;
  d.reason = "ControlledAccessGrants";
  d.bytes = res.body.size();
  if (Status a = Audit(d); !a.ok()) return AuditFailed(a, true);
  return res;
}

Status Delivery::AddRoutes(http::Router& router) {
  GF_RETURN_IF_ERROR(router.Get("/htsget/variants/service-info",
                                [this](const http::Request&) { return HtsgetServiceInfo(); }));
  GF_RETURN_IF_ERROR(router.Get("/htsget/variants/{id}",
                                [this](const http::Request& r) { return Ticket(r, false); }));
  GF_RETURN_IF_ERROR(router.Post("/htsget/variants/{id}",
                                 [this](const http::Request& r) { return Ticket(r, true); }));
  GF_RETURN_IF_ERROR(
      router.Get("/htsget/blocks/{id}", [this](const http::Request& r) { return Block(r); }));
  GF_RETURN_IF_ERROR(router.Get("/ga4gh/drs/v1/service-info",
                                [this](const http::Request&) { return DrsServiceInfo(); }));
  GF_RETURN_IF_ERROR(router.Get("/ga4gh/drs/v1/objects/{id}",
                                [this](const http::Request& r) { return DrsObject(r, false); }));
  GF_RETURN_IF_ERROR(router.Post("/ga4gh/drs/v1/objects/{id}",
                                 [this](const http::Request& r) { return DrsObject(r, true); }));
  GF_RETURN_IF_ERROR(router.Get("/ga4gh/drs/v1/objects/{id}/access/{access_id}",
                                [this](const http::Request& r) { return DrsAccess(r, false); }));
  GF_RETURN_IF_ERROR(router.Post("/ga4gh/drs/v1/objects/{id}/access/{access_id}",
                                 [this](const http::Request& r) { return DrsAccess(r, true); }));
  GF_RETURN_IF_ERROR(
      router.Get("/ga4gh/drs/v1/data/{id}", [this](const http::Request& r) { return DrsData(r); }));
  return Status::Ok();
}

}  // namespace

Status AddDeliveryRoutes(http::Router& router, const NodeConfig& config, DeliveryOptions options) {
  if (!options.client) options.client = http::MakeCurlClient();
  if (!options.clock) options.clock = std::make_shared<passport::SystemClock>();
  GF_ASSIGN_OR_RETURN(htsget::DataUrlSigner signer, htsget::DataUrlSigner::Random());
  // The routes own the service: it lives as long as the router's handlers.
  auto delivery = std::make_shared<Delivery>(config, std::move(options), std::move(signer));
  http::Router inner;
  GF_RETURN_IF_ERROR(delivery->AddRoutes(inner));
  for (const auto& ep : inner.endpoints()) {
    GF_RETURN_IF_ERROR(
        router.Add(ep.method, ep.pattern,
                   [delivery, h = ep.handler](const http::Request& r) { return h(r); }));
  }
  return Status::Ok();
}

}  // namespace genomefed::node
