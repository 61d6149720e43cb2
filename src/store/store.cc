#include "store/store.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "store/carrier_set.h"
#include "store/dataset_check.h"
#include "store/manifest.h"
#include "store/segment.h"

namespace genomefed::store {

std::string CanonicalContig(std::string_view name) {
  std::string_view n = name;
  if (n.size() > 3 &&
      (n.substr(0, 3) == "chr" || n.substr(0, 3) == "CHR" || n.substr(0, 3) == "Chr")) {
    n.remove_prefix(3);
  }
  if (n == "M" || n == "MT" || n == "m" || n == "mt") return "MT";
  // RefSeq chromosome accessions of GRCh37/GRCh38: NC_0000NN.v, and NC_012920.1 for MT.
  if (n.rfind("NC_", 0) == 0) {
    std::string_view acc = n.substr(3);
    const size_t dot = acc.find('.');
    std::string_view num = acc.substr(0, dot);
    if (num == "012920") return "MT";
    int value = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
    if (ec == std::errc() && ptr == num.data() + num.size() && num.size() == 6) {
      if (value >= 1 && value <= 22) return std::to_string(value);
      if (value == 23) return "X";
      if (value == 24) return "Y";
    }
  }
  if (n == "x") return "X";
  if (n == "y") return "Y";
  return std::string(n);
}

Result<AlleleKey> ParseAlleleKey(std::string_view text) {
  // Accept CHR:POS:REF:ALT and CHR-POS-REF-ALT; the separator is whichever splits into 4.
  for (char sep : {':', '-'}) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
      size_t at = text.find(sep, start);
      parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
      if (at == std::string_view::npos) break;
      start = at + 1;
    }
    if (parts.size() != 4) continue;
    AlleleKey key;
    key.contig = CanonicalContig(parts[0]);
    int64_t pos = 0;
    auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), pos);
    if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || pos < 1) {
      return InvalidArgument("bad position '" + std::string(parts[1]) + "' in variant '" +
                             std::string(text) + "' (1-based, as in VCF)");
    }
    key.pos = pos;
    for (auto [src, dst] : {std::pair{parts[2], &key.ref}, std::pair{parts[3], &key.alt}}) {
      if (src.empty())
        return InvalidArgument("empty allele in variant '" + std::string(text) + "'");
      for (char c : src) {
        const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (u != 'A' && u != 'C' && u != 'G' && u != 'T' && u != 'N') {
          return InvalidArgument("allele '" + std::string(src) + "' in variant '" +
                                 std::string(text) + "' is not made of A, C, G, T, N");
        }
        dst->push_back(u);
      }
    }
    if (key.contig.empty()) return InvalidArgument("empty contig in '" + std::string(text) + "'");
    return key;
  }
  return InvalidArgument("variant '" + std::string(text) +
                         "' must be CHR:POS:REF:ALT or CHR-POS-REF-ALT");
}

std::string FormatAlleleKey(const AlleleKey& key) {
  return key.contig + "-" + std::to_string(key.pos) + "-" + key.ref + "-" + key.alt;
}

// ---------------------------------------------------------------------------------------------

Dataset::~Dataset() = default;

std::optional<SampleId> Dataset::FindSample(std::string_view sample_id) const {
  auto it = sample_index_.find(sample_id);
  if (it == sample_index_.end()) return std::nullopt;
  return it->second;
}

SampleSet Dataset::SamplesMatching(SampleField field,
                                   const std::vector<std::string>& values) const {
  SampleSet out(sample_count());
  const auto& index = field_index_[static_cast<int>(field)];
  for (const auto& v : values) {
    auto it = index.find(v);
    if (it == index.end()) continue;
    for (SampleId id : it->second) out.Add(id);
  }
  return out;
}

std::map<std::string, uint32_t> Dataset::ValueCounts(SampleField field) const {
  std::map<std::string, uint32_t> out;
  for (const auto& [value, ids] : field_index_[static_cast<int>(field)]) {
    out[value] = static_cast<uint32_t>(ids.size());
  }
  return out;
}

std::vector<std::string> Dataset::contigs() const {
  std::vector<std::string> out;
  for (const auto& seg : segments_) {
    for (const auto& c : seg->contigs()) {
      if (std::find(out.begin(), out.end(), c.name) == out.end()) out.push_back(c.name);
    }
  }
  return out;
}

