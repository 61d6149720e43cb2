// Crc32 (ISA-L) must give zlib's values: segments written before it are checked with it, and
// BGZF trailers hold zlib's CRC-32.
#include "core/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

namespace genomefed {
namespace {

TEST(Crc32, EqualsZlibForEveryLengthAndWhenChained) {
  std::mt19937 rng(3);
  std::vector<unsigned char> data(70'000);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  for (size_t n :
       {0ul, 1ul, 3ul, 15ul, 16ul, 17ul, 63ul, 64ul, 65ul, 255ul, 1000ul, 65'536ul, 70'000ul}) {
    const auto want = static_cast<uint32_t>(crc32(0L, data.data(), static_cast<uInt>(n)));
    EXPECT_EQ(Crc32(0, data.data(), n), want) << n;
    const size_t half = n / 3;
    EXPECT_EQ(Crc32(Crc32(0, data.data(), half), data.data() + half, n - half), want) << n;
  }
  EXPECT_EQ(Crc32(0, "123456789", 9), 0xCBF43926u);  // the CRC-32 check value
}

}  // namespace
}  // namespace genomefed
