#include "store/segment.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <iterator>
#include <thread>
#include <tuple>

#include "core/crc32.h"
#include "store/carrier_set.h"

namespace genomefed::store {

// Segments of at least this many alleles are validated on several threads (at most this many).
constexpr uint64_t kParallelValidationAlleles = 65536;
constexpr uint64_t kMaxValidationThreads = 4;
namespace {

void Put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void Put64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
uint32_t Get32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
// A little-endian field of 1–4 bytes. Loads 4 bytes: an allele table entry is followed by at
// least the block table's 16 bytes, so this never leaves the file.
uint32_t ReadWidth(const uint8_t* p, int width) {
  const uint32_t v = Get32(p);
  return width >= 4 ? v : v & ((uint32_t{1} << (8 * width)) - 1);
}

std::filesystem::path SidePath(const std::filesystem::path& p, const char* suffix) {
  std::filesystem::path side = p;
  side += suffix;
  return side;
}

// Drops the mapped pages of [from, to) (whole pages inside it) from this process's resident
// set. They stay in the page cache and fault back in if touched again: validating a segment
// reads it once from start to end, and ingest's peak memory must not grow with the file.
void DropPages(const uint8_t* base, size_t size, size_t from, size_t to) {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  to = std::min(to, size);  // never past the mapping: madvise would drop someone else's pages
  from = (from + page - 1) / page * page;
  to = to / page * page;
  if (to > from) {
    (void)madvise(const_cast<uint8_t*>(base) + from, to - from, MADV_DONTNEED);
  }
}

// Reads a side file back into the segment in 1 MiB pieces.
Status CopyInto(const std::filesystem::path& side,
                const std::function<Status(std::string_view)>& sink) {
  GF_ASSIGN_OR_RETURN(MappedFile m, MappedFile::Open(side));
  constexpr size_t kPiece = 1 << 20;
  for (size_t off = 0; off < m.size(); off += kPiece) {
    const size_t n = std::min(kPiece, m.size() - off);
    GF_RETURN_IF_ERROR(sink(std::string_view(reinterpret_cast<const char*>(m.data() + off), n)));
    DropPages(m.data(), m.size(), off, off + n);
  }
  return Status::Ok();
}

// The head of an allele blob at d[off..end): back reference, omitted class, REF and ALT, and
// where its carrier sets start. Returns the offset of the first bad byte, or SIZE_MAX when the
// head is well-formed.
struct BlobHead {
  uint64_t back = 0;
  uint8_t omitted = 0;
  std::string_view ref, alt;
  size_t sets = 0;
};
size_t ParseBlobHead(const uint8_t* d, size_t off, size_t end, BlobHead* h) {
  uint64_t v = 0;
  size_t used = GetVarint(d + off, d + end, &v);
  if (used == 0 || (v & 3) > kOmitHom) return off;
  h->back = v >> 2;
  h->omitted = static_cast<uint8_t>(v & 3);
  size_t p = off + used;
  used = GetVarint(d + p, d + end, &v);
  if (used == 0) return p;
  if (v < kAlleleStringsLong) {
    if (v / 4 == v % 4) return p;  // REF = ALT
    h->ref = std::string_view(kBases + v / 4, 1);
    h->alt = std::string_view(kBases + v % 4, 1);
    h->sets = p + used;
    return SIZE_MAX;
  }
  const uint64_t ref_len = v - (kAlleleStringsLong - 1);
  if (ref_len > end - p - used) return p;
  h->ref = std::string_view(reinterpret_cast<const char*>(d + p + used), ref_len);
  p += used + ref_len;
  used = GetVarint(d + p, d + end, &v);
  if (used == 0 || v == 0 || v > end - p - used) return p;
  h->alt = std::string_view(reinterpret_cast<const char*>(d + p + used), v);
  h->sets = p + used + v;
  return SIZE_MAX;
}

}  // namespace

void EncodeSite(const SiteCalls& site, uint32_t universe, std::string& out) {
  out.push_back(static_cast<char>(site.base));
  for (const auto& ids : site.called_exceptions) EncodeCarrierSet(ids, universe, out);
}

void EncodeAlleleCarriers(std::span<const std::vector<SampleId>> classes, const SiteCalls& site,
                          SampleId batch_first, uint32_t batch_size, uint32_t universe,
                          std::string& out) {
  const auto& het = classes[kHet];
  const auto& hom = classes[kHom];
  const size_t called2 = site.base == 2 ? batch_size - site.called_exceptions[0].size() -
                                              site.called_exceptions[1].size()
                                        : site.called_exceptions[2].size();
  const size_t none = called2 - std::min(called2, het.size() + hom.size());
  OmittedClass omit = kOmitNone;
  if (het.size() > none || hom.size() > none) omit = het.size() >= hom.size() ? kOmitHet : kOmitHom;
  out.push_back(static_cast<char>(omit));
  if (omit == kOmitNone) {
    EncodeCarrierSet(het, universe, out);
    EncodeCarrierSet(hom, universe, out);
  } else {
    // none = called-2 \ (het ∪ hom) (common alleles only): the batch's samples that are
    // called twice, as a bitmap, less the carriers.
    thread_local std::vector<uint64_t> bits;
    thread_local std::vector<SampleId> none_ids;
    const size_t words = (size_t{batch_size} + 63) / 64;
    auto flip = [&](SampleId id) {
      const size_t b = id - batch_first;
      bits[b / 64] ^= uint64_t{1} << (b % 64);
    };
    if (site.base == 2) {
      bits.assign(words, ~uint64_t{0});
      if (batch_size % 64 != 0) bits[words - 1] = (uint64_t{1} << (batch_size % 64)) - 1;
      for (SampleId id : site.called_exceptions[0]) flip(id);
      for (SampleId id : site.called_exceptions[1]) flip(id);
    } else {
      bits.assign(words, 0);
      for (SampleId id : site.called_exceptions[2]) flip(id);
    }
    for (SampleId id : het) flip(id);  // het and hom are called twice: set before the flip
    for (SampleId id : hom) flip(id);
    none_ids.clear();
    for (size_t w = 0; w < words; ++w) {
      for (uint64_t x = bits[w]; x != 0; x &= x - 1) {
        none_ids.push_back(batch_first + static_cast<SampleId>(w * 64) +
                           static_cast<SampleId>(std::countr_zero(x)));
      }
    }
    EncodeCarrierSet(omit == kOmitHet ? hom : het, universe, out);
    EncodeCarrierSet(none_ids, universe, out);
  }
  EncodeCarrierSet(classes[kHemi], universe, out);
  EncodeCarrierSet(classes[kPartial], universe, out);
}

SegmentWriter::~SegmentWriter() {
  if (open_) Abandon();
}

Status SegmentWriter::Open(const std::filesystem::path& path, uint32_t universe) {
  path_ = path;
  universe_ = universe;
  crc_ = 0;
  GF_RETURN_IF_ERROR(file_.Open(path));
  GF_RETURN_IF_ERROR(alleles_.Open(SidePath(path, ".alleles")));
  GF_RETURN_IF_ERROR(blocks_.Open(SidePath(path, ".blocks")));
  open_ = true;
  std::string header(kSegmentMagic, 8);
  Put32(header, kSegmentVersion);
  Put32(header, 0);  // flags
  Put32(header, universe);
  header.resize(kSegmentHeaderSize, '\0');
  return Write(header);
}

Status SegmentWriter::Write(std::string_view bytes) {
  crc_ = Crc32(crc_, bytes.data(), bytes.size());
  return file_.Append(bytes);
}

Result<uint64_t> SegmentWriter::AddSite(std::string_view encoded_site, const SiteCalls* calls) {
  const uint64_t offset = file_.offset();
  const auto* in = reinterpret_cast<const uint8_t*>(encoded_site.data());
  if (encoded_site.empty() || (in[0] >> kSiteDeltaShift) != 0) {
    return Internal("AddSite takes a plainly encoded site");
  }
  scratch_.clear();
  scratch_.push_back(static_cast<char>(in[0]));
  const uint8_t* p = in + 1;
  for (int k = 0; k < 3; ++k) {
    const uint8_t* end = SkipCarrierSet(p, universe_);
    const std::string_view plain(reinterpret_cast<const char*>(p), static_cast<size_t>(end - p));
    const uint32_t card = CarrierSetCardinality(p, universe_);
    SiteRef& ref = site_refs_[k];
    bool delta = false;
    if (card >= kSiteDeltaMinIds) {
      if (calls != nullptr && calls->called_exceptions[k].size() == card) {
        ids_.assign(calls->called_exceptions[k].begin(), calls->called_exceptions[k].end());
      } else {
        ids_ = CarrierSetToVector(p, universe_);
      }
      if (ref.valid) {
        // added = ids \ ref, removed = ref \ ids, in one merge of the two ascending lists.
        added_.clear();
        removed_.clear();
        auto a = ids_.begin(), b = ref.ids.begin();
        while (a != ids_.end() && b != ref.ids.end()) {
          if (*a < *b) {
            added_.push_back(*a++);
          } else if (*b < *a) {
            removed_.push_back(*b++);
          } else {
            ++a;
            ++b;
          }
        }
        added_.insert(added_.end(), a, ids_.end());
        removed_.insert(removed_.end(), b, ref.ids.end());
        delta_.clear();
        PutVarint(delta_, offset - ref.offset);
        EncodeCarrierSet(added_, universe_, delta_);
        EncodeCarrierSet(removed_, universe_, delta_);
        delta = delta_.size() < plain.size();
      }
      if (!delta) {
        ref.ids.swap(ids_);
        ref.offset = offset + scratch_.size();
        ref.valid = true;
      }
    }
    if (delta) {
      scratch_[0] = static_cast<char>(scratch_[0] | (1 << (kSiteDeltaShift + k)));
      scratch_.append(delta_);
    } else {
      scratch_.append(plain);
    }
    p = end;
  }
  if (scratch_.size() == 4 && scratch_[1] == 0 && scratch_[2] == 0 && scratch_[3] == 0) {
    scratch_.resize(1);  // three empty sets
    scratch_[0] = static_cast<char>(scratch_[0] | kSiteUniform);
  }
  GF_RETURN_IF_ERROR(Write(scratch_));
  ++site_count_;
  return offset;
}

Status SegmentWriter::AddAllele(std::string_view contig, int64_t pos, std::string_view ref,
                                std::string_view alt, uint64_t site,
                                std::string_view encoded_sets) {
  if (pos < 1 || pos > UINT32_MAX) return InvalidArgument("position out of range");
  if (contigs_.empty() || contigs_.back().name != contig) {
    for (const auto& c : contigs_) {
      if (c.name == contig) return Internal("contig " + std::string(contig) + " revisited");
    }
    contigs_.push_back({std::string(contig), allele_count_, 0});
  }
  const uint64_t offset = file_.offset();
  if (site < kSegmentHeaderSize || site >= offset) return Internal("allele before its site");
  if (encoded_sets.empty() || static_cast<uint8_t>(encoded_sets[0]) > kOmitHom) {
    return Internal("AddAllele takes EncodeAlleleCarriers' encoding");
  }
  if (ref.empty() || alt.empty()) return Internal("empty allele");
  block_.emplace_back(static_cast<uint32_t>(pos), offset);
  if (block_.size() == kAlleleBlock) GF_RETURN_IF_ERROR(FlushBlock());
  scratch_.clear();
  // Back to the site blob, with the omitted class in the low bits.
  PutVarint(scratch_, ((offset - site) << 2) | static_cast<uint8_t>(encoded_sets[0]));
  const char* r = ref.size() == 1 ? std::strchr(kBases, ref[0]) : nullptr;
  const char* a = alt.size() == 1 ? std::strchr(kBases, alt[0]) : nullptr;
  if (r != nullptr && a != nullptr && ref[0] != '\0' && alt[0] != '\0' && r != a) {
    scratch_.push_back(static_cast<char>(4 * (r - kBases) + (a - kBases)));  // a SNV: one byte
  } else {
    PutVarint(scratch_, ref.size() + kAlleleStringsLong - 1);
    scratch_.append(ref);
    PutVarint(scratch_, alt.size());
    scratch_.append(alt);
  }
  GF_RETURN_IF_ERROR(Write(scratch_));
  GF_RETURN_IF_ERROR(Write(encoded_sets.substr(1)));
  ++contigs_.back().count;
  ++allele_count_;
  return Status::Ok();
}

// Writes the buffered allele entries relative to their block's smallest pos and blob offset,
// each field in the fewest bytes that hold the block's largest delta.
Status SegmentWriter::FlushBlock() {
  if (block_.empty()) return Status::Ok();
  uint32_t pos_base = UINT32_MAX;
  uint64_t off_base = UINT64_MAX;
  for (const auto& [pos, offset] : block_) {
    pos_base = std::min(pos_base, pos);
    off_base = std::min(off_base, offset);
  }
  uint32_t max_pos = 0;
  uint64_t max_off = 0;
  for (const auto& [pos, offset] : block_) {
    max_pos = std::max(max_pos, pos - pos_base);
    max_off = std::max(max_off, offset - off_base);
  }
  if (max_off > UINT32_MAX || off_base >> 48 != 0) {
    return ResourceExhausted("allele blobs too far apart");
  }
  auto width = [](uint64_t v) {
    return v < (1u << 8) ? 1 : v < (1u << 16) ? 2 : v < (1u << 24) ? 3 : 4;
  };
  const int pw = width(max_pos), ow = width(max_off);
  if (table_bytes_ > UINT32_MAX) return ResourceExhausted("allele table too large");
  scratch_.clear();
  for (const auto& [pos, offset] : block_) {
    const uint32_t dp = pos - pos_base;
    const uint32_t doff = static_cast<uint32_t>(offset - off_base);
    scratch_.append(reinterpret_cast<const char*>(&dp), static_cast<size_t>(pw));
    scratch_.append(reinterpret_cast<const char*>(&doff), static_cast<size_t>(ow));
  }
  GF_RETURN_IF_ERROR(alleles_.Append(scratch_));
  scratch_.clear();
  Put64(scratch_, off_base);  // u48, then the widths byte and a zero byte over its top bytes
  scratch_[6] = static_cast<char>(pw | (ow << 4));
  scratch_[7] = 0;
  Put32(scratch_, pos_base);
  Put32(scratch_, static_cast<uint32_t>(table_bytes_));
  GF_RETURN_IF_ERROR(blocks_.Append(scratch_));
  table_bytes_ += block_.size() * static_cast<uint64_t>(pw + ow);
  block_.clear();
  return Status::Ok();
}

Status SegmentWriter::Finish(std::span<const SampleId> batch_samples, bool sync) {
  GF_RETURN_IF_ERROR(FlushBlock());
  const uint64_t batch_offset = file_.offset();
  scratch_.clear();
  EncodeCarrierSet(batch_samples, universe_, scratch_);
  GF_RETURN_IF_ERROR(Write(scratch_));
  // Tables are 8-byte aligned for plain loads.
  auto pad = [&]() -> Status {
    const size_t n = (8 - file_.offset() % 8) % 8;
    return n == 0 ? Status::Ok() : Write(std::string(n, '\0'));
  };
  GF_RETURN_IF_ERROR(pad());
  GF_RETURN_IF_ERROR(alleles_.Close(/*sync=*/false));  // side files, deleted below
  GF_RETURN_IF_ERROR(blocks_.Close(/*sync=*/false));
  auto sink = [&](std::string_view piece) { return Write(piece); };
  const uint64_t allele_table = file_.offset();
  GF_RETURN_IF_ERROR(CopyInto(SidePath(path_, ".alleles"), sink));
  GF_RETURN_IF_ERROR(pad());
  const uint64_t block_table = file_.offset();
  GF_RETURN_IF_ERROR(CopyInto(SidePath(path_, ".blocks"), sink));
  const uint64_t contig_table = file_.offset();
  scratch_.clear();
  Put32(scratch_, static_cast<uint32_t>(contigs_.size()));
  for (const auto& c : contigs_) {
    const uint16_t len = static_cast<uint16_t>(c.name.size());
    scratch_.append(reinterpret_cast<const char*>(&len), 2);
    scratch_.append(c.name);
    Put64(scratch_, c.first);
    Put64(scratch_, c.count);
  }
  GF_RETURN_IF_ERROR(Write(scratch_));
  std::string footer;
  Put64(footer, batch_offset);
  Put64(footer, allele_table);
  Put64(footer, allele_count_);
  Put64(footer, contig_table);
  Put64(footer, site_count_);
  Put64(footer, block_table);
  GF_RETURN_IF_ERROR(Write(footer));  // the checksum covers the footer's fields too
  footer.clear();
  Put32(footer, crc_);
  Put32(footer, 0);
  footer.append(kSegmentEndMagic, 8);
  GF_RETURN_IF_ERROR(file_.Append(footer));
  GF_RETURN_IF_ERROR(file_.Close(sync));
  std::error_code ec;
  std::filesystem::remove(SidePath(path_, ".alleles"), ec);
  std::filesystem::remove(SidePath(path_, ".blocks"), ec);
  open_ = false;
  return Status::Ok();
}

void SegmentWriter::Abandon() {
  (void)file_.Close();
  (void)alleles_.Close();
  (void)blocks_.Close();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  std::filesystem::remove(SidePath(path_, ".blocks"), ec);
  std::filesystem::remove(SidePath(path_, ".alleles"), ec);
  open_ = false;
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<Segment>> Segment::Open(const std::filesystem::path& path) {
  std::unique_ptr<Segment> seg(new Segment());
  seg->path_ = path;
  GF_ASSIGN_OR_RETURN(seg->map_, MappedFile::Open(path));
  GF_RETURN_IF_ERROR(seg->Validate());
  return seg;
}

Status Segment::Validate() {
  const uint8_t* d = map_.data();
  const size_t size = map_.size();
  auto corrupt = [&](uint64_t offset, const std::string& what) {
    return Corruption(path_.string() + ": offset " + std::to_string(offset) + ": " + what);
  };
  if (size < kSegmentHeaderSize + kSegmentFooterSize) return corrupt(0, "file too short");
  if (std::memcmp(d, kSegmentMagic, 8) != 0) return corrupt(0, "bad magic (not a segment)");
  if (Get32(d + 8) != kSegmentVersion) {
    return corrupt(8, "unsupported segment format version " + std::to_string(Get32(d + 8)) +
                          " (this genomefed reads version " + std::to_string(kSegmentVersion) +
                          "; re-ingest the dataset's VCF files with this version)");
  }
  universe_ = Get32(d + 16);
  const size_t footer = size - kSegmentFooterSize;
  const uint8_t* f = d + footer;
  if (std::memcmp(f + 56, kSegmentEndMagic, 8) != 0) return corrupt(footer + 56, "bad end magic");
  batch_set_offset_ = Get64(f);
  allele_table_offset_ = Get64(f + 8);
  allele_count_ = Get64(f + 16);
  contig_table_offset_ = Get64(f + 24);
  site_count_ = Get64(f + 32);
  block_table_offset_ = Get64(f + 40);
  crc_ = Get32(f + 48);
  if (Get32(f + 52) != 0) return corrupt(footer + 52, "reserved footer field is not zero");
  // crc32 over [0, footer + 48) in windows: each window is dropped from memory once checked,
  // so validating a large new segment does not keep it all resident (peak RSS of ingest).
  uint32_t crc = 0;
  constexpr size_t kWindow = size_t{1} << 20;
  for (size_t off = 0; off < footer + 48; off += kWindow) {
    const size_t n = std::min(kWindow, footer + 48 - off);
    crc = Crc32(crc, d + off, n);
    DropPages(d, size, off, off + n);
  }
  if (crc != crc_) return corrupt(footer + 48, "checksum mismatch");
  const uint64_t n_blocks = (allele_count_ + kAlleleBlock - 1) / kAlleleBlock;
  if (!(kSegmentHeaderSize <= batch_set_offset_ && batch_set_offset_ <= allele_table_offset_ &&
        allele_table_offset_ <= block_table_offset_ && allele_table_offset_ % 8 == 0 &&
        block_table_offset_ % 8 == 0 && block_table_offset_ <= footer && allele_count_ <= footer &&
        n_blocks <= (footer - block_table_offset_) / kBlockHeaderSize &&
        block_table_offset_ + n_blocks * kBlockHeaderSize == contig_table_offset_ &&
        contig_table_offset_ + 4 <= footer)) {
    return corrupt(footer, "inconsistent table offsets");
  }
  // Block headers: widths 1–4, entries packed in order, the table ending (up to 7 zero bytes of
  // padding) where the block table starts; so every entry read below lies inside the table.
  {
    uint64_t table = 0;
    for (uint64_t b = 0; b < n_blocks; ++b) {
      const uint64_t at = block_table_offset_ + kBlockHeaderSize * b;
      const uint8_t widths = d[at + 6];
      const int pw = widths & 0x0F, ow = widths >> 4;
      if (pw < 1 || pw > 4 || ow < 1 || ow > 4 || d[at + 7] != 0) {
        return corrupt(at, "bad allele block widths");
      }
      if (Get32(d + at + 12) != table) return corrupt(at + 12, "allele block entries misplaced");
      const uint64_t n = std::min<uint64_t>(kAlleleBlock, allele_count_ - b * kAlleleBlock);
      table += n * static_cast<uint64_t>(pw + ow);
      if (table > block_table_offset_ - allele_table_offset_) {
        return corrupt(at, "allele table shorter than its blocks");
      }
    }
    const uint64_t padding = block_table_offset_ - allele_table_offset_ - table;
    if (padding >= 8) return corrupt(allele_table_offset_ + table, "allele table too long");
    for (uint64_t k = 0; k < padding; ++k) {
      if (d[allele_table_offset_ + table + k] != 0) {
        return corrupt(allele_table_offset_ + table + k, "padding is not zero");
      }
    }
  }
  size_t end = ValidateCarrierSet(d, batch_set_offset_, allele_table_offset_, universe_);
  if (end == SIZE_MAX) return corrupt(batch_set_offset_, "bad batch sample set");
  batch_size_ = CarrierSetCardinality(d + batch_set_offset_, universe_);
  // Contigs.
  const uint8_t* c = d + contig_table_offset_;
  const uint32_t n_contigs = Get32(c);
  size_t cpos = contig_table_offset_ + 4;
  uint64_t expect_first = 0;
  for (uint32_t i = 0; i < n_contigs; ++i) {
    if (cpos + 2 > footer) return corrupt(cpos, "truncated contig table");
    uint16_t len;
    std::memcpy(&len, d + cpos, 2);
    if (cpos + 2 + len + 16 > footer) return corrupt(cpos, "truncated contig table");
    ContigRange r;
    r.name.assign(reinterpret_cast<const char*>(d + cpos + 2), len);
    r.first = Get64(d + cpos + 2 + len);
    r.count = Get64(d + cpos + 2 + len + 8);
    if (r.first != expect_first || r.count > allele_count_ - r.first) {
      return corrupt(cpos, "contig ranges do not tile the allele table");
    }
    expect_first += r.count;
    cpos += 2 + len + 16;
    contigs_.push_back(std::move(r));
  }
  if (expect_first != allele_count_) return corrupt(contig_table_offset_, "contigs miss alleles");
  // Alleles, in contiguous ranges validated in parallel: this is most of opening a segment, and
  // ingest re-reads every segment it writes before committing it (on 2 cores, 0.063 -> ~0.035 s
  // for the synth 2,504 x 200,000 segment). The first failure in allele order is reported.
  const uint64_t threads =
      allele_count_ < kParallelValidationAlleles
          ? 1
          : std::clamp<uint64_t>(std::thread::hardware_concurrency(), 1, kMaxValidationThreads);
  std::vector<Status> results(threads);
  std::vector<std::vector<uint64_t>> max_ref(threads, std::vector<uint64_t>(contigs_.size(), 0));
  std::vector<std::thread> pool;
  for (uint64_t t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      results[t] = ValidateAlleles(allele_count_ * t / threads, allele_count_ * (t + 1) / threads,
                                   max_ref[t]);
    });
  }
  results[0] = ValidateAlleles(0, allele_count_ / threads, max_ref[0]);
  for (auto& th : pool) th.join();
  for (const Status& r : results) GF_RETURN_IF_ERROR(r);
  for (size_t i = 0; i < contigs_.size(); ++i) {
    for (uint64_t t = 0; t < threads; ++t) {
      contigs_[i].max_ref_length = std::max(contigs_[i].max_ref_length, max_ref[t][i]);
    }
  }
  DropPages(d, size, 0, size);  // queries fault in what they read
  return Status::Ok();
}

