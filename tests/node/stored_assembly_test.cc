// The assembly ingest recorded in a dataset's MANIFEST becomes its assemblyId at the node, and
// a [[datasets]] assembly_id that contradicts it is refused (issue 21, point 3).
#include "node/stored_assembly.h"

#include <gtest/gtest.h>

#include "beacon_fixture.h"
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

}  // namespace
}  // namespace genomefed::node
