#include "vcf/reader.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/file.h"
#include "support/test_support.h"
#include "vcf/bgzf_blocks.h"

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

// ---- BGZF blocks ----

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBgzf(const std::filesystem::path& p, const std::string& data) {
  BGZF* fp = bgzf_open(p.c_str(), "w");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
}

// Some compressible, some random bytes: blocks of very different compressed sizes.
std::string MixedBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = (i / 5000) % 2 ? static_cast<char>(rng()) : static_cast<char>("ACGT"[rng() % 4]);
  }
  return s;
}

Result<std::string> InflateWhole(const std::filesystem::path& p, size_t chunk_bytes) {
  BgzfBlockReader reader;
  GF_RETURN_IF_ERROR(reader.Open(p, 0));
  BgzfInflater inflater;
  std::string all;
  BgzfChunk chunk;
  while (true) {
    chunk.clear();
    bool eof = false;
    GF_RETURN_IF_ERROR(reader.Read(chunk_bytes, chunk, &eof));
    std::vector<uint8_t> out(chunk.inflated_size);
    GF_RETURN_IF_ERROR(inflater.Inflate(chunk, p, out.data()));
    all.append(reinterpret_cast<const char*>(out.data()), out.size());
    if (eof) break;
  }
  return all;
}

TEST(BgzfBlocks, InflateWhatHtslibWrote) {
  genomefed::testing::TempDir dir;
  const std::string data = MixedBytes(700'000, 7);
  WriteBgzf(dir / "a.gz", data);
  for (size_t chunk : {size_t{1}, size_t{65536}, size_t{300'000}, size_t{10'000'000}}) {
    auto got = InflateWhole(dir / "a.gz", chunk);
    ASSERT_OK(got);
    EXPECT_TRUE(*got == data) << "chunk " << chunk;
  }
}

TEST(BgzfBlocks, DamagedBlocksAreErrorsNamingTheirOffset) {
  genomefed::testing::TempDir dir;
  WriteBgzf(dir / "a.gz", MixedBytes(300'000, 9));
  const std::string good = ReadAll(dir / "a.gz");
  // The second block's offset: the first block's BSIZE + 1.
  const size_t second = (static_cast<uint8_t>(good[16]) | static_cast<uint8_t>(good[17]) << 8) + 1;
  const std::string where = "byte offset " + std::to_string(second);
  struct Case {
    std::string name, bytes, expect;
  };
  std::vector<Case> cases;
  std::string flipped = good;
  flipped[second + 40] = static_cast<char>(flipped[second + 40] ^ 0x5A);
  cases.push_back({"flipped deflate byte", flipped, where});
  std::string crc = good;
  const size_t third =
      second +
      (static_cast<uint8_t>(good[second + 16]) | static_cast<uint8_t>(good[second + 17]) << 8) + 1;
  crc[third - 8] = static_cast<char>(crc[third - 8] ^ 1);  // the second block's CRC-32
  cases.push_back({"CRC mismatch", crc, "CRC-32 mismatch"});
  cases.push_back({"truncated", good.substr(0, second + 100), "truncated block"});
  std::string magic = good;
  magic[second] = 'X';
  cases.push_back({"not BGZF", magic, "not a BGZF"});
  std::string bsize = good;
  bsize[second + 16] = 3;
  bsize[second + 17] = 0;
  cases.push_back({"block size too small", bsize, "too small"});
  for (const auto& c : cases) {
    ASSERT_OK(WriteFileAtomic(dir / "bad.gz", c.bytes));
    auto got = InflateWhole(dir / "bad.gz", 65536);
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_NE(got.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << got.status().message();
    EXPECT_NE(got.status().message().find("bad.gz"), std::string::npos) << c.name;
  }
}

// ---- BCF read in chunks, against htslib's bcf_read ----

struct BcfShape {
  int samples = 0;
  int records = 0;
  uint32_t seed = 0;
};

// A random BCF: 1–5 alleles (sometimes 70, so GT is int16), long and short alleles, INFO/DP,
// FORMAT/DP before GT in some records, no GT in others, missing, phased, haploid and triploid
// calls. Written by htslib.
void WriteRandomBcf(const std::filesystem::path& path, const BcfShape& shape) {
  std::mt19937 rng(shape.seed);
  htsFile* fp = hts_open(path.c_str(), "wb");
  ASSERT_NE(fp, nullptr);
  bcf_hdr_t* h = bcf_hdr_init("w");
  for (const char* line : {"##contig=<ID=1,length=100000000>", "##contig=<ID=X,length=100000000>",
                           "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"depth\">",
                           "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"depth\">",
                           "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"genotype\">"}) {
    ASSERT_EQ(bcf_hdr_append(h, line), 0);
  }
  for (int s = 0; s < shape.samples; ++s) {
    ASSERT_EQ(bcf_hdr_add_sample(h, ("S" + std::to_string(s)).c_str()), 0);
  }
  ASSERT_EQ(bcf_hdr_sync(h), 0);
  ASSERT_EQ(bcf_hdr_write(fp, h), 0);
  bcf1_t* r = bcf_init();
  std::vector<int32_t> gt, dp(static_cast<size_t>(shape.samples));
  for (int i = 0; i < shape.records; ++i) {
    bcf_clear(r);
    r->rid = i < shape.records * 3 / 4 ? 0 : 1;
    r->pos = 1000 + i * 10;
    const int n_alleles = rng() % 40 == 0 ? 70 : 1 + static_cast<int>(rng() % 5);
    std::string alleles;
    for (int a = 0; a < n_alleles; ++a) {
      if (a > 0) alleles += ',';
      const size_t len = rng() % 30 == 0 ? 300 : 1 + rng() % 4;
      for (size_t k = 0; k < len; ++k) alleles += "ACGT"[rng() % 4];
    }
    ASSERT_EQ(bcf_update_alleles_str(h, r, alleles.c_str()), 0);
    const int32_t depth = static_cast<int32_t>(rng() % 100);
    ASSERT_EQ(bcf_update_info_int32(h, r, "DP", &depth, 1), 0);
    const bool no_gt = rng() % 20 == 0;
    if (no_gt || rng() % 3 == 0) {  // a record without FORMAT would have no samples
      for (auto& d : dp) d = static_cast<int32_t>(rng() % 50);
      ASSERT_EQ(bcf_update_format_int32(h, r, "DP", dp.data(), shape.samples), 0);
    }
    if (no_gt) {
      ASSERT_EQ(bcf_write(fp, h, r), 0);
      continue;
    }
    const int ploidy = rng() % 50 == 0 ? 3 : 2;
    gt.assign(static_cast<size_t>(shape.samples * ploidy), 0);
    for (int s = 0; s < shape.samples; ++s) {
      int32_t* g = gt.data() + s * ploidy;
      const bool haploid = r->rid == 1 && s % 2 == 1;
      for (int k = 0; k < ploidy; ++k) {
        if (k > 0 && (haploid || (ploidy == 3 && k == 2 && rng() % 4 != 0))) {
          g[k] = bcf_int32_vector_end;
          continue;
        }
        const uint32_t roll = rng() % 100;
        const int allele =
            roll < 80 ? 0 : static_cast<int>(rng() % static_cast<uint32_t>(n_alleles));
        g[k] = roll >= 97 ? bcf_gt_missing
                          : (rng() % 2 ? bcf_gt_phased(allele) : bcf_gt_unphased(allele));
      }
    }
    ASSERT_EQ(bcf_update_genotypes(h, r, gt.data(), static_cast<int>(gt.size())), 0);
    ASSERT_EQ(bcf_write(fp, h, r), 0);
  }
  bcf_destroy(r);
  bcf_hdr_destroy(h);
  ASSERT_EQ(hts_close(fp), 0);
}

// Reads every batch of `path`; `threads` workers prepare them (batch i by worker i % threads,
// each in increasing order, as ingest's workers take them), then all are decoded in order and
// compared with htslib's bcf_read of the same file.
void CompareWithHtslib(const std::filesystem::path& path, int samples, int threads) {
  auto file = VcfFile::Open(path);
  ASSERT_OK(file);
  ASSERT_TRUE((*file)->is_bcf());
  std::vector<std::unique_ptr<RawBatch>> batches;
  while (true) {
    auto b = std::make_unique<RawBatch>();
    ASSERT_OK((*file)->ReadBatch(*b, 64));
    if (b->end) break;
    batches.push_back(std::move(b));
  }
  std::vector<Status> prepared(batches.size());
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Decoder decoder(**file);
      for (size_t i = static_cast<size_t>(t); i < batches.size();
           i += static_cast<size_t>(threads)) {
        prepared[i] = decoder.Prepare(*batches[i]);
      }
    });
  }
  for (auto& th : pool) th.join();
  ASSERT_OK((*file)->CheckComplete());

  htsFile* fp = hts_open(path.c_str(), "r");
  bcf_hdr_t* hdr = bcf_hdr_read(fp);
  bcf1_t* rec = bcf_init();
  int32_t* gt = nullptr;
  int n_gt = 0;
  Decoder decoder(**file);
  DecodedRecord out;
  uint64_t number = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    ASSERT_OK(prepared[b]);
    for (size_t i = 0; i < batches[b]->size; ++i) {
      ++number;
      ASSERT_EQ(bcf_read(fp, hdr, rec), 0) << "htslib has fewer records than " << number;
      ASSERT_OK(decoder.Decode(*batches[b], i, out));
      ASSERT_EQ(out.location, number);
      ASSERT_EQ(out.contig_index, rec->rid);
      ASSERT_EQ(out.pos, rec->pos + 1);
      bcf_unpack(rec, BCF_UN_STR);
      ASSERT_EQ(out.alleles.size(), static_cast<size_t>(rec->n_allele));
      for (int a = 0; a < rec->n_allele; ++a) ASSERT_EQ(out.alleles[a], rec->d.allele[a]);
      const int n = bcf_get_genotypes(hdr, rec, &gt, &n_gt);
      if (n <= 0) {
        ASSERT_EQ(out.stride, 0) << "record " << number;
        continue;
      }
      const int ploidy = n / samples;
      ASSERT_EQ(out.stride, ploidy) << "record " << number;
      bool high = false;
      for (int s = 0; s < samples; ++s) {
        for (int k = 0; k < std::min(ploidy, 2); ++k) {
          ASSERT_EQ(ValueAt(out, static_cast<size_t>(s), k), gt[s * ploidy + k])
              << "record " << number << " sample " << s << " value " << k;
        }
        if (ploidy > 2 && gt[s * ploidy + 2] != bcf_int32_vector_end) high = true;
      }
      ASSERT_EQ(out.high_ploidy, high) << "record " << number;
    }
  }
  EXPECT_EQ(bcf_read(fp, hdr, rec), -1) << "htslib has more records than " << number;
  EXPECT_GT(number, 0u);
  std::free(gt);
  bcf_destroy(rec);
  bcf_hdr_destroy(hdr);
  hts_close(fp);
}

TEST(BcfChunks, DecodeEqualsHtslib) {
  genomefed::testing::TempDir dir;
  // Records of ~20 bytes to ~400 KB: many per chunk, a few, and one spanning several chunks.
  for (const BcfShape& shape :
       {BcfShape{3, 5000, 1}, BcfShape{1000, 600, 2}, BcfShape{100'000, 12, 3}}) {
    SCOPED_TRACE("samples " + std::to_string(shape.samples));
    const auto path = dir / ("r" + std::to_string(shape.samples) + ".bcf");
    WriteRandomBcf(path, shape);
    CompareWithHtslib(path, shape.samples, 1);
    CompareWithHtslib(path, shape.samples, 2);
    CompareWithHtslib(path, shape.samples, 3);
  }
}

// The inflated stream of a BCF, and a BCF (BGZF, with its end-of-file marker) of given bytes.
std::string InflatedBcf(const std::filesystem::path& path) {
  BGZF* fp = bgzf_open(path.c_str(), "r");
  std::string all;
  char buf[65536];
  ssize_t n;
  while ((n = bgzf_read(fp, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  bgzf_close(fp);
  return all;
}

// Reads the whole file as ingest does (one worker) and returns the first error.
Status ReadThrough(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(auto file, VcfFile::Open(path));
  Decoder decoder(*file);
  DecodedRecord out;
  while (true) {
    RawBatch batch;
    GF_RETURN_IF_ERROR(file->ReadBatch(batch, 64));
    if (batch.end) break;
    GF_RETURN_IF_ERROR(decoder.Prepare(batch));
    for (size_t i = 0; i < batch.size; ++i) GF_RETURN_IF_ERROR(decoder.Decode(batch, i, out));
  }
  return file->CheckComplete();
}

TEST(BcfChunks, DamagedRecordsAreErrorsNamingTheRecord) {
  genomefed::testing::TempDir dir;
  WriteRandomBcf(dir / "good.bcf", {50, 40, 4});
  ASSERT_OK(ReadThrough(dir / "good.bcf"));
  const std::string inflated = InflatedBcf(dir / "good.bcf");
  // Records start after "BCF\2\2", l_text and the header text.
  uint32_t l_text;
  std::memcpy(&l_text, inflated.data() + 5, 4);
  const size_t first = 9 + l_text;
  uint32_t l_shared, l_indiv;
  std::memcpy(&l_shared, inflated.data() + first, 4);
  std::memcpy(&l_indiv, inflated.data() + first + 4, 4);
  const size_t second = first + 8 + l_shared + l_indiv;

  struct Case {
    std::string name, bytes, expect;
  };
  std::vector<Case> cases;
  cases.push_back({"ends inside the last record", inflated.substr(0, inflated.size() - 7),
                   "record 40: the file ends inside this record"});
  cases.push_back({"ends inside a length prefix", inflated.substr(0, second + 3),
                   "record 2: the file ends inside this record"});
  std::string short_shared = inflated;
  short_shared[second] = 3;
  short_shared[second + 1] = short_shared[second + 2] = short_shared[second + 3] = 0;
  cases.push_back({"shared part too short", short_shared, "record 2: malformed BCF record"});
  std::string huge = inflated;
  huge[second + 7] = 0x7F;  // l_indiv ~2 GiB
  cases.push_back({"absurd length", huge, "record 2: "});
  std::string contig = inflated;
  contig[second + 8] = 9;  // CHROM: no such contig
  cases.push_back({"undeclared contig", contig, "record 2: contig is not declared"});
  std::string alleles = inflated;
  alleles[second + 8 + 18] = static_cast<char>(0xFF);  // n_allele 0xFF.. runs past the record
  cases.push_back({"alleles past the end", alleles, "record 2: malformed BCF record (allele"});
  std::string samples = inflated;
  samples[second + 8 + 20] = 7;  // n_sample
  cases.push_back({"sample count", samples, "record 2: the record has"});
  for (const auto& c : cases) {
    const auto path = dir / "bad.bcf";
    WriteBgzf(path, c.bytes);
    const Status s = ReadThrough(path);
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << c.name << ": " << s.message();
    EXPECT_NE(s.message().find("bad.bcf"), std::string::npos) << c.name;
  }
}

// Random damage to the records of a valid BCF (bytes flipped, the stream cut short), compressed
// again so that only the BCF layer sees it: every outcome is a clean error or a clean read, never
// a crash (run under ASan/UBSan by the debug-asan-ubsan preset).
TEST(BcfChunks, RandomDamageGivesErrorsNotCrashes) {
  genomefed::testing::TempDir dir;
  WriteRandomBcf(dir / "good.bcf", {40, 60, 6});
  const std::string inflated = InflatedBcf(dir / "good.bcf");
  uint32_t l_text;
  std::memcpy(&l_text, inflated.data() + 5, 4);
  const size_t first = 9 + l_text;  // records start here
  std::mt19937 rng(17);
  int errors = 0, clean = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = inflated;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t at = first + rng() % (bytes.size() - first);
      bytes[at] = static_cast<char>(rng() % 3 == 0 ? 0xFF : bytes[at] ^ (1 << (rng() % 8)));
    }
    if (trial % 5 == 0) bytes.resize(first + rng() % (bytes.size() - first));
    WriteBgzf(dir / "bad.bcf", bytes);
    const Status s = ReadThrough(dir / "bad.bcf");
    if (s.ok()) {
      ++clean;
    } else {
      ++errors;
      EXPECT_NE(s.message().find("bad.bcf"), std::string::npos) << s.message();
    }
  }
  EXPECT_GT(errors, 30);  // both outcomes are exercised
  EXPECT_GT(clean, 10);
}

// A record without alleles (htslib writes one when none were set) and a header whose contig
// IDX= values leave a gap: clear errors, not a read of a missing REF or an htslib assertion.
TEST(BcfChunks, RecordWithoutAllelesAndContigGapsAreErrors) {
  genomefed::testing::TempDir dir;
  {
    htsFile* fp = hts_open((dir / "noref.bcf").c_str(), "wb");
    bcf_hdr_t* h = bcf_hdr_init("w");
    ASSERT_EQ(bcf_hdr_append(h, "##contig=<ID=1,length=1000>"), 0);
    ASSERT_EQ(bcf_hdr_append(h, "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">"), 0);
    ASSERT_EQ(bcf_hdr_add_sample(h, "S0"), 0);
    ASSERT_EQ(bcf_hdr_sync(h), 0);
    ASSERT_EQ(bcf_hdr_write(fp, h), 0);
    bcf1_t* r = bcf_init();
    r->rid = 0;
    r->pos = 100;
    int32_t gt[2] = {bcf_gt_unphased(0), bcf_gt_unphased(0)};
    ASSERT_EQ(bcf_update_genotypes(h, r, gt, 2), 0);
    ASSERT_EQ(bcf_write(fp, h, r), 0);
    bcf_destroy(r);
    bcf_hdr_destroy(h);
    ASSERT_EQ(hts_close(fp), 0);
  }
  const Status no_ref = ReadThrough(dir / "noref.bcf");
  ASSERT_FALSE(no_ref.ok());
  EXPECT_NE(no_ref.message().find("record 1: malformed BCF record (no REF allele)"),
            std::string::npos)
      << no_ref.message();

  // A VCF header numbering contigs 0 and 5: the BCF written from it has a gap.
  const std::string vcf =
      "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000,IDX=0>\n"
      "##contig=<ID=2,length=1000,IDX=5>\n"
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS0\n";
  ASSERT_OK(WriteFileAtomic(dir / "gap.vcf", vcf));
  auto opened = VcfFile::Open(dir / "gap.vcf");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("IDX= values leave a gap"), std::string::npos)
      << opened.status().message();
}

// Blocks that inflate to one byte but carry ~60 KB of deflate data each (legal: the deflate
// stream ends early): a chunk stops at 2 MiB of compressed data instead of growing with the file.
TEST(BgzfBlocks, ChunksStayBoundedInCompressedBytes) {
  genomefed::testing::TempDir dir;
  std::string file;
  const std::string padding(60'000, '\0');
  for (int b = 0; b < 200; ++b) {
    // A final stored deflate block holding one byte 'A', then padding.
    const unsigned char stored[5] = {0x01, 0x01, 0x00, 0xfe, 0xff};  // final stored block, 1 byte
    std::string deflate = std::string(reinterpret_cast<const char*>(stored), 5) + "A" + padding;
    const unsigned char header[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0};
    std::string block(reinterpret_cast<const char*>(header), 16);
    const uint16_t bsize = static_cast<uint16_t>(18 + deflate.size() + 8 - 1);
    block += static_cast<char>(bsize & 0xFF);
    block += static_cast<char>(bsize >> 8);
    block += deflate;
    const uint32_t crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>("A"), 1));
    const uint32_t isize = 1;
    block.append(reinterpret_cast<const char*>(&crc), 4);
    block.append(reinterpret_cast<const char*>(&isize), 4);
    file += block;
  }
  ASSERT_OK(WriteFileAtomic(dir / "thin.gz", file));
  BgzfBlockReader reader;
  ASSERT_OK(reader.Open(dir / "thin.gz", 0));
  BgzfInflater inflater;
  size_t total = 0, chunks = 0;
  while (true) {
    BgzfChunk chunk;
    bool eof = false;
    ASSERT_OK(reader.Read(256 * 1024, chunk, &eof));
    EXPECT_LE(chunk.compressed.size(), (size_t{2} << 20) + 65536);
    std::vector<uint8_t> out(chunk.inflated_size);
    ASSERT_OK(inflater.Inflate(chunk, dir / "thin.gz", out.data()));
    total += out.size();
    ++chunks;
    if (eof) break;
  }
  EXPECT_EQ(total, 200u);
  EXPECT_GE(chunks, 6u);
}

}  // namespace
}  // namespace genomefed::vcf
