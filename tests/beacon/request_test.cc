#include "beacon/request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "beacon/gene_table.h"
#include "support/test_support.h"

namespace genomefed::beacon {
namespace {

Result<BeaconRequest> Get(std::initializer_list<std::pair<const std::string, std::string>> kv) {
  return ParseGetRequest(QueryMap(kv));
}

void ExpectInvalid(const Result<BeaconRequest>& r, std::string_view fragment) {
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

TEST(RequestTest, GetSequenceQuery) {
  auto r = Get({{"referenceName", "chr22"},
                {"start", "16050074"},
                {"referenceBases", "a"},
                {"alternateBases", "G"},
                {"requestedGranularity", "count"},
                {"filters", "HP:0001250, NCIT:C20197"}});
  ASSERT_OK(r);
  ASSERT_TRUE(r->variant);
  EXPECT_EQ(r->variant->contig, "22");
  EXPECT_EQ(r->variant->start, 16050074);
  EXPECT_FALSE(r->variant->end);
  EXPECT_EQ(r->variant->reference_bases, "A");
  EXPECT_TRUE(r->variant->is_sequence());
  EXPECT_EQ(r->requested(), Granularity::kCount);
  ASSERT_EQ(r->filters.size(), 2u);
  EXPECT_EQ(r->filters[1].id, "NCIT:C20197");
  EXPECT_EQ(r->include, IncludeResultsets::kHit);
  EXPECT_EQ(r->limit, 10u);
}

TEST(RequestTest, GetRangeBracketAndRefSeq) {
  auto range = Get({{"referenceName", "NC_000022.10"},
                    {"start", "100"},
                    {"end", "200"},
                    {"variantType", "snv"}});
  ASSERT_OK(range);
  EXPECT_EQ(range->variant->contig, "22");
  EXPECT_EQ(range->variant->variant_type, "SNP");
  EXPECT_FALSE(range->variant->is_bracket());

  auto bracket = Get({{"referenceName", "22"}, {"start", "[100,150]"}, {"end", "200,250"}});
  ASSERT_OK(bracket);
  EXPECT_TRUE(bracket->variant->is_bracket());
  EXPECT_EQ(bracket->variant->start_max, 150);
  EXPECT_EQ(bracket->variant->end_max, 250);
}

TEST(RequestTest, RepeatedFiltersAccumulate) {
  QueryMap q{{"filters", "HP:1"}, {"filters", "HP:2,HP:3"}};
  auto r = ParseGetRequest(q);
  ASSERT_OK(r);
  EXPECT_EQ(r->filters.size(), 3u);
}

TEST(RequestTest, PostNestedAndFlatAgree) {
  auto nested = ParsePostRequest(R"({
    "meta": {"apiVersion": "2.0", "requestedSchemas": []},
    "query": {"requestParameters": {"referenceName": "22", "start": [16050074],
                                    "referenceBases": "A", "alternateBases": "G"},
              "filters": [{"id": "HP:0001250", "includeDescendantTerms": false}, "DUO:0000042",
                          {"id": "sex", "operator": "=", "value": "female"}],
              "includeResultsetResponses": "ALL",
              "pagination": {"skip": 2, "limit": 5},
              "requestedGranularity": "record", "testMode": false}})");
  ASSERT_OK(nested);
  EXPECT_EQ(nested->api_version, "2.0");
  EXPECT_EQ(nested->variant->start, 16050074);
  ASSERT_EQ(nested->filters.size(), 3u);
  EXPECT_FALSE(nested->filters[0].include_descendants);
  EXPECT_EQ(nested->filters[2].op, "=");
  EXPECT_EQ(nested->include, IncludeResultsets::kAll);
  EXPECT_EQ(nested->skip, 2u);
  EXPECT_EQ(nested->limit, 5u);
  EXPECT_EQ(nested->requested(), Granularity::kRecord);

  auto flat = ParsePostRequest(R"({"referenceName": "chr22", "start": "16050074",
    "referenceBases": "A", "alternateBases": "G", "requestedGranularity": "record"})");
  ASSERT_OK(flat);
  EXPECT_EQ(flat->variant->contig, nested->variant->contig);
  EXPECT_EQ(flat->variant->start, nested->variant->start);

