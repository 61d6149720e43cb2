#include "htsget/bgzf_edit.h"

#include <libdeflate.h>

#include <memory>

#include "core/bytes.h"

namespace genomefed::htsget {

namespace {

constexpr size_t kHeaderSize = 18, kTrailerSize = 8;
// Content per block: below 64 KiB so that incompressible data still fits (BSIZE is 16 bits).
constexpr size_t kMaxContent = 0xff00;

struct Decompressor {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};
struct Compressor {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

void PutLe(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

Result<std::string> InflateBgzfBlock(std::string_view block) {
  const auto* p = reinterpret_cast<const uint8_t*>(block.data());
  if (block.size() < kHeaderSize + kTrailerSize || p[0] != 0x1f || p[1] != 0x8b ||
      LoadLe16(p + 16) + 1u != block.size()) {
    return Corruption("not a whole BGZF block");
  }
  const uint32_t crc = LoadLe32(p + block.size() - 8);
  const uint32_t isize = LoadLe32(p + block.size() - 4);
  if (isize > 65536) return Corruption("BGZF block larger than 64 KiB");
  std::string out(isize, '\0');
  std::unique_ptr<libdeflate_decompressor, Decompressor> d(libdeflate_alloc_decompressor());
  size_t n = 0;
  if (libdeflate_deflate_decompress(d.get(), p + kHeaderSize,
                                    block.size() - kHeaderSize - kTrailerSize, out.data(),
                                    out.size(), &n) != LIBDEFLATE_SUCCESS ||
      n != isize) {
    return Corruption("BGZF block does not inflate");
  }
  if (libdeflate_crc32(0, out.data(), out.size()) != crc) {
    return Corruption("BGZF block fails its CRC-32");
  }
  return out;
}

std::string CompressBgzf(std::string_view data) {
  std::unique_ptr<libdeflate_compressor, Compressor> c(libdeflate_alloc_compressor(6));
  std::string out;
  std::string buf(libdeflate_deflate_compress_bound(c.get(), kMaxContent), '\0');
  for (size_t at = 0; at < data.size(); at += kMaxContent) {
    const std::string_view part = data.substr(at, kMaxContent);
    const size_t n =
        libdeflate_deflate_compress(c.get(), part.data(), part.size(), buf.data(), buf.size());
    const size_t total = kHeaderSize + n + kTrailerSize;
    out += std::string_view("\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0", 16);
    PutLe(out, static_cast<uint32_t>(total - 1), 2);
    out.append(buf.data(), n);
    PutLe(out, libdeflate_crc32(0, part.data(), part.size()), 4);
    PutLe(out, static_cast<uint32_t>(part.size()), 4);
  }
  return out;
}

}  // namespace genomefed::htsget