Status Segment::ValidateAlleles(uint64_t begin, uint64_t end,
                                std::vector<uint64_t>& max_ref) const {
  const uint8_t* d = map_.data();
  const size_t size = map_.size();
  const size_t arena_end = batch_set_offset_;
  auto corrupt = [&](uint64_t offset, const std::string& what) {
    return Corruption(path_.string() + ": offset " + std::to_string(offset) + ": " + what);
  };
  // Alleles: blobs and their sites well-formed, sorted within each contig. A site's alleles are
  // mostly adjacent, so a site is validated again only when the previous allele had another.
  // Pages well behind the walk (blobs are written nearly in table order) are dropped as it goes;
  // now and then everything behind it, for the few pages touched again out of order (a site
  // referred to from afar, an allele that trimming moved), which would otherwise accumulate.
  uint64_t last_site = 0;
  int64_t site_called2 = 0;
  constexpr uint64_t kSlack = uint64_t{1} << 20;
  uint64_t arena_start = 0, arena_dropped = 0, table_dropped = 0;
  for (size_t c = 0; c < contigs_.size(); ++c) {
    const ContigRange& range = contigs_[c];
    const uint64_t from = std::max(begin, range.first);
    const uint64_t to = std::min(end, range.first + range.count);
    for (uint64_t i = from; i < to; ++i) {
      const Entry e = this->entry(i);
      const uint64_t entry = static_cast<uint64_t>(e.at - d);
      const uint64_t base = Get64(e.header) & ((uint64_t{1} << 48) - 1);
      const uint64_t rel = ReadWidth(e.at + e.pos_width, e.off_width);
      if (pos(i) == 0) return corrupt(entry, "position 0");
      if (base < kSegmentHeaderSize || base >= arena_end || rel >= arena_end - base)
        return corrupt(entry, "allele offset out of range");
      const uint64_t off = base + rel;
      if (i == begin) {
        arena_start = arena_dropped = off;
        table_dropped = entry;
      }
      if (i % 1024 == 0) {  // only offsets already checked to lie inside the file
        if (off > arena_dropped + kSlack) {
          // Now and then everything behind this range's walk (not other ranges' pages).
          DropPages(d, size, i % 65536 == 0 ? arena_start : arena_dropped, off - kSlack);
          arena_dropped = off - kSlack;
        }
        if (entry > table_dropped + kSlack) {
          DropPages(d, size, table_dropped, entry - kSlack);
          table_dropped = entry - kSlack;
        }
      }
      BlobHead head;
      if (const size_t bad = ParseBlobHead(d, off, arena_end, &head); bad != SIZE_MAX) {
        return corrupt(bad, "bad allele blob head");
      }
      if (head.back == 0 || head.back > off - kSegmentHeaderSize) {
        return corrupt(off, "bad site reference");
      }
      const uint64_t site_off = off - head.back;
      if (site_off != last_site) {
        const uint8_t head_byte = d[site_off];
        const bool uniform = (head_byte & kSiteUniform) != 0;
        if ((head_byte & kSiteBaseMask) > 2 || (head_byte >> 6) != 0 ||
            (uniform && (head_byte >> kSiteDeltaShift) != (kSiteUniform >> kSiteDeltaShift))) {
          return corrupt(site_off, "bad site head byte");
        }
        size_t p = site_off + 1;
        for (int k = 0; k < 3 && p != SIZE_MAX && !uniform; ++k) {
          if ((head_byte >> (kSiteDeltaShift + k)) & 1) {  // earlier set + added − removed
            uint64_t ref_back = 0;
            const size_t n = GetVarint(d + p, d + arena_end, &ref_back);
            if (n == 0 || ref_back == 0 || ref_back > site_off - kSegmentHeaderSize ||
                ValidateCarrierSet(d, site_off - ref_back, arena_end, universe_) == SIZE_MAX) {
              return corrupt(p, "bad site set reference");
            }
            p = ValidateCarrierSet(d, p + n, arena_end, universe_);
            if (p == SIZE_MAX) break;
          }
          p = ValidateCarrierSet(d, p, arena_end, universe_);
        }
        if (p == SIZE_MAX) return corrupt(site_off, "bad site call sets");
        // Difference sets are counted as |X| + |A| − |R|: each count must stay in [0, batch].
        int64_t n[3];
        SiteCounts(d + site_off, nullptr, n);
        for (int k = 0; k < 3; ++k) {
          if (n[k] < 0 || n[k] > static_cast<int64_t>(batch_size_)) {
            return corrupt(site_off, "site call sets do not fit the batch");
          }
        }
        site_called2 = n[2];
        last_site = site_off;
      }
      max_ref[c] = std::max<uint64_t>(max_ref[c], head.ref.size());
      size_t p = head.sets;
      int64_t diploid = 0;  // the two stored diploid classes, which the omitted one completes
      for (int k = 0; k < kCarrierClasses && p != SIZE_MAX; ++k) {
        const size_t set = p;
        p = ValidateCarrierSet(d, p, arena_end, universe_);
        if (k < 2 && p != SIZE_MAX) diploid += CarrierSetCardinality(d + set, universe_);
      }
      if (p == SIZE_MAX) return corrupt(off, "bad carrier sets");
      if (diploid > site_called2) {
        return corrupt(head.sets, "diploid carrier sets exceed the site's called samples");
      }
      if (i > range.first) {  // against the previous allele, even across ranges
        const auto prev = std::make_tuple(pos(i - 1), ref(i - 1), alt(i - 1));
        const auto cur = std::make_tuple(pos(i), ref(i), alt(i));
        if (!(prev < cur)) return corrupt(entry, "alleles out of order");
      }
    }
  }
  return Status::Ok();
}

