#include "ingest/gt_scan.h"

#include <immintrin.h>

#include <bit>
#include <cstring>

namespace genomefed::ingest {

size_t CollectNonRefPortable(const uint8_t* gt, size_t n, uint32_t* out) {
  constexpr uint64_t kPhase = 0x0101010101010101ull, kRef = 0x0202020202020202ull;
  constexpr uint64_t kLow = 0x00FF00FF00FF00FFull;
  size_t count = 0, s = 0;
  for (; s + 4 <= n; s += 4) {
    uint64_t w;
    std::memcpy(&w, gt + 2 * s, 8);
    const uint64_t x = (w & ~kPhase) ^ kRef;
    if (x == 0) continue;
    uint64_t lanes = (x | (x >> 8)) & kLow;  // byte 2j non-zero: sample s + j
    lanes = (lanes + kLow) & ~kLow;          // now only bit 16j + 8 set for such a sample
    while (lanes != 0) {
      out[count++] = static_cast<uint32_t>(s) + static_cast<uint32_t>(std::countr_zero(lanes)) / 16;
      lanes &= lanes - 1;
    }
  }
  for (; s < n; ++s) {
    if ((gt[2 * s] & 0xFE) != 2 || (gt[2 * s + 1] & 0xFE) != 2)
      out[count++] = static_cast<uint32_t>(s);
  }
  return count;
}

namespace {
// For each byte value, the positions of its set bits (padded with zeros): turns 8 samples'
// flags into their indices with one load and one widening, without a branch per sample.
struct BitPositions {
  alignas(8) uint8_t at[256][8] = {};
  constexpr BitPositions() {
    for (int v = 0; v < 256; ++v) {
      int k = 0;
      for (int b = 0; b < 8; ++b) {
        if (v >> b & 1) at[v][k++] = static_cast<uint8_t>(b);
      }
    }
  }
};
constexpr BitPositions kBitPositions;

// Appends the indices base + j of the set bits j of `mask` (32 samples) to out[count...]; eight
// at a time, one store each. Never writes past out + (samples before base) + 32.
__attribute__((target("avx2,popcnt"), always_inline)) inline size_t AppendSetBits(uint32_t mask,
                                                                                  uint32_t base,
                                                                                  uint32_t* out,
                                                                                  size_t count) {
  for (uint32_t k = 0; k < 4; ++k) {
    const uint32_t byte = (mask >> (8 * k)) & 0xFF;
    const __m128i positions =
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kBitPositions.at[byte]));
    const __m256i ids = _mm256_add_epi32(_mm256_cvtepu8_epi32(positions),
                                         _mm256_set1_epi32(static_cast<int>(base + 8 * k)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + count), ids);
    count += static_cast<size_t>(std::popcount(byte));
  }
  return count;
}

// One bit per sample (32 samples) from two vectors of 16-bit lane flags.
__attribute__((target("avx2"), always_inline)) inline uint32_t LaneBits(__m256i lo, __m256i hi) {
  // packs interleaves 128-bit lanes (lo0-7 hi0-7 lo8-15 hi8-15); the permute restores order.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi16(lo, hi), 0xD8);
  return static_cast<uint32_t>(_mm256_movemask_epi8(packed));
}
}  // namespace

// The same, 32 samples (64 bytes) per step: each sample's two bytes are one 16-bit lane, so a
// 16-bit compare gives one flag per sample and a pack + movemask one bit per sample. A step with
// no non-reference call costs one test; otherwise each byte of the mask writes its 8 samples'
// indices in one store (kBitPositions) and advances by its popcount. Measured on the 2,504 ×
// 200,000 synth BCF (49 M non-reference calls): 0.18 s for the whole file with a loop over the
// set bits of a byte-compare mask, which mispredicted on every common allele.
__attribute__((target("avx2,popcnt"))) size_t CollectNonRefAvx2(const uint8_t* gt, size_t n,
                                                                uint32_t* out) {
  const __m256i clear_phase = _mm256_set1_epi16(static_cast<int16_t>(0xFEFE));
  const __m256i ref = _mm256_set1_epi16(0x0202);
  const __m256i ones = _mm256_set1_epi32(-1);
  size_t count = 0, s = 0;
  for (; s + 32 <= n; s += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + 2 * s));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + 2 * s + 32));
    const __m256i ref_a = _mm256_cmpeq_epi16(_mm256_and_si256(a, clear_phase), ref);
    const __m256i ref_b = _mm256_cmpeq_epi16(_mm256_and_si256(b, clear_phase), ref);
    if (_mm256_testc_si256(_mm256_and_si256(ref_a, ref_b), ones)) continue;  // all 0/0
    count = AppendSetBits(~LaneBits(ref_a, ref_b), static_cast<uint32_t>(s), out, count);
  }
  const size_t tail = CollectNonRefPortable(gt + 2 * s, n - s, out + count);
  for (size_t k = count; k < count + tail; ++k) out[k] += static_cast<uint32_t>(s);
  return count + tail;
}

