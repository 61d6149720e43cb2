#include "store/carrier_set.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace genomefed::store {
namespace {

inline uint32_t ChunkWidth(uint32_t key, uint32_t universe) {
  const uint64_t start = uint64_t{key} * kChunkBits;
  return static_cast<uint32_t>(std::min<uint64_t>(kChunkBits, universe - start));
}
inline size_t BitsetBytes(uint32_t width) { return ((width + 63) / 64) * 8; }

// Elias–Fano parameters of a chunk of `card` ids below `width`: `low` bits per id stored
// verbatim, the rest (id >> low) in unary, `high_bits` long.
struct EfShape {
  int low = 0;
  size_t high_bits = 0;
  size_t bytes = 0;  // low bits, then high bits, in one bit stream
};
inline EfShape Shape(uint32_t card, uint32_t width) {
  EfShape e;
  e.low = std::bit_width(width / card) - 1;  // the largest l with card · 2^l ≤ width
  e.high_bits = card + ((width - 1) >> e.low);
  e.bytes = (size_t{card} * static_cast<size_t>(e.low) + e.high_bits + 7) / 8;
  return e;
}
// The container rule, a function of (cardinality, width) only so that readers can skip a
// chunk without decoding it: Elias–Fano when it is smaller than the bitset and short enough
// to decode quickly (at most 256 ids, or as many as version 1 kept in uint16 lists), else the
// bitset.
struct Container {
  bool elias_fano = false;
  EfShape shape;
  size_t bytes = 0;
};
inline Container ContainerOf(uint32_t card, uint32_t width) {
  Container c;
  const size_t bitset = BitsetBytes(width);
  c.shape = Shape(card, width);
  c.elias_fano = card <= std::max<size_t>(kMaxEliasFanoCard, bitset / 2) && c.shape.bytes < bitset;
  c.bytes = c.elias_fano ? c.shape.bytes : bitset;
  return c;
}

// Unchecked varint read for validated data.
inline uint64_t ReadVarint(const uint8_t*& p) {
  uint64_t v = *p & 0x7F;
  if ((*p++ & 0x80) == 0) return v;
  int shift = 7;
  while (true) {
    uint8_t b = *p++;
    v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) return v;
    shift += 7;
  }
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Up to 57 bits of the stream `p` (`bytes` long) starting at bit `bit`; bits past the end
// read as zero, and nothing past the end is touched.
inline uint64_t LoadBits(const uint8_t* p, size_t bytes, size_t bit) {
  const size_t byte = bit / 8;
  uint64_t v = 0;
  if (byte + 8 <= bytes) {
    v = Load64(p + byte);
  } else {
    for (size_t k = byte; k < bytes; ++k) v |= uint64_t{p[k]} << (8 * (k - byte));
  }
  return v >> (bit % 8);
}

// Calls f(id) for each id of an Elias–Fano chunk, in increasing order.
template <typename F>
inline void ForEachEliasFano(const uint8_t* p, uint32_t card, const EfShape& e, F&& f) {
  const size_t high_start = size_t{card} * static_cast<size_t>(e.low);
  const uint64_t low_mask = (uint64_t{1} << e.low) - 1;
  uint32_t i = 0;
  if (e.bytes <= 8) {  // the common small set: the whole stream in one register
    const uint64_t w = LoadBits(p, e.bytes, 0);
    uint64_t bits = w >> high_start;
    while (bits != 0) {
      const uint64_t high = static_cast<uint64_t>(std::countr_zero(bits)) - i;
      const uint64_t low = (w >> (size_t{i} * static_cast<size_t>(e.low))) & low_mask;
      f(static_cast<uint32_t>((high << e.low) | low));
      ++i;
      bits &= bits - 1;
    }
    return;
  }
  for (size_t off = 0; off < e.high_bits && i < card; off += 56) {
    uint64_t bits = LoadBits(p, e.bytes, high_start + off);
    if (e.high_bits - off < 56) bits &= (uint64_t{1} << (e.high_bits - off)) - 1;
    bits &= (uint64_t{1} << 56) - 1;
    while (bits != 0) {
      const size_t pos = off + static_cast<size_t>(std::countr_zero(bits));
      const uint64_t high = pos - i;
      const uint64_t low = LoadBits(p, e.bytes, size_t{i} * static_cast<size_t>(e.low)) & low_mask;
      f(static_cast<uint32_t>((high << e.low) | low));
      ++i;
      bits &= bits - 1;
    }
  }
}

void AppendEliasFano(std::span<const SampleId> ids, uint32_t width, std::string& out) {
  const uint32_t card = static_cast<uint32_t>(ids.size());
  const EfShape e = Shape(card, width);
  const size_t at = out.size();
  out.resize(at + e.bytes, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data() + at);
  // Low bits through a 64-bit accumulator (l ≤ 16), flushed a byte at a time.
  uint64_t acc = 0;
  int acc_bits = 0;
  size_t byte = 0;
  const uint32_t low_mask = (uint32_t{1} << e.low) - 1;
  for (uint32_t i = 0; i < card; ++i) {
    acc |= uint64_t{ids[i] & 0xFFFF & low_mask} << acc_bits;
    acc_bits += e.low;
    while (acc_bits >= 8) {
      p[byte++] = static_cast<uint8_t>(acc);
      acc >>= 8;
      acc_bits -= 8;
    }
  }
  if (acc_bits > 0) p[byte] = static_cast<uint8_t>(acc);  // shares its byte with the highs
  const size_t high_start = size_t{card} * static_cast<size_t>(e.low);
  for (uint32_t i = 0; i < card; ++i) {
    const size_t bit = high_start + ((ids[i] & 0xFFFF) >> e.low) + i;
    p[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  }
}

// A chunk header, as read: key, cardinality (≥ 1) and width.
struct ChunkHead {
  uint32_t key = 0;
  uint32_t card = 0;
  uint32_t width = 0;
  Container container;
};

// Calls f(head, payload) for each chunk of a validated set and returns the pointer past it.
template <typename F>
inline const uint8_t* ForEachChunk(const uint8_t* p, uint32_t universe, F&& f) {
  if (universe <= kChunkBits) {
    const uint32_t card = static_cast<uint32_t>(ReadVarint(p));
    if (card == 0) return p;
    const ChunkHead h{0, card, universe, ContainerOf(card, universe)};
    f(h, p);
    return p + h.container.bytes;
  }
  const uint64_t n_chunks = ReadVarint(p);
  for (uint64_t c = 0; c < n_chunks; ++c) {
    ChunkHead h;
    h.key = static_cast<uint32_t>(ReadVarint(p));
    h.card = static_cast<uint32_t>(ReadVarint(p) + 1);
    h.width = ChunkWidth(h.key, universe);
    h.container = ContainerOf(h.card, h.width);
    f(h, p);
    p += h.container.bytes;
  }
  return p;
}

// The bitset ∩ filter kernel: gcc emits a popcnt version and a portable one and picks at load
// time, so the same binary runs on any x86-64 and uses the instruction where it exists.
__attribute__((target_clones("default", "popcnt"))) uint32_t AndPopcount(const uint8_t* bits,
                                                                         const uint64_t* filter,
                                                                         size_t words) {
  uint32_t n = 0;
  for (size_t i = 0; i < words; ++i) n += std::popcount(Load64(bits + 8 * i) & filter[i]);
  return n;
}

__attribute__((target_clones("default", "popcnt"))) uint32_t Popcount(const uint8_t* bits,
                                                                      size_t words) {
  uint32_t n = 0;
  for (size_t i = 0; i < words; ++i) n += std::popcount(Load64(bits + 8 * i));
  return n;
}

}  // namespace

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

size_t GetVarint(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < 10 && p + i < end; ++i) {
    result |= uint64_t{p[i] & 0x7Fu} << (7 * i);
    if ((p[i] & 0x80) == 0) {
      *v = result;
      return i + 1;
    }
  }
  return 0;
}