const Segment::ContigRange* Segment::FindContig(std::string_view name) const {
  for (const auto& c : contigs_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Segment::Entry Segment::entry(uint64_t i) const {
  const uint8_t* d = map_.data();
  const uint8_t* h = d + block_table_offset_ + kBlockHeaderSize * (i / kAlleleBlock);
  const int pw = h[6] & 0x0F, ow = h[6] >> 4;
  return {d + allele_table_offset_ + Get32(h + 12) +
              (i % kAlleleBlock) * static_cast<uint64_t>(pw + ow),
          h, pw, ow};
}

uint64_t Segment::blob_offset(uint64_t i) const {
  const Entry e = entry(i);
  return (Get64(e.header) & ((uint64_t{1} << 48) - 1)) + ReadWidth(e.at + e.pos_width, e.off_width);
}

uint32_t Segment::pos(uint64_t i) const {
  const Entry e = entry(i);
  return Get32(e.header + 8) + ReadWidth(e.at, e.pos_width);
}

Segment::AlleleBlob Segment::allele(uint64_t i) const {
  const uint64_t off = blob_offset(i);
  BlobHead h;
  ParseBlobHead(map_.data(), off, batch_set_offset_, &h);  // validated at open
  AlleleBlob a;
  a.omitted = static_cast<OmittedClass>(h.omitted);
  a.ref = h.ref;
  a.alt = h.alt;
  a.sets = map_.data() + h.sets;
  a.site = map_.data() + off - h.back;
  return a;
}

void Segment::SiteCounts(const uint8_t* blob, const SampleSet* filter, int64_t n[3]) const {
  const uint8_t head = *blob;
  const int base = head & kSiteBaseMask;
  const uint8_t* batch = batch_set();
  int64_t rest = filter == nullptr ? batch_size_ : CountAndAdvance(batch, universe_, filter);
  n[0] = n[1] = n[2] = 0;
  const uint8_t* p = blob + 1;
  for (int k = 0; k < 3 && (head & kSiteUniform) == 0; ++k) {
    int64_t c;
    if ((head >> (kSiteDeltaShift + k)) & 1) {
      uint64_t back = 0;
      p += GetVarint(p, map_.data() + map_.size(), &back);
      const uint8_t* earlier = blob - back;
      c = CountAndAdvance(earlier, universe_, filter);
      c += CountAndAdvance(p, universe_, filter);
      c -= CountAndAdvance(p, universe_, filter);
    } else {
      c = CountAndAdvance(p, universe_, filter);
    }
    if (k != base) {  // the base's own set is empty in files this writer makes
      n[k] = c;
      rest -= c;
    }
  }
  n[base] = rest;
}

uint64_t Segment::AlleleNumber(uint64_t i, const SampleSet* filter) const {
  int64_t n[3];
  SiteCounts(site(i), filter, n);
  const int64_t an = n[1] + 2 * n[2];
  return an > 0 ? static_cast<uint64_t>(an) : 0;  // negative only in a forged file
}

ClassCounts Segment::Count(uint64_t i, const SampleSet* filter) const {
  const AlleleBlob a = allele(i);
  int64_t n[3];
  SiteCounts(a.site, filter, n);
  ClassCounts c;
  const int64_t an = n[1] + 2 * n[2];
  c.allele_number = an > 0 ? static_cast<uint64_t>(an) : 0;
  const uint8_t* p = a.sets;
  const int64_t first = CountAndAdvance(p, universe_, filter);
  const int64_t second = CountAndAdvance(p, universe_, filter);
  // The omitted class: called-2 ∩ F minus the two stored (never negative in a valid file; a
  // forged one is clamped).
  const int64_t derived = std::max<int64_t>(0, n[2] - first - second);
  switch (a.omitted) {
    case kOmitNone:
      c.het = static_cast<uint64_t>(first);
      c.hom = static_cast<uint64_t>(second);
      break;
    case kOmitHet:
      c.hom = static_cast<uint64_t>(first);
      c.het = static_cast<uint64_t>(derived);
      break;
    case kOmitHom:
      c.het = static_cast<uint64_t>(first);
      c.hom = static_cast<uint64_t>(derived);
      break;
  }
  c.hemi = CountAndAdvance(p, universe_, filter);
  c.partial = CountAndAdvance(p, universe_, filter);
  return c;
}

void Segment::AddCalledTwice(const uint8_t* blob, SampleSet& out) const {
  const uint8_t head = *blob;
  const int base = head & kSiteBaseMask;
  SampleSet called2(out.universe());
  if (base == 2) CarrierSetAddTo(batch_set(), universe_, nullptr, called2);
  const uint8_t* p = blob + 1;
  for (int k = 0; k < 3 && (head & kSiteUniform) == 0; ++k) {
    SampleSet s(out.universe());
    if ((head >> (kSiteDeltaShift + k)) & 1) {  // X ∪ A \ R
      uint64_t back = 0;
      p += GetVarint(p, map_.data() + map_.size(), &back);
      CarrierSetAddTo(blob - back, universe_, nullptr, s);
      p = CarrierSetAddTo(p, universe_, nullptr, s);
      p = CarrierSetRemoveFrom(p, universe_, s);
    } else {
      p = CarrierSetAddTo(p, universe_, nullptr, s);
    }
    if (k == base) continue;  // empty in files this writer makes; counts ignore it too
    if (k == 2) {
      called2 |= s;
    } else if (base == 2) {
      for (SampleId id : s.ToVector()) called2.Remove(id);
    }
  }
  out |= called2;
}

void Segment::AddCarriers(uint64_t i, const SampleSet* filter, SampleSet& out) const {
  const AlleleBlob a = allele(i);
  const uint8_t* p = a.sets;
  if (a.omitted == kOmitNone) {
    p = CarrierSetAddTo(p, universe_, filter, out);  // het
    p = CarrierSetAddTo(p, universe_, filter, out);  // hom
  } else {
    // het ∪ hom = called-2 \ none, whichever of the two was left out.
    SampleSet carriers(out.universe());
    AddCalledTwice(a.site, carriers);
    p = SkipCarrierSet(p, universe_);
    p = CarrierSetRemoveFrom(p, universe_, carriers);
    if (filter != nullptr) carriers &= *filter;
    out |= carriers;
  }
  p = CarrierSetAddTo(p, universe_, filter, out);  // hemi
  CarrierSetAddTo(p, universe_, filter, out);      // partial
}

uint64_t Segment::LowerBound(const ContigRange& range, int64_t pos_1based, std::string_view r,
                             std::string_view a) const {
  uint64_t lo = range.first, hi = range.first + range.count;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    const int64_t p = pos(mid);
    bool less;
    if (p != pos_1based) {
      less = p < pos_1based;
    } else {
      const std::string_view mr = ref(mid);
      less = mr != r ? mr < r : alt(mid) < a;
    }
    if (less) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace genomefed::store
