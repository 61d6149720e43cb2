// htsget 1.3 and DRS 1.2 end to end: synthetic VCF.gz and BCF cohorts ingested with the CLI
// (archive + index + file id), a real node on 127.0.0.1 with a JWKS served on loopback and
// signed passports, and Debian's bcftools reading the tickets over HTTP (its htslib follows
// htsget tickets and sends each URL's headers). What bcftools prints for a ticket, restricted
// to the region, must equal `bcftools view -r` on the original; Crypt4GH tickets must decrypt
// with the researcher's key (and not with another) to the same; DRS bytes must decrypt to the
// original file's SHA-256. Then every refusal.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/audit_log.h"
#include "crypt4gh/archive.h"
#include "htsget/ticket.h"
#include "http/client.h"
#include "http/server.h"
#include "node/node.h"
#include "passport/clock.h"
#include "passport/signer.h"
#include "support/test_support.h"

namespace genomefed::node {
namespace {

using nlohmann::json;
using passport::SigningKey;
using testing::RunCommand;
using testing::TempDir;

constexpr const char* kIss = "https://hub.example.org";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Sh(const std::string& s) { return "'" + s + "'"; }

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

std::string Sha256Of(const std::string& bytes) {
  return crypt4gh::Sha256Hex(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// The node's visa values, independent of the port it binds.
std::string VisaValue(const std::string& dataset) {
  return "https://node.example.org/datasets/" + dataset;
}

class DeliveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto fail = [](const std::string& why) { setup_error_ = why; };
    if (RunCommand("command -v bcftools >/dev/null").exit_code != 0) {
      return fail("skip: bcftools is not installed (scripts/install-deps.sh installs it)");
    }
    g_ = testing::GenomefedBinary().string();
    if (!std::filesystem::exists(g_)) return fail("skip: " + g_ + " is not built");
    dir_ = new TempDir();
    const auto& root = dir_->path();
    // Two cohorts: VCF.gz (tbi) into dataset fi, BCF (csi) into dataset nl. Small BGZF blocks
    // are what makes regions map to several blocks; 3,000 records over 2 contigs do.
    for (const auto& [name, format, prefix] :
         {std::tuple{"vcf", "vcf.gz", "FI"}, std::tuple{"bcf", "bcf", "NL"}}) {
      auto r = RunCommand(g_ + " synth --samples 30 --variants 3000 --seed 5 --contigs 21,22 " +
                              "--quiet --sample-prefix " + prefix + " --format " + format +
                              " --out " + Sh((root / name).string()),
                          true);
      if (r.exit_code != 0) return fail("synth: " + r.output);
    }
    vcf_ = (root / "vcf" / "cohort.vcf.gz").string();
    bcf_ = (root / "bcf" / "cohort.bcf").string();
    data_ = root / "node";
    for (const auto& [file, dataset, id, sheet] :
         {std::tuple{vcf_, "fi", "cohort_vcf", root / "vcf" / "samples.tsv"},
          std::tuple{bcf_, "nl", "cohort_bcf", root / "bcf" / "samples.tsv"}}) {
      auto r = RunCommand(g_ + " ingest --quiet --data-dir " + Sh(data_.string()) + " --dataset " +
                              dataset + " --vcf " + Sh(file) + " --samples " + Sh(sheet.string()) +
                              " --file-id " + id,
                          true);
      if (r.exit_code != 0) return fail("ingest: " + r.output);
    }
    for (const char* who : {"alice", "mallory"}) {
      auto r = RunCommand(g_ + " crypt4gh keygen --nocrypt --sk " +
                              Sh((root / (std::string(who) + ".sec")).string()) + " --pk " +
                              Sh((root / (std::string(who) + ".pub")).string()),
                          true);
      if (r.exit_code != 0) return fail("keygen: " + r.output);
    }

    auto key = SigningKey::Generate(passport::JwsAlg::kES256);
    if (!key.ok()) return fail(key.status().ToString());
    key_ = new SigningKey(std::move(key).value());
    const std::string jwks = passport::JwksFor({key_}).dump();
    http::Router router;
    (void)router.Get("/jwks.json",
                     [jwks](const http::Request&) { return http::Response::Json(jwks); });
    http::ServerOptions so;
    so.access_log = false;
    auto jwks_server = http::Server::Start(so, std::move(router));
    if (!jwks_server.ok()) return fail(jwks_server.status().ToString());
    jwks_server_ = jwks_server.value().release();
    jku_ = jwks_server_->base_url() + "/jwks.json";

    clock_ = std::make_shared<passport::ManualClock>(Now());
    node_ = StartNode({}).release();
    if (node_ == nullptr) return fail("node did not start: " + start_error_);
    client_ = http::MakeCurlClient().release();
  }

  static void TearDownTestSuite() {
    delete client_;
    delete node_;
    audit_.reset();
    delete jwks_server_;
    delete key_;
    delete dir_;
  }

  void SetUp() override {
    if (setup_error_.rfind("skip: ", 0) == 0) GTEST_SKIP() << setup_error_.substr(6);
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  // A node on the shared data directory; `policy` lines are added to [policy].
  static std::unique_ptr<Node> StartNode(const std::string& policy_toml) {
    std::string toml = "[node]\nid = \"fi\"\nname = \"Test node\"\ndata_dir = \"" + data_.string() +
                       "\"\nlisten = \"127.0.0.1:0\"\n[policy]\n" +
                       (policy_toml.empty() ? "deliver_plaintext = true\n" : policy_toml) +
                       "[[trust]]\niss = \"" + kIss + "\"\njku = \"" + jku_ + "\"\n";
    for (const char* ds : {"fi", "nl"}) {
      toml += "[[datasets]]\nid = \"" + std::string(ds) + "\"\nvisa_value = \"" + VisaValue(ds) +
              "\"\n";
    }
    auto cfg = ParseNodeConfig(toml, "test.toml");
    if (!cfg.ok()) {
      start_error_ = cfg.status().ToString();
      return nullptr;
    }
    NodeOptions o;
    o.config = *cfg;
    o.access_log = false;
    o.delivery.clock = clock_;
    if (!audit_) {
      auto log = audit::AuditLog::Open({dir_->path() / "audit.jsonl", {}, 1000, 60});
      if (!log.ok()) {
        start_error_ = log.status().ToString();
        return nullptr;
      }
      audit_ = std::shared_ptr<audit::AuditLog>(std::move(log).value());
    }
    o.delivery.audit = audit_;
    auto node = Node::Start(std::move(o));
    if (!node.ok()) {
      start_error_ = node.status().ToString();
      return nullptr;
    }
    return std::move(node).value();
  }

  // A passport for `sub` with ControlledAccessGrants for `datasets` (and ResearcherStatus).
  static std::string Passport(const std::string& sub, const std::vector<std::string>& datasets,
                              bool researcher = true) {
    const int64_t now = clock_->NowSeconds();
    auto base = [&] {
      return json{
          {"iss", kIss}, {"sub", sub}, {"iat", now - 10}, {"exp", now + 86400}, {"jti", "t"}};
    };
    auto visa = [&](const std::string& type, const std::string& value, const std::string& by) {
      json p = base();
      p["ga4gh_visa_v1"] = {
          {"type", type}, {"value", value}, {"source", kIss}, {"by", by}, {"asserted", now - 10}};
      return key_->SignJwt({{"typ", "JWT"}, {"jku", jku_}}, p).value();
    };
    std::vector<std::string> visas;
    if (researcher) {
      visas.push_back(visa("ResearcherStatus", "https://doi.org/10.1038/s41431-018-0219-y", "so"));
    }
    for (const auto& d : datasets)
      visas.push_back(visa("ControlledAccessGrants", VisaValue(d), "dac"));
    json p = base();
    p["ga4gh_passport_v1"] = visas;
    return key_->SignJwt({{"typ", "vnd.ga4gh.passport+jwt"}, {"jku", jku_}}, p).value();
  }

  static std::string PublicKeyHeader(const std::string& who) {
    return htsget::Base64Encode(ReadAll(dir_->path() / (who + ".pub")));
  }

  static http::ClientResponse Send(const std::string& method, const std::string& url,
                                   const std::string& passport,
                                   std::vector<std::pair<std::string, std::string>> headers = {},
                                   const std::string& body = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.body = body;
    req.timeout_ms = 20000;
    req.max_response_bytes = 256 << 20;
    if (!passport.empty()) req.headers.emplace_back("Authorization", "Bearer " + passport);
    for (auto& h : headers) req.headers.push_back(std::move(h));
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto res = client_->Send(req);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : http::ClientResponse{};
  }

  // Joins a ticket's URLs (data: inline, http with the ticket's headers) like a client does.
  static std::string Join(const json& ticket) {
    std::string out;
    for (const auto& u : ticket["htsget"]["urls"]) {
      const std::string url = u["url"];
      if (url.rfind("data:;base64,", 0) == 0) {
        out += htsget::Base64Decode(url.substr(13)).value_or("<bad base64>");
        continue;
      }
      std::vector<std::pair<std::string, std::string>> headers;
      if (u.contains("headers")) {
        for (auto& [k, v] : u["headers"].items()) headers.emplace_back(k, v.get<std::string>());
      }
      auto res = Send("GET", url, "", headers);
      EXPECT_EQ(res.status, 200) << res.body;
      out += res.body;
    }
    return out;
  }

  // Records of `file` in `region` ("chr:beg-end", 1-based) as `bcftools view -r` prints them.
  static std::string Expected(const std::string& file, const std::string& region) {
    auto r = RunCommand("bcftools view --no-version -H -r " + Sh(region) + " " + Sh(file));
    EXPECT_EQ(r.exit_code, 0);
    return r.output;
  }

  // Records of a (joined) slice file restricted to `region` with the same overlap rule as -r.
  static std::string InRegion(const std::string& file, const std::string& region) {
    auto r = RunCommand("bcftools view --no-version -H -t " + Sh(region) + " --targets-overlap 1 " +
                        Sh(file));
    EXPECT_EQ(r.exit_code, 0);
    return r.output;
  }

  // What bcftools reads from an htsget ticket: the test fetches the ticket with the passport
  // (htslib sends an HTS_AUTH_LOCATION token over https only, and the test node speaks plain
  // HTTP on loopback), bcftools opens the ticket JSON and fetches its data URLs itself, with
  // the ticket's headers. The result is written to `out`.
  static testing::CommandResult BcftoolsTicket(const std::string& url, const std::string& passport,
                                               const std::filesystem::path& out) {
    auto r = Send("GET", url, passport);
    if (r.status != 200) return {r.status, r.body};
    const auto ticket = dir_->path() / "ticket.json";
    WriteAll(ticket, r.body);
    return RunCommand(
        "bcftools view --no-version -Ou -o " + Sh(out.string()) + " " + Sh(ticket.string()), true);
  }

  static std::string TicketUrl(const std::string& id, const std::string& query = "") {
    return node_->base_url() + "/htsget/variants/" + id + (query.empty() ? "" : "?" + query);
  }

  // First and last POS of a contig in a file.
  static std::pair<uint64_t, uint64_t> Span(const std::string& file, const std::string& contig) {
    auto r = RunCommand("bcftools query -r " + contig + " -f '%POS\\n' " + Sh(file));
    std::istringstream in(r.output);
    uint64_t first = 0, last = 0, pos = 0;
    while (in >> pos) {
      if (first == 0) first = pos;
      last = pos;
    }
    return {first, last};
  }

  static inline std::string setup_error_;
  static inline std::string start_error_;
  static inline std::string g_, vcf_, bcf_, jku_;
  static inline std::filesystem::path data_;
  static inline TempDir* dir_ = nullptr;
  static inline SigningKey* key_ = nullptr;
  static inline http::Server* jwks_server_ = nullptr;
  static inline Node* node_ = nullptr;
  static inline http::HttpClient* client_ = nullptr;
  static inline std::shared_ptr<passport::ManualClock> clock_;
  static inline std::shared_ptr<audit::AuditLog> audit_;
};

TEST_F(DeliveryTest, ServiceInfoNamesHtsgetAndDrs) {
  auto r = Send("GET", node_->base_url() + "/htsget/variants/service-info", "");
  ASSERT_EQ(r.status, 200);
  json j = json::parse(r.body);
  EXPECT_EQ(j["type"]["group"], "org.ga4gh");
  EXPECT_EQ(j["type"]["artifact"], "htsget");
  EXPECT_EQ(j["htsget"]["datatype"], "variants");
  auto d = Send("GET", node_->base_url() + "/ga4gh/drs/v1/service-info", "");
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(json::parse(d.body)["type"]["artifact"], "drs");
}

// bcftools on ticket URLs, for both formats: regions in the middle, at the start and end of a
// contig, an empty one, the whole file, and class=header.
TEST_F(DeliveryTest, BcftoolsReadsPlaintextTicketsEqualToViewR) {
  const std::string passport = Passport("alice", {"fi", "nl"});
  for (const auto& [id, file] : {std::pair{"cohort_vcf", vcf_}, std::pair{"cohort_bcf", bcf_}}) {
    SCOPED_TRACE(id);
    const auto [first, last] = Span(file, "chr22");
    ASSERT_GT(last, first + 1000) << "synthetic cohort too small";
    const uint64_t mid = first + (last - first) / 3;
    struct Case {
      uint64_t start, end;  // htsget: 0-based, half-open
    };
    for (const Case& c : {Case{mid, mid + (last - first) / 4}, Case{0, first + 5000},
                          Case{last - 2000, last + 10}, Case{last + 100, last + 200}}) {
      const std::string region =
          "chr22:" + std::to_string(c.start + 1) + "-" + std::to_string(c.end);
      SCOPED_TRACE(region);
      const auto out = dir_->path() / "slice.bcf";
      auto r = BcftoolsTicket(TicketUrl(id, "referenceName=chr22&start=" + std::to_string(c.start) +
                                                "&end=" + std::to_string(c.end)),
                              passport, out);
      ASSERT_EQ(r.exit_code, 0) << r.output;
      const std::string expected = Expected(file, region);
      EXPECT_EQ(InRegion(out.string(), region), expected);
      if (c.start > last) {
        EXPECT_TRUE(expected.empty());
      }
    }
    // The whole file and the header alone.
    const auto out = dir_->path() / "whole.bcf";
    auto whole = BcftoolsTicket(TicketUrl(id), passport, out);
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    EXPECT_EQ(RunCommand("bcftools view --no-version -H " + Sh(out.string())).output,
              RunCommand("bcftools view --no-version -H " + Sh(file)).output);
    auto header = BcftoolsTicket(TicketUrl(id, "class=header"), passport, out);
    ASSERT_EQ(header.exit_code, 0) << header.output;
    EXPECT_EQ(RunCommand("bcftools view --no-version -h " + Sh(out.string())).output,
              RunCommand("bcftools view --no-version -h " + Sh(file)).output);
  }
}

// POST with several regions: the joined ticket, read by bcftools, holds each region's records.
TEST_F(DeliveryTest, PostSeveralRegions) {
  const std::string passport = Passport("alice", {"fi"});
  const auto [first, last] = Span(vcf_, "chr21");
  const auto [first22, last22] = Span(vcf_, "chr22");
  json body = {{"format", "VCF"},
               {"regions",
                {{{"referenceName", "chr21"}, {"start", first - 1}, {"end", first + 20000}},
                 {{"referenceName", "chr22"}, {"start", last22 - 30000}}}}};
  auto r = Send("POST", TicketUrl("cohort_vcf"), passport, {}, body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json ticket = json::parse(r.body);
  ASSERT_EQ(ticket.size(), 1u);  // only "htsget" at the top level
  const auto joined = dir_->path() / "post.vcf.gz";
  WriteAll(joined, Join(ticket));
  const std::string r21 = "chr21:" + std::to_string(first) + "-" + std::to_string(first + 20000);
  const std::string r22 = "chr22:" + std::to_string(last22 - 30000 + 1) + "-";
  EXPECT_EQ(InRegion(joined.string(), r21), Expected(vcf_, r21));
  EXPECT_EQ(InRegion(joined.string(), r22 + std::to_string(last22 + 1)),
            Expected(vcf_, r22 + std::to_string(last22 + 1)));
  EXPECT_FALSE(Expected(vcf_, r21).empty());
  (void)last;
  (void)first22;
}

// Crypt4GH tickets: one valid Crypt4GH stream for the researcher's key; a wrong key fails; the
// node's data directory holds no plaintext afterwards.
TEST_F(DeliveryTest, Crypt4ghTicketDecryptsToTheSlice) {
  const std::string passport = Passport("alice", {"fi", "nl"});
  for (const auto& [id, file] : {std::pair{"cohort_vcf", vcf_}, std::pair{"cohort_bcf", bcf_}}) {
    SCOPED_TRACE(id);
    const auto [first, last] = Span(file, "chr22");
    const uint64_t start = first + (last - first) / 2, end = start + (last - first) / 5;
    const std::string region = "chr22:" + std::to_string(start + 1) + "-" + std::to_string(end);
    for (const char* scheme : {"c4gh", "Crypt4GH"}) {
      auto r = Send("GET",
                    TicketUrl(id, "referenceName=chr22&start=" + std::to_string(start) + "&end=" +
                                      std::to_string(end) + "&encryptionScheme=" + scheme),
                    passport, {{"Htsget-Context-Public-Key", PublicKeyHeader("alice")}});
      ASSERT_EQ(r.status, 200) << r.body;
      const auto c4gh = dir_->path() / "slice.c4gh";
      const json ticket = json::parse(r.body);
      const std::string joined = Join(ticket);
      WriteAll(c4gh, joined);
      const auto plain = dir_->path() / "slice.dec";
      auto dec =
          RunCommand(g_ + " crypt4gh decrypt --sk " + Sh((dir_->path() / "alice.sec").string()) +
                         " -i " + Sh(c4gh.string()) + " -o " + Sh(plain.string()),
                     true);
      ASSERT_EQ(dec.exit_code, 0) << dec.output;
      EXPECT_EQ(InRegion(plain.string(), region), Expected(file, region));
      EXPECT_FALSE(Expected(file, region).empty());
      auto wrong =
          RunCommand(g_ + " crypt4gh decrypt --sk " + Sh((dir_->path() / "mallory.sec").string()) +
                         " -i " + Sh(c4gh.string()) + " -o /dev/null",
                     true);
      EXPECT_NE(wrong.exit_code, 0);
    }
  }
  // The whole VCF.gz (htslib writes it block-aligned): the ticket is the archive's own stored
  // segments behind a re-encrypted header, and decrypts to the original file, byte for byte.
  {
    auto r = Send("GET", TicketUrl("cohort_vcf", "encryptionScheme=c4gh"), passport,
                  {{"Htsget-Context-Public-Key", PublicKeyHeader("alice")}});
    ASSERT_EQ(r.status, 200) << r.body;
    const json ticket = json::parse(r.body);
    size_t node_urls = 0;
    for (const auto& u : ticket["htsget"]["urls"]) {
      node_urls += u["url"].get<std::string>().rfind("http", 0) == 0;
    }
    EXPECT_GE(node_urls, 1u);
    const auto c4gh = dir_->path() / "whole.c4gh";
    WriteAll(c4gh, Join(ticket));
    const auto plain = dir_->path() / "whole.dec";
    auto dec =
        RunCommand(g_ + " crypt4gh decrypt --sk " + Sh((dir_->path() / "alice.sec").string()) +
                       " -i " + Sh(c4gh.string()) + " -o " + Sh(plain.string()),
                   true);
    ASSERT_EQ(dec.exit_code, 0) << dec.output;
    EXPECT_EQ(Sha256Of(ReadAll(plain)), Sha256Of(ReadAll(vcf_)));
  }
  // No plaintext in the data directory: every file is a store segment or metadata, a Crypt4GH
  // part, or an index/block map (positions only) — none is a VCF or BCF.
  for (const auto& e : std::filesystem::recursive_directory_iterator(data_)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.ends_with(".tbi") || name.ends_with(".csi")) continue;
    const std::string head = ReadAll(e.path()).substr(0, 4);
    EXPECT_FALSE(head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b')
        << e.path() << " is gzip/BGZF data";
    EXPECT_NE(head, "##fi") << e.path() << " is a VCF";
    EXPECT_NE(head.substr(0, 3), "BCF") << e.path() << " is a BCF";
  }
}

// A subset of the DRS 1.2 OpenAPI schema (components/schemas DrsObject, Checksum, AccessMethod,
// ContentsObject, AccessURL), written down from the spec, and a checker for it.
const json& DrsSchemas() {
  static const json kSchemas = json::parse(R"({
    "DrsObject": {"type": "object",
      "required": ["id", "self_uri", "size", "created_time", "checksums"],
      "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "self_uri": {"type": "string"},
        "size": {"type": "integer"}, "created_time": {"type": "string", "format": "date-time"},
        "updated_time": {"type": "string", "format": "date-time"}, "version": {"type": "string"},
        "mime_type": {"type": "string"},
        "checksums": {"type": "array", "minItems": 1, "items": {"$ref": "Checksum"}},
        "access_methods": {"type": "array", "minItems": 1, "items": {"$ref": "AccessMethod"}},
        "contents": {"type": "array", "items": {"$ref": "ContentsObject"}},
        "description": {"type": "string"},
        "aliases": {"type": "array", "items": {"type": "string"}}}},
    "Checksum": {"type": "object", "required": ["checksum", "type"],
      "properties": {"checksum": {"type": "string"}, "type": {"type": "string"}}},
    "AccessMethod": {"type": "object", "required": ["type"],
      "properties": {"type": {"type": "string",
                              "enum": ["s3", "gs", "ftp", "gsiftp", "globus", "htsget", "https", "file"]},
                     "access_url": {"$ref": "AccessURL"}, "access_id": {"type": "string"},
                     "region": {"type": "string"}}},
    "AccessURL": {"type": "object", "required": ["url"],
      "properties": {"url": {"type": "string"},
                     "headers": {"type": "array", "items": {"type": "string"}}}},
    "ContentsObject": {"type": "object", "required": ["name"],
      "properties": {"name": {"type": "string"}, "id": {"type": "string"},
                     "drs_uri": {"type": "array", "items": {"type": "string"}},
                     "contents": {"type": "array", "items": {"$ref": "ContentsObject"}}}},
    "Error": {"type": "object",
      "properties": {"msg": {"type": "string"}, "status_code": {"type": "integer"}}}
  })");
  return kSchemas;
}

void Validate(const json& doc, const json& schema, const std::string& path,
              std::vector<std::string>* errors) {
  if (schema.contains("$ref")) {
    return Validate(doc, DrsSchemas()[schema["$ref"].get<std::string>()], path, errors);
  }
  const std::string type = schema.value("type", "");
  auto err = [&](const std::string& m) { errors->push_back(path + ": " + m); };
  if (type == "object") {
    if (!doc.is_object()) return err("not an object");
    for (const auto& r : schema.value("required", json::array())) {
      if (!doc.contains(r.get<std::string>())) err("missing " + r.get<std::string>());
    }
    for (auto& [k, v] : doc.items()) {
      if (!schema["properties"].contains(k)) continue;  // additionalProperties allowed
      Validate(v, schema["properties"][k], path + "." + k, errors);
    }
  } else if (type == "array") {
    if (!doc.is_array()) return err("not an array");
    if (doc.size() < schema.value("minItems", 0u)) err("too few items");
    for (size_t i = 0; i < doc.size(); ++i) {
      Validate(doc[i], schema["items"], path + "[" + std::to_string(i) + "]", errors);
    }
  } else if (type == "string") {
    if (!doc.is_string()) return err("not a string");
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& e : schema["enum"]) found = found || e == doc;
      if (!found) err("not one of the enum values");
    }
    if (schema.value("format", "") == "date-time") {
      const std::string s = doc;
      if (s.size() < 20 || s[4] != '-' || s[10] != 'T' ||
          (s.back() != 'Z' && s.find('+') == s.npos)) {
        err("not an RFC 3339 date-time: " + s);
      }
    }
  } else if (type == "integer") {
    if (!doc.is_number_integer()) err("not an integer");
  }
}