void EncodeCarrierSet(std::span<const SampleId> ids, uint32_t universe, std::string& out) {
  if (universe <= kChunkBits) {
    PutVarint(out, ids.size());
    if (ids.empty()) return;
  } else {
    uint64_t n_chunks = 0;  // one pass over the sorted ids
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i == 0 || (ids[i] >> 16) != (ids[i - 1] >> 16)) ++n_chunks;
    }
    PutVarint(out, n_chunks);
  }
  size_t i = 0;
  while (i < ids.size()) {
    const uint32_t key = ids[i] >> 16;
    size_t j = i;
    while (j < ids.size() && (ids[j] >> 16) == key) ++j;
    const uint32_t card = static_cast<uint32_t>(j - i);
    const uint32_t width = ChunkWidth(key, universe);
    if (universe > kChunkBits) {
      PutVarint(out, key);
      PutVarint(out, card - 1);
    }
    if (ContainerOf(card, width).elias_fano) {
      AppendEliasFano(ids.subspan(i, j - i), width, out);
    } else {  // little-endian words: bit b of the chunk is bit b % 8 of byte b / 8
      const size_t at = out.size();
      out.resize(at + BitsetBytes(width), '\0');
      auto* bits = reinterpret_cast<uint8_t*>(out.data() + at);
      for (size_t k = i; k < j; ++k) {
        const uint32_t low = ids[k] & 0xFFFF;
        bits[low >> 3] = static_cast<uint8_t>(bits[low >> 3] | (1u << (low & 7)));
      }
    }
    i = j;
  }
}

