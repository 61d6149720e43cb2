// Units of htsget/: request parsing and the spec's errors, Crypt4GH segment selection and edit
// lists, signed data URLs, the block map format.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypt4gh/stream.h"
#include "htsget/archived_file.h"
#include "htsget/c4gh_slice.h"
#include "htsget/data_url.h"
#include "htsget/request.h"
#include "htsget/ticket.h"
#include "support/test_support.h"

namespace genomefed::htsget {
namespace {

QueryMap Q(std::initializer_list<std::pair<const std::string, std::string>> items) {
  return QueryMap(items);
}

TEST(HtsgetRequest, GetParsesRegionFormatClassAndScheme) {
  Request r;
  ASSERT_FALSE(ParseGet("f",
                        Q({{"format", "vcf"},
                           {"referenceName", "chr1"},
                           {"start", "10"},
                           {"end", "20"},
                           {"encryptionScheme", "CRYPT4GH"}}),
                        &r));
  EXPECT_EQ(r.format, "VCF");
  ASSERT_EQ(r.regions.size(), 1u);
  EXPECT_EQ(r.regions[0].reference_name, "chr1");
  EXPECT_EQ(r.regions[0].start, 10u);
  EXPECT_EQ(r.regions[0].end, 20u);
  EXPECT_TRUE(r.encrypted);
  ASSERT_FALSE(ParseGet("f", Q({{"class", "header"}}), &r));
  EXPECT_TRUE(r.header_only);
  EXPECT_TRUE(r.regions.empty());
}

TEST(HtsgetRequest, GetErrorsAreTheSpecs) {
  Request r;
  auto kind = [&r](const QueryMap& q) {
    auto e = ParseGet("f", q, &r);
    return e ? ErrorName(e->kind) : std::string_view("none");
  };
  EXPECT_EQ(kind(Q({{"format", "BAM"}})), "UnsupportedFormat");
  EXPECT_EQ(kind(Q({{"referenceName", "1"}, {"start", "9"}, {"end", "3"}})), "InvalidRange");
  EXPECT_EQ(kind(Q({{"start", "9"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"referenceName", "1"}, {"start", "-1"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"referenceName", "1"}, {"start", "1x"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"class", "header"}, {"referenceName", "1"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"class", "reads"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"tags", "AC,AN"}, {"notags", "AN"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"encryptionScheme", "pgp"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"bogus", "1"}})), "InvalidInput");
  EXPECT_EQ(kind(Q({{"tags", "AC"}, {"fields", "QNAME"}})), "none");
  EXPECT_EQ(HttpStatusOf(ErrorKind::kInvalidRange), 400);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kInvalidAuthentication), 401);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kNotFound), 404);
  auto body = nlohmann::json::parse(ErrorBody({ErrorKind::kNotFound, "no"}));
  EXPECT_EQ(body["htsget"]["error"], "NotFound");
  EXPECT_EQ(body["htsget"]["message"], "no");
}

TEST(HtsgetRequest, PostTakesSeveralRegions) {
  Request r;
  ASSERT_FALSE(ParsePost("f",
                         R"({"format":"BCF","regions":[{"referenceName":"1","start":5},
                             {"referenceName":"2","start":1,"end":9}],"tags":["AC"]})",
                         {}, &r));
  ASSERT_EQ(r.regions.size(), 2u);
  EXPECT_EQ(r.regions[0].start, 5u);
  EXPECT_FALSE(r.regions[0].end);
  EXPECT_EQ(r.regions[1].end, 9u);
  auto e = ParsePost("f", R"({"regions":[{"referenceName":"1","start":9,"end":2}]})", {}, &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ErrorKind::kInvalidRange);
  EXPECT_TRUE(ParsePost("f", "[1,2]", {}, &r));
  EXPECT_TRUE(ParsePost("f", R"({"regions":[{"start":1}]})", {}, &r));
  EXPECT_TRUE(ParsePost("f", R"({"regions":[{"referenceName":"1","start":-4}]})", {}, &r));
  EXPECT_TRUE(ParsePost("f", R"({"class":"header","regions":[{"referenceName":"1"}]})", {}, &r));
}

TEST(HtsgetRequest, FormatMustBeTheFiles) {
  Request r;
  r.id = "f";
  EXPECT_FALSE(CheckFormat(r, FileFormat::kBcf));
  r.format = "VCF";
  EXPECT_FALSE(CheckFormat(r, FileFormat::kVcf));
  auto e = CheckFormat(r, FileFormat::kBcf);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ErrorKind::kUnsupportedFormat);
}

