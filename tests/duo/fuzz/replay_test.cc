// Replays the committed corpus of datause_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: parsing untrusted DataUse JSON, codes, ontologies and
// DUO release files must never crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(DuoFuzzCorpus, ReplaysWithoutCrashing) {
  std::filesystem::path dir = GENOMEFED_DUO_CORPUS;
  size_t files = 0;
  std::set<int> parsers;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    genomefed::Result<std::string> bytes = genomefed::ReadFile(e.path());
    ASSERT_TRUE(bytes.ok()) << e.path();
    const std::string& b = *bytes;
    auto run = [](const std::string& s) {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    run(b);
    // Flips and cuts keep the selector byte, so each seed stays with its parser.
    for (size_t i = 1; i < b.size(); i += 1 + b.size() / 101) {
      std::string flipped = b;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      run(flipped);
      run(b.substr(0, i));
    }
    if (!b.empty()) parsers.insert(static_cast<unsigned char>(b[0]) % 6);
    ++files;
  }
  EXPECT_GE(files, 12u) << "the corpus in " << dir << " is missing seeds";
  EXPECT_EQ(parsers.size(), 6u) << "every parser needs seeds";
}

}  // namespace