namespace {

// Validates one chunk's payload at data[pos..end); returns the position past it or SIZE_MAX.
size_t ValidateChunk(const uint8_t* data, size_t pos, size_t end, uint32_t card, uint32_t width) {
  constexpr size_t kBad = SIZE_MAX;
  if (card == 0 || card > width) return kBad;
  const Container container = ContainerOf(card, width);
  if (container.elias_fano) {
    const EfShape& e = container.shape;
    if (end - pos < e.bytes) return kBad;
    const uint8_t* p = data + pos;
    // Exactly `card` high bits, none past the stream's length, ids strictly increasing and
    // below the width; the padding bits of the last byte are zero.
    const size_t total_bits = size_t{card} * static_cast<size_t>(e.low) + e.high_bits;
    if (total_bits % 8 != 0 && (p[e.bytes - 1] >> (total_bits % 8)) != 0) return kBad;
    // Low bits can be anything; count the high ones alone.
    size_t high_ones = 0;
    const size_t high_start = size_t{card} * static_cast<size_t>(e.low);
    for (size_t off = 0; off < e.high_bits; off += 56) {
      uint64_t bits = LoadBits(p, e.bytes, high_start + off);
      if (e.high_bits - off < 56) bits &= (uint64_t{1} << (e.high_bits - off)) - 1;
      bits &= (uint64_t{1} << 56) - 1;
      high_ones += static_cast<size_t>(std::popcount(bits));
    }
    if (high_ones != card) return kBad;
    int64_t prev = -1;
    bool ok = true;
    ForEachEliasFano(p, card, e, [&](uint32_t id) {
      if (static_cast<int64_t>(id) <= prev || id >= width) ok = false;
      prev = id;
    });
    return ok ? pos + e.bytes : kBad;
  }
  const size_t bytes = BitsetBytes(width);
  if (end - pos < bytes) return kBad;
  if (Popcount(data + pos, bytes / 8) != card) return kBad;
  if (width % 64 != 0) {  // no bits beyond the universe
    const uint64_t last = Load64(data + pos + bytes - 8);
    if ((last >> (width % 64)) != 0) return kBad;
  }
  return pos + bytes;
}

}  // namespace

size_t ValidateCarrierSet(const uint8_t* data, size_t pos, size_t end, uint32_t universe) {
  constexpr size_t kBad = SIZE_MAX;
  if (pos > end) return kBad;
  const uint8_t* const e = data + end;
  size_t used;
  if (universe <= kChunkBits) {
    uint64_t card = 0;
    if ((used = GetVarint(data + pos, e, &card)) == 0) return kBad;
    pos += used;
    if (card == 0) return pos;
    if (card > universe) return kBad;
    return ValidateChunk(data, pos, end, static_cast<uint32_t>(card), universe);
  }
  uint64_t n_chunks = 0;
  if ((used = GetVarint(data + pos, e, &n_chunks)) == 0) return kBad;
  pos += used;
  const uint64_t max_chunks = (uint64_t{universe} + kChunkBits - 1) / kChunkBits;
  if (n_chunks > max_chunks) return kBad;
  int64_t prev_key = -1;
  for (uint64_t c = 0; c < n_chunks; ++c) {
    uint64_t key = 0, card_minus_one = 0;
    if ((used = GetVarint(data + pos, e, &key)) == 0) return kBad;
    pos += used;
    if ((used = GetVarint(data + pos, e, &card_minus_one)) == 0) return kBad;
    pos += used;
    if (static_cast<int64_t>(key) <= prev_key || key >= max_chunks) return kBad;
    prev_key = static_cast<int64_t>(key);
    const uint32_t width = ChunkWidth(static_cast<uint32_t>(key), universe);
    if (card_minus_one >= width) return kBad;
    pos = ValidateChunk(data, pos, end, static_cast<uint32_t>(card_minus_one + 1), width);
    if (pos == kBad) return kBad;
  }
  return pos;
}

