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

// The same, 16 samples (32 bytes) per AVX2 compare.
__attribute__((target("avx2"))) size_t CollectNonRefAvx2(const uint8_t* gt, size_t n,
                                                         uint32_t* out) {
  const __m256i clear_phase = _mm256_set1_epi8(static_cast<char>(0xFE));
  const __m256i ref = _mm256_set1_epi8(2);
  size_t count = 0, s = 0;
  for (; s + 16 <= n; s += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + 2 * s));
    const __m256i eq = _mm256_cmpeq_epi8(_mm256_and_si256(v, clear_phase), ref);
    const uint32_t differ = ~static_cast<uint32_t>(_mm256_movemask_epi8(eq));  // 2 bits/sample
    // One bit per sample (the even one), so that each step clears the lowest bit (blsr) rather
    // than a mask computed from the bit's position: the loop-carried chain is then one cycle,
    // not three (this loop runs once per non-reference call).
    uint32_t samples = (differ | (differ >> 1)) & 0x55555555u;
    while (samples != 0) {
      out[count++] =
          static_cast<uint32_t>(s) + static_cast<uint32_t>(std::countr_zero(samples)) / 2;
      samples &= samples - 1;
    }
  }
  const size_t tail = CollectNonRefPortable(gt + 2 * s, n - s, out + count);
  for (size_t k = count; k < count + tail; ++k) out[k] += static_cast<uint32_t>(s);
  return count + tail;
}

bool CpuHasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}

size_t CollectNonRef(const uint8_t* gt, size_t n, uint32_t* out) {
  using Fn = size_t (*)(const uint8_t*, size_t, uint32_t*);
  static const Fn fn = CpuHasAvx2() ? CollectNonRefAvx2 : CollectNonRefPortable;
  return fn(gt, n, out);
}

}  // namespace genomefed::ingest
