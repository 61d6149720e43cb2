// Region slices of an archived BGZF VCF or BCF (GA4GH htsget 1.3, variants): which plaintext
// byte ranges of the original file hold the header and the records of some genomic regions.
// Ranges are whole BGZF blocks found through the file's index (htslib reads the .tbi/.csi;
// the block map gives block ends), so the header bytes, then the data ranges, then the BGZF EOF
// marker, joined, are a valid file whose records in the regions are those `bcftools view -r`
// gives on the original (plus other records of the same blocks, which htsget allows).
//
// Chunks come from the index as virtual offsets (record boundaries); blocks wholly inside a
// chunk are sent as stored, a block that a chunk starts or ends inside becomes an edge piece.
// No file bytes are read here (only the index and block map), so this works on encrypted
// archives: the plan becomes plaintext reads or, for Crypt4GH delivery of a block-aligned
// plan, a selection of encrypted segments with an edit list (c4gh_slice.h).
//
// Thread safety: a SliceIndex is immutable after Open and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "htsget/archived_file.h"

namespace genomefed::htsget {

// One htsget region: 0-based, half-open; no start = 0, no end = to the end of the reference.
struct Region {
  std::string reference_name;
  std::optional<uint64_t> start;
  std::optional<uint64_t> end;
};

// Plaintext byte range [start, end) of the original file.
struct ByteSpan {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - start; }
};

// One part of a slice: whole stored blocks, or the part [from, to) of one block's content
// (an edge: the block also holds records outside the slice, or parts of records crossing its
// ends), which is re-compressed for delivery.
struct Piece {
  bool whole = true;
  ByteSpan bytes;             // compressed file bytes: whole blocks, or the one edge block
  uint32_t from = 0, to = 0;  // edge only: content offsets in the block
};

struct SlicePlan {
  std::vector<Piece> header;    // the VCF/BCF header: content [0, first record)
  std::vector<Piece> data;      // records of the regions, in file order, each once
  std::optional<ByteSpan> eof;  // the file's own EOF block, when it has one
  // True when every piece is whole blocks (what Crypt4GH delivery of stored segments needs).
  bool block_aligned() const;
};

class SliceIndex {
 public:
  // Loads the file's index and block map (kCorruption naming the file when damaged).
  static Result<std::shared_ptr<const SliceIndex>> Open(const ArchivedFile& file);
  ~SliceIndex();
  SliceIndex(const SliceIndex&) = delete;
  SliceIndex& operator=(const SliceIndex&) = delete;

  // The plan for `regions` (empty: the whole file) or, with header_only, the header alone.
  // A reference name the file does not have is kNotFound; names match with or without a
  // "chr" prefix (22 = chr22).
  Result<SlicePlan> Plan(const std::vector<Region>& regions, bool header_only) const;

  const ArchivedFile& file() const { return file_; }
  const std::vector<uint64_t>& blocks() const { return blocks_; }

 private:
  SliceIndex() = default;
  // The index id of a reference name, or -1.
  int ContigId(const std::string& name) const;
  // The end of the block holding compressed offset `coffset`.
  uint64_t BlockEnd(uint64_t coffset) const;
  // The pieces holding content between virtual offsets u and v (u < v), appended to `out`.
  void AddPieces(uint64_t u, uint64_t v, std::vector<Piece>* out) const;

  ArchivedFile file_;
  std::vector<uint64_t> blocks_;
  struct Htslib;
  std::unique_ptr<Htslib> hts_;
};

// Adds spans in order of arrival; the result is sorted with overlapping or touching spans
// merged.
std::vector<ByteSpan> MergeSpans(std::vector<ByteSpan> spans);

}  // namespace genomefed::htsget
