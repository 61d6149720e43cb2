// Segment files: one immutable, memory-mapped file per ingest batch (or compaction), holding
// the batch's alleles in (contig, pos, ref, alt) order with their carrier sets. Internal to the
// store; the format is documented in docs/formats/store.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "core/status.h"
#include "store/sample_set.h"

namespace genomefed::store {

inline constexpr char kSegmentMagic[8] = {'G', 'F', 'S', 'E', 'G', '0', '0', '1'};
inline constexpr char kSegmentEndMagic[8] = {'G', 'F', 'S', 'E', 'G', 'E', 'N', 'D'};
inline constexpr uint32_t kSegmentVersion = 3;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kSegmentFooterSize = 64;
// The allele table is cut in blocks of 64 entries, each entry (pos − block's pos base,
// blob offset − block's offset base) in the fewest bytes (1–4) that hold its block's largest
// deltas; a block header says where the block's entries are and how wide they are.
inline constexpr uint64_t kAlleleBlock = 64;
// Block header: offset base u48 | widths u8 (pos bytes | offset bytes << 4) | 0 u8 |
// pos base u32 | entries u32 (the block's first entry, bytes from the allele table's start).
inline constexpr size_t kBlockHeaderSize = 16;

// The genotype classes of an allele's calls, as ingest sorts them.
enum CarrierClass { kHet = 0, kHom = 1, kHemi = 2, kPartial = 3, kCarrierClasses = 4 };

// Which of the three diploid classes {het, hom, none} an allele blob leaves out (the largest;
// none = called-2 samples without a copy). They partition the site's called-2 samples, so the
// omitted one is |called-2 ∩ F| minus the other two, and a count computes |called-2 ∩ F| for
// AN anyway. Stored in the low 2 bits of the blob's first varint; the blob then holds the two
// others in this order, then hemi and partial. Measured (synth 2,504 × 200,000, Rice sets):
// 16.32 → 15.30 MB for the allele sets; 4.4 % of alleles leave out het or hom (AF above about
// 0.3), whose two bitsets were far above their entropy. Single-base SNVs in one byte instead
// of four: 0.89 → 0.35 MB.
enum OmittedClass : uint8_t {
  kOmitNone = 0,  // het, hom stored (most alleles: few carriers)
  kOmitHet = 1,   // hom, none stored
  kOmitHom = 2,   // het, none stored
};
// A single-base REF and ALT of these letters is one byte < 16 in the blob: 4·ref + alt.
inline constexpr char kBases[5] = "ACGT";
inline constexpr uint64_t kAlleleStringsLong = 16;  // else: varint (len(REF) + 15) | REF | ...

// Encoded per-site data: base called-allele count (0..2) and the samples that differ from it.
// `called_exceptions[k]` = ascending ids whose called count is k (k != base).
struct SiteCalls {
  uint8_t base = 2;
  std::vector<SampleId> called_exceptions[3];
};
// The plain encoding (no references to earlier sites).
void EncodeSite(const SiteCalls& site, uint32_t universe, std::string& out);

// Encodes an allele's calls for SegmentWriter::AddAllele (ingest calls this once per allele):
// `classes` = the ascending ids of its het, hom, hemi and partial calls (kCarrierClasses
// vectors); `site` = its site's calls, over the batch [batch_first, batch_first + batch_size).
// Writes the OmittedClass byte, then the four stored carrier sets. The called-2 samples are
// listed only when het or hom is the largest class (common alleles), to write `none`.
void EncodeAlleleCarriers(std::span<const std::vector<SampleId>> classes, const SiteCalls& site,
                          SampleId batch_first, uint32_t batch_size, uint32_t universe,
                          std::string& out);

// Allele figures of one segment over samples F (counts of samples, not of allele copies).
struct ClassCounts {
  uint64_t het = 0, hom = 0, hemi = 0, partial = 0;
  uint64_t allele_number = 0;
};

// Site blob head byte: bits 0–1 the base, bit 2 + k set when S_k is stored as a difference
// from an earlier set, bit 5 when there are no exceptions at all (docs/formats/store.md).
inline constexpr uint8_t kSiteBaseMask = 0x03;
inline constexpr int kSiteDeltaShift = 2;
// Bit 5: every sample has the base count; no sets follow (real files often have no missing
// calls at all).
inline constexpr uint8_t kSiteUniform = 0x20;
// Exception sets this large are kept as references for later sites' differences (haploid
// males on chrX repeat on every chrX site; per-call missingness changes a few ids).
inline constexpr size_t kSiteDeltaMinIds = 16;

// Writes one segment. Alleles must arrive sorted by (pos, ref, alt) within a contig, and a
// contig's alleles must be contiguous. Memory stays bounded: index entries spill to side files.
class SegmentWriter {
 public:
  SegmentWriter() = default;
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  Status Open(const std::filesystem::path& path, uint32_t universe);
  // `encoded_site` as EncodeSite writes it. Returns the site's handle (its blob offset) for
  // later AddAllele calls. A large exception set is stored as the difference from an earlier
  // site's when that is smaller (the workers encode plainly and in parallel; only this writer
  // sees the sites in order). `calls`, when given, must be the SiteCalls that `encoded_site`
  // encodes: their id lists spare decoding the large sets again.
  Result<uint64_t> AddSite(std::string_view encoded_site, const SiteCalls* calls = nullptr);
  // `encoded_sets` as EncodeAlleleCarriers writes it.
  Status AddAllele(std::string_view contig, int64_t pos, std::string_view ref, std::string_view alt,
                   uint64_t site, std::string_view encoded_sets);
  // Writes the batch's sample set, tables and footer; fsyncs. The file is complete after this.
  // With `sync` false the caller must SyncPath the segment before publishing it (ingest does so
  // while it re-reads the segment).
  Status Finish(std::span<const SampleId> batch_samples, bool sync = true);
  // Removes the partial file and side files (after an error).
  void Abandon();