TEST_F(DeliveryTest, DrsObjectValidatesAndItsBytesDecryptToTheOriginal) {
  const std::string passport = Passport("alice", {"fi"});
  const std::string base = node_->base_url() + "/ga4gh/drs/v1";
  auto obj = Send("GET", base + "/objects/cohort_vcf", passport);
  ASSERT_EQ(obj.status, 200) << obj.body;
  json o = json::parse(obj.body);
  std::vector<std::string> errors;
  Validate(o, DrsSchemas()["DrsObject"], "object", &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  const std::string original = ReadAll(vcf_);
  EXPECT_EQ(o["checksums"][0]["checksum"], Sha256Of(original));
  EXPECT_EQ(o["checksums"][0]["type"], "sha-256");
  ASSERT_EQ(o["access_methods"][0]["type"], "https");

  // POST with the passport in the body (DRS 1.2), then the access URL.
  const std::string access_id = o["access_methods"][0]["access_id"];
  auto acc = Send("POST", base + "/objects/cohort_vcf/access/" + access_id, "",
                  {{"Htsget-Context-Public-Key", PublicKeyHeader("alice")}},
                  json{{"passports", {passport}}}.dump());
  ASSERT_EQ(acc.status, 200) << acc.body;
  json a = json::parse(acc.body);
  Validate(a, DrsSchemas()["AccessURL"], "access", &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : a["headers"]) {
    const std::string line = h;
    headers.emplace_back(line.substr(0, line.find(':')), line.substr(line.find(':') + 2));
  }
  auto data = Send("GET", a["url"], "", headers);
  ASSERT_EQ(data.status, 200) << data.body;
  EXPECT_EQ(data.body.size(), o["size"].get<uint64_t>());
  const auto c4gh = dir_->path() / "drs.c4gh";
  WriteAll(c4gh, data.body);
  const auto plain = dir_->path() / "drs.dec";
  auto dec = RunCommand(g_ + " crypt4gh decrypt --sk " + Sh((dir_->path() / "alice.sec").string()) +
                            " -i " + Sh(c4gh.string()) + " -o " + Sh(plain.string()),
                        true);
  ASSERT_EQ(dec.exit_code, 0) << dec.output;
  EXPECT_EQ(Sha256Of(ReadAll(plain)), Sha256Of(original));

  // The dataset as a bundle of its files.
  auto bundle = Send("GET", base + "/objects/fi", passport);
  ASSERT_EQ(bundle.status, 200) << bundle.body;
  json b = json::parse(bundle.body);
  Validate(b, DrsSchemas()["DrsObject"], "bundle", &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  ASSERT_EQ(b["contents"].size(), 1u);
  EXPECT_EQ(b["contents"][0]["id"], "cohort_vcf");
}

struct Refusal {
  std::string what;
  int status;
  std::string error;  // htsget error name
};

TEST_F(DeliveryTest, RefusalsMatrix) {
  const std::string alice = Passport("alice", {"fi"});
  const std::string ticket_url =
      TicketUrl("cohort_vcf", "referenceName=chr22&start=0&end=20000000");
  auto check = [&](const std::string& what, const http::ClientResponse& r, int status,
                   const std::string& error) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.status, status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.contains("htsget")) << r.body;
    EXPECT_EQ(j["htsget"]["error"], error) << r.body;
  };
  check("anonymous", Send("GET", ticket_url, ""), 401, "InvalidAuthentication");
  check("garbage token", Send("GET", ticket_url, "not-a-jwt"), 401, "InvalidAuthentication");
  check("registered only", Send("GET", ticket_url, Passport("rita", {})), 403, "PermissionDenied");
  check("other dataset's grant", Send("GET", ticket_url, Passport("bob", {"nl"})), 403,
        "PermissionDenied");
  check("unknown id", Send("GET", TicketUrl("nope"), alice), 404, "NotFound");
  check("index probe", Send("GET", TicketUrl("cohort_vcf.tbi"), alice), 404, "NotFound");
  check("unknown reference", Send("GET", TicketUrl("cohort_vcf", "referenceName=chr9"), alice), 404,
        "NotFound");
  check("wrong format", Send("GET", TicketUrl("cohort_vcf", "format=BCF"), alice), 400,
        "UnsupportedFormat");
  check("reads format", Send("GET", TicketUrl("cohort_vcf", "format=BAM"), alice), 400,
        "UnsupportedFormat");
  check("start > end",
        Send("GET", TicketUrl("cohort_vcf", "referenceName=chr22&start=10&end=5"), alice), 400,
        "InvalidRange");
  check("start without reference", Send("GET", TicketUrl("cohort_vcf", "start=10"), alice), 400,
        "InvalidInput");
  check("c4gh without key", Send("GET", TicketUrl("cohort_vcf", "encryptionScheme=c4gh"), alice),
        400, "InvalidInput");

  // A ticket's data URL: fine for its owner, refused for others, after revocation, expired.
  auto t = Send("GET", ticket_url, alice);
  ASSERT_EQ(t.status, 200) << t.body;
  json ticket = json::parse(t.body);
  std::string block;
  for (const auto& u : ticket["htsget"]["urls"]) {
    if (u["url"].get<std::string>().rfind("http", 0) == 0) block = u["url"];
  }
  ASSERT_FALSE(block.empty());
  EXPECT_EQ(Send("GET", block, alice).status, 200);
  check("data URL without passport", Send("GET", block, ""), 401, "InvalidAuthentication");
  check("replayed by another identity", Send("GET", block, Passport("bob", {"fi"})), 403,
        "PermissionDenied");
  check("grant revoked", Send("GET", block, Passport("alice", {})), 403, "PermissionDenied");
  std::string forged = block;
  forged.replace(forged.find("&e=") + 3, 1, "9");
  check("altered range", Send("GET", forged, alice), 401, "InvalidAuthentication");
  clock_->Advance(601);
  check("expired data URL", Send("GET", block, alice), 401, "InvalidAuthentication");
  clock_->Advance(-601);

  // DRS refusals use the DRS error body.
  const std::string drs = node_->base_url() + "/ga4gh/drs/v1/objects/cohort_vcf";
  auto drs_check = [&](const std::string& what, const http::ClientResponse& r, int status) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.status, status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    std::vector<std::string> errors;
    Validate(j, DrsSchemas()["Error"], "error", &errors);
    EXPECT_TRUE(errors.empty() && j.contains("msg")) << r.body;
  };
  drs_check("drs anonymous", Send("GET", drs, ""), 401);
  drs_check("drs other dataset", Send("GET", drs, Passport("bob", {"nl"})), 403);
  drs_check("drs unknown", Send("GET", node_->base_url() + "/ga4gh/drs/v1/objects/zz", alice), 404);
  drs_check("drs access without key", Send("GET", drs + "/access/crypt4gh", alice), 400);

  // Every decision above is in the audit log, which verifies.
  const std::string log = ReadAll(dir_->path() / "audit.jsonl");
  for (const char* action :
       {"\"htsget.ticket\"", "\"htsget.block\"", "\"drs.object\"", "\"drs.access\""}) {
    EXPECT_NE(log.find(action), std::string::npos) << action;
  }
  EXPECT_NE(log.find("\"deny\""), std::string::npos);
  EXPECT_EQ(log.find(alice), std::string::npos) << "a passport reached the audit log";
  auto verify =
      RunCommand(g_ + " audit verify " + Sh((dir_->path() / "audit.jsonl").string()), true);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(DeliveryTest, NodePolicyRulesRefuseDelivery) {
  const std::string alice = Passport("alice", {"fi"});
  const std::vector<std::pair<std::string, std::string>> key = {
      {"Htsget-Context-Public-Key", PublicKeyHeader("alice")}};
  {
    auto node = StartNode("export_individual_level = false\ndeliver_plaintext = true\n");
    ASSERT_NE(node, nullptr) << start_error_;
    for (const char* query : {"", "encryptionScheme=c4gh"}) {
      auto r = Send("GET", node->base_url() + "/htsget/variants/cohort_vcf?" + query, alice, key);
      EXPECT_EQ(r.status, 403) << r.body;
      EXPECT_NE(r.body.find("jurisdiction rule"), std::string::npos) << r.body;
    }
    auto d = Send("GET", node->base_url() + "/ga4gh/drs/v1/objects/cohort_vcf", alice);
    EXPECT_EQ(d.status, 403);
    EXPECT_NE(d.body.find("jurisdiction rule"), std::string::npos) << d.body;
  }
  {
    // The default: Crypt4GH only.
    auto node = StartNode("min_count = 5\n");
    ASSERT_NE(node, nullptr) << start_error_;
    auto plain = Send("GET", node->base_url() + "/htsget/variants/cohort_vcf", alice);
    EXPECT_EQ(plain.status, 403) << plain.body;
    EXPECT_NE(plain.body.find("deliver_plaintext"), std::string::npos) << plain.body;
    auto c4gh = Send("GET", node->base_url() + "/htsget/variants/cohort_vcf?encryptionScheme=c4gh",
                     alice, key);
    EXPECT_EQ(c4gh.status, 200) << c4gh.body;
  }
  {
    // A recipient country rule refuses grants that name no country (default deny).
    auto node = StartNode("allowed_recipient_countries = [\"EEA\"]\n");
    ASSERT_NE(node, nullptr) << start_error_;
    auto r = Send("GET", node->base_url() + "/htsget/variants/cohort_vcf?encryptionScheme=c4gh",
                  alice, key);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_NE(r.body.find("allowed_recipient_countries"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace genomefed::node
