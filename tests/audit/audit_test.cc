// The audit log: records are chained and durable, concurrent appends all land once, checkpoints
// are signed, and `genomefed audit verify` names the first bad record for every kind of
// tampering (a flipped byte, a deleted record, reordered records, a cut tail, a forged
// checkpoint), through the library and the CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/config.h"
#include "audit/verify.h"
#include "core/config.h"
#include "core/file.h"
#include "passport/signer.h"
#include "support/test_support.h"

namespace genomefed::audit {
namespace {

using testing::TempDir;

struct Keys {
  std::filesystem::path pem, jwks;
};

Keys MakeKeys(const TempDir& dir, const std::string& name = "k") {
  auto key = passport::SigningKey::Generate(passport::JwsAlg::kES256);
  EXPECT_TRUE(key.ok());
  Keys keys{dir / (name + ".pem"), dir / (name + ".jwks.json")};
  auto pem = key->PrivatePem();
  EXPECT_TRUE(pem.ok());
  EXPECT_TRUE(passport::WritePrivateKeyFile(keys.pem, *pem, true).ok());
  EXPECT_TRUE(WriteFileAtomic(keys.jwks, passport::JwksFor({&*key}).dump()).ok());
  return keys;
}

Event MakeEvent(int i) {
  Event e;
  e.identity = "alice@https://hub.example";
  e.action = "htsget.ticket";
  e.dataset = "fi-cohort";
  e.request = {{"referenceName", "22"}, {"start", i}};
  e.decision = "allow";
  e.reason = "ControlledAccessGrants";
  e.bytes = static_cast<uint64_t>(i) * 10;
  return e;
}

std::vector<std::string> Lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void WriteLines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

Result<VerifyReport> VerifyWith(const std::filesystem::path& log, const Keys& keys,
                                bool allow_tail = false) {
  VerifyOptions options;
  auto jwks = LoadVerificationKeys(keys.jwks);
  if (!jwks.ok()) return jwks.status();
  options.keys = *jwks;
  options.allow_unsigned_tail = allow_tail;
  return VerifyLog(log, options);
}

// A signed log of `n` events, closed (so it ends with a checkpoint).
void WriteSignedLog(const std::filesystem::path& log, const Keys& keys, int n, uint32_t every) {
  AuditLog::Options options{log, keys.pem, every, 0};
  auto audit_log = AuditLog::Open(options);
  ASSERT_OK(audit_log);
  for (int i = 0; i < n; ++i) ASSERT_OK((*audit_log)->Append(MakeEvent(i)));
  ASSERT_OK((*audit_log)->Close());
}

TEST(AuditLogTest, RecordsAreChainedInOrderAndVerify) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  WriteSignedLog(log, keys, 25, 10);
  auto lines = Lines(log);
  // 25 events, checkpoints after 10 (9 events + checkpoint = 10 records), 20, and at close.
  ASSERT_GE(lines.size(), 27u);
  std::string prev(kGenesisHash);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto record = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(record["seq"].get<uint64_t>(), i + 1);
    EXPECT_EQ(record["prev"].get<std::string>(), prev);
    prev = Sha256Hex(lines[i]);
  }
  EXPECT_EQ(nlohmann::json::parse(lines.back())["action"], "audit.checkpoint");
  auto report = VerifyWith(log, keys);
  ASSERT_OK(report);
  EXPECT_EQ(report->records, lines.size());
  EXPECT_GE(report->checkpoints, 3u);
  EXPECT_EQ(report->unsigned_tail, 0u);
  EXPECT_EQ(report->head, prev);
  // The file is private to the service.
  EXPECT_EQ(std::filesystem::status(log).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(AuditLogTest, CredentialsInRequestSummariesAreRedacted) {
  TempDir dir;
  auto log = dir / "audit.jsonl";
  {
    auto audit_log = AuditLog::Open({log, {}, 0, 0});
    ASSERT_OK(audit_log);
    Event e = MakeEvent(1);
    e.request = {{"Authorization", "Bearer eyJsecret"},
                 {"nested", {{"access_token", "abc"}, {"public_key", "PEMTEXT"}}},
                 {"referenceName", "22"}};
    ASSERT_OK((*audit_log)->Append(e));
  }
  std::string text = *ReadFile(log);
  EXPECT_EQ(text.find("eyJsecret"), std::string::npos);
  EXPECT_EQ(text.find("abc"), std::string::npos);
  EXPECT_EQ(text.find("PEMTEXT"), std::string::npos);
  EXPECT_NE(text.find("\"referenceName\":\"22\""), std::string::npos);
}

TEST(AuditLogTest, ConcurrentAppendsEachLandOnceAndTheChainHolds) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  {
    auto audit_log = AuditLog::Open({log, keys.pem, 50, 0});
    ASSERT_OK(audit_log);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) EXPECT_OK((*audit_log)->Append(MakeEvent(t * 1000 + i)));
      });
    }
    for (auto& th : threads) th.join();
  }
  std::set<int> starts;
  for (const auto& line : Lines(log)) {
    auto record = nlohmann::json::parse(line);
    if (record["action"] == "htsget.ticket") starts.insert(record["request"]["start"].get<int>());
  }
  EXPECT_EQ(starts.size(), 800u);
  ASSERT_OK(VerifyWith(log, keys));
}

