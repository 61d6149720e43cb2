// Replays the committed corpus of passport_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: parsing URLs, userinfo answers, JWTs and JWK sets from
// outside must never crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(PassportFuzzCorpus, ReplaysWithoutCrashing) {
  std::filesystem::path dir = GENOMEFED_PASSPORT_CORPUS;
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    genomefed::Result<std::string> bytes = genomefed::ReadFile(e.path());
    ASSERT_TRUE(bytes.ok()) << e.path();
    const std::string& b = *bytes;
    auto run = [](const std::string& s) {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    run(b);
    for (size_t i = 0; i < b.size(); i += 1 + b.size() / 97) {
      std::string flipped = b;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      run(flipped);
      run(b.substr(0, i));
      // The same bytes through every parser (the first byte selects one).
      for (char selector : {'0', '1', '2', '3'}) run(std::string(1, selector) + b.substr(1, i));
    }
    ++files;
  }
  EXPECT_GE(files, 10u) << "the corpus in " << dir << " is missing seeds";
}

}  // namespace
