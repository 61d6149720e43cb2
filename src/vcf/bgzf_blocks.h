// BGZF (SAM/BAM specification §4.1) read as whole blocks: one thread cuts the compressed file
// into blocks (header parsing only, no inflation), others inflate them with libdeflate and check
// each block's CRC-32 and size.
//
// Why not htslib's BGZF reader: it inflates on the thread that reads, and its thread pool hands
// each 64 KiB block to a pool thread through a futex (measured on 2 cores: 0.3–0.7 s of system
// time for a 41 MB BCF, slower than no pool). Inflation is most of the cost of reading a BCF
// (`bcftools view -Ou` spends ~75 % of its time in libdeflate), so ingest inflates on its
// decoding workers, each a chunk of consecutive blocks that it then decodes while it is still in
// cache (vcf/reader.cc stitches records that cross chunk ends, in file order).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

struct libdeflate_decompressor;

namespace genomefed::vcf {

// One block of a chunk: where its deflate data lie in the chunk's compressed buffer.
struct BgzfBlock {
  uint64_t file_offset = 0;  // of the block's first byte in the file (for messages)
  uint32_t data_offset = 0;  // of the raw deflate data in the chunk's buffer
  uint32_t data_size = 0;    // raw deflate bytes
  uint32_t crc32 = 0;        // of the inflated data, from the block trailer
  uint32_t isize = 0;        // inflated size, from the block trailer (≤ 65,536)
};

// Consecutive blocks, compressed, as cut by BgzfBlockReader.
struct BgzfChunk {
  std::string compressed;  // the blocks' raw deflate data, back to back
  std::vector<BgzfBlock> blocks;
  uint64_t inflated_size = 0;  // Σ isize
  void clear() {
    compressed.clear();
    blocks.clear();
    inflated_size = 0;
  }
};

// Reads a BGZF file block by block from a given compressed offset. Not thread-safe.
class BgzfBlockReader {
 public:
  BgzfBlockReader() = default;
  ~BgzfBlockReader();
  BgzfBlockReader(const BgzfBlockReader&) = delete;
  BgzfBlockReader& operator=(const BgzfBlockReader&) = delete;

  // Opens `path` positioned at the block starting at `offset`.
  Status Open(const std::filesystem::path& path, uint64_t offset);

  // Appends whole blocks to `chunk` until it holds at least `min_inflated` inflated bytes, 2 MiB
  // of compressed data, or the file ends; `*eof` is set when no block is left. Empty blocks (the
  // end-of-file marker) are dropped (their header and sizes are checked, not their deflate
  // data). A malformed or truncated block is an error naming the file offset.
  Status Read(size_t min_inflated, BgzfChunk& chunk, bool* eof);

 private:
  // Makes at least `n` bytes available at buffer position `pos_` (fewer only at end of file).
  Status Fill(size_t n);
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<uint8_t> buffer_;
  size_t pos_ = 0, end_ = 0;  // unread bytes are buffer_[pos_, end_)
  uint64_t offset_ = 0;       // file offset of buffer_[pos_]
  bool file_eof_ = false;
};

// Inflates chunks; one per thread (it owns a libdeflate decompressor).
class BgzfInflater {
 public:
  BgzfInflater();
  ~BgzfInflater();
  BgzfInflater(const BgzfInflater&) = delete;
  BgzfInflater& operator=(const BgzfInflater&) = delete;

  // Inflates every block of `chunk` into `out` (chunk.inflated_size bytes, back to back),
  // checking each block's size and CRC-32. Errors name `path` and the block's file offset.
  Status Inflate(const BgzfChunk& chunk, const std::filesystem::path& path, uint8_t* out);

 private:
  libdeflate_decompressor* decompressor_ = nullptr;
};

}  // namespace genomefed::vcf
