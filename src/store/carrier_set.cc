#include "store/carrier_set.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>

namespace genomefed::store {
namespace {

inline uint32_t ChunkWidth(uint32_t key, uint32_t universe) {
  const uint64_t start = uint64_t{key} * kChunkBits;
  return static_cast<uint32_t>(std::min<uint64_t>(kChunkBits, universe - start));
}
inline size_t BitsetBytes(uint32_t width) { return ((width + 63) / 64) * 8; }

// The container rule, a function of (cardinality, width) only: a Rice list when even its
// longest possible coding is smaller than the bitset, else the bitset; and the bitset when
// k = 0 (then the list is at most `width` bits: a bitset without its word padding, decoded one
// id at a time). In chunks wider than 32,768 samples (nodes of more than 32,768 samples) lists
// hold at most 2,048 ids: a filtered count decodes a list id by id, and an uncapped list of a
// common allele took 55-60 µs at 100,000 samples (goal 10 µs; BENCHMARKS.md "Segment format
// version 3"), a bitset ~0.3 µs per chunk. Rice lists vary in length with the ids; readers
// find the end by decoding (or by counting ones, to skip).
inline constexpr uint32_t kWideChunk = 32768;
inline constexpr uint32_t kWideChunkMaxList = 2048;
struct Container {
  bool rice = false;
  int k = 0;             // Rice parameter
  size_t max_bytes = 0;  // Rice: the longest coding of `card` ids below the width
};
inline Container ContainerOf(uint32_t card, uint32_t width) {
  Container c;
  c.k = RiceParameter(card, width);
  c.max_bytes = (RiceMaxBits(card, width, c.k) + 7) / 8;
  c.rice = c.k > 0 && c.max_bytes < BitsetBytes(width) &&
           (width <= kWideChunk || card <= kWideChunkMaxList);
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

// Decodes a validated Rice payload of `card` ids (parameter k), calling f(id) for each in
// increasing order, and returns its length in bits. The payload's length is not known in
// advance, so no load may reach past it: with `left` ids still to come, the stream holds at
// least `left` more bits (each code ends with a one), and only those bytes are read.
template <typename F>
inline size_t DecodeRice(const uint8_t* p, uint32_t card, int k, F&& f) {
  const size_t unary = size_t{card} * static_cast<size_t>(k);
  const uint64_t low_mask = (uint64_t{1} << k) - 1;
  size_t pos = unary;   // next unread bit of the unary part
  size_t last = unary;  // the bit after the previous code's one
  uint64_t next = 0;    // the smallest id the next code can give
  uint32_t i = 0;
  // Remainders come from a register refilled 57 / k at a time (they lie in [0, unary), inside
  // every safe range below).
  uint64_t rbuf = 0;
  int rleft = 0;
  const int per_load = k == 0 ? 0 : 57 / k;
  while (i < card) {
    const size_t safe_bits = (pos + (card - i) + 7) / 8 * 8;  // whole bytes known to be ours
    const size_t n = std::min<size_t>(56, safe_bits - pos);
    uint64_t bits = LoadBits(p, safe_bits / 8, pos) & ((uint64_t{1} << n) - 1);
    while (bits != 0) {
      const size_t one = pos + static_cast<size_t>(std::countr_zero(bits));
      const uint64_t q = one - last;
      uint64_t r = 0;
      if (k != 0) {
        if (rleft == 0) {
          rbuf = LoadBits(p, safe_bits / 8, size_t{i} * static_cast<size_t>(k));
          rleft = per_load;
        }
        r = rbuf & low_mask;
        rbuf >>= k;
        --rleft;
      }
      const uint64_t id = next + ((q << k) | r);
      f(id);
      next = id + 1;
      last = one + 1;
      if (++i == card) return last;
      bits &= bits - 1;
    }
    pos += n;
  }
  return last;
}

// The length in bits of a validated Rice payload, by counting ones (no decoding).
inline size_t RiceBits(const uint8_t* p, uint32_t card, int k) {
  size_t pos = size_t{card} * static_cast<size_t>(k);
  uint32_t left = card;
  while (true) {
    const size_t safe_bits = (pos + left + 7) / 8 * 8;
    const size_t n = std::min<size_t>(56, safe_bits - pos);
    uint64_t bits = LoadBits(p, safe_bits / 8, pos) & ((uint64_t{1} << n) - 1);
    const uint32_t ones = static_cast<uint32_t>(std::popcount(bits));
    if (ones >= left) {
      for (uint32_t j = 1; j < left; ++j) bits &= bits - 1;
      return pos + static_cast<size_t>(std::countr_zero(bits)) + 1;
    }
    left -= ones;
    pos += n;
  }
}

// For each field width k ≤ 16 and each 64-bit word of a run of k-bit fields starting at bit 0,
// the masks of the word's bits that are bit j of their field: the pattern repeats every
// k / gcd(64, k) words.
struct FieldMasks {
  uint64_t mask[17][16][16] = {};  // [k][word % period][j]
  int period[17] = {};
  FieldMasks() {
    for (int k = 1; k <= 16; ++k) {
      period[k] = k / std::gcd(64, k);
      for (int t = 0; t < period[k]; ++t) {
        for (int u = 0; u < 64; ++u) mask[k][t][(64 * t + u) % k] |= uint64_t{1} << u;
      }
    }
  }
};

// Σ of the `card` k-bit fields packed from bit 0 of p (`bytes` readable): per 64 bits, one
// popcount per bit position of a field, instead of one extraction per field (validation sums a
// Rice list's remainders; extracting them one by one was most of opening a segment).
__attribute__((target_clones("default", "popcnt"))) uint64_t SumOfFields(const uint8_t* p,
                                                                         size_t bytes,
                                                                         uint32_t card, int k) {
  static const FieldMasks masks;
  const size_t bits = size_t{card} * static_cast<size_t>(k);
  if (k < 1 || k > 16) {  // not produced by RiceParameter (widths ≤ 65,536); kept general
    uint64_t slow = 0;
    for (size_t at = 0; k > 0 && at < bits; at += static_cast<size_t>(k)) {
      slow += LoadBits(p, bytes, at) & ((uint64_t{1} << k) - 1);
    }
    return slow;
  }
  const int period = masks.period[k];
  uint64_t sum = 0;
  int t = 0;
  for (size_t at = 0; at < bits; at += 64) {
    uint64_t word = LoadBits(p, bytes, at);
    if (bits - at < 64) word &= (uint64_t{1} << (bits - at)) - 1;
    for (int j = 0; j < k; ++j) {
      sum += static_cast<uint64_t>(std::popcount(word & masks.mask[k][t][j])) << j;
    }
    if (++t == period) t = 0;
  }
  return sum;
}

// Validates a Rice payload of `card` ids (parameter k) below `width` without decoding it id by
// id, and returns its length in bits, or SIZE_MAX. Ids only increase, so the payload is valid
// when its codes end within `avail_bits` (whole bytes) and the last id, Σ gaps + card − 1, is
// below the width; Σ gaps is Σ quotients · 2^k (the zeros of the unary part, found by counting
// ones) plus Σ remainders (summed only when the quotients alone leave room for doubt). This is
// what DecodeRice accepts, at a popcount per 56 bits instead of a branch per id: validating a
// new segment is on ingest's critical path (0.086 s of a 0.5 s BCF ingest when it decoded).
__attribute__((target_clones("default", "popcnt"))) size_t ValidateRice(const uint8_t* p,
                                                                        uint32_t card, int k,
                                                                        size_t avail_bits,
                                                                        uint32_t width) {
  const size_t unary = size_t{card} * static_cast<size_t>(k);
  const size_t bytes = avail_bits / 8;
  size_t pos = unary, end = 0;
  uint32_t left = card;
  while (true) {
    if (pos >= avail_bits) return SIZE_MAX;
    const size_t n = std::min<size_t>(56, avail_bits - pos);
    uint64_t bits = LoadBits(p, bytes, pos) & ((uint64_t{1} << n) - 1);
    const uint32_t ones = static_cast<uint32_t>(std::popcount(bits));
    if (ones >= left) {
      for (uint32_t j = 1; j < left; ++j) bits &= bits - 1;
      end = pos + static_cast<size_t>(std::countr_zero(bits)) + 1;
      break;
    }
    left -= ones;
    pos += n;
  }
  const uint64_t quotients = (end - unary) - card;
  uint64_t last = (quotients << k) + card - 1;
  if (last >= width) return SIZE_MAX;
  const uint64_t low_mask = (uint64_t{1} << k) - 1;
  if (k > 0 && last + uint64_t{card} * low_mask >= width) {
    last += SumOfFields(p, bytes, card, k);
    if (last >= width) return SIZE_MAX;
  }
  return end;
}

// Appends bits to a byte buffer 32 at a time (the buffer needs 8 bytes of slack past the
// last bit written). Ingest encodes every carrier set through it (a byte-at-a-time writer with a
// read-modify-write per unary one was an eighth of BCF ingest's CPU).
class BitWriter {
 public:
  // Continues at bit `bit` of `p`, keeping the bits already below it in that byte.
  BitWriter(uint8_t* p, size_t bit) : w_(p + bit / 8), n_(static_cast<int>(bit % 8)) {
    acc_ = n_ == 0 ? 0 : (w_[0] & ((1u << n_) - 1));
  }
  // The low `count` bits of `v` (count ≤ 32, v below 2^count).
  void Put(uint64_t v, int count) {
    acc_ |= v << n_;
    n_ += count;
    if (n_ >= 32) Spill();
  }
  // `count` zero bits, then a one.
  void Unary(uint64_t count) {
    while (count >= 32) {  // long runs of zeros (rare: a quotient of 32 or more)
      n_ += 32;
      Spill();
      count -= 32;
    }
    n_ += static_cast<int>(count);
    if (n_ >= 32) Spill();
    acc_ |= uint64_t{1} << n_;
    if (++n_ >= 32) Spill();
  }
  // Writes the bits still held (whole bytes, the last one padded with zeros).
  void Flush() {
    const uint64_t acc = acc_;
    std::memcpy(w_, &acc, 8);
  }

 private:
  void Spill() {
    const uint32_t low = static_cast<uint32_t>(acc_);
    std::memcpy(w_, &low, 4);
    w_ += 4;
    acc_ >>= 32;
    n_ -= 32;
  }
  uint8_t* w_;
  uint64_t acc_ = 0;
  int n_ = 0;
};

void AppendRice(std::span<const SampleId> ids, int k, std::string& out) {
  const uint32_t card = static_cast<uint32_t>(ids.size());
  const size_t unary = size_t{card} * static_cast<size_t>(k);
  // Room for the longest coding of these ids plus the writers' slack, trimmed after.
  const size_t width_bound = (ids.back() & 0xFFFF) + 1;
  const size_t max_bits = unary + card + (width_bound >> k);
  const size_t at = out.size();
  out.resize(at + (max_bits + 7) / 8 + 8, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data() + at);
  const uint32_t low_mask = (uint32_t{1} << k) - 1;
  BitWriter remainders(p, 0);
  uint32_t next = 0;  // the previous id + 1: gaps are ids[i] − next ≥ 0
  for (uint32_t i = 0; i < card; ++i) {
    remainders.Put(((ids[i] & 0xFFFF) - next) & low_mask, k);
    next = (ids[i] & 0xFFFF) + 1;
  }
  remainders.Flush();
  BitWriter quotients(p, unary);
  size_t bits = unary;
  next = 0;
  for (uint32_t i = 0; i < card; ++i) {
    const uint32_t q = ((ids[i] & 0xFFFF) - next) >> k;
    quotients.Unary(q);
    bits += q + 1;
    next = (ids[i] & 0xFFFF) + 1;
  }
  quotients.Flush();
  out.resize(at + (bits + 7) / 8);
}

// A chunk header, as read: key, cardinality (≥ 1) and width.
struct ChunkHead {
  uint32_t key = 0;
  uint32_t card = 0;
  uint32_t width = 0;
  Container container;
};

// Calls end = f(head, payload) for each chunk of a validated set, where f returns the pointer
// past the payload, and returns the pointer past the set.
template <typename F>
inline const uint8_t* ForEachChunk(const uint8_t* p, uint32_t universe, F&& f) {
  if (universe <= kChunkBits) {
    const uint32_t card = static_cast<uint32_t>(ReadVarint(p));
    if (card == 0) return p;
    const ChunkHead h{0, card, universe, ContainerOf(card, universe)};
    return f(h, p);
  }
  const uint64_t n_chunks = ReadVarint(p);
  for (uint64_t c = 0; c < n_chunks; ++c) {
    ChunkHead h;
    h.key = static_cast<uint32_t>(ReadVarint(p));
    h.card = static_cast<uint32_t>(ReadVarint(p) + 1);
    h.width = ChunkWidth(h.key, universe);
    h.container = ContainerOf(h.card, h.width);
    p = f(h, p);
  }
  return p;
}

inline const uint8_t* SkipPayload(const ChunkHead& h, const uint8_t* payload) {
  if (h.container.rice) return payload + (RiceBits(payload, h.card, h.container.k) + 7) / 8;
  return payload + BitsetBytes(h.width);
}

// Calls f(low id) for each id of one chunk; returns the pointer past its payload.
template <typename F>
inline const uint8_t* ForEachInChunk(const ChunkHead& h, const uint8_t* payload, F&& f) {
  if (h.container.rice) {
    const size_t bits = DecodeRice(payload, h.card, h.container.k,
                                   [&](uint64_t id) { f(static_cast<uint32_t>(id)); });
    return payload + (bits + 7) / 8;
  }
  const size_t words = (h.width + 63) / 64;
  for (size_t w = 0; w < words; ++w) {
    uint64_t bits = Load64(payload + 8 * w);
    while (bits != 0) {
      f(static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits))));
      bits &= bits - 1;
    }
  }
  return payload + BitsetBytes(h.width);
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

int RiceParameter(uint32_t card, uint32_t width) {
  // The smallest k with (c + 1)(2w + c + 1) · 10,000 · 2^k ≥ 9,624 · w² (all below 2^64 for
  // w ≤ 65,536; k ≤ 16 always satisfies it).
  const uint64_t lhs = uint64_t{card + 1} * (2 * uint64_t{width} + card + 1) * 10000;
  const uint64_t rhs = 9624 * uint64_t{width} * width;
  // An estimate from the operands' bit lengths (within one of the answer; no division: this runs
  // for every set a query reads), then the exact test.
  int k = std::max(
      0, static_cast<int>(std::bit_width(rhs)) - static_cast<int>(std::bit_width(lhs)) - 1);
  while ((lhs << k) < rhs) ++k;
  while (k > 0 && (lhs << (k - 1)) >= rhs) --k;
  return k;
}

size_t RiceMaxBits(uint32_t card, uint32_t width, int k) {
  return size_t{card} * static_cast<size_t>(k + 1) + ((width - card) >> k);
}

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
    // The chunk's end: all of the ids below 65,536 samples, else the first id of a later key.
    const size_t j =
        universe <= kChunkBits
            ? ids.size()
            : static_cast<size_t>(
                  std::partition_point(ids.begin() + static_cast<std::ptrdiff_t>(i), ids.end(),
                                       [key](SampleId id) { return (id >> 16) == key; }) -
                  ids.begin());
    const uint32_t card = static_cast<uint32_t>(j - i);
    const uint32_t width = ChunkWidth(key, universe);
    if (universe > kChunkBits) {
      PutVarint(out, key);
      PutVarint(out, card - 1);
    }
    const Container container = ContainerOf(card, width);
    if (container.rice) {
      AppendRice(ids.subspan(i, j - i), container.k, out);
    } else {  // little-endian words: bit b of the chunk is bit b % 8 of byte b / 8
      const size_t at = out.size();
      out.resize(at + BitsetBytes(width), '\0');
      auto* bits = reinterpret_cast<uint8_t*>(out.data() + at);
      // Ids ascend: each 64-bit word is assembled in a register and stored once.
      for (size_t k = i; k < j;) {
        const uint32_t word = (ids[k] & 0xFFFF) >> 6;
        uint64_t w = 0;
        for (; k < j && ((ids[k] & 0xFFFF) >> 6) == word; ++k) w |= uint64_t{1} << (ids[k] & 63);
        std::memcpy(bits + 8 * word, &w, 8);
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
  if (container.rice) {
    // Without decoding id by id (validation is on ingest's critical path): the stream ends at
    // its card-th one, found by counting ones within the bytes available and the longest
    // coding; ids strictly increase by construction, so all are below the width when the last
    // is, and the last is Σ gaps + card − 1 = 2^k·Σ quotients + Σ remainders + card − 1, with
    // Σ quotients = (unary length − card).
    const uint8_t* p = data + pos;
    const size_t avail_bits = std::min(end - pos, container.max_bytes) * 8;
    const size_t bits = ValidateRice(p, card, container.k, avail_bits, width);
    if (bits == SIZE_MAX) return kBad;
    if (bits % 8 != 0 && (p[bits / 8] >> (bits % 8)) != 0) return kBad;
    return pos + (bits + 7) / 8;
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
  if (*p == 0) return p + 1;
  return ForEachChunk(p, universe, SkipPayload);
}

uint32_t CarrierSetCardinality(const uint8_t* p, uint32_t universe) {
  if (universe <= kChunkBits) return static_cast<uint32_t>(ReadVarint(p));
  uint32_t total = 0;
  ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    total += h.card;
    return SkipPayload(h, payload);
  });
  return total;
}

namespace {

uint32_t IntersectCount(const uint8_t*& p, uint32_t universe, std::span<const uint64_t> filter) {
  uint32_t total = 0;
  const uint64_t* f = filter.data();
  const size_t f_words = filter.size();
  p = ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const size_t base_word = size_t{h.key} * (kChunkBits / 64);
    if (h.container.rice) {
      const size_t bits = DecodeRice(payload, h.card, h.container.k, [&](uint64_t id) {
        const size_t w = base_word + static_cast<size_t>(id >> 6);
        if (w < f_words) total += static_cast<uint32_t>((f[w] >> (id & 63)) & 1u);
      });
      return payload + (bits + 7) / 8;
    }
    const size_t words = (h.width + 63) / 64;
    if (base_word < f_words) {
      total += AndPopcount(payload, f + base_word, std::min(words, f_words - base_word));
    }
    return payload + BitsetBytes(h.width);
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
    p = ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
      total += h.card;
      return SkipPayload(h, payload);
    });
    return total;
  }
  return IntersectCount(p, universe, filter->words());
}

const uint8_t* CarrierSetAddTo(const uint8_t* p, uint32_t universe, const SampleSet* filter,
                               SampleSet& out) {
  return ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const SampleId base = h.key * kChunkBits;
    return ForEachInChunk(h, payload, [&](uint32_t low) {
      if (filter == nullptr || filter->Contains(base + low)) out.Add(base + low);
    });
  });
}

const uint8_t* CarrierSetRemoveFrom(const uint8_t* p, uint32_t universe, SampleSet& out) {
  return ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const SampleId base = h.key * kChunkBits;
    return ForEachInChunk(h, payload, [&](uint32_t low) { out.Remove(base + low); });
  });
}

std::vector<SampleId> CarrierSetToVector(const uint8_t* p, uint32_t universe) {
  std::vector<SampleId> ids;
  ForEachChunk(p, universe, [&](const ChunkHead& h, const uint8_t* payload) {
    const SampleId base = h.key * kChunkBits;
    return ForEachInChunk(h, payload, [&](uint32_t low) { ids.push_back(base + low); });
  });
  return ids;
}

}  // namespace genomefed::store