const uint8_t* SkipCarrierSet(const uint8_t* p, uint32_t universe) {
  return ForEachChunk(p, universe, [](const ChunkHead&, const uint8_t*) {});
}

uint32_t CarrierSetCardinality(const uint8_t* p, uint32_t universe) {
  return CountAndAdvance(p, universe, nullptr);  // advances only the local copy of p
}

namespace {

uint32_t IntersectCount(const uint8_t*& p, uint32_t universe, std::span<const uint64_t> filter) {
  uint32_t total = 0;
  const uint64_t* f = filter.data();
  const size_t f_words = filter.size();
  p = ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const size_t base_word = size_t{h.key} * (kChunkBits / 64);
    if (h.container.elias_fano) {
      ForEachEliasFano(payload, h.card, h.container.shape, [&](uint32_t id) {
        const size_t w = base_word + (id >> 6);
        if (w < f_words) total += static_cast<uint32_t>((f[w] >> (id & 63)) & 1u);
      });
    } else {
      const size_t words = (h.width + 63) / 64;
      if (base_word < f_words) {
        total += AndPopcount(payload, f + base_word, std::min(words, f_words - base_word));
      }
    }
  });
  return total;
}

}  // namespace

uint32_t CarrierSetIntersectCount(const uint8_t* p, uint32_t universe,
                                  std::span<const uint64_t> filter) {
  return IntersectCount(p, universe, filter);
}

uint32_t CountAndAdvance(const uint8_t*& p, uint32_t universe, const SampleSet* filter) {
  if (*p == 0) {  // empty set: the common case for hom, hemi and partial
    ++p;
    return 0;
  }
  if (filter == nullptr) {
    uint32_t total = 0;
    p = ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t*) { total += h.card; });
    return total;
  }
  return IntersectCount(p, universe, filter->words());
}

void CarrierSetAddTo(const uint8_t* p, uint32_t universe, const SampleSet* filter, SampleSet& out) {
  ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const SampleId base = h.key * kChunkBits;
    auto add = [&](SampleId id) {
      if (filter == nullptr || filter->Contains(id)) out.Add(id);
    };
    if (h.container.elias_fano) {
      ForEachEliasFano(payload, h.card, h.container.shape, [&](uint32_t low) { add(base + low); });
    } else {
      const size_t words = (h.width + 63) / 64;
      for (size_t w = 0; w < words; ++w) {
        uint64_t bits = Load64(payload + 8 * w);
        while (bits != 0) {
          add(base + static_cast<SampleId>(w * 64 + std::countr_zero(bits)));
          bits &= bits - 1;
        }
      }
    }
  });
}

std::vector<SampleId> CarrierSetToVector(const uint8_t* p, uint32_t universe) {
  std::vector<SampleId> ids;
  ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const SampleId base = h.key * kChunkBits;
    if (h.container.elias_fano) {
      ForEachEliasFano(payload, h.card, h.container.shape,
                       [&](uint32_t low) { ids.push_back(base + low); });
    } else {
      const size_t words = (h.width + 63) / 64;
      for (size_t w = 0; w < words; ++w) {
        uint64_t bits = Load64(payload + 8 * w);
        while (bits != 0) {
          ids.push_back(base + static_cast<SampleId>(w * 64 + std::countr_zero(bits)));
          bits &= bits - 1;
        }
      }
    }
  });
  return ids;
}

}  // namespace genomefed::store
