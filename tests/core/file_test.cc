#include "core/file.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace genomefed {
namespace {

TEST(File, AtomicWriteAndMap) {
  testing::TempDir dir;
  auto path = dir / "a.bin";
  ASSERT_OK(WriteFileAtomic(path, "hello"));
  ASSERT_OK(WriteFileAtomic(path, "world!"));
  EXPECT_FALSE(std::filesystem::exists(dir / "a.bin.tmp"));
  auto text = ReadFile(path);
  ASSERT_OK(text);
  EXPECT_EQ(*text, "world!");
  auto mapped = MappedFile::Open(path);
  ASSERT_OK(mapped);
  ASSERT_EQ(mapped->size(), 6u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(mapped->data()), 6), "world!");
  EXPECT_EQ(MappedFile::Open(dir / "missing").status().code(), StatusCode::kNotFound);
}

TEST(File, WriterTracksOffsetAcrossLargeAppends) {
  testing::TempDir dir;
  FileWriter w;
  ASSERT_OK(w.Open(dir / "big"));
  std::string chunk(700000, 'x');
  for (int i = 0; i < 5; ++i) ASSERT_OK(w.Append(chunk));
  EXPECT_EQ(w.offset(), 3500000u);
  ASSERT_OK(w.Close());
  EXPECT_EQ(std::filesystem::file_size(dir / "big"), 3500000u);
}

}  // namespace
}  // namespace genomefed
