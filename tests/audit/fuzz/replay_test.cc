// Replays the committed corpus of audit_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: reading an untrusted audit log must never crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(AuditFuzzCorpus, ReplaysWithoutCrashing) {
  std::filesystem::path dir = GENOMEFED_AUDIT_CORPUS;
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
    }
    ++files;
  }
  EXPECT_GE(files, 4u) << "the corpus in " << dir << " is missing seeds";
}

}  // namespace
