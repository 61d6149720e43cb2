#include "vcf/bgzf_blocks.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "core/bytes.h"
#include "core/crc32.h"

namespace genomefed::vcf {
namespace {

constexpr size_t kReadSize = 1 << 20;
constexpr size_t kFixedHeader = 12;  // ID1 ID2 CM FLG MTIME(4) XFL OS XLEN(2)
constexpr size_t kTrailer = 8;       // CRC32 ISIZE
constexpr uint32_t kMaxBlockInflated = 65536;
constexpr size_t kMaxChunkCompressed = size_t{2} << 20;

}  // namespace

BgzfBlockReader::~BgzfBlockReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status BgzfBlockReader::Open(const std::filesystem::path& path, uint64_t offset) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return IOError(path.string() + ": cannot open: " + std::strerror(errno));
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return IOError(path.string() + ": cannot seek: " + std::strerror(errno));
  }
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  offset_ = offset;
  buffer_.resize(2 * kReadSize);
  return Status::Ok();
}

Status BgzfBlockReader::Fill(size_t n) {
  if (end_ - pos_ >= n || file_eof_) return Status::Ok();
  // Move the unread tail to the front, grow if one block needs more room, then read.
  std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  if (buffer_.size() < n + kReadSize) buffer_.resize(n + kReadSize);
  while (end_ < n && !file_eof_) {
    const ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      return IOError(path_.string() + ": read error: " + std::strerror(errno));
    }
    if (got == 0) file_eof_ = true;
    end_ += static_cast<size_t>(got);
  }
  return Status::Ok();
}

Status BgzfBlockReader::Read(size_t min_inflated, BgzfChunk& chunk, bool* eof) {
  *eof = false;
  auto corrupt = [&](const std::string& what) {
    return InvalidArgument(path_.string() + ": corrupt BGZF block at byte offset " +
                           std::to_string(offset_) + ": " + what +
                           "; the file is damaged or truncated");
  };
  // A chunk also ends at kMaxChunkCompressed compressed bytes: blocks that inflate to almost
  // nothing (legal, if odd) must not make a chunk grow with the file.
  while (chunk.inflated_size < min_inflated && chunk.compressed.size() < kMaxChunkCompressed) {
    GF_RETURN_IF_ERROR(Fill(kFixedHeader));
    if (end_ == pos_) {
      *eof = true;
      return Status::Ok();
    }
    if (end_ - pos_ < kFixedHeader) return corrupt("truncated block header");
    const uint8_t* h = buffer_.data() + pos_;
    if (h[0] != 31 || h[1] != 139 || h[2] != 8 || (h[3] & 4) == 0) {
      return corrupt("not a BGZF (gzip with extra field) block");
    }
    const size_t xlen = LoadLe16(h + 10);
    GF_RETURN_IF_ERROR(Fill(kFixedHeader + xlen));
    if (end_ - pos_ < kFixedHeader + xlen) return corrupt("truncated block header");
    h = buffer_.data() + pos_;
    // The BC subfield holds the block size minus one.
    size_t block_size = 0;
    for (size_t x = kFixedHeader; x + 4 <= kFixedHeader + xlen;) {
      const size_t slen = LoadLe16(h + x + 2);
      if (h[x] == 'B' && h[x + 1] == 'C' && slen == 2 && x + 6 <= kFixedHeader + xlen) {
        block_size = size_t{LoadLe16(h + x + 4)} + 1;
        break;
      }
      x += 4 + slen;
    }
    if (block_size == 0) return corrupt("no BC (block size) subfield");
    if (block_size < kFixedHeader + xlen + kTrailer) return corrupt("block size too small");
    GF_RETURN_IF_ERROR(Fill(block_size));
    if (end_ - pos_ < block_size) return corrupt("truncated block");
    h = buffer_.data() + pos_;
    BgzfBlock block;
    block.file_offset = offset_;
    block.data_size = static_cast<uint32_t>(block_size - kFixedHeader - xlen - kTrailer);
    block.crc32 = LoadLe32(h + block_size - kTrailer);
    block.isize = LoadLe32(h + block_size - 4);
    if (block.isize > kMaxBlockInflated) return corrupt("inflated size above 64 KiB");
    if (block.isize > 0) {
      block.data_offset = static_cast<uint32_t>(chunk.compressed.size());
      chunk.compressed.append(reinterpret_cast<const char*>(h + kFixedHeader + xlen),
                              block.data_size);
      chunk.inflated_size += block.isize;
      chunk.blocks.push_back(block);
    }
    pos_ += block_size;
    offset_ += block_size;
  }
  return Status::Ok();
}

BgzfInflater::BgzfInflater() : decompressor_(libdeflate_alloc_decompressor()) {
  if (decompressor_ == nullptr) throw std::bad_alloc();
}

BgzfInflater::~BgzfInflater() { libdeflate_free_decompressor(decompressor_); }

Status BgzfInflater::Inflate(const BgzfChunk& chunk, const std::filesystem::path& path,
                             uint8_t* out) {
  for (const BgzfBlock& block : chunk.blocks) {
    size_t actual = 0;
    const libdeflate_result r =
        libdeflate_deflate_decompress(decompressor_, chunk.compressed.data() + block.data_offset,
                                      block.data_size, out, block.isize, &actual);
    if (r != LIBDEFLATE_SUCCESS || actual != block.isize) {
      return InvalidArgument(path.string() + ": corrupt BGZF block at byte offset " +
                             std::to_string(block.file_offset) +
                             ": the deflate data do not inflate to the size its trailer states");
    }
    if (Crc32(0, out, block.isize) != block.crc32) {
      return InvalidArgument(path.string() + ": corrupt BGZF block at byte offset " +
                             std::to_string(block.file_offset) + ": CRC-32 mismatch");
    }
    out += block.isize;
  }
  return Status::Ok();
}

}  // namespace genomefed::vcf
