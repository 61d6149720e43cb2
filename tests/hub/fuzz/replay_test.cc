// Replays the committed corpus of answer_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: what nodes and callers send must never crash the hub.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(HubAnswerFuzzCorpus, ReplaysWithoutCrashing) {
  std::filesystem::path dir = GENOMEFED_HUB_CORPUS;
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    genomefed::Result<std::string> bytes = genomefed::ReadFile(e.path());
    ASSERT_TRUE(bytes.ok()) << e.path();
    const std::string& b = *bytes;
    auto run = [](const std::string& s) {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    run(b);
    for (size_t i = 1; i < b.size(); i += 1 + b.size() / 97) {
      std::string flipped = b;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      run(flipped);
      run(b.substr(0, i));
    }
    ++files;
  }
  EXPECT_GE(files, 8u) << "the corpus in " << dir << " is missing seeds";
}

}  // namespace