// Decrypting the selected segments with the edit list must give exactly the selected bytes.
TEST(C4ghSlice, SelectedSegmentsAndEditListGiveTheRanges) {
  using crypt4gh::kSegmentSize;
  const uint64_t size = 10 * kSegmentSize + 123;
  std::string plain(size, '\0');
  for (uint64_t i = 0; i < size; ++i) plain[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  auto pair = crypt4gh::GenerateKeyPair();
  ASSERT_OK(pair);
  crypt4gh::EncryptOptions eo;
  eo.recipients = {pair->public_key};
  std::string file;
  crypt4gh::MemoryReader in(plain);
  crypt4gh::StringWriter out(&file);
  auto stats = crypt4gh::Encrypt(in, out, eo);
  ASSERT_OK(stats);
  const std::string body = file.substr(stats->header_size);
  const std::vector<std::vector<ByteSpan>> cases = {
      {{0, 100}},
      {{0, 100}, {150, 300}},  // one segment, a gap
      {{0, 2 * kSegmentSize + 5}, {5 * kSegmentSize - 3, 5 * kSegmentSize + 10}},
      {{kSegmentSize, 2 * kSegmentSize}, {2 * kSegmentSize, 2 * kSegmentSize + 1}},  // touching
      {{3, 10}, {9 * kSegmentSize, size}},  // to the end of file
  };
  for (const auto& spans : cases) {
    CipherSelection sel = SelectSegments(spans, size);
    std::string sent;
    for (const ByteSpan& b : sel.body) sent += body.substr(b.start, b.size());
    // The header for the recipient, written directly with the file's data key.
    crypt4gh::MemoryReader hin(file);
    auto header = crypt4gh::ReadHeader(hin);
    ASSERT_OK(header);
    auto opened = crypt4gh::DecryptHeader(*header, *pair);
    ASSERT_OK(opened);
    crypt4gh::HeaderContent content;
    for (const auto& k : opened->content.data_keys) content.data_keys.push_back(k.Clone());
    content.edit_list = sel.edit_list;
    const crypt4gh::PublicKey recipients[] = {pair->public_key};
    auto new_header = crypt4gh::BuildHeader(content, *pair, recipients);
    ASSERT_OK(new_header);
    std::string decrypted;
    crypt4gh::StringReader rin(*new_header + sent);
    crypt4gh::StringWriter rout(&decrypted);
    ASSERT_OK(crypt4gh::Decrypt(rin, rout, *pair));
    std::string expected;
    for (const ByteSpan& s : spans) expected += plain.substr(s.start, s.size());
    EXPECT_EQ(decrypted.size(), expected.size());
    EXPECT_TRUE(decrypted == expected);
    EXPECT_LT(sent.size(), body.size() + 1);
  }
}

TEST(DataUrl, SignedBoundAndExpiring) {
  auto signer = DataUrlSigner::Random();
  ASSERT_OK(signer);
  DataUrlClaims c;
  c.file_id = "f";
  c.purpose = "htsget";
  c.kind = DataKind::kCipherBody;
  c.start = 10;
  c.end = 99;
  c.expires_at = 1000;
  c.identity_tag = IdentityTag("alice@iss");
  auto parse = [](const std::string& q) {
    auto parsed = QueryMap();
    size_t p = 0;
    while (p < q.size()) {
      size_t amp = q.find('&', p);
      std::string kv = q.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
      parsed.emplace(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
      if (amp == std::string::npos) break;
      p = amp + 1;
    }
    return parsed;
  };
  QueryMap q = parse(signer->Query(c));
  auto ok = signer->Verify("f", "htsget", q, 999);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->start, 10u);
  EXPECT_EQ(ok->identity_tag, c.identity_tag);
  EXPECT_EQ(signer->Verify("f", "htsget", q, 1000).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(signer->Verify("g", "htsget", q, 0).ok());  // another file
  EXPECT_FALSE(signer->Verify("f", "drs", q, 0).ok());     // another purpose
  QueryMap tampered = q;
  tampered.find("e")->second = "100";
  EXPECT_FALSE(signer->Verify("f", "htsget", tampered, 0).ok());
  auto other = DataUrlSigner::Random();
  ASSERT_OK(other);
  EXPECT_FALSE(other->Verify("f", "htsget", q, 0).ok());  // another node process
  EXPECT_NE(IdentityTag("bob@iss"), c.identity_tag);
}

TEST(ArchivedFile, IdsAndBlockMaps) {
  EXPECT_EQ(DefaultFileId("/x/cohort.vcf.gz"), "cohort");
  EXPECT_EQ(DefaultFileId("a b.bcf"), "a_b");
  EXPECT_OK(CheckFileId("cohort_1.v2"));
  EXPECT_FALSE(CheckFileId("").ok());
  EXPECT_FALSE(CheckFileId("../etc").ok());
  EXPECT_FALSE(CheckFileId("a/b").ok());
  EXPECT_FALSE(CheckFileId("service-info").ok());
  EXPECT_FALSE(ParseBlockMap("GFBLKMAP", "x").ok());
  EXPECT_FALSE(ParseBlockMap("nonsense", "x").ok());
  EXPECT_EQ(Base64Decode(Base64Encode("hello, htsget")), "hello, htsget");
  EXPECT_EQ(Base64Decode(Base64Encode("ab")), "ab");
  EXPECT_FALSE(Base64Decode("a?=="));
  // The BGZF EOF marker as htslib writes it.
  EXPECT_EQ(Base64Encode(BgzfEofBlock()), "H4sIBAAAAAAA/wYAQkMCABsAAwAAAAAAAAAAAA==");
}

}  // namespace
}  // namespace genomefed::htsget
