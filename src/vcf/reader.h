// VCF/BCF reading (VCF 4.x text, bgzipped or plain, and BCF 2.2), split so that records can be
// parsed on several threads: one thread reads raw items in file order (ReadBatch), any number of
// workers prepare and decode them (Decoder::Prepare, Decoder::Decode), and the caller restores
// file order.
//
// Text goes through htslib (its lines are read on the reading thread; parsing, not inflation,
// is the cost of a .vcf.gz, and the workers do it). A BGZF-compressed BCF is read without
// htslib past its header: the reading thread only cuts the file into compressed BGZF blocks
// (bgzf_blocks.h), each worker inflates a chunk of them, frames its records (taking the
// partial record left at the end of the previous chunk, in file order) and decodes them in
// place (bcf_record.h). Inflation is most of the cost of reading a BCF, so it must not sit on
// one thread.
//
// Contigs must be declared in the header (an undeclared contig is an error naming the line),
// and every message names the file and its line (text) or record number (BCF).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::vcf {

// One record after decoding, valid until the next Decode on the same Decoder.
//
// Genotypes stay in BCF's typed-vector encoding (VCF 4.3 / BCF 2.2, section 6.3.3): `gt_width`
// bytes per value (1 = int8, 2 = int16, 4 = int32), `stride` values per sample; an allele value
// is (index + 1) << 1 | phased, 0 or 1 a missing allele, and that type's vector-end sentinel
// pads calls of lower ploidy. BCF records are read in place (no widening to int32: most GT
// vectors are int8 and mostly 0/0, which the encoder skips eight samples at a time); GT-only
// VCF records are parsed straight into int8 (int32 when an allele index exceeds 62).
struct DecodedRecord {
  int32_t contig_index = -1;              // into VcfFile::contigs()
  int64_t pos = 0;                        // 1-based
  std::vector<std::string_view> alleles;  // REF first
  int stride = 0;                         // values per sample; 0 when the record has no GT
  int gt_width = 0;                       // bytes per value: 1, 2 or 4
  bool high_ploidy = false;               // some sample has more than two values
  const uint8_t* gt = nullptr;            // samples × stride values
  // The samples whose call has more than two values when the record was parsed into a stride
  // of two (GT-only text: only the first two values are kept); empty otherwise, where a
  // third value other than vector-end says it.
  std::span<const uint32_t> high_ploidy_samples;
  uint64_t location = 0;  // line number (text) or record number (BCF)
};

// A batch of raw records as read, in file order.
struct RawBatch {
  uint64_t sequence = 0;
  struct Item;
  std::vector<Item*> items;
  size_t size = 0;   // records in use (for a BCF chunk: known after Decoder::Prepare)
  bool end = false;  // ReadBatch found nothing more to read
  struct Chunk;      // a BGZF BCF's compressed blocks, inflated and framed by Prepare
  std::unique_ptr<Chunk> chunk;
  RawBatch();
  ~RawBatch();
  RawBatch(const RawBatch&) = delete;
  RawBatch& operator=(const RawBatch&) = delete;
};

class VcfFile;

// Frees the buffers of `batch` that a very large record grew beyond a few MiB, once its records
// are decoded and no longer referenced (small buffers are kept for reuse): with batches in
// flight, keeping them would hold several such records at once.
void ReleaseLargeBuffers(RawBatch& batch);

// Per-thread decoding state (its own header copy and record buffers). Not thread-safe; one per
// worker thread.
class Decoder {
 public:
  explicit Decoder(const VcfFile& file);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Makes `batch` decodable: for a BCF chunk, inflates it and frames its records (waiting,
  // if need be, for the previous chunk's framing); nothing for other batches. Call once per
  // batch, before Decode, on batches in the order a worker took them.
  Status Prepare(RawBatch& batch);

  // Decodes item `i` of `batch` into `out`. Errors name the file and line.
  Status Decode(RawBatch& batch, size_t i, DecodedRecord& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class VcfFile {
 public:
  ~VcfFile();
  // Opens VCF, VCF.gz or BCF (detected from content). `io_threads` > 0 inflates BGZF blocks
  // on extra threads.
  static Result<std::unique_ptr<VcfFile>> Open(const std::filesystem::path& path,
                                               int io_threads = 0);

  const std::filesystem::path& path() const { return path_; }
  bool is_bcf() const { return is_bcf_; }
  const std::vector<std::string>& samples() const { return samples_; }
  const std::vector<std::string>& contigs() const { return contigs_; }
  // The ##contig lengths (0 when a contig has none), parallel to contigs().
  const std::vector<int64_t>& contig_lengths() const { return contig_lengths_; }
  // The ##contig assembly= values ("" when a contig has none), parallel to contigs().
  const std::vector<std::string>& contig_assemblies() const { return contig_assemblies_; }
  // The header's ##reference value ("" when absent).
  const std::string& reference() const { return reference_; }

  // Reads up to `max_items` records into `batch` (batch.size = items read), or for a BGZF BCF
  // the compressed blocks of about 256 KiB of records (framed later by Prepare); batch.end is
  // set when nothing is left. Not thread-safe: one reader thread.
  Status ReadBatch(RawBatch& batch, size_t max_items);

  // After every batch was prepared: whether the file ended cleanly (a BCF chunk sequence can
  // end inside a record, which only the last framing can see).
  Status CheckComplete() const;

  std::string Where(uint64_t location) const;  // "file:line N" or "file: record N"

 private:
  friend class Decoder;
  VcfFile() = default;
  // Where reading a damaged text file failed, for messages: the BGZF block's byte offset.
  std::string DamageWhere() const;
  std::filesystem::path path_;
  struct Handles;
  std::unique_ptr<Handles> h_;
  bool is_bcf_ = false;
  std::vector<std::string> samples_;
  std::vector<std::string> contigs_;
  std::vector<int64_t> contig_lengths_;
  std::vector<std::string> contig_assemblies_;
  std::string reference_;
  uint64_t next_location_ = 0;
};

}  // namespace genomefed::vcf