BiallelicSplit SplitBiallelicPortable(const uint8_t* gt, size_t n, uint32_t first_id,
                                      const BiallelicLists& out) {
  BiallelicSplit c;
  for (uint32_t s = 0; s < n; ++s) {
    // Phase bits cleared: 2 is allele 0, 4 allele 1, 0 a missing allele.
    const uint32_t a = gt[2 * s] & 0xFEu, b = gt[2 * s + 1] & 0xFEu;
    const uint32_t id = first_id + s;
    const bool a_allele = a == 2 || a == 4, b_allele = b == 2 || b == 4;
    if (a_allele && b_allele) {
      if (a == 2 && b == 2) continue;
      if (a == b) {
        out.hom[c.hom++] = id;
      } else {
        out.het[c.het++] = id;
      }
    } else if (a_allele && gt[2 * s + 1] == 0x81) {  // haploid
      out.called1[c.called1++] = id;
      if (a == 4) out.hemi[c.hemi++] = id;
    } else if (a == 0 && b == 0) {
      out.called0[c.called0++] = id;
    } else {
      out.other[c.other++] = s;
    }
  }
  return c;
}

// Each sample's two bytes are one 16-bit lane; with phase bits cleared a lane is 0x0202 for
// 0/0, 0x0402 or 0x0204 for a het call, 0x0404 for hom-alt and 0 for ./.; a haploid call keeps
// its second byte, the vector end 0x81 (int8 "missing", 0x80, would be a call with one allele
// missing, not a haploid one). A few compares classify 16 samples, and the lists are written
// eight indices per store. This replaced CollectNonRef plus a scalar pass over its output (a
// load of each listed call's bytes, then the split), which was a fifth of BCF ingest's CPU on
// the synth cohort, and the scalar path for chrX's haploid calls (BENCHMARKS.md).
__attribute__((target("avx2,popcnt"))) BiallelicSplit SplitBiallelicAvx2(
    const uint8_t* gt, size_t n, uint32_t first_id, const BiallelicLists& out) {
  const __m256i clear_phase = _mm256_set1_epi16(static_cast<int16_t>(0xFEFE));
  const __m256i clear_first_phase = _mm256_set1_epi16(static_cast<int16_t>(0xFFFE));
  const __m256i ref = _mm256_set1_epi16(0x0202);
  const __m256i het_a = _mm256_set1_epi16(0x0402), het_b = _mm256_set1_epi16(0x0204);
  const __m256i hom_alt = _mm256_set1_epi16(0x0404);
  const __m256i haploid_ref = _mm256_set1_epi16(static_cast<int16_t>(0x8102));
  const __m256i haploid_alt = _mm256_set1_epi16(static_cast<int16_t>(0x8104));
  const __m256i zero = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi32(-1);
  BiallelicSplit c;
  size_t s = 0;
  for (; s + 32 <= n; s += 32) {
    const __m256i raw_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + 2 * s));
    const __m256i raw_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + 2 * s + 32));
    const __m256i lo = _mm256_and_si256(raw_lo, clear_phase);
    const __m256i hi = _mm256_and_si256(raw_hi, clear_phase);
    const __m256i ref_lo = _mm256_cmpeq_epi16(lo, ref), ref_hi = _mm256_cmpeq_epi16(hi, ref);
    if (_mm256_testc_si256(_mm256_and_si256(ref_lo, ref_hi), ones)) continue;  // all 0/0
    const uint32_t base = static_cast<uint32_t>(s);
    const __m256i het_lo =
        _mm256_or_si256(_mm256_cmpeq_epi16(lo, het_a), _mm256_cmpeq_epi16(lo, het_b));
    const __m256i het_hi =
        _mm256_or_si256(_mm256_cmpeq_epi16(hi, het_a), _mm256_cmpeq_epi16(hi, het_b));
    const __m256i hom_lo = _mm256_cmpeq_epi16(lo, hom_alt);
    const __m256i hom_hi = _mm256_cmpeq_epi16(hi, hom_alt);
    const uint32_t het_bits = LaneBits(het_lo, het_hi), hom_bits = LaneBits(hom_lo, hom_hi);
    if (het_bits != 0) c.het = AppendSetBits(het_bits, first_id + base, out.het, c.het);
    if (hom_bits != 0) c.hom = AppendSetBits(hom_bits, first_id + base, out.hom, c.hom);
    // Usually every call here is 0/0, het or hom: then the rarer classes are not looked for.
    const __m256i diploid_lo = _mm256_or_si256(ref_lo, _mm256_or_si256(het_lo, hom_lo));
    const __m256i diploid_hi = _mm256_or_si256(ref_hi, _mm256_or_si256(het_hi, hom_hi));
    if (_mm256_testc_si256(_mm256_and_si256(diploid_lo, diploid_hi), ones)) continue;
    const uint32_t missing_bits =
        LaneBits(_mm256_cmpeq_epi16(lo, zero), _mm256_cmpeq_epi16(hi, zero));
    const __m256i h_lo = _mm256_and_si256(raw_lo, clear_first_phase);
    const __m256i h_hi = _mm256_and_si256(raw_hi, clear_first_phase);
    const uint32_t hemi_bits =
        LaneBits(_mm256_cmpeq_epi16(h_lo, haploid_alt), _mm256_cmpeq_epi16(h_hi, haploid_alt));
    const uint32_t haploid_bits = hemi_bits | LaneBits(_mm256_cmpeq_epi16(h_lo, haploid_ref),
                                                       _mm256_cmpeq_epi16(h_hi, haploid_ref));
    const uint32_t other_bits = ~(LaneBits(diploid_lo, diploid_hi) | missing_bits | haploid_bits);
    if (haploid_bits != 0) {
      c.called1 = AppendSetBits(haploid_bits, first_id + base, out.called1, c.called1);
      if (hemi_bits != 0) c.hemi = AppendSetBits(hemi_bits, first_id + base, out.hemi, c.hemi);
    }
    if (missing_bits != 0) {
      c.called0 = AppendSetBits(missing_bits, first_id + base, out.called0, c.called0);
    }
    if (other_bits != 0) c.other = AppendSetBits(other_bits, base, out.other, c.other);
  }
  const BiallelicLists rest = {out.het + c.het,         out.hom + c.hom,
                               out.hemi + c.hemi,       out.called1 + c.called1,
                               out.called0 + c.called0, out.other + c.other};
  const BiallelicSplit tail =
      SplitBiallelicPortable(gt + 2 * s, n - s, first_id + static_cast<uint32_t>(s), rest);
  for (size_t k = 0; k < tail.other; ++k) rest.other[k] += static_cast<uint32_t>(s);
  c.het += tail.het;
  c.hom += tail.hom;
  c.hemi += tail.hemi;
  c.called1 += tail.called1;
  c.called0 += tail.called0;
  c.other += tail.other;
  return c;
}

BiallelicSplit SplitBiallelic(const uint8_t* gt, size_t n, uint32_t first_id,
                              const BiallelicLists& out) {
  using Fn = BiallelicSplit (*)(const uint8_t*, size_t, uint32_t, const BiallelicLists&);
  static const Fn fn = CpuHasAvx2() ? SplitBiallelicAvx2 : SplitBiallelicPortable;
  return fn(gt, n, first_id, out);
}

bool CpuHasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("popcnt") != 0;
  }();
  return has;
}

size_t CollectNonRef(const uint8_t* gt, size_t n, uint32_t* out) {
  using Fn = size_t (*)(const uint8_t*, size_t, uint32_t*);
  static const Fn fn = CpuHasAvx2() ? CollectNonRefAvx2 : CollectNonRefPortable;
  return fn(gt, n, out);
}

}  // namespace genomefed::ingest
