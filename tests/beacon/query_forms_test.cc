// Issue 18: Beacon answers a clinician can trust, over a real store built by ingest from VCFs
// written here (two batches of one dataset, GRCh38) and the 1000 Genomes file:
//   - an allele exists exactly when one of the dataset's samples carries it (bcftools AC > 0),
//     at every endpoint and granularity, also when a later batch adds its first carrier;
//   - queries are normalised like the data (the `bcftools norm -m-` form finds the trimmed
//     allele);
//   - the spec's alternateBases / referenceBases forms, reference names and accessions per
//     assembly, pagination in pages, unknown filter terms, `g_variant`-nested POST parameters
//     and v2.2 `countAdjustedTo`, as table-driven cases.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "beacon/beacon.h"
#include "beacon_fixture.h"
#include "support/test_support.h"

namespace genomefed::beacon {
namespace {

using nlohmann::json;
using testing::TempDir;

// Batch A: AC = 0 alleles (a plain site, one ALT of a multi-allelic site, a site a later batch
// carries), a split multi-allelic indel site as `bcftools norm -m-` leaves it, a carried SNV.
constexpr std::string_view kBatchA =
    "##fileformat=VCFv4.2\n##contig=<ID=chr22,length=50818468>\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA1\tA2\tA3\n"
    "chr22\t100\t.\tG\tC\t.\tPASS\t.\tGT\t0/0\t0/0\t0/0\n"
    "chr22\t200\t.\tG\tA,T\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0\n"
    "chr22\t300\t.\tGCC\tGCCCC,G\t.\tPASS\t.\tGT\t0/1\t0/2\t0/0\n"
    "chr22\t400\t.\tC\tT\t.\tPASS\t.\tGT\t0/0\t0/0\t./.\n"
    "chr22\t500\t.\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/0\t1/1\n";
// Batch B, new samples: the first carrier of 22:400 C>T; 22:500 A>G carried by nobody here.
constexpr std::string_view kBatchB =
    "##fileformat=VCFv4.2\n##contig=<ID=chr22,length=50818468>\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tB1\tB2\n"
    "chr22\t400\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t0/0\n"
    "chr22\t500\t.\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/0\n";

DatasetAccess Full() { return DatasetAccess{Granularity::kRecord, 1, true}; }

// One dataset "cohort" (GRCh38): batch A only, or batches A and B.
struct Node {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Beacon> beacon;
};

Result<Node> MakeNode(const std::filesystem::path& dir, bool with_batch_b) {
  std::ofstream(dir / "a.vcf") << kBatchA;
  std::ofstream(dir / "a.tsv")
      << "sample_id\tsex\tpopulation\tphenotypes\n"
         "A1\tfemale\tFIN\tHP:0001250\nA2\tmale\tFIN\t\nA3\tfemale\tGBR\t\n";
  std::ofstream(dir / "b.vcf") << kBatchB;
  std::ofstream(dir / "b.tsv") << "sample_id\tsex\tpopulation\tphenotypes\n"
                                  "B1\tmale\tGBR\t\nB2\tfemale\tGBR\t\n";
  GF_RETURN_IF_ERROR(testing::RunIngest(dir / "data", "cohort", dir / "a.vcf", dir / "a.tsv"));
  if (with_batch_b) {
    GF_RETURN_IF_ERROR(testing::RunIngest(dir / "data", "cohort", dir / "b.vcf", dir / "b.tsv"));
  }
  Node n;
  GF_ASSIGN_OR_RETURN(n.store, store::Store::Open(dir / "data"));
  NodeConfig cfg;
  cfg.id = "org.genomefed.forms";
  cfg.public_url = "http://127.0.0.1:1";
  cfg.datasets.push_back(DatasetConfig{"cohort", "Cohort", "", "", {}, "GRCh38", {}});
  n.beacon = std::make_unique<Beacon>(cfg, n.store.get(), nullptr, nullptr);
  return n;
}

Reply Send(const Beacon& b, Endpoint e, QueryMap q, std::string id = "", std::string body = "",
           DatasetAccess a = Full()) {
  Call c;
  c.endpoint = e;
  c.method = body.empty() ? "GET" : "POST";
  c.id = std::move(id);
  c.query = std::move(q);
  c.body = std::move(body);
  return b.Handle(c, [a](std::string_view) { return a; });
}

json Parse(const Reply& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

QueryMap Seq(int64_t start0, std::string ref, std::string alt, std::string g = "count") {
  return {{"referenceName", "chr22"},
          {"start", std::to_string(start0)},
          {"referenceBases", std::move(ref)},
          {"alternateBases", std::move(alt)},
          {"requestedGranularity", std::move(g)}};
}

// Whether one allele (VCF POS, trimmed REF/ALT) exists, asked at every endpoint and
// granularity; fails the test when the endpoints disagree.
bool ExistsEverywhere(const Beacon& b, int64_t pos, const std::string& ref, const std::string& alt,
                      const std::string& contig = "chr22") {
  const std::string where = contig + ":" + std::to_string(pos) + " " + ref + ">" + alt;
  std::vector<bool> answers;
  for (std::string g : {"boolean", "count", "record"}) {
    QueryMap q = Seq(pos - 1, ref, alt, g);
    q.find("referenceName")->second = contig;
    json j = Parse(Send(b, Endpoint::kGVariants, q));
    answers.push_back(j["responseSummary"]["exists"].get<bool>());
    if (g != "boolean") {
      EXPECT_EQ(j["responseSummary"]["numTotalResults"], answers.back() ? 1 : 0) << where << g;
    }
    json ind = Parse(Send(b, Endpoint::kIndividuals, q));
    answers.push_back(ind["responseSummary"]["exists"].get<bool>());
  }
  const std::string id = contig + "-" + std::to_string(pos) + "-" + ref + "-" + alt;
  Reply by_id = Send(b, Endpoint::kGVariant, {{"requestedGranularity", "record"}}, id);
  answers.push_back(by_id.status == 200);
  EXPECT_TRUE(by_id.status == 200 || by_id.status == 404) << by_id.body;
  Reply carriers = Send(b, Endpoint::kGVariantIndividuals, {{"requestedGranularity", "count"}}, id);
  answers.push_back(carriers.status == 200 && Parse(carriers)["responseSummary"]["exists"]);
  for (bool a : answers) EXPECT_EQ(a, answers[0]) << where << ": endpoints disagree";
  return answers[0];
}

TEST(AlleleExistsTest, AnAlleleExistsWhenASampleCarriesItAtEveryEndpoint) {
  TempDir one, two;
  auto a = MakeNode(one.path(), false);
  ASSERT_OK(a);
  auto ab = MakeNode(two.path(), true);
  ASSERT_OK(ab);
  struct Case {
    int64_t pos;
    std::string ref, alt;
    bool after_a, after_ab;
  };
  const Case cases[] = {
      {100, "G", "C", false, false},  // AC = 0
      {200, "G", "A", true, true},    //
      {200, "G", "T", false, false},  // the uncarried ALT of a multi-allelic site
      {300, "G", "GCC", true, true},  // split + trimmed
      {300, "GCC", "G", true, true},  //
      {400, "C", "T", false, true},   // the second batch brings its first carrier
      {500, "A", "G", true, true},    // carried in batch A only
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExistsEverywhere(*a->beacon, c.pos, c.ref, c.alt), c.after_a) << c.pos << c.alt;
    EXPECT_EQ(ExistsEverywhere(*ab->beacon, c.pos, c.ref, c.alt), c.after_ab) << c.pos << c.alt;
  }
  // Counts without genomic parameters and over a range count carried alleles only.
  for (auto* n : {&*a, &*ab}) {
    const int carried = n == &*a ? 4 : 5;
    json all = Parse(Send(*n->beacon, Endpoint::kGVariants, {{"requestedGranularity", "count"}}));
    EXPECT_EQ(all["responseSummary"]["numTotalResults"], carried);
    json range = Parse(Send(*n->beacon, Endpoint::kGVariants,
                            {{"referenceName", "22"},
                             {"start", "0"},
                             {"end", "1000"},
                             {"requestedGranularity", "record"}}));
    EXPECT_EQ(range["responseSummary"]["numTotalResults"], carried);
    EXPECT_EQ(range["response"]["resultSets"][0]["results"].size(), static_cast<size_t>(carried));
    json ds = Parse(Send(*n->beacon, Endpoint::kDataset, {}, "cohort"));
    EXPECT_EQ(ds["response"]["collections"][0]["info"]["alleleCount"], carried);
  }
}

// Every allele of the 1000 Genomes file, split by `bcftools norm -m-any`: exists at every
// endpoint exactly when bcftools counts AC > 0 over the dataset's samples (here a subset of 40
// samples, so that many alleles have no carrier), and in the VCF form the split leaves
// (untrimmed) it is found with the same answer.
TEST(AlleleExistsTest, ThousandGenomesExistsEqualsBcftoolsAcAboveZero) {
  GF_REQUIRE_SHARED("data/1000g/test_1000G.vcf.gz");
  if (testing::RunCommand("bcftools --version").exit_code != 0) GTEST_SKIP() << "no bcftools";
  TempDir dir;
  const auto vcf = testing::SharedDir() / "data/1000g/test_1000G.vcf.gz";
  auto names = testing::RunCommand("bcftools query -l " + vcf.string() + " | head -40");
  ASSERT_EQ(names.exit_code, 0);
  std::ofstream(dir / "subset.txt") << names.output;
  {
    std::ofstream tsv(dir / "subset.tsv");
    tsv << "sample_id\tsex\n";
    std::istringstream in(names.output);
    for (std::string s; std::getline(in, s);) tsv << s << "\tfemale\n";
  }
  auto sub =
      testing::RunCommand("bcftools view -S " + (dir / "subset.txt").string() + " " + vcf.string() +
                          " -Oz -o " + (dir / "subset.vcf.gz").string() + " 2>&1");
  ASSERT_EQ(sub.exit_code, 0) << sub.output;
  ASSERT_OK(testing::RunIngest(dir / "data", "kg", dir / "subset.vcf.gz", dir / "subset.tsv"));
  auto store = store::Store::Open(dir / "data");
  ASSERT_OK(store);
  NodeConfig cfg;
  cfg.id = "kg";
  Beacon b(cfg, store->get(), nullptr, nullptr);
  auto split = testing::RunCommand("bcftools norm -m-any " + (dir / "subset.vcf.gz").string() +
                                   " 2>/dev/null | bcftools +fill-tags -- -t AC | bcftools "
                                   "query -f '%CHROM\\t%POS\\t%REF\\t%ALT\\t%AC\\n'");
  ASSERT_EQ(split.exit_code, 0);
  std::istringstream lines(split.output);
  int present = 0, absent = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string chrom, ref, alt;
    int64_t pos;
    uint64_t ac;
    f >> chrom >> pos >> ref >> alt >> ac;
    if (alt == "*" || alt == "." || alt.find_first_not_of("ACGTN") != std::string::npos) continue;
    // The VCF form, as the split wrote it: the query is trimmed like the data.
    Reply r = Send(b, Endpoint::kGVariants,
                   {{"referenceName", chrom},
                    {"start", std::to_string(pos - 1)},
                    {"referenceBases", ref},
                    {"alternateBases", alt},
                    {"requestedGranularity", "count"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Parse(r)["responseSummary"]["exists"], ac > 0) << line;
    EXPECT_EQ(
        Send(b, Endpoint::kGVariant, {}, chrom + "-" + std::to_string(pos) + "-" + ref + "-" + alt)
                .status == 200,
        ac > 0)
        << line;
    json ind = Parse(Send(b, Endpoint::kIndividuals,
                          {{"referenceName", chrom},
                           {"start", std::to_string(pos - 1)},
                           {"referenceBases", ref},
                           {"alternateBases", alt},
                           {"requestedGranularity", "count"}}));
    EXPECT_EQ(ind["responseSummary"]["exists"], ac > 0) << line;
    (ac > 0 ? present : absent)++;
  }
  EXPECT_GT(present, 100) << absent;
  EXPECT_GT(absent, 500) << present;  // the subset leaves most alleles without a carrier
}

class QueryFormsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto n = MakeNode(dir_->path(), true);
    if (!n.ok()) {
      error_ = n.status().ToString();
      return;
    }
    node_ = new Node(std::move(n).value());
  }
  static void TearDownTestSuite() {
    delete node_;
    delete dir_;
  }
  void SetUp() override {
    if (!error_.empty()) FAIL() << error_;
  }
  static inline TempDir* dir_ = nullptr;
  static inline Node* node_ = nullptr;
  static inline std::string error_;
};

// A request and what it must answer: an HTTP status, and for 200 the number of variants.
struct FormCase {
  std::string what;
  QueryMap query;
  int status;
  int count;              // numTotalResults when status is 200
  std::string body = "";  // POST body (then `query` adds to it)
};

void RunCases(const Beacon& b, const std::vector<FormCase>& cases) {
  for (const FormCase& c : cases) {
    QueryMap q = c.query;
    if (c.body.empty()) q.emplace("requestedGranularity", "count");
    Reply r = Send(b, Endpoint::kGVariants, q, "", c.body);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    json j = Parse(r);
    if (c.status == 200) {
      EXPECT_EQ(j["responseSummary"].value("numTotalResults", -1), c.count) << c.what << r.body;
    } else {
      EXPECT_EQ(j["error"]["errorCode"], c.status) << c.what;
      EXPECT_FALSE(j["error"]["errorMessage"].get<std::string>().empty()) << c.what;
    }
  }
}

QueryMap At(int64_t start0) { return {{"referenceName", "22"}, {"start", std::to_string(start0)}}; }
QueryMap With(QueryMap q, std::initializer_list<std::pair<const std::string, std::string>> more) {
  for (const auto& kv : more) q.insert(kv);
  return q;
}

// Point 3: the spec's alternateBases / referenceBases forms (genomicVariations request
// parameters), point 2: queries trimmed as ingest trims the data.
TEST_F(QueryFormsTest, AlternateBasesFormsAndNormalisation) {
  const Beacon& b = *node_->beacon;
  RunCases(
      b,
      {
          {"SNV", With(At(499), {{"referenceBases", "A"}, {"alternateBases", "G"}}), 200, 1},
          {"any ALT at 500", With(At(499), {{"alternateBases", "N"}}), 200, 1},
          {"start alone is refused", At(499), 400, 0},
          {"start + referenceBases alone is refused", With(At(499), {{"referenceBases", "A"}}), 400,
           0},
          {"start + variantType is a query", With(At(299), {{"variantType", "DEL"}}), 200, 1},
          // G>GCC and GCC>G at 22:300 in the VCF form of the split multi-allelic site.
          {"VCF form of the insertion",
           With(At(299), {{"referenceBases", "GCC"}, {"alternateBases", "GCCCC"}}), 200, 1},
          {"trimmed insertion", With(At(299), {{"referenceBases", "G"}, {"alternateBases", "GCC"}}),
           200, 1},
          {"padded deletion", With(At(299), {{"referenceBases", "GCC"}, {"alternateBases", "G"}}),
           200, 1},
          // The unpadded forms: start is the first deleted base / the base the insertion precedes.
          {"deletion, empty ALT", With(At(300), {{"referenceBases", "CC"}, {"alternateBases", ""}}),
           200, 1},
          {"deletion, ALT '-'", With(At(300), {{"referenceBases", "CC"}, {"alternateBases", "-"}}),
           200, 1},
          {"deletion, ALT '.'", With(At(300), {{"referenceBases", "CC"}, {"alternateBases", "."}}),
           200, 1},
          {"deletion, N pattern",
           With(At(300), {{"referenceBases", "NN"}, {"alternateBases", "-"}}), 200, 1},
          {"deletion of another length",
           With(At(300), {{"referenceBases", "C"}, {"alternateBases", "-"}}), 200, 0},
          {"insertion, empty REF",
           With(At(300), {{"referenceBases", ""}, {"alternateBases", "CC"}}), 200, 1},
          {"insertion, REF '-'", With(At(300), {{"referenceBases", "-"}, {"alternateBases", "CC"}}),
           200, 1},
          // '-' is not "any": no deletion of the A at 22:500, so nothing (the SNV is no match).
          {"'-' is not dropped", With(At(499), {{"referenceBases", "A"}, {"alternateBases", "-"}}),
           200, 0},
          {"empty ALT needs the deleted bases", With(At(300), {{"alternateBases", ""}}), 400, 0},
          {"both empty", With(At(300), {{"referenceBases", ""}, {"alternateBases", "-"}}), 400, 0},
          {"unpadded at start 0", With(At(0), {{"referenceBases", "C"}, {"alternateBases", ""}}),
           400, 0},
          {"IUPAC is refused", With(At(499), {{"referenceBases", "A"}, {"alternateBases", "R"}}),
           400, 0},
          // A range limited to deletions by the empty ALT.
          {"range, deletions only", With(At(0), {{"end", "1000"}, {"alternateBases", "-"}}), 200,
           1},
      });
  // The id in the VCF form of the split.
  EXPECT_EQ(Send(b, Endpoint::kGVariant, {}, "22-300-GCC-GCCCC").status, 200);
  EXPECT_EQ(Send(b, Endpoint::kGVariant, {}, "chr22:300:GCC:G").status, 200);
}

// Point 4: reference names and RefSeq accessions per assembly (the dataset is GRCh38).
TEST_F(QueryFormsTest, ReferenceNamesAndAssemblies) {
  const Beacon& b = *node_->beacon;
  auto snv = [](std::string name) {
    return QueryMap{{"referenceName", std::move(name)},
                    {"start", "499"},
                    {"referenceBases", "A"},
                    {"alternateBases", "G"}};
  };
  RunCases(b, {
                  {"chr22", snv("chr22"), 200, 1},
                  {"22", snv("22"), 200, 1},
                  {"refseq: GRCh38 accession", snv("refseq:NC_000022.11"), 200, 1},
                  {"bare GRCh38 accession", snv("NC_000022.11"), 200, 1},
                  {"GRCh37 accession misses GRCh38 data", snv("refseq:NC_000022.10"), 200, 0},
                  {"GRCh37 accession of chr1 is not chr22", snv("NC_000001.10"), 200, 0},
                  {"unknown accession version", snv("NC_000022.99"), 400, 0},
                  {"accession and assemblyId disagree",
                   With(snv("NC_000022.11"), {{"assemblyId", "GRCh37"}}), 400, 0},
                  {"accession and assemblyId agree",
                   With(snv("NC_000022.11"), {{"assemblyId", "hg38"}}), 200, 1},
                  {"assemblyId of another assembly", With(snv("chr22"), {{"assemblyId", "GRCh37"}}),
                   200, 0},
                  {"assemblyId as RefSeq assembly accession",
                   With(snv("chr22"), {{"assemblyId", "GCF_000001405.39"}}), 200, 1},
                  {"GRCh37 RefSeq assembly accession",
                   With(snv("chr22"), {{"assemblyId", "GCF_000001405.25"}}), 200, 0},
              });
  json rec =
      Parse(Send(b, Endpoint::kGVariant, {{"requestedGranularity", "record"}}, "22-500-A-G"));
  const json& v = rec["response"]["resultSets"][0]["results"][0];
  EXPECT_EQ(v["variation"]["location"]["sequence_id"], "refseq:NC_000022.11") << v.dump();
  EXPECT_EQ(v["identifiers"]["genomicHGVSId"], "NC_000022.11:g.500A>G") << v.dump();
}

// Point 6: `skip` counts pages of `limit`, `limit` 0 is the server's maximum; unknown filter
// terms are reported in `info.warnings`.
TEST_F(QueryFormsTest, PaginationInPagesAndUnknownFilterTerms) {
  const Beacon& b = *node_->beacon;
  auto page = [&](std::string skip, std::string limit) {
    json j = Parse(Send(b, Endpoint::kGVariants,
                        {{"referenceName", "22"},
                         {"start", "0"},
                         {"end", "1000"},
                         {"requestedGranularity", "record"},
                         {"skip", skip},
                         {"limit", limit}}));
    std::vector<std::string> ids;
    for (const auto& r : j["response"]["resultSets"][0]["results"])
      ids.push_back(r["variantInternalId"]);
    EXPECT_EQ(j["response"]["resultSets"][0]["resultsCount"], 5) << "the count is of all pages";
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(page("0", "2"), (Ids{"22-200-G-A", "22-300-G-GCC"}));
  EXPECT_EQ(page("1", "2"), (Ids{"22-300-GCC-G", "22-400-C-T"}));
  EXPECT_EQ(page("2", "2"), (Ids{"22-500-A-G"}));
  EXPECT_EQ(page("3", "2"), Ids{});
  EXPECT_EQ(page("0", "0").size(), 5u) << "limit 0: all, up to the maximum";
  EXPECT_EQ(page("1", "0").size(), 0u) << "the second page of 'all' is empty";
  // Individuals are paged the same way (5 samples, 2 per page).
  json ind = Parse(Send(b, Endpoint::kIndividuals,
                        {{"requestedGranularity", "record"}, {"skip", "2"}, {"limit", "2"}}));
  ASSERT_EQ(ind["response"]["resultSets"][0]["results"].size(), 1u);
  EXPECT_EQ(ind["response"]["resultSets"][0]["results"][0]["id"], "B2");

  for (std::string unknown : {"HP:9999999", "FOO:1", "population:XYZ"}) {
    for (Endpoint e : {Endpoint::kIndividuals, Endpoint::kGVariants}) {
      for (std::string g : {"boolean", "count", "record"}) {
        json j = Parse(Send(b, e, {{"filters", unknown}, {"requestedGranularity", g}}));
        EXPECT_FALSE(j["responseSummary"]["exists"]);
        ASSERT_TRUE(j.contains("info")) << unknown << " " << j.dump();
        EXPECT_NE(j["info"]["warnings"].dump().find(unknown), std::string::npos) << j.dump();
      }
    }
  }
  // Known terms (in the data, or sex codes) carry no warning.
  for (std::string known : {"HP:0001250", "NCIT:C16576", "population:FIN"}) {
    json j = Parse(
        Send(b, Endpoint::kIndividuals, {{"filters", known}, {"requestedGranularity", "count"}}));
    EXPECT_FALSE(j.contains("info")) << known << j.dump();
    EXPECT_TRUE(j["responseSummary"]["exists"]) << known;
  }
}

// Point 7: POST parameters nested under `g_variant`; v2.2 `countAdjustedTo`.
TEST_F(QueryFormsTest, NestedPostParametersAndCountAdjustedTo) {
  const Beacon& b = *node_->beacon;
  RunCases(
      b,
      {
          {"g_variant nested",
           {},
           200,
           1,
           R"({"query":{"requestParameters":{"g_variant":{"referenceName":"22","start":[499],)"
           R"("referenceBases":"A","alternateBases":"G"}},"requestedGranularity":"count"}})"},
          {"g_variant with a deletion",
           {},
           200,
           1,
           R"({"query":{"requestParameters":{"g_variant":{"referenceName":"refseq:NC_000022.11",)"
           R"("start":[300],"referenceBases":"CC","alternateBases":""}},"requestedGranularity":"count"}})"},
          {"unknown key inside g_variant",
           {},
           400,
           0,
           R"({"query":{"requestParameters":{"g_variant":{"referenceName":"22","colour":"x"}},)"
           R"("requestedGranularity":"count"}})"},
          {"g_variant must be an object",
           {},
           400,
           0,
           R"({"query":{"requestParameters":{"g_variant":"22"}}})"},
      });
  // A low count released to a non-exact caller: resultsCount raised to min_count, and
  // countAdjustedTo the v2.2 array of strings, in both renderers (count and record).
  for (std::string g : {"count", "record"}) {
    Reply r =
        Send(b, Endpoint::kIndividuals, {{"filters", "HP:0001250"}, {"requestedGranularity", g}},
             "", "", DatasetAccess{Granularity::kRecord, 5, false});
    json set = Parse(r)["response"]["resultSets"][0];
    EXPECT_EQ(set["resultsCount"], 5) << r.body;
    EXPECT_EQ(set["countPrecision"], "imprecise");
    EXPECT_EQ(set["countAdjustedTo"], json::array({"5"})) << r.body;
  }
}

}  // namespace
}  // namespace genomefed::beacon
