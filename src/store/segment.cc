#include "store/segment.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <tuple>

#include "store/carrier_set.h"

namespace genomefed::store {
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

std::filesystem::path SidePath(const std::filesystem::path& p, const char* suffix) {
  std::filesystem::path side = p;
  side += suffix;
  return side;
}

// Reads a side file back into the segment in 1 MiB pieces.
Status CopyInto(const std::filesystem::path& side,
                const std::function<Status(std::string_view)>& sink) {
  GF_ASSIGN_OR_RETURN(MappedFile m, MappedFile::Open(side));
  constexpr size_t kPiece = 1 << 20;
  for (size_t off = 0; off < m.size(); off += kPiece) {
    const size_t n = std::min(kPiece, m.size() - off);
    GF_RETURN_IF_ERROR(sink(std::string_view(reinterpret_cast<const char*>(m.data() + off), n)));
  }
  return Status::Ok();
}

}  // namespace

void EncodeSite(const SiteCalls& site, uint32_t universe, std::string& out) {
  out.push_back(static_cast<char>(site.base));
  for (const auto& ids : site.called_exceptions) EncodeCarrierSet(ids, universe, out);
}

SegmentWriter::~SegmentWriter() {
  if (open_) Abandon();
}

Status SegmentWriter::Open(const std::filesystem::path& path, uint32_t universe) {
  path_ = path;
  universe_ = universe;
  crc_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
  GF_RETURN_IF_ERROR(file_.Open(path));
  GF_RETURN_IF_ERROR(sites_.Open(SidePath(path, ".sites")));
  GF_RETURN_IF_ERROR(alleles_.Open(SidePath(path, ".alleles")));
  open_ = true;
  std::string header(kSegmentMagic, 8);
  Put32(header, kSegmentVersion);
  Put32(header, 0);  // flags
  Put32(header, universe);
  header.resize(kSegmentHeaderSize, '\0');
  return Write(header);
}