std::optional<AlleleRef> Dataset::Find(const AlleleKey& key) const {
  AlleleRef ref;
  for (uint32_t s = 0; s < segments_.size(); ++s) {
    const Segment& seg = *segments_[s];
    const Segment::ContigRange* range = seg.FindContig(key.contig);
    if (range == nullptr) continue;
    const uint64_t i = seg.LowerBound(*range, key.pos, key.ref, key.alt);
    if (i < range->first + range->count && seg.pos(i) == key.pos && seg.ref(i) == key.ref &&
        seg.alt(i) == key.alt) {
      ref.parts.push_back({s, static_cast<uint32_t>(i)});
    }
  }
  if (ref.parts.empty()) return std::nullopt;
  return ref;
}

void Dataset::ScanRange(
    std::string_view contig, int64_t start, int64_t end,
    const std::function<bool(const AlleleKey&, const AlleleRef&)>& visit) const {
  struct Cursor {
    uint32_t segment;
    uint64_t next;
    uint64_t end;
  };
  const std::string canonical = CanonicalContig(contig);
  std::vector<Cursor> cursors;
  for (uint32_t s = 0; s < segments_.size(); ++s) {
    const Segment& seg = *segments_[s];
    const Segment::ContigRange* range = seg.FindContig(canonical);
    if (range == nullptr) continue;
    const uint64_t lo = seg.LowerBound(*range, start, "", "");
    const uint64_t hi = seg.LowerBound(*range, end + 1, "", "");
    if (lo < hi) cursors.push_back({s, lo, hi});
  }
  AlleleKey key;
  key.contig = canonical;
  while (true) {
    // Smallest key among the cursors (few segments: a linear pick is fastest).
    int best = -1;
    for (size_t c = 0; c < cursors.size(); ++c) {
      if (cursors[c].next >= cursors[c].end) continue;
      if (best < 0) {
        best = static_cast<int>(c);
        continue;
      }
      const Segment& a = *segments_[cursors[c].segment];
      const Segment& b = *segments_[cursors[best].segment];
      const auto ka =
          std::make_tuple(a.pos(cursors[c].next), a.ref(cursors[c].next), a.alt(cursors[c].next));
      const auto kb = std::make_tuple(b.pos(cursors[best].next), b.ref(cursors[best].next),
                                      b.alt(cursors[best].next));
      if (ka < kb) best = static_cast<int>(c);
    }
    if (best < 0) return;
    const Segment& seg = *segments_[cursors[best].segment];
    const uint64_t i = cursors[best].next;
    key.pos = seg.pos(i);
    key.ref.assign(seg.ref(i));
    key.alt.assign(seg.alt(i));
    AlleleRef ref;
    for (auto& c : cursors) {
      if (c.next >= c.end) continue;
      const Segment& sc = *segments_[c.segment];
      if (sc.pos(c.next) == key.pos && sc.ref(c.next) == key.ref && sc.alt(c.next) == key.alt) {
        ref.parts.push_back({c.segment, static_cast<uint32_t>(c.next)});
        ++c.next;
      }
    }
    if (!visit(key, ref)) return;
  }
}

uint64_t Dataset::MaxRefLength(std::string_view contig) const {
  const std::string canonical = CanonicalContig(contig);
  uint64_t longest = 0;
  for (const auto& seg : segments_) {
    if (const Segment::ContigRange* range = seg->FindContig(canonical)) {
      longest = std::max(longest, range->max_ref_length);
    }
  }
  return longest;
}

void Dataset::ScanOverlapping(
    std::string_view contig, int64_t start, int64_t end,
    const std::function<bool(const AlleleKey&, const AlleleRef&)>& visit) const {
  if (end < start) return;
  const int64_t reach = static_cast<int64_t>(MaxRefLength(contig));
  const int64_t from = reach > 1 ? std::max<int64_t>(1, start - (reach - 1)) : start;
  ScanRange(contig, from, end, [&](const AlleleKey& k, const AlleleRef& ref) {
    if (k.pos + static_cast<int64_t>(k.ref.size()) - 1 < start) return true;  // ends before
    return visit(k, ref);
  });
}

AlleleCounts Dataset::Count(const AlleleRef& ref, const SampleSet* filter) const {
  AlleleCounts c;
  for (const auto& part : ref.parts) {
    const ClassCounts n = segments_[part.segment]->Count(part.index, filter);
    c.ac_het += n.het;
    c.ac_hom += 2 * n.hom;
    c.ac_hemi += n.hemi;
    c.allele_count += n.het + 2 * n.hom + n.hemi + n.partial;
    c.individuals += n.het + n.hom + n.hemi + n.partial;
    c.allele_number += n.allele_number;
  }
  return c;
}

