// Where a segment's bytes go, and what each measure of format version 3 bought: reads a version
// 3 segment (one chunk: at most 65,536 samples), materialises every allele's four classes and
// re-sizes them under version 2's rules (Elias–Fano lists capped at max(256, bitset / 2) ids,
// all four classes stored, REF/ALT spelled out) and the steps between. Sizes of Elias–Fano
// payloads depend on (cardinality, width) alone, so they are computed, not encoded.
// Usage: store_size_breakdown SEGMENT_FILE   (figures in BENCHMARKS.md "Segment format version 3")
#include <algorithm>
#include <bit>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "store/carrier_set.h"
#include "store/segment.h"

namespace genomefed::store {
namespace {

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Version 2's encoding of a set of `c` ids below `w` (one chunk), capped or not.
size_t EliasFanoSetBytes(size_t c, uint32_t w, bool capped) {
  if (c == 0) return 1;
  const size_t bitset = (w + 63) / 64 * 8;
  const int l = std::bit_width(w / c) - 1;
  const size_t ef = (c * static_cast<size_t>(l) + c + ((w - 1) >> l) + 7) / 8;
  const bool list = ef < bitset && (!capped || c <= std::max<size_t>(256, bitset / 2));
  return VarintBytes(c) + (list ? ef : bitset);
}

size_t RiceSetBytes(const std::vector<SampleId>& ids, uint32_t w) {
  std::string out;
  EncodeCarrierSet(ids, w, out);
  return out.size();
}

std::vector<SampleId> Minus(const std::vector<SampleId>& a, const std::vector<SampleId>& b) {
  std::vector<SampleId> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

int Run(const char* path) {
  auto opened = Segment::Open(path);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  const Segment& seg = **opened;
  const uint32_t w = seg.universe();
  if (w > kChunkBits) {
    std::fprintf(stderr, "one-chunk segments only (universe %u)\n", w);
    return 1;
  }
  // Bytes of the four classes' sets under each rule, and of the blob heads.
  size_t ef_capped = 0, ef_uncapped = 0, rice4 = 0, rice_stored = 0;
  size_t strings_v2 = 0, strings_v3 = 0, back_v2 = 0, back_v3 = 0;
  size_t omitted[3] = {};
  for (uint64_t i = 0; i < seg.allele_count(); ++i) {
    const Segment::AlleleBlob a = seg.allele(i);
    const uint8_t* p = a.sets;
    const uint8_t* start = p;
    std::vector<SampleId> stored[4];
    for (auto& s : stored) {
      s = CarrierSetToVector(p, w);
      p = SkipCarrierSet(p, w);
    }
    rice_stored += static_cast<size_t>(p - start);
    std::vector<SampleId> het = stored[0], hom = stored[1];
    if (a.omitted != kOmitNone) {
      SampleSet carriers(w);
      seg.AddCarriers(i, nullptr, carriers);
      const std::vector<SampleId> diploid = Minus(Minus(carriers.ToVector(), stored[2]), stored[3]);
      if (a.omitted == kOmitHet) {
        hom = stored[0];
        het = Minus(diploid, hom);
      } else {
        het = stored[0];
        hom = Minus(diploid, het);
      }
    }
    ++omitted[a.omitted];
    for (const auto* s : {&het, &hom, &stored[2], &stored[3]}) {
      ef_capped += EliasFanoSetBytes(s->size(), w, true);
      ef_uncapped += EliasFanoSetBytes(s->size(), w, false);
      rice4 += RiceSetBytes(*s, w);
    }
    const uint64_t back = static_cast<uint64_t>(a.sets - a.site) -
                          (a.ref.size() == 1 && a.alt.size() == 1 ? 1 : 0);  // approximate
    back_v2 += VarintBytes(back);
    back_v3 += VarintBytes(back << 2);
    strings_v2 +=
        VarintBytes(a.ref.size()) + a.ref.size() + VarintBytes(a.alt.size()) + a.alt.size();
    const bool snv = a.ref.size() == 1 && a.alt.size() == 1 &&
                     std::string_view("ACGT").find(a.ref[0]) != std::string_view::npos &&
                     std::string_view("ACGT").find(a.alt[0]) != std::string_view::npos;
    strings_v3 += snv ? 1
                      : VarintBytes(a.ref.size() + 15) + a.ref.size() + VarintBytes(a.alt.size()) +
                            a.alt.size();
  }
  const double n = static_cast<double>(seg.allele_count());
  std::printf("alleles %llu, samples %u; omitted class: none %zu, het %zu, hom %zu\n",
              static_cast<unsigned long long>(seg.allele_count()), w, omitted[0], omitted[1],
              omitted[2]);
  auto row = [&](const char* what, size_t bytes) {
    std::printf("%-58s %12zu B %8.2f B/allele\n", what, bytes, static_cast<double>(bytes) / n);
  };
  row("allele sets, v2 rule (Elias-Fano, capped), 4 classes", ef_capped);
  row("allele sets, Elias-Fano uncapped, 4 classes", ef_uncapped);
  row("allele sets, Rice (v3 rule), 4 classes", rice4);
  row("allele sets, Rice, largest diploid class omitted (v3)", rice_stored);
  row("REF/ALT, v2 (varint len | REF | varint len | ALT)", strings_v2);
  row("REF/ALT, v3 (SNV of ACGT in one byte)", strings_v3);
  row("site back reference, v2 (varint back)", back_v2);
  row("site back reference + omitted class, v3 (varint back << 2)", back_v3);
  return 0;
}

}  // namespace
}  // namespace genomefed::store

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEGMENT_FILE\n", argv[0]);
    return 2;
  }
  return genomefed::store::Run(argv[1]);
}
