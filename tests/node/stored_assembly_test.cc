// The assembly ingest recorded in a dataset's MANIFEST becomes its assemblyId at the node, and
// a [[datasets]] assembly_id that contradicts it is refused (issue 21, point 3).
#include "node/stored_assembly.h"

#include <gtest/gtest.h>

#include "beacon_fixture.h"
#include "http/client.h"
#include "node/node.h"
#include "support/test_support.h"

namespace genomefed::node {
namespace {

TEST(StoredAssembly, RecordedAssemblyFillsOrChecksTheConfig) {
  testing::TempDir dir;
  auto data = testing::IngestSmallDataset(dir.path(), "small");  // GRCh37 contig lengths
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto st = store::Store::Open(*data);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ((*st)->dataset("small")->assembly(), "GRCh37");

  std::vector<DatasetConfig> none;
  ASSERT_TRUE(ReconcileAssemblies(**st, none).ok());
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].id, "small");
  EXPECT_EQ(none[0].assembly_id, "GRCh37");

  std::vector<DatasetConfig> synonym(1);
  synonym[0].id = "small";
  synonym[0].assembly_id = "hg19";
  EXPECT_TRUE(ReconcileAssemblies(**st, synonym).ok());

  std::vector<DatasetConfig> wrong(1);
  wrong[0].id = "small";
  wrong[0].assembly_id = "GRCh38";
  Status s = ReconcileAssemblies(**st, wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("assembly_id = \"GRCh38\" but the dataset was ingested as GRCh37"),
            std::string::npos)
      << s.message();
}

// End to end: a node whose config contradicts the recorded assembly does not start (the error
// names both); one that agrees, or says nothing, starts and answers with the recorded assembly.
TEST(StoredAssembly, NodeStartRefusesAContradictingConfig) {
  testing::TempDir dir;
  auto data = testing::IngestSmallDataset(dir.path(), "small");  // recorded as GRCh37
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  for (const char* configured : {"GRCh38", "hg38", "GRCh37", ""}) {
    NodeOptions o;
    o.config.id = "n";
    o.config.name = "n";
    o.config.listen = "127.0.0.1:0";
    o.config.data_dir = *data;
    o.access_log = false;
    DatasetConfig ds;
    ds.id = "small";
    ds.assembly_id = CanonicalAssembly(configured);
    o.config.datasets.push_back(ds);
    auto node = Node::Start(std::move(o));
    if (std::string(configured).rfind("GRCh37", 0) == 0 || std::string(configured).empty()) {
      ASSERT_TRUE(node.ok()) << configured << ": " << node.status().ToString();
      auto client = http::MakeCurlClient();
      http::ClientRequest req;
      req.url = (*node)->base_url() + "/api/datasets/small";
      auto r = client->Send(req);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_NE(r->body.find("\"assemblyId\":\"GRCh37\""), std::string::npos) << r->body;
    } else {
      ASSERT_FALSE(node.ok()) << configured << " was accepted over a GRCh37 dataset";
      EXPECT_NE(node.status().message().find("ingested as GRCh37"), std::string::npos)
          << node.status().message();
    }
  }
}

}  // namespace
}  // namespace genomefed::node
