// Policy: granularity per access level, count disclosure (min_count), the rare-allele budget,
// and the whole decision from a passport to what leaves the node for two datasets.
#include "policy/policy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "passport/fake_http.h"
#include "passport/rights.h"
#include "passport/signer.h"
#include "support/test_support.h"

namespace genomefed::policy {
namespace {

using passport::ManualClock;
constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr auto kPublic = AccessLevel::kPublic;
constexpr auto kRegistered = AccessLevel::kRegistered;
constexpr auto kControlled = AccessLevel::kControlled;
constexpr auto kBoolean = Granularity::kBoolean;
constexpr auto kCount = Granularity::kCount;
constexpr auto kRecord = Granularity::kRecord;

Policy MakePolicy(PolicyConfig config, std::shared_ptr<ManualClock> clock = nullptr,
                  PolicyOptions options = {}) {
  if (!clock) clock = std::make_shared<ManualClock>(kNow);
  return Policy(config, clock, options);
}

TEST(GranularityTest, DefaultPolicy) {
  Policy p = MakePolicy({});  // boolean / count / record
  EXPECT_EQ(p.MaxGranularity(kPublic), kBoolean);
  EXPECT_EQ(p.MaxGranularity(kRegistered), kCount);
  EXPECT_EQ(p.MaxGranularity(kControlled), kRecord);
  EXPECT_EQ(p.ReturnedGranularity(kPublic, kRecord), kBoolean);
  EXPECT_EQ(p.ReturnedGranularity(kRegistered, kRecord), kCount);
  EXPECT_EQ(p.ReturnedGranularity(kRegistered, kBoolean), kBoolean);
  EXPECT_EQ(p.ReturnedGranularity(kControlled, kRecord), kRecord);
  EXPECT_EQ(p.ReturnedGranularity(kControlled, kCount), kCount);
  EXPECT_FALSE(p.IndividualLevelAllowed(kRegistered));
  EXPECT_TRUE(p.IndividualLevelAllowed(kControlled));
}

TEST(GranularityTest, AccessForMatchesTheSeparateRules) {
  PolicyConfig c;
  c.min_count = 3;
  Policy p = MakePolicy(c);
  for (AccessLevel level : {kPublic, kRegistered, kControlled}) {
    Policy::DatasetAccess a = p.AccessFor(level);
    EXPECT_EQ(a.max_granularity, p.MaxGranularity(level));
    EXPECT_EQ(a.min_count, 3u);
    EXPECT_EQ(a.exact_counts, p.DiscloseCount(1, level).exact());
  }
  c.min_count = 1;
  EXPECT_TRUE(MakePolicy(c).AccessFor(kPublic).exact_counts);
}

TEST(GranularityTest, MoreRightsNeverReturnLess) {
  PolicyConfig c;
  c.public_granularity = kCount;
  c.registered_granularity = kBoolean;  // an operator slip: lower than public
  c.controlled_granularity = kBoolean;
  Policy p = MakePolicy(c);
  EXPECT_EQ(p.MaxGranularity(kPublic), kCount);
  EXPECT_EQ(p.MaxGranularity(kRegistered), kCount);
  EXPECT_EQ(p.MaxGranularity(kControlled), kCount);
}

TEST(GranularityTest, NoIndividualLevelExportCapsEveryoneAtCount) {
  PolicyConfig c;
  c.public_granularity = kRecord;
  c.export_individual_level = false;
  Policy p = MakePolicy(c);
  for (AccessLevel level : {kPublic, kRegistered, kControlled}) {
    EXPECT_EQ(p.MaxGranularity(level), kCount);
    EXPECT_EQ(p.ReturnedGranularity(level, kRecord), kCount);
    EXPECT_FALSE(p.IndividualLevelAllowed(level));
  }
}

TEST(DisclosureTest, LowCountsAreNotReleasedExactlyBelowControlled) {
  PolicyConfig c;
  c.min_count = 5;
  Policy p = MakePolicy(c);
  for (AccessLevel level : {kPublic, kRegistered}) {
    DisclosedCount zero = p.DiscloseCount(0, level);
    EXPECT_EQ(zero.count, 0u);
    EXPECT_TRUE(zero.exact());
    for (uint64_t n = 1; n < 5; ++n) {
      DisclosedCount d = p.DiscloseCount(n, level);
      EXPECT_EQ(d.count, 5u) << n;
      EXPECT_EQ(d.precision, CountPrecision::kImprecise);
      EXPECT_EQ(CountPrecisionName(d.precision), "imprecise");
      ASSERT_TRUE(d.adjusted_to.has_value());
      EXPECT_EQ(*d.adjusted_to, 5u);
    }
    for (uint64_t n : {5u, 6u, 1000u}) {
      DisclosedCount d = p.DiscloseCount(n, level);
      EXPECT_EQ(d.count, n);
      EXPECT_TRUE(d.exact());
      EXPECT_FALSE(d.adjusted_to.has_value());
    }
  }
  // The same answer for every low count: nothing distinguishes 1 from 4.
  EXPECT_EQ(p.DiscloseCount(1, kPublic).count, p.DiscloseCount(4, kPublic).count);
  for (uint64_t n : {0u, 1u, 3u, 4u, 17u}) {
    DisclosedCount d = p.DiscloseCount(n, kControlled);
    EXPECT_EQ(d.count, n);
    EXPECT_TRUE(d.exact());
  }
}

TEST(DisclosureTest, MinCountOneIsExact) {
  PolicyConfig c;
  c.min_count = 1;
  Policy p = MakePolicy(c);
  EXPECT_TRUE(p.DiscloseCount(1, kPublic).exact());
  EXPECT_EQ(p.DiscloseCount(1, kPublic).count, 1u);
  c.min_count = 0;
  EXPECT_TRUE(MakePolicy(c).DiscloseCount(1, kPublic).exact());
}

TEST(BudgetTest, RareHits) {
  PolicyConfig c;
  c.min_count = 5;
  Policy p = MakePolicy(c);
  EXPECT_FALSE(p.IsRareHit(0, kPublic));
  EXPECT_TRUE(p.IsRareHit(1, kPublic));
  EXPECT_TRUE(p.IsRareHit(4, kRegistered));
  EXPECT_FALSE(p.IsRareHit(5, kPublic));
  EXPECT_FALSE(p.IsRareHit(1, kControlled));
  c.min_count = 1;  // exact counts, yet rare alleles still spend budget (threshold 5)
  EXPECT_TRUE(MakePolicy(c).IsRareHit(4, kPublic));
  PolicyOptions o;
  o.rare_count_threshold = 20;
  EXPECT_TRUE(MakePolicy(c, nullptr, o).IsRareHit(19, kPublic));
}

// What the Beacon core is told to flag as a rare hit: the same threshold as IsRareHit, only
// for budgeted callers.
TEST(BudgetTest, AccessForCarriesTheRareThresholdOnlyWhenBudgeted) {
  PolicyConfig c;
  c.min_count = 3;
  EXPECT_EQ(MakePolicy(c).AccessFor(kPublic).rare_below, 0u);  // no budget configured
  c.query_budget_per_day = 10;
  Policy p = MakePolicy(c);
  for (AccessLevel level : {kPublic, kRegistered}) {
    const uint32_t below = p.AccessFor(level).rare_below;
    ASSERT_GT(below, 1u);
    EXPECT_TRUE(p.IsRareHit(below - 1, level));
    EXPECT_FALSE(p.IsRareHit(below, level));
  }
  EXPECT_EQ(p.AccessFor(kControlled).rare_below, 0u);
}

TEST(BudgetTest, SpentBudgetIsResourceExhaustedUntilTheNextUtcDay) {
  PolicyConfig c;
  c.query_budget_per_day = 3;
  auto clock = std::make_shared<ManualClock>(kNow);
  Policy p = MakePolicy(c, clock);
  EXPECT_EQ(p.RemainingBudget("addr:10.0.0.1"), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_OK(p.ChargeRareQuery("addr:10.0.0.1"));
  Status spent = p.ChargeRareQuery("addr:10.0.0.1");
  EXPECT_EQ(spent.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(HttpStatusFor(spent.code()), 429);
  EXPECT_EQ(p.RemainingBudget("addr:10.0.0.1"), 0u);
  EXPECT_OK(p.ChargeRareQuery("addr:10.0.0.2"));  // someone else
  // Still spent later the same day; restored after 00:00 UTC.
  const int64_t midnight = (kNow / 86400 + 1) * 86400;
  clock->Set(midnight - 1);
  EXPECT_FALSE(p.ChargeRareQuery("addr:10.0.0.1").ok());
  clock->Set(midnight);
  EXPECT_OK(p.ChargeRareQuery("addr:10.0.0.1"));
  EXPECT_EQ(p.RemainingBudget("addr:10.0.0.1"), 2u);
}

TEST(BudgetTest, ZeroMeansUnlimited) {
  Policy p = MakePolicy({});
  for (int i = 0; i < 1000; ++i) ASSERT_OK(p.ChargeRareQuery("addr:10.0.0.1"));
  EXPECT_EQ(p.RemainingBudget("addr:10.0.0.1"), UINT32_MAX);
}

TEST(BudgetTest, TooManyIdentitiesShareOneBucket) {
  PolicyConfig c;
  c.query_budget_per_day = 2;
  PolicyOptions o;
  o.max_budget_identities = 2;
  Policy p = MakePolicy(c, nullptr, o);
  EXPECT_OK(p.ChargeRareQuery("a"));
  EXPECT_OK(p.ChargeRareQuery("b"));
  EXPECT_OK(p.ChargeRareQuery("c"));  // the overflow bucket
  EXPECT_OK(p.ChargeRareQuery("d"));
  EXPECT_FALSE(p.ChargeRareQuery("e").ok());
  EXPECT_OK(p.ChargeRareQuery("a"));
}

TEST(BudgetTest, ConcurrentChargesNeverExceedTheBudget) {
  PolicyConfig c;
  c.query_budget_per_day = 5000;
  Policy p = MakePolicy(c);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (p.ChargeRareQuery("id:alice@hub").ok()) ++granted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 5000);
}

TEST(BudgetKeyTest, IdentityOrClientAddress) {
  passport::CallerRights anon;
  EXPECT_EQ(BudgetKey(anon, "192.0.2.7"), "addr:192.0.2.7");
  EXPECT_EQ(BudgetKey(anon, "192.0.2.7:51234"), "addr:192.0.2.7");
  EXPECT_EQ(BudgetKey(anon, "2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "addr:2001:db8:1:2::/64");
  EXPECT_EQ(BudgetKey(anon, "[2001:db8:1:2::9]:443"), "addr:2001:db8:1:2::/64");
  EXPECT_EQ(BudgetKey(anon, "2001:db8:1:2::9:443"), BudgetKey(anon, "2001:db8:1:2::9"));
  EXPECT_EQ(BudgetKey(anon, "::ffff:192.0.2.7"), "addr:192.0.2.7");
  passport::CallerRights alice;
  alice.authenticated = true;
  alice.identity = "alice@https://hub.example.org";
  EXPECT_EQ(BudgetKey(alice, "192.0.2.7"), "id:alice@https://hub.example.org");
}

// From the Authorization header to what may leave the node, for two datasets, the way the node
// server does it. A visa grants dataset A only.
class NodeDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<passport::SigningKey>(
        passport::SigningKey::Generate(passport::JwsAlg::kES256).value());
    http_ = std::make_shared<passport::testing::FakeHttpClient>();
    http_->Serve(kJku, passport::JwksFor({key_.get()}).dump());
    clock_ = std::make_shared<ManualClock>(kNow);
    node_.public_url = "https://node.example.org";
    node_.trust = {{kIss, kJku}};
    node_.policy.min_count = 5;
    node_.policy.query_budget_per_day = 2;
    authorizer_ = std::make_unique<passport::Authorizer>(node_.trust, http_, clock_);
  }
  std::string Token(const std::vector<std::pair<std::string, std::string>>& visas) {
    passport::IssueParams params;
    params.iss = kIss;
    params.jku = kJku;
    params.sub = "alice";
    params.iat = kNow;
    params.exp = kNow + 3600;
    std::vector<std::string> jwts;
    for (const auto& [type, value] : visas) {
      passport::VisaSpec spec;
      spec.type = type;
      spec.value = value;
      spec.by = type == "ControlledAccessGrants" ? "dac" : "so";
      jwts.push_back(passport::IssueVisa(*key_, params, spec).value());
    }
    return passport::IssuePassport(*key_, params, jwts).value();
  }
  static constexpr const char* kIss = "https://hub.example.org";
  static constexpr const char* kJku = "https://hub.example.org/.well-known/jwks.json";
  std::unique_ptr<passport::SigningKey> key_;
  std::shared_ptr<passport::testing::FakeHttpClient> http_;
  std::shared_ptr<ManualClock> clock_;
  NodeConfig node_;
  std::unique_ptr<passport::Authorizer> authorizer_;
};

TEST_F(NodeDecisionTest, GrantForAOnlyGivesRecordsInAAndNoExactLowCountInB) {
  Policy policy(node_.policy, clock_);
  auto datasets = passport::DatasetRefsFor(node_, {"A", "B"});
  std::string token = Token({{"ControlledAccessGrants", "https://node.example.org/datasets/A"}});
  passport::CallerRights rights = authorizer_->Authorize("Bearer " + token, datasets);
  AccessLevel a = rights.LevelFor("A");
  AccessLevel b = rights.LevelFor("B");
  EXPECT_EQ(policy.ReturnedGranularity(a, kRecord), kRecord);
  EXPECT_EQ(policy.ReturnedGranularity(b, kRecord), kBoolean);
  EXPECT_EQ(policy.DiscloseCount(2, a).count, 2u);
  EXPECT_NE(policy.DiscloseCount(2, b).count, 2u);
  // With a ResearcherStatus too, B is answered with counts, low ones adjusted.
  std::string both = Token({{"ControlledAccessGrants", "https://node.example.org/datasets/A"},
                            {"ResearcherStatus", "https://doi.org/10.1038/s41431-018-0219-y"}});
  passport::CallerRights r2 = authorizer_->Authorize("Bearer " + both, datasets);
  EXPECT_EQ(policy.ReturnedGranularity(r2.LevelFor("A"), kRecord), kRecord);
  EXPECT_EQ(policy.ReturnedGranularity(r2.LevelFor("B"), kRecord), kCount);
  DisclosedCount low = policy.DiscloseCount(3, r2.LevelFor("B"));
  EXPECT_EQ(low.count, 5u);
  EXPECT_FALSE(low.exact());
  // Rare hits in B spend the identity's budget; in A (controlled) they do not.
  std::string key = BudgetKey(r2, "192.0.2.1");
  EXPECT_FALSE(policy.IsRareHit(3, r2.LevelFor("A")));
  ASSERT_TRUE(policy.IsRareHit(3, r2.LevelFor("B")));
  EXPECT_OK(policy.ChargeRareQuery(key));
  EXPECT_OK(policy.ChargeRareQuery(key));
  EXPECT_EQ(policy.ChargeRareQuery(key).code(), StatusCode::kResourceExhausted);
  // Anonymous callers are keyed by address, separately.
  passport::CallerRights anon = authorizer_->Authorize("", datasets);
  EXPECT_OK(policy.ChargeRareQuery(BudgetKey(anon, "192.0.2.1")));
}

TEST_F(NodeDecisionTest, RefusedTokensFallBackToPublic) {
  Policy policy(node_.policy, clock_);
  auto datasets = passport::DatasetRefsFor(node_, {"A", "B"});
  for (const std::string& header : {std::string("Bearer garbage"), std::string("Basic abc"),
                                    std::string("Bearer ") + Token({}) + "x"}) {
    passport::CallerRights r = authorizer_->Authorize(header, datasets);
    EXPECT_EQ(policy.ReturnedGranularity(r.LevelFor("A"), kRecord), kBoolean) << header;
    EXPECT_EQ(policy.ReturnedGranularity(r.LevelFor("B"), kRecord), kBoolean) << header;
  }
}

}  // namespace
}  // namespace genomefed::policy