  auto empty = ParsePostRequest("");
  ASSERT_OK(empty);
  EXPECT_FALSE(empty->variant);
}

TEST(RequestTest, RejectsWhatMustFail) {
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "12"}, {"colour", "blue"}}),
                "unknown request parameter 'colour'");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "-1"}, {"end", "5"}}), "start must be");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "100"}, {"end", "100"}}),
                "must be greater than start");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "abc"}}), "not an integer");
  ExpectInvalid(Get({{"start", "100"}}), "referenceName is required");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "1"}, {"alternateBases", "XYZ"}}),
                "alternateBases");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "[5,1]"}, {"end", "[6,7]"}}),
                "min must not exceed max");
  ExpectInvalid(Get({{"referenceName", "22"}, {"start", "[1,5]"}}), "bracket");
  ExpectInvalid(Get({{"requestedGranularity", "everything"}}), "requestedGranularity");
  ExpectInvalid(Get({{"includeResultsetResponses", "SOME"}}), "includeResultsetResponses");
  ExpectInvalid(Get({{"limit", "100000"}}), "limit");
  ExpectInvalid(Get({{"geneId", "BRCA2"}, {"start", "1"}}), "geneId cannot be combined");
  ExpectInvalid(ParsePostRequest("{\"query\": {"), "not valid JSON");
  ExpectInvalid(ParsePostRequest("[1]"), "JSON object");
  ExpectInvalid(ParsePostRequest(R"({"query": {}, "extra": 1})"), "unknown top-level");
  ExpectInvalid(ParsePostRequest(R"({"query": {"filters": [{"id": "HP:1", "bogus": 1}]}})"),
                "unknown filter property");
  ExpectInvalid(ParsePostRequest(R"({"query": {"requestParameters": {"start": [1, 2, 3],
                 "referenceName": "1"}}})"),
                "pair");
  auto unsupported = Get({{"aminoacidChange", "V600E"}});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.status().code(), StatusCode::kUnimplemented);
}

TEST(RequestTest, NeverCrashesOnOddInput) {
  // A deterministic sweep of awkward values through every parameter.
  const char* values[] = {"",
                          " ",
                          "[",
                          "]",
                          "[,]",
                          "1,2,3",
                          "99999999999999999999",
                          "-0",
                          "1e3",
                          "\xff\xfe",
                          "null",
                          "[1,",
                          "N",
                          "...",
                          "%00",
                          "-",
                          ".",
                          "refseq:",
                          "refseq:NC_",
                          "NC_000022.",
                          "nc_000023.11",
                          "REFSEQ:NC_012920.1",
                          "NC_0000221.11",
                          "GCF_000001405.",
                          "GCF_000001405.99"};
  const char* keys[] = {"referenceName",
                        "start",
                        "end",
                        "referenceBases",
                        "alternateBases",
                        "variantType",
                        "geneId",
                        "filters",
                        "skip",
                        "limit",
                        "requestedGranularity",
                        "includeResultsetResponses",
                        "testMode",
                        "variantMinLength",
                        "datasetIds",
                        "assemblyId",
                        "g_variant"};
  for (const char* k : keys) {
    for (const char* v : values) {
      auto r = Get({{k, v}});
      (void)r;
      nlohmann::json body = {{"query", {{"requestParameters", {{k, v}}}}}};
      auto p =
          ParsePostRequest(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      (void)p;
      // Nested under g_variant, and beside a sequence query's other parameters (the unpadded
      // indel, trimming and accession paths).
      nlohmann::json nested = {
          {"query", {{"requestParameters", {{"g_variant", {{"referenceName", "22"}, {k, v}}}}}}}};
      (void)ParsePostRequest(nested.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      (void)Get({{"referenceName", "22"}, {"start", "5"}, {"referenceBases", "AC"}, {k, v}});
      (void)Get({{"referenceName", v}, {"start", "5"}, {"alternateBases", "-"}, {k, v}});
    }
  }
  SUCCEED();
}

TEST(GeneTableTest, BedAndGtf) {
  auto bed = GeneTable::ParseBed(
      "track name=x\nchr22\t16050000\t16060001\tTESTG\n"
      "22 100 200 OTHER\n",
      "genes.bed");
  ASSERT_OK(bed);
  auto g = bed->Find("testg");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->contig, "22");
  EXPECT_EQ(g->start, 16050000);
  EXPECT_EQ(g->end, 16060001);
  EXPECT_TRUE(bed->Find("OTHER"));

  auto gtf = GeneTable::ParseGtf(
      "#!genome-build GRCh38\n"
      "chr13\tHAVANA\tgene\t32315508\t32400268\t.\t+\t.\tgene_id \"ENSG00000139618.17\"; "
      "gene_type \"protein_coding\"; gene_name \"BRCA2\";\n"
      "chr13\tHAVANA\texon\t32315508\t32315667\t.\t+\t.\tgene_id \"ENSG00000139618.17\"; "
      "gene_name \"BRCA2\";\n",
      "genes.gtf");
  ASSERT_OK(gtf);
  auto brca2 = gtf->Find("BRCA2");
  ASSERT_TRUE(brca2);
  EXPECT_EQ(brca2->start, 32315507);  // 1-based inclusive → 0-based half-open
  EXPECT_EQ(brca2->end, 32400268);
  EXPECT_TRUE(gtf->Find("ENSG00000139618"));
  EXPECT_TRUE(gtf->Find("ENSG00000139618.16"));

  auto bad = GeneTable::ParseBed("chr1\t200\t100\tX\n", "bad.bed");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.bed:1"), std::string::npos);
}

}  // namespace
}  // namespace genomefed::beacon
