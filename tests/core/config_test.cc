#include "core/config.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace genomefed {
namespace {

TEST(NodeConfig, ParsesDesignExample) {
  auto cfg = ParseNodeConfig(R"(
[node]
id = "fi"
name = "Finland"
country = "FI"
listen = "127.0.0.1:0"
data_dir = "data"

[policy]
public_granularity = "boolean"
registered_granularity = "count"
controlled_granularity = "record"
min_count = 5
export_individual_level = true
query_budget_per_day = 0

[[trust]]
iss = "https://hub.example.org"
jku = "https://hub.example.org/.well-known/jwks.json"

[[datasets]]
id = "fi-cohort"
consent_codes = ["DUO:0000042"]
)",
                             "node.toml", "/etc/genomefed");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->id, "fi");
  EXPECT_EQ(cfg->data_dir, "/etc/genomefed/data");
  EXPECT_EQ(cfg->public_url, "");  // the node advertises the address it is bound to
  EXPECT_EQ(cfg->policy.min_count, 5u);
  ASSERT_EQ(cfg->trust.size(), 1u);
  EXPECT_EQ(cfg->trust[0].jku, "https://hub.example.org/.well-known/jwks.json");
  ASSERT_EQ(cfg->datasets.size(), 1u);
  EXPECT_EQ(cfg->datasets[0].consent_codes[0], "DUO:0000042");
}

TEST(NodeConfig, DatasetAssemblyIsCanonical) {
  auto cfg = ParseNodeConfig(R"([node]
id = "fi"
data_dir = "data"
[[datasets]]
id = "a"
assembly_id = "hs37d5"
[[datasets]]
id = "b"
assembly_id = "hg38"
)",
                             "node.toml", "/etc/genomefed");
  ASSERT_OK(cfg);
  ASSERT_EQ(cfg->datasets.size(), 2u);
  EXPECT_EQ(cfg->datasets[0].assembly_id, "GRCh37");
  EXPECT_EQ(cfg->datasets[1].assembly_id, "GRCh38");
  EXPECT_EQ(CanonicalAssembly("GRCh38.p14"), "GRCh38");
  EXPECT_EQ(CanonicalAssembly("b37"), "GRCh37");
  EXPECT_EQ(CanonicalAssembly("GRCh37.px"), "GRCh37.px");  // not a patch release: kept
  EXPECT_EQ(CanonicalAssembly("CHM13"), "CHM13");
}

TEST(NodeConfig, TrustedProxiesAreCanonicalIps) {
  auto cfg = ParseNodeConfig(
      "[node]\nid = \"fi\"\ndata_dir = \"d\"\ntrusted_proxies = [\"127.0.0.1\", "
      "\"::FFFF:10.0.0.1\", "
      "\"2001:DB8::1\"]\n",
      "node.toml", "/");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->trusted_proxies,
            (std::vector<std::string>{"127.0.0.1", "10.0.0.1", "2001:db8::1"}));
  auto bad = ParseNodeConfig(
      "[node]\nid = \"fi\"\ndata_dir = \"d\"\ntrusted_proxies = [\"hub.example.org\"]\n",
      "node.toml", "/");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("trusted_proxies"), std::string::npos);
}

TEST(NodeConfig, UnknownKeyNamesLine) {
  auto cfg = ParseNodeConfig("[node]\nid = \"x\"\ndata_dir = \"d\"\nlisten_port = 8\n", "n.toml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cfg.status().message().find("n.toml:4"), std::string::npos) << cfg.status().message();
  EXPECT_NE(cfg.status().message().find("listen_port"), std::string::npos);
}

TEST(NodeConfig, BadValues) {
  EXPECT_FALSE(
      ParseNodeConfig("[node]\nid=\"x\"\ndata_dir=\"d\"\n[policy]\npublic_granularity=\"all\"", "n")
          .ok());
  EXPECT_FALSE(
      ParseNodeConfig("[node]\nid=\"x\"\ndata_dir=\"d\"\n[policy]\nmin_count=0", "n").ok());
  EXPECT_FALSE(ParseNodeConfig("[node]\nid=\"x\"\n", "n").ok());  // data_dir required
  EXPECT_FALSE(ParseNodeConfig("[node\nid=", "n").ok());          // TOML syntax
  EXPECT_FALSE(ParseNodeConfig("[node]\nid=\"x\"\ndata_dir=\"d\"\n[[trust]]\niss=\"a\"", "n").ok());
}

TEST(HubConfig, Parses) {
  auto cfg = ParseHubConfig(R"(
[hub]
id = "hub"
listen = "127.0.0.1:9000"
db = "sqlite:hub.db"
node_timeout_ms = 1500
[[nodes]]
id = "fi"
url = "http://127.0.0.1:9001/"
country = "FI"
)",
                            "hub.toml", "/srv");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->db, "sqlite:/srv/hub.db");
  EXPECT_EQ(cfg->node_timeout_ms, 1500u);
  ASSERT_EQ(cfg->nodes.size(), 1u);
  EXPECT_EQ(cfg->nodes[0].url, "http://127.0.0.1:9001");
}

TEST(HostPort, Parses) {
  auto hp = ParseHostPort("127.0.0.1:8080");
  ASSERT_OK(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8080);
  EXPECT_EQ(ParseHostPort("[::1]:80")->host, "::1");
  EXPECT_FALSE(ParseHostPort("localhost").ok());
  EXPECT_FALSE(ParseHostPort("h:99999").ok());
}

}  // namespace
}  // namespace genomefed
