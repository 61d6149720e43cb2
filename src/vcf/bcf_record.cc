#include "vcf/bcf_record.h"

#include <htslib/vcf.h>

#include <cstring>
#include <string_view>

#include "core/bytes.h"

namespace genomefed::vcf {
namespace {

// Bytes per value of each BCF type code (0 = missing/flag, 1–3 = int8/16/32, 5 = float,
// 7 = char); 0 marks codes a record may not use.
constexpr int kTypeSize[16] = {0, 1, 2, 4, 0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr uint32_t kValidTypes = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 7;

// A bounds-checked cursor over one part of a record.
class Cursor {
 public:
  Cursor(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  const uint8_t* p() const { return p_; }

  // A typed integer (a key or an overflowing count): descriptor of count 1, int8/16/32.
  bool TypedInt(int64_t* value) {
    if (p_ >= end_) return false;
    const int type = *p_ & 15, count = *p_ >> 4;
    ++p_;
    if (count != 1 || type < 1 || type > 3) return false;
    const int size = kTypeSize[type];
    if (end_ - p_ < size) return false;
    switch (type) {
      case 1:
        *value = static_cast<int8_t>(*p_);
        break;
      case 2: {
        int16_t v;
        std::memcpy(&v, p_, 2);
        *value = v;
        break;
      }
      default: {
        int32_t v;
        std::memcpy(&v, p_, 4);
        *value = v;
      }
    }
    p_ += size;
    return true;
  }

  // A typed vector's descriptor: its type and count (values per sample for FORMAT fields).
  bool Descriptor(int* type, size_t* count) {
    if (p_ >= end_) return false;
    *type = *p_ & 15;
    int64_t n = *p_ >> 4;
    ++p_;
    if (((kValidTypes >> *type) & 1) == 0) return false;
    if (n == 15 && (!TypedInt(&n) || n < 0)) return false;
    *count = static_cast<size_t>(n);
    return true;
  }

  // Skips `bytes`, or fails when fewer are left.
  bool Skip(size_t bytes) {
    if (static_cast<size_t>(end_ - p_) < bytes) return false;
    p_ += bytes;
    return true;
  }

  // A whole typed vector (descriptor and values); `*data` and `*count` describe it.
  bool Vector(int* type, size_t* count, const uint8_t** data) {
    if (!Descriptor(type, count)) return false;
    *data = p_;
    return Skip(*count * static_cast<size_t>(kTypeSize[*type]));
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

bool AnyCallAboveDiploid(const uint8_t* gt, size_t n_samples, int stride, int width) {
  if (stride <= 2) return false;
  for (size_t s = 0; s < n_samples; ++s) {
    const uint8_t* v = gt + (s * static_cast<size_t>(stride) + 2) * static_cast<size_t>(width);
    bool end;
    switch (width) {
      case 1:
        end = static_cast<int8_t>(*v) == bcf_int8_vector_end;
        break;
      case 2: {
        int16_t x;
        std::memcpy(&x, v, 2);
        end = x == bcf_int16_vector_end;
        break;
      }
      default: {
        int32_t x;
        std::memcpy(&x, v, 4);
        end = x == bcf_int32_vector_end;
      }
    }
    if (!end) return true;
  }
  return false;
}

std::string DecodeBcfRecord(const uint8_t* rec, const BcfLayout& layout, DecodedRecord& out) {
  const size_t l_shared = LoadLe32(rec), l_indiv = LoadLe32(rec + 4);
  if (l_shared < kBcfFixedShared) return "malformed BCF record (shared part too short)";
  const uint8_t* shared = rec + kBcfRecordPrefix;
  int32_t rid, pos;
  std::memcpy(&rid, shared, 4);
  std::memcpy(&pos, shared + 4, 4);
  const uint32_t n_allele_info = LoadLe32(shared + 16), n_fmt_sample = LoadLe32(shared + 20);
  const size_t n_info = n_allele_info & 0xFFFF, n_allele = n_allele_info >> 16;
  const size_t n_sample = n_fmt_sample & 0xFFFFFF, n_fmt = n_fmt_sample >> 24;
  if (rid < 0 || static_cast<size_t>(rid) >= layout.n_contigs) {
    return "contig is not declared in the header";
  }
  if (n_allele == 0) return "malformed BCF record (no REF allele)";
  if (pos < 0) {
    return "POS " + std::to_string(int64_t{pos} + 1) +
           " is not a position from 1 to 4294967295; fix or drop the record";
  }
  out.contig_index = rid;
  out.pos = int64_t{pos} + 1;
  out.alleles.clear();
  out.stride = 0;
  out.gt_width = 0;
  out.high_ploidy = false;
  out.high_ploidy_samples = {};
  out.gt = nullptr;

  Cursor c(shared + kBcfFixedShared, shared + l_shared);
  int type;
  size_t count;
  const uint8_t* data;
  int64_t key;
  if (!c.Vector(&type, &count, &data)) return "malformed BCF record (ID)";
  for (size_t a = 0; a < n_allele; ++a) {
    if (!c.Vector(&type, &count, &data) || (type != 7 && count != 0)) {
      return "malformed BCF record (allele " + std::to_string(a) + ")";
    }
    // A string ends at its first NUL (BCF pads strings with them).
    const void* nul = std::memchr(data, 0, count);
    const size_t length =
        nul != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : count;
    out.alleles.emplace_back(reinterpret_cast<const char*>(data), length);
  }
  if (!c.Vector(&type, &count, &data) || (count > 0 && (type < 1 || type > 3))) {
    return "malformed BCF record (FILTER)";
  }
  for (size_t i = 0; i < n_info; ++i) {
    if (!c.TypedInt(&key) || key < 0 || key >= layout.n_keys || !c.Vector(&type, &count, &data)) {
      return "malformed BCF record (INFO field " + std::to_string(i + 1) + ")";
    }
  }

  // No FORMAT at all is a record without calls (bcftools annotate -x FORMAT/GT writes them;
  // htslib refuses to write a BCF from a VCF line cut before FORMAT, so this is not one).
  if (n_fmt == 0) return "";
  if (n_sample != layout.n_samples) {
    return "the record has " + std::to_string(n_sample) + " samples, the header " +
           std::to_string(layout.n_samples);
  }
  Cursor f(shared + l_shared, shared + l_shared + l_indiv);
  for (size_t i = 0; i < n_fmt; ++i) {
    if (!f.TypedInt(&key) || key < 0 || key >= layout.n_keys || !f.Descriptor(&type, &count)) {
      return "malformed BCF record (FORMAT field " + std::to_string(i + 1) + ")";
    }
    const uint8_t* values = f.p();
    if (!f.Skip(n_sample * count * static_cast<size_t>(kTypeSize[type]))) {
      return "malformed BCF record (FORMAT field " + std::to_string(i + 1) +
             " runs past the record)";
    }
    if (key != layout.gt_key || count == 0) continue;
    if (type < 1 || type > 3) return "GT is not stored as integers";
    out.stride = static_cast<int>(count);
    out.gt_width = kTypeSize[type];
    out.gt = values;
  }
  if (out.stride > 2) {
    out.high_ploidy = AnyCallAboveDiploid(out.gt, n_sample, out.stride, out.gt_width);
  }
  return "";
}

}  // namespace genomefed::vcf
