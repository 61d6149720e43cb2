#include "htsget/slice.h"

#include <htslib/hts.h>

#include <algorithm>

namespace genomefed::htsget {

struct SliceIndex::Htslib {
  hts_idx_t* idx = nullptr;
  ~Htslib() {
    if (idx != nullptr) hts_idx_destroy(idx);
  }
};

SliceIndex::~SliceIndex() = default;

Result<std::shared_ptr<const SliceIndex>> SliceIndex::Open(const ArchivedFile& file) {
  if (!file.bgzf) {
    return FailedPrecondition(file.id + " is not BGZF-compressed and cannot be sliced");
  }
  std::shared_ptr<SliceIndex> s(new SliceIndex());
  s->file_ = file;
  GF_ASSIGN_OR_RETURN(s->blocks_, LoadBlockMap(file));
  if (s->blocks_.back() != file.plaintext_size) {
    return Corruption(file.blocks_path().string() + ": ends at " +
                      std::to_string(s->blocks_.back()) + ", the archived file has " +
                      std::to_string(file.plaintext_size) + " bytes");
  }
  s->hts_ = std::make_unique<Htslib>();
  const std::string index = file.index_path().string();
  // The index is the only input: htslib is given its path for the data file too (it is used
  // for a timestamp warning only).
  s->hts_->idx = hts_idx_load2(index.c_str(), index.c_str());
  if (s->hts_->idx == nullptr) return Corruption(index + ": not a readable tbi/csi index");
  return std::shared_ptr<const SliceIndex>(std::move(s));
}

int SliceIndex::ContigId(const std::string& name) const {
  const auto& contigs = file_.contigs;
  auto find = [&contigs](std::string_view n) -> int {
    auto it = std::find(contigs.begin(), contigs.end(), n);
    return it == contigs.end() ? -1 : static_cast<int>(it - contigs.begin());
  };
  int id = find(name);
  if (id >= 0) return id;
  if (name.starts_with("chr")) return find(std::string_view(name).substr(3));
  return find("chr" + name);
}

uint64_t SliceIndex::BlockEnd(uint64_t coffset) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), coffset);
  return it == blocks_.end() ? blocks_.back() : *it;
}

std::vector<ByteSpan> MergeSpans(std::vector<ByteSpan> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const ByteSpan& a, const ByteSpan& b) { return a.start < b.start; });
  std::vector<ByteSpan> out;
  for (const ByteSpan& s : spans) {
    if (s.end <= s.start) continue;
    if (!out.empty() && s.start <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

bool SlicePlan::block_aligned() const {
  for (const auto* list : {&header, &data}) {
    for (const Piece& p : *list) {
      if (!p.whole) return false;
    }
  }
  return true;
}

void SliceIndex::AddPieces(uint64_t u, uint64_t v, std::vector<Piece>* out) const {
  const uint64_t bu = u >> 16, bv = v >> 16;
  const uint32_t ou = static_cast<uint32_t>(u & 0xffff), ov = static_cast<uint32_t>(v & 0xffff);
  auto whole = [&](uint64_t start, uint64_t end) {
    if (end <= start) return;
    if (!out->empty() && out->back().whole && out->back().bytes.end == start) {
      out->back().bytes.end = end;
    } else {
      out->push_back({true, {start, end}, 0, 0});
    }
  };
  auto edge = [&](uint64_t block, uint32_t from, uint32_t to) {
    if (to > from) out->push_back({false, {block, BlockEnd(block)}, from, to});
  };
  if (bu == bv) {
    if (ou == 0 && ov == 0) return;
    edge(bu, ou, ov);
    return;
  }
  uint64_t next = bu;
  if (ou != 0) {
    // Up to the block's content end: isize is unknown here, 0x10000 covers every block.
    edge(bu, ou, 0x10000);
    next = BlockEnd(bu);
  }
  whole(next, bv);
  if (ov != 0) edge(bv, 0, ov);
}

Result<SlicePlan> SliceIndex::Plan(const std::vector<Region>& regions, bool header_only) const {
  SlicePlan plan;
  const uint64_t header_end = file_.header_end_voffset;
  AddPieces(0, header_end, &plan.header);
  uint64_t data_end = file_.plaintext_size;
  if (file_.ends_with_eof_block && blocks_.size() >= 2) {
    const uint64_t eof_start = blocks_[blocks_.size() - 2];
    plan.eof = ByteSpan{eof_start, file_.plaintext_size};
    data_end = eof_start;
  }
  if (header_only) return plan;
  // Virtual offset spans [u, v), clamped after the header and before the EOF block.
  std::vector<ByteSpan> spans;
  const uint64_t data_end_voffset = data_end << 16;
  auto add = [&](uint64_t u, uint64_t v) {
    u = std::max(u, header_end);
    v = std::min(v, data_end_voffset);
    if (v > u) spans.push_back({u, v});
  };
  if (regions.empty()) add(header_end, data_end_voffset);
  for (const Region& r : regions) {
    const int tid = ContigId(r.reference_name);
    if (tid < 0) {
      return NotFound("referenceName '" + r.reference_name + "' is not in " + file_.id);
    }
    const hts_pos_t beg = static_cast<hts_pos_t>(r.start.value_or(0));
    const hts_pos_t end =
        r.end ? static_cast<hts_pos_t>(std::min<uint64_t>(*r.end, HTS_POS_MAX)) : HTS_POS_MAX;
    hts_itr_t* itr = hts_itr_query(hts_->idx, tid, beg, end, nullptr);
    if (itr == nullptr) continue;  // htslib: nothing indexed for this reference
    for (int i = 0; i < itr->n_off; ++i) add(itr->off[i].u, itr->off[i].v);
    hts_itr_destroy(itr);
  }
  for (const ByteSpan& s : MergeSpans(std::move(spans))) AddPieces(s.start, s.end, &plan.data);
  return plan;
}

}  // namespace genomefed::htsget
