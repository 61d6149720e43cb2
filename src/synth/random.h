// Deterministic random numbers for the synthetic cohort generator (internal to synth/).
//
// The generator promises identical output for identical options on every platform genomefed
// builds on, so it cannot use <random>'s distributions (their algorithms are implementation-
// defined). This header implements the few it needs by hand on top of xoshiro256** (Blackman &
// Vigna 2018) seeded through SplitMix64, plus a stable 64-bit string hash (FNV-1a) and a
// mixing function to derive independent streams from (seed, key, index) tuples, so that each
// site, population and cohort has its own stream and generation order never changes results.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace genomefed::synth {

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Derives a stream key from a parent key and one more component.
inline uint64_t DeriveKey(uint64_t key, uint64_t component) {
  return Mix64(key ^ Mix64(component + 0x632be59bd9b4e019ULL));
}

// FNV-1a: stable across runs and platforms (std::hash is not).
inline uint64_t HashString(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// xoshiro256**. Not thread-safe; one instance per stream.
class Rng {
 public:
  explicit Rng(uint64_t key) {
    uint64_t x = key;
    for (uint64_t& word : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      word = Mix64(x);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe for log().
  double UniformPositive() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Uniform integer in [0, n) by Lemire's multiply-shift (bias below 2^-32 for n < 2^32).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Standard normal (Marsaglia polar method).
  double Normal() {
    double u, v, s;
    do {
      u = 2.0 * Uniform() - 1.0;
      v = 2.0 * Uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * std::sqrt(-2.0 * std::log(s) / s);
  }

  // Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through the U^(1/shape) boost.
  double Gamma(double shape) {
    if (shape <= 0.0) return 0.0;
    if (shape < 1.0) {
      const double g = Gamma(shape + 1.0);
      return g * std::pow(UniformPositive(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x, v;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = UniformPositive();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  // Number of failures before the first success of a Bernoulli(p) sequence, p in (0, 1].
  // Used to skip directly to the next alternate allele or missing call.
  uint64_t Geometric(double p) {
    if (p >= 1.0) return 0;
    const double g = std::floor(std::log(UniformPositive()) / std::log1p(-p));
    return g >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(g);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace genomefed::synth
