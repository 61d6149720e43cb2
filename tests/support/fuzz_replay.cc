#include "support/fuzz_replay.h"

#include <gtest/gtest.h>

#include <string>

#include "core/file.h"

namespace genomefed::testing {

size_t ReplayFuzzCorpus(const std::filesystem::path& dir, FuzzTarget target) {
  size_t files = 0;
  auto run = [target](const std::string& s) {
    target(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    Result<std::string> bytes = ReadFile(e.path());
    EXPECT_TRUE(bytes.ok()) << e.path();
    if (!bytes.ok()) continue;
    const std::string& b = *bytes;
    run(b);
    for (size_t i = 0; i < b.size(); i += 1 + b.size() / 97) {
      std::string flipped = b;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      run(flipped);
      run(b.substr(0, i));
    }
    ++files;
  }
  return files;
}

}  // namespace genomefed::testing