uint64_t Dataset::carried_allele_count() const {
  std::call_once(carried_once_, [this] {
    uint64_t carried = 0;
    for (const auto& contig : contigs()) {
      ScanRange(contig, 1, INT64_MAX / 2, [&](const AlleleKey&, const AlleleRef& ref) {
        if (HasCarrier(ref)) ++carried;
        return true;
      });
    }
    carried_allele_count_ = carried;
  });
  return carried_allele_count_;
}

SampleSet Dataset::Carriers(const AlleleRef& ref, const SampleSet* filter) const {
  SampleSet out(sample_count());
  for (const auto& part : ref.parts) segments_[part.segment]->AddCarriers(part.index, filter, out);
  return out;
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<Dataset>> Store::OpenDataset(const std::filesystem::path& dir) {
  auto read = ReadManifest(dir);
  if (!read.ok()) {
    if (read.status().code() == StatusCode::kNotFound) {
      GF_RETURN_IF_ERROR(CheckForUncommittedData(dir));
    }
    return read.status();
  }
  Manifest manifest = std::move(read).value();
  std::unique_ptr<Dataset> ds(new Dataset());
  ds->id_ = manifest.dataset;
  ds->generation_ = manifest.generation;
  ds->assembly_ = manifest.assembly;
  GF_ASSIGN_OR_RETURN(SampleTable table, ReadSampleTable(dir / manifest.samples_file));
  ds->samples_ = std::move(table.samples);
  for (SampleId i = 0; i < ds->samples_.size(); ++i) {
    const SampleInfo& s = ds->samples_[i];
    if (!ds->sample_index_.emplace(s.id, i).second) {
      return Corruption(dir.string() + ": sample '" + s.id + "' listed twice");
    }
    auto add = [&](SampleField f, const std::string& v) {
      if (!v.empty()) ds->field_index_[static_cast<int>(f)][v].push_back(i);
    };
    add(SampleField::kSex, s.sex);
    add(SampleField::kPopulation, s.population);
    for (const auto& v : s.phenotypes) add(SampleField::kPhenotype, v);
    for (const auto& v : s.diseases) add(SampleField::kDisease, v);
    for (const auto& v : s.consent) add(SampleField::kConsent, v);
  }
  for (auto& index : ds->field_index_) {
    for (auto& [value, ids] : index) ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  for (const auto& entry : manifest.segments) {
    auto opened = Segment::Open(dir / entry.file);
    if (!opened.ok()) {
      // The cheap verification names a missing segment as damage (not "not found") and a
      // checksum failure by its byte range; otherwise the full validation's message stands.
      Status verified = VerifyDataset(dir, manifest);
      return verified.ok() ? opened.status() : verified;
    }
    std::unique_ptr<Segment> seg = std::move(opened).value();
    if (seg->crc() != entry.crc32) {
      return Corruption((dir / entry.file).string() + ": checksum differs from the MANIFEST's");
    }
    if (seg->universe() > ds->samples_.size()) {
      return Corruption((dir / entry.file).string() + ": refers to samples the table lacks");
    }
    ds->segments_.push_back(std::move(seg));
  }
  // Distinct alleles across segments.
  uint64_t distinct = 0;
  for (const auto& contig : ds->contigs()) {
    ds->ScanRange(contig, 1, INT64_MAX / 2, [&](const AlleleKey&, const AlleleRef&) {
      ++distinct;
      return true;
    });
  }
  ds->allele_count_ = distinct;
  return ds;
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& data_dir) {
  std::unique_ptr<Store> store(new Store());
  const auto datasets_dir = data_dir / "datasets";
  if (!std::filesystem::exists(datasets_dir)) return store;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(datasets_dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (!std::filesystem::exists(entry.path() / kManifestName)) {
      // A dataset whose MANIFEST was lost is reported, never silently skipped.
      if (Status s = CheckForUncommittedData(entry.path()); !s.ok())
        store->broken_.emplace(name, s);
      continue;
    }
    auto ds = OpenDataset(entry.path());
    if (!ds.ok()) {
      store->broken_.emplace(name, ds.status());
      continue;
    }
    std::string id = (*ds)->id();
    store->datasets_.emplace(std::move(id), std::move(ds).value());
  }
  if (ec) return IOError("cannot list " + datasets_dir.string() + ": " + ec.message());
  return store;
}

std::vector<std::string> Store::dataset_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, ds] : datasets_) out.push_back(id);
  return out;
}

const Dataset* Store::dataset(std::string_view id) const {
  auto it = datasets_.find(id);
  return it == datasets_.end() ? nullptr : it->second.get();
}

}  // namespace genomefed::store
