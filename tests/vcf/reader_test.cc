#include "vcf/reader.h"

#include <gtest/gtest.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "support/test_support.h"

namespace genomefed::vcf {
namespace {

// Value k (k < 2) of sample s as an int32 in htslib's encoding (vector end widened).
int32_t ValueAt(const DecodedRecord& r, size_t s, int k) {
  const size_t i = s * static_cast<size_t>(r.stride) + static_cast<size_t>(k);
  switch (r.gt_width) {
    case 1: {
      const int8_t v = static_cast<int8_t>(r.gt[i]);
      if (v == bcf_int8_vector_end) return bcf_int32_vector_end;
      if (v == bcf_int8_missing) return bcf_int32_missing;
      return v;
    }
    case 2: {
      int16_t v;
      std::memcpy(&v, r.gt + 2 * i, 2);
      if (v == bcf_int16_vector_end) return bcf_int32_vector_end;
      if (v == bcf_int16_missing) return bcf_int32_missing;
      return v;
    }
    default: {
      int32_t v;
      std::memcpy(&v, r.gt + 4 * i, 4);
      return v;
    }
  }
}

std::string RandomCall(std::mt19937& rng) {
  static const std::vector<std::string> kAlleles = {
      "0", "0",  "0",  "1", "2", "10", "62", "63", "69",         "+1",
      "+", "00", "01", ".", ".", "",   "a",  "-1", "4294967297", "99999999999"};
  static const std::vector<std::string> kTails = {"", "",  "",  "",  "",  "",  "",
                                                  "", "x", ":", " ", "/", ".5"};
  std::uniform_int_distribution<size_t> pick(0, kAlleles.size() - 1), tail(0, kTails.size() - 1);
  std::uniform_int_distribution<int> n_alleles(1, 3), sep(0, 1), reference(0, 3);
  if (reference(rng) != 0) return sep(rng) ? "0/0" : "0|0";  // the bulk, as in real files
  std::string call = kAlleles[pick(rng)];
  for (int k = 1, n = n_alleles(rng); k < n; ++k) {
    call += sep(rng) ? "/" : "|";
    call += kAlleles[pick(rng)];
  }
  return call + kTails[tail(rng)];
}

// The ingest's own parser of GT-only records must accept exactly what htslib's vcf_parse
// accepts and decode the same values: random calls (valid, odd and malformed) are decoded
// both ways, record by record.
TEST(Decoder, GtOnlyParserAgreesWithHtslibOnRandomCalls) {
  testing::TempDir dir;
  std::mt19937 rng(7);
  std::string alts;
  for (int i = 0; i < 70; ++i) alts += (i ? ",C" : "C") + std::string(static_cast<size_t>(i), 'A');
  constexpr int kSamples = 6, kRecords = 3000;
  std::string text =
      "##fileformat=VCFv4.2\n##contig=<ID=1,length=100000000>\n"
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT";
  for (int s = 0; s < kSamples; ++s) text += "\ts" + std::to_string(s);
  text += "\n";
  std::vector<std::string> lines;
  for (int r = 0; r < kRecords; ++r) {
    std::string line =
        "1\t" + std::to_string(100 + r) + "\t.\tA\t" + (r % 5 ? "C,G" : alts) + "\t.\t.\t.\tGT";
    for (int s = 0; s < kSamples; ++s) line += "\t" + RandomCall(rng);
    if (r % 97 == 0) line.erase(line.rfind('\t'));  // a sample column short
    lines.push_back(line);
    text += line + "\n";
  }
  const auto path = dir / "random.vcf";
  ASSERT_OK(WriteFileAtomic(path, text));

  // htslib's view, line by line.
  htsFile* fp = hts_open(path.c_str(), "r");
  ASSERT_NE(fp, nullptr);
  bcf_hdr_t* hdr = bcf_hdr_read(fp);
  ASSERT_NE(hdr, nullptr);
  bcf1_t* rec = bcf_init();
  int32_t* gt = nullptr;
  int n_gt = 0;

  auto file = VcfFile::Open(path);
  ASSERT_OK(file);
  Decoder decoder(**file);
  RawBatch batch;
  ASSERT_OK((*file)->ReadBatch(batch, kRecords + 10));
  ASSERT_EQ(batch.size, static_cast<size_t>(kRecords));
  int accepted = 0, refused = 0;
  DecodedRecord out;
  for (int r = 0; r < kRecords; ++r) {
    kstring_t ks = KS_INITIALIZE;
    kputs(lines[r].c_str(), &ks);
    const int hts_ret = vcf_parse(&ks, hdr, rec);
    const bool hts_ok = hts_ret == 0 && (rec->errcode & ~BCF_ERR_TAG_UNDEF) == 0;
    ks_free(&ks);
    const Status ours = decoder.Decode(batch, static_cast<size_t>(r), out);
    ASSERT_EQ(ours.ok(), hts_ok) << lines[r] << "\n" << ours.ToString();
    if (!hts_ok) {
      ++refused;
      continue;
    }
    ++accepted;
    const int n = bcf_get_genotypes(hdr, rec, &gt, &n_gt);
    ASSERT_GT(n, 0);
    const int ploidy = n / kSamples;
    bool high = false;
    for (int s = 0; s < kSamples; ++s) {
      for (int k = 0; k < std::min(ploidy, 2); ++k) {
        EXPECT_EQ(ValueAt(out, static_cast<size_t>(s), k), gt[s * ploidy + k])
            << lines[r] << " sample " << s << " value " << k;
      }
      if (ploidy == 1) {
        EXPECT_EQ(ValueAt(out, static_cast<size_t>(s), 1), bcf_int32_vector_end);
      }
      if (ploidy > 2 && gt[s * ploidy + 2] != bcf_int32_vector_end) high = true;
    }
    EXPECT_EQ(out.high_ploidy, high) << lines[r];
  }
  EXPECT_GT(accepted, kRecords / 10);  // both outcomes are exercised
  EXPECT_GT(refused, kRecords / 10);
  std::free(gt);
  bcf_destroy(rec);
  bcf_hdr_destroy(hdr);
  hts_close(fp);
}

}  // namespace
}  // namespace genomefed::vcf