Status SegmentWriter::Write(std::string_view bytes) {
  crc_ = static_cast<uint32_t>(
      crc32(crc_, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
  return file_.Append(bytes);
}

Result<uint32_t> SegmentWriter::AddSite(std::string_view encoded_site) {
  scratch_.clear();
  Put64(scratch_, file_.offset());
  GF_RETURN_IF_ERROR(sites_.Append(scratch_));
  GF_RETURN_IF_ERROR(Write(encoded_site));
  if (site_count_ >= UINT32_MAX) return ResourceExhausted("too many sites in one segment");
  return static_cast<uint32_t>(site_count_++);
}

Status SegmentWriter::AddAllele(std::string_view contig, int64_t pos, std::string_view ref,
                                std::string_view alt, uint32_t site,
                                std::string_view encoded_sets) {
  if (pos < 1 || pos > UINT32_MAX) return InvalidArgument("position out of range");
  if (contigs_.empty() || contigs_.back().name != contig) {
    for (const auto& c : contigs_) {
      if (c.name == contig) return Internal("contig " + std::string(contig) + " revisited");
    }
    contigs_.push_back({std::string(contig), allele_count_, 0});
  }
  scratch_.clear();
  Put32(scratch_, static_cast<uint32_t>(pos));
  Put32(scratch_, site);
  Put64(scratch_, file_.offset());
  GF_RETURN_IF_ERROR(alleles_.Append(scratch_));
  scratch_.clear();
  PutVarint(scratch_, ref.size());
  scratch_.append(ref);
  PutVarint(scratch_, alt.size());
  scratch_.append(alt);
  GF_RETURN_IF_ERROR(Write(scratch_));
  GF_RETURN_IF_ERROR(Write(encoded_sets));
  ++contigs_.back().count;
  ++allele_count_;
  return Status::Ok();
}

Status SegmentWriter::Finish(std::span<const SampleId> batch_samples) {
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
  GF_RETURN_IF_ERROR(sites_.Close());
  GF_RETURN_IF_ERROR(alleles_.Close());
  const uint64_t site_table = file_.offset();
  auto sink = [&](std::string_view piece) { return Write(piece); };
  GF_RETURN_IF_ERROR(CopyInto(SidePath(path_, ".sites"), sink));
  const uint64_t allele_table = file_.offset();
  GF_RETURN_IF_ERROR(CopyInto(SidePath(path_, ".alleles"), sink));
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
  Put64(footer, site_table);
  Put64(footer, site_count_);
  Put64(footer, allele_table);
  Put64(footer, allele_count_);
  Put64(footer, contig_table);
  Put32(footer, crc_);
  Put32(footer, 0);
  footer.append(kSegmentEndMagic, 8);
  GF_RETURN_IF_ERROR(file_.Append(footer));
  GF_RETURN_IF_ERROR(file_.Close());
  std::error_code ec;
  std::filesystem::remove(SidePath(path_, ".sites"), ec);
  std::filesystem::remove(SidePath(path_, ".alleles"), ec);
  open_ = false;
  return Status::Ok();
}

void SegmentWriter::Abandon() {
  (void)file_.Close();
  (void)sites_.Close();
  (void)alleles_.Close();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  std::filesystem::remove(SidePath(path_, ".sites"), ec);
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
    return corrupt(8, "unsupported segment version " + std::to_string(Get32(d + 8)));
  }
  universe_ = Get32(d + 16);
  const size_t footer = size - kSegmentFooterSize;
  const uint8_t* f = d + footer;
  if (std::memcmp(f + 56, kSegmentEndMagic, 8) != 0) return corrupt(footer + 56, "bad end magic");
  batch_set_offset_ = Get64(f);
  site_table_offset_ = Get64(f + 8);
  site_count_ = Get64(f + 16);
  allele_table_offset_ = Get64(f + 24);
  allele_count_ = Get64(f + 32);
  contig_table_offset_ = Get64(f + 40);
  crc_ = Get32(f + 48);
  if (Get32(f + 52) != 0) return corrupt(footer + 52, "reserved footer field is not zero");
  // crc32 over [0, footer) in pieces (uInt is 32-bit).
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t off = 0; off < footer; off += (1u << 30)) {
    const size_t n = std::min<size_t>(1u << 30, footer - off);
    crc = crc32(crc, d + off, static_cast<uInt>(n));
  }
  if (static_cast<uint32_t>(crc) != crc_) return corrupt(footer + 48, "checksum mismatch");
  if (!(kSegmentHeaderSize <= batch_set_offset_ && batch_set_offset_ <= site_table_offset_ &&
        site_table_offset_ + site_count_ * 8 == allele_table_offset_ &&
        allele_table_offset_ + allele_count_ * kAlleleEntrySize == contig_table_offset_ &&
        contig_table_offset_ + 4 <= footer && site_count_ <= UINT32_MAX)) {
    return corrupt(footer, "inconsistent table offsets");
  }
  const size_t arena_end = batch_set_offset_;
  size_t end = ValidateCarrierSet(d, batch_set_offset_, site_table_offset_, universe_);
  if (end == SIZE_MAX) return corrupt(batch_set_offset_, "bad batch sample set");
  batch_size_ = CarrierSetCardinality(d + batch_set_offset_, universe_);
  // Sites.
  for (uint64_t s = 0; s < site_count_; ++s) {
    const uint64_t off = Get64(d + site_table_offset_ + 8 * s);
    if (off < kSegmentHeaderSize || off >= arena_end)
      return corrupt(off, "site offset out of range");
    if (d[off] > 2) return corrupt(off, "bad base ploidy");
    size_t p = off + 1;
    for (int k = 0; k < 3 && p != SIZE_MAX; ++k) p = ValidateCarrierSet(d, p, arena_end, universe_);
    if (p == SIZE_MAX) return corrupt(off, "bad site call sets");
  }
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
  // Alleles: blobs well-formed, sorted within each contig.
  for (const auto& range : contigs_) {
    for (uint64_t i = range.first; i < range.first + range.count; ++i) {
      const uint8_t* e = d + allele_table_offset_ + kAlleleEntrySize * i;
      const uint64_t off = Get64(e + 8);
      if (Get32(e + 4) >= site_count_)
        return corrupt(allele_table_offset_ + 16 * i, "bad site index");
      if (Get32(e) == 0) return corrupt(allele_table_offset_ + 16 * i, "position 0");
      if (off < kSegmentHeaderSize || off >= arena_end)
        return corrupt(off, "allele offset out of range");
      uint64_t len = 0;
      size_t p = off;
      for (int a = 0; a < 2; ++a) {
        size_t used = GetVarint(d + p, d + arena_end, &len);
        if (used == 0 || len == 0 || len > arena_end - p - used)
          return corrupt(p, "bad allele string");
        p += used + len;
      }
      for (int k = 0; k < kCarrierClasses && p != SIZE_MAX; ++k) {
        p = ValidateCarrierSet(d, p, arena_end, universe_);
      }
      if (p == SIZE_MAX) return corrupt(off, "bad carrier sets");
      if (i > range.first) {
        const auto prev = std::make_tuple(pos(i - 1), ref(i - 1), alt(i - 1));
        const auto cur = std::make_tuple(pos(i), ref(i), alt(i));
        if (!(prev < cur)) return corrupt(allele_table_offset_ + 16 * i, "alleles out of order");
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

uint64_t Segment::blob_offset(uint64_t i) const {
  return Get64(map_.data() + allele_table_offset_ + kAlleleEntrySize * i + 8);
}

uint32_t Segment::pos(uint64_t i) const {
  return Get32(map_.data() + allele_table_offset_ + kAlleleEntrySize * i);
}

std::string_view Segment::ref(uint64_t i) const {
  const uint8_t* p = map_.data() + blob_offset(i);
  uint64_t len = 0;
  size_t used = GetVarint(p, map_.data() + map_.size(), &len);
  return {reinterpret_cast<const char*>(p + used), len};
}

std::string_view Segment::alt(uint64_t i) const {
  std::string_view r = ref(i);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(r.data() + r.size());
  uint64_t len = 0;
  size_t used = GetVarint(p, map_.data() + map_.size(), &len);
  return {reinterpret_cast<const char*>(p + used), len};
}

const uint8_t* Segment::carrier_sets(uint64_t i) const {
  std::string_view a = alt(i);
  return reinterpret_cast<const uint8_t*>(a.data() + a.size());
}

const uint8_t* Segment::site(uint64_t i) const {
  const uint32_t s = Get32(map_.data() + allele_table_offset_ + kAlleleEntrySize * i + 4);
  return map_.data() + Get64(map_.data() + site_table_offset_ + 8 * s);
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
