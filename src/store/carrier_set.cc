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
inline bool IsList(uint32_t card, uint32_t width) { return 2 * size_t{card} < BitsetBytes(width); }

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

inline uint16_t Load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
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
  // Count chunks first: one pass over sorted ids.
  uint64_t n_chunks = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i == 0 || (ids[i] >> 16) != (ids[i - 1] >> 16)) ++n_chunks;
  }
  PutVarint(out, n_chunks);
  size_t i = 0;
  while (i < ids.size()) {
    const uint32_t key = ids[i] >> 16;
    size_t j = i;
    while (j < ids.size() && (ids[j] >> 16) == key) ++j;
    const uint32_t card = static_cast<uint32_t>(j - i);
    const uint32_t width = ChunkWidth(key, universe);
    PutVarint(out, key);
    PutVarint(out, card - 1);
    if (IsList(card, width)) {
      for (size_t k = i; k < j; ++k) {
        const uint16_t low = static_cast<uint16_t>(ids[k] & 0xFFFF);
        out.push_back(static_cast<char>(low & 0xFF));
        out.push_back(static_cast<char>(low >> 8));
      }
    } else {
      std::vector<uint64_t> words((width + 63) / 64, 0);
      for (size_t k = i; k < j; ++k) {
        const uint32_t low = ids[k] & 0xFFFF;
        words[low >> 6] |= uint64_t{1} << (low & 63);
      }
      out.append(reinterpret_cast<const char*>(words.data()), words.size() * 8);
    }
    i = j;
  }
}

size_t ValidateCarrierSet(const uint8_t* data, size_t pos, size_t end, uint32_t universe) {
  constexpr size_t kBad = SIZE_MAX;
  const uint8_t* const e = data + end;
  uint64_t n_chunks = 0;
  size_t used = GetVarint(data + pos, e, &n_chunks);
  if (used == 0) return kBad;
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
    const uint32_t card = static_cast<uint32_t>(card_minus_one + 1);
    if (IsList(card, width)) {
      if (end - pos < size_t{card} * 2) return kBad;
      int32_t prev = -1;
      for (uint32_t k = 0; k < card; ++k) {
        const int32_t low = Load16(data + pos + 2 * k);
        if (low <= prev || static_cast<uint32_t>(low) >= width) return kBad;
        prev = low;
      }
      pos += size_t{card} * 2;
    } else {
      const size_t bytes = BitsetBytes(width);
      if (end - pos < bytes) return kBad;
      const uint32_t actual = Popcount(data + pos, bytes / 8);
      if (actual != card) return kBad;
      if (width % 64 != 0) {  // no bits beyond the universe
        const uint64_t last = Load64(data + pos + bytes - 8);
        if ((last >> (width % 64)) != 0) return kBad;
      }
      pos += bytes;
    }
  }
  return pos;
}

const uint8_t* SkipCarrierSet(const uint8_t* p, uint32_t universe) {
  uint64_t n_chunks = ReadVarint(p);
  for (uint64_t c = 0; c < n_chunks; ++c) {
    const uint32_t key = static_cast<uint32_t>(ReadVarint(p));
    const uint32_t card = static_cast<uint32_t>(ReadVarint(p) + 1);
    const uint32_t width = ChunkWidth(key, universe);
    p += IsList(card, width) ? size_t{card} * 2 : BitsetBytes(width);
  }
  return p;
}

uint32_t CarrierSetCardinality(const uint8_t* p, uint32_t universe) {
  return CountAndAdvance(p, universe, nullptr);  // advances only the local copy of p
}

uint32_t CarrierSetIntersectCount(const uint8_t* p, uint32_t universe,
                                  std::span<const uint64_t> filter) {
  uint64_t n_chunks = ReadVarint(p);
  uint32_t total = 0;
  const uint64_t* f = filter.data();
  const size_t f_words = filter.size();
  for (uint64_t c = 0; c < n_chunks; ++c) {
    const uint32_t key = static_cast<uint32_t>(ReadVarint(p));
    const uint32_t card = static_cast<uint32_t>(ReadVarint(p) + 1);
    const uint32_t width = ChunkWidth(key, universe);
    const size_t base_word = size_t{key} * (kChunkBits / 64);
    if (IsList(card, width)) {
      for (uint32_t k = 0; k < card; ++k) {
        const uint32_t id = Load16(p + 2 * k);
        const size_t w = base_word + (id >> 6);
        if (w < f_words) total += static_cast<uint32_t>((f[w] >> (id & 63)) & 1u);
      }
      p += size_t{card} * 2;
    } else {
      const size_t words = (width + 63) / 64;
      if (base_word < f_words) {
        total += AndPopcount(p, f + base_word, std::min(words, f_words - base_word));
      }
      p += words * 8;
    }
  }
  return total;
}

uint32_t CountAndAdvance(const uint8_t*& p, uint32_t universe, const SampleSet* filter) {
  if (*p == 0) {  // empty set: the common case for hom, hemi and partial
    ++p;
    return 0;
  }
  if (filter == nullptr) {
    uint64_t n_chunks = ReadVarint(p);
    uint32_t total = 0;
    for (uint64_t c = 0; c < n_chunks; ++c) {
      const uint32_t key = static_cast<uint32_t>(ReadVarint(p));
      const uint32_t card = static_cast<uint32_t>(ReadVarint(p) + 1);
      const uint32_t width = ChunkWidth(key, universe);
      p += IsList(card, width) ? size_t{card} * 2 : BitsetBytes(width);
      total += card;
    }
    return total;
  }
  const uint32_t n = CarrierSetIntersectCount(p, universe, filter->words());
  p = SkipCarrierSet(p, universe);
  return n;
}

void CarrierSetAddTo(const uint8_t* p, uint32_t universe, const SampleSet* filter, SampleSet& out) {
  uint64_t n_chunks = ReadVarint(p);
  for (uint64_t c = 0; c < n_chunks; ++c) {
    const uint32_t key = static_cast<uint32_t>(ReadVarint(p));
    const uint32_t card = static_cast<uint32_t>(ReadVarint(p) + 1);
    const uint32_t width = ChunkWidth(key, universe);
    const SampleId base = key * kChunkBits;
    if (IsList(card, width)) {
      for (uint32_t k = 0; k < card; ++k) {
        const SampleId id = base + Load16(p + 2 * k);
        if (filter == nullptr || filter->Contains(id)) out.Add(id);
      }
      p += size_t{card} * 2;
    } else {
      const size_t words = (width + 63) / 64;
      for (size_t w = 0; w < words; ++w) {
        uint64_t bits = Load64(p + 8 * w);
        while (bits != 0) {
          const SampleId id = base + static_cast<SampleId>(w * 64 + std::countr_zero(bits));
          if (filter == nullptr || filter->Contains(id)) out.Add(id);
          bits &= bits - 1;
        }
      }
      p += words * 8;
    }
  }
}

std::vector<SampleId> CarrierSetToVector(const uint8_t* p, uint32_t universe) {
  SampleSet s(universe);
  CarrierSetAddTo(p, universe, nullptr, s);
  return s.ToVector();
}

}  // namespace genomefed::store