TEST(AuditLogTest, ReopeningContinuesTheChainAndCutsAPartialRecord) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  WriteSignedLog(log, keys, 5, 0);
  // A crash in the middle of a write: half a record, never acknowledged.
  {
    std::ofstream out(log, std::ios::app);
    out << "{\"seq\":7,\"time\":\"2026";
  }
  {
    auto audit_log = AuditLog::Open({log, keys.pem, 0, 0});
    ASSERT_OK(audit_log);
    ASSERT_OK((*audit_log)->Append(MakeEvent(99)));
  }
  auto lines = Lines(log);
  bool recovered = false;
  for (const auto& l : lines) recovered |= l.find("audit.recovered") != std::string::npos;
  EXPECT_TRUE(recovered);
  ASSERT_OK(VerifyWith(log, keys));
}

TEST(AuditLogTest, TimedCheckpointsSealAnIdleTail) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  auto audit_log = AuditLog::Open({log, keys.pem, 0, 1});
  ASSERT_OK(audit_log);
  ASSERT_OK((*audit_log)->Append(MakeEvent(1)));
  EXPECT_FALSE(VerifyWith(log, keys).ok());  // not yet sealed
  for (int i = 0; i < 40 && !VerifyWith(log, keys).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_OK(VerifyWith(log, keys));  // the timer wrote a checkpoint while the log stayed open
}

struct Tamper {
  const char* name;
  std::function<void(std::vector<std::string>&)> change;
  const char* message;  // a part of the expected error
};

class AuditTamperTest : public ::testing::TestWithParam<int> {};

std::vector<Tamper> Tampers() {
  return {
      {"flipped byte", [](auto& l) { l[3][l[3].find("fi-cohort")] = 'F'; }, "line 5 (seq 5)"},
      {"deleted record", [](auto& l) { l.erase(l.begin() + 3); }, "line 4 (seq 4)"},
      {"reordered records", [](auto& l) { std::swap(l[2], l[3]); }, "line 3 (seq 3)"},
      {"cut tail", [](auto& l) { l.resize(l.size() - 2); }, "not covered by a signed checkpoint"},
      {"inserted record", [](auto& l) { l.insert(l.begin() + 2, l[2]); }, "line 4 (seq 4)"},
      {"checkpoint signature forged",
       [](auto& l) {
         auto r = nlohmann::ordered_json::parse(l.back());
         std::string sig = r["sig"];
         sig[sig.size() - 5] = sig[sig.size() - 5] == 'A' ? 'B' : 'A';
         r["sig"] = sig;
         l.back() = r.dump();
       },
       "checkpoint signature refused"},
  };
}