  uint64_t allele_count() const { return allele_count_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  Status Write(std::string_view bytes);
  std::filesystem::path path_;
  uint32_t universe_ = 0;
  FileWriter file_;
  Status FlushBlock();
  FileWriter alleles_;                                // side file: allele table entries
  FileWriter blocks_;                                 // side file: block headers
  std::vector<std::pair<uint32_t, uint64_t>> block_;  // (pos, blob offset) not yet written
  uint64_t table_bytes_ = 0;                          // allele table entries written so far
  uint32_t crc_ = 0;
  uint64_t site_count_ = 0;
  uint64_t allele_count_ = 0;
  struct ContigEntry {
    std::string name;
    uint64_t first = 0;
    uint64_t count = 0;
  };
  std::vector<ContigEntry> contigs_;
  std::string scratch_;
  bool open_ = false;
  // Per called count k, the last plainly written large exception set and its offset.
  struct SiteRef {
    std::vector<SampleId> ids;
    uint64_t offset = 0;
    bool valid = false;
  };
  SiteRef site_refs_[3];
  std::string delta_;
  std::vector<SampleId> ids_, added_, removed_;
};

// A validated, memory-mapped segment. Immutable and thread-safe.
class Segment {
 public:
  // Maps and validates the whole file (structure, every blob, checksum).
  static Result<std::unique_ptr<Segment>> Open(const std::filesystem::path& path);

  struct ContigRange {
    std::string name;
    uint64_t first = 0;
    uint64_t count = 0;
    // The longest reference allele in the range, found by Validate (which reads every allele):
    // how far before a query range an overlapping allele can start (Dataset::ScanOverlapping).
    uint64_t max_ref_length = 0;
  };

  const std::filesystem::path& path() const { return path_; }
  uint32_t universe() const { return universe_; }
  uint64_t allele_count() const { return allele_count_; }
  uint32_t crc() const { return crc_; }
  const std::vector<ContigRange>& contigs() const { return contigs_; }
  const ContigRange* FindContig(std::string_view name) const;

  uint32_t pos(uint64_t i) const;
  // An allele blob, parsed (docs/formats/store.md).
  struct AlleleBlob {
    OmittedClass omitted = kOmitNone;
    std::string_view ref, alt;
    const uint8_t* sets = nullptr;  // the first of the four stored carrier sets
    const uint8_t* site = nullptr;  // its site blob
  };
  AlleleBlob allele(uint64_t i) const;
  std::string_view ref(uint64_t i) const { return allele(i).ref; }
  std::string_view alt(uint64_t i) const { return allele(i).alt; }
  const uint8_t* carrier_sets(uint64_t i) const { return allele(i).sets; }
  const uint8_t* site(uint64_t i) const { return allele(i).site; }
  // Allele number of allele i's site over the samples in `filter` (all when nullptr):
  // base·|batch ∩ F| + Σk (k − base)·|S_k ∩ F|.
  uint64_t AlleleNumber(uint64_t i, const SampleSet* filter) const;
  // Per class counts and the allele number over `filter` (all when nullptr).
  ClassCounts Count(uint64_t i, const SampleSet* filter) const;
  // Samples with at least one copy (∩ filter when non-null) OR-ed into `out`.
  void AddCarriers(uint64_t i, const SampleSet* filter, SampleSet& out) const;
  const uint8_t* batch_set() const { return map_.data() + batch_set_offset_; }
  uint32_t batch_size() const { return batch_size_; }

  // First allele index in `range` whose (pos, ref, alt) is ≥ the given key.
  uint64_t LowerBound(const ContigRange& range, int64_t pos, std::string_view ref,
                      std::string_view alt) const;

 private:
  Segment() = default;
  Status Validate();
  // Validates alleles [begin, end) (blobs, their sites, order); the longest REF per contig into
  // max_ref. Thread-safe for disjoint ranges.
  Status ValidateAlleles(uint64_t begin, uint64_t end, std::vector<uint64_t>& max_ref) const;
  // The allele table entry of allele i: where its pos delta starts, and the block's header.
  struct Entry {
    const uint8_t* at;
    const uint8_t* header;
    int pos_width, off_width;
  };
  Entry entry(uint64_t i) const;
  uint64_t blob_offset(uint64_t i) const;
  // |S_k ∩ F| of the site blob at `blob` for k = 0, 1, 2 (the base's own count included).
  void SiteCounts(const uint8_t* blob, const SampleSet* filter, int64_t n[3]) const;
  // The site's called-2 samples OR-ed into `out`.
  void AddCalledTwice(const uint8_t* blob, SampleSet& out) const;
  std::filesystem::path path_;
  MappedFile map_;
  uint32_t universe_ = 0;
  uint32_t crc_ = 0;
  uint64_t batch_set_offset_ = 0;
  uint64_t site_count_ = 0;
  uint64_t allele_table_offset_ = 0;
  uint64_t block_table_offset_ = 0;
  uint64_t allele_count_ = 0;
  uint64_t contig_table_offset_ = 0;
  uint32_t batch_size_ = 0;
  std::vector<ContigRange> contigs_;
};

}  // namespace genomefed::store