TEST_P(AuditTamperTest, VerifyNamesTheFirstBadRecord) {
  const Tamper tamper = Tampers()[GetParam()];
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  WriteSignedLog(log, keys, 8, 0);
  ASSERT_OK(VerifyWith(log, keys));
  auto lines = Lines(log);
  tamper.change(lines);
  WriteLines(log, lines);
  auto report = VerifyWith(log, keys);
  ASSERT_FALSE(report.ok()) << tamper.name;
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption) << tamper.name;
  EXPECT_NE(report.status().message().find(tamper.message), std::string::npos)
      << tamper.name << ": " << report.status().message();
}

INSTANTIATE_TEST_SUITE_P(EveryTamper, AuditTamperTest, ::testing::Range(0, 6));

TEST(AuditLogTest, AnotherKeyDoesNotVerify) {
  TempDir dir;
  Keys keys = MakeKeys(dir, "a");
  Keys other = MakeKeys(dir, "b");
  auto log = dir / "audit.jsonl";
  WriteSignedLog(log, keys, 3, 0);
  auto report = VerifyWith(log, other);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("not among the given keys"), std::string::npos);
}

TEST(AuditCliTest, VerifyAcceptsAGoodLogAndNamesTheBadRecord) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  auto log = dir / "audit.jsonl";
  WriteSignedLog(log, keys, 6, 0);
  std::string g = testing::GenomefedBinary().string();
  auto ok = testing::RunCommand(g + " audit verify " + log.string() + " --pubkey " +
                                keys.jwks.string() + " --json");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(nlohmann::json::parse(ok.output)["records"].get<int>(), 7);
  // Also with the PEM public key.
  auto key = passport::SigningKey::Load(keys.pem);
  ASSERT_OK(key);
  ASSERT_OK(WriteFileAtomic(dir / "pub.pem", *key->PublicPem()));
  auto pem_ok = testing::RunCommand(g + " audit verify " + log.string() + " --pubkey " +
                                    (dir / "pub.pem").string());
  EXPECT_EQ(pem_ok.exit_code, 0) << pem_ok.output;

  auto lines = Lines(log);
  lines.erase(lines.begin() + 1);
  WriteLines(log, lines);
  auto bad =
      testing::RunCommand(g + " audit verify " + log.string() + " --pubkey " + keys.jwks.string(),
                          /*merge_stderr=*/true);
  EXPECT_EQ(bad.exit_code, 4) << bad.output;
  EXPECT_NE(bad.output.find("line 2 (seq 2)"), std::string::npos) << bad.output;
}

TEST(AuditConfigTest, SectionIsReadByItsComponentAndCheckedForUnknownKeys) {
  TempDir dir;
  auto file = dir / "node.toml";
  ASSERT_OK(WriteFileAtomic(file,
                            "[node]\nid = \"fi\"\ndata_dir = \"d\"\n\n[audit]\n"
                            "path = \"audit.jsonl\"\nsigning_key = \"k.pem\"\n"
                            "sign_every_records = 5\n"));
  auto cfg = LoadAuditConfig(file);
  ASSERT_OK(cfg);
  EXPECT_TRUE(cfg->enabled());
  EXPECT_EQ(cfg->log.path, dir / "audit.jsonl");
  EXPECT_EQ(cfg->log.signing_key_pem, dir / "k.pem");
  EXPECT_EQ(cfg->log.sign_every_records, 5u);
  EXPECT_EQ(cfg->log.sign_every_seconds, 60u);
  // The node's own loader accepts the section it does not parse itself.
  ASSERT_OK(LoadNodeConfig(file));

  ASSERT_OK(WriteFileAtomic(file,
                            "[node]\nid = \"fi\"\ndata_dir = \"d\"\n[audit]\n"
                            "path = \"a\"\nsign_every = 3\n"));
  auto bad = LoadAuditConfig(file);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":6: audit.sign_every: unknown key"), std::string::npos)
      << bad.status().message();
  ASSERT_OK(WriteFileAtomic(file, "[node]\nid = \"fi\"\ndata_dir = \"d\"\n"));
  auto absent = LoadAuditConfig(file);
  ASSERT_OK(absent);
  EXPECT_FALSE(absent->enabled());
}

}  // namespace
}  // namespace genomefed::audit
