// Replays the committed fuzz corpus of header_fuzz (plus deterministic bit flips and cuts of
// every seed) under g++, as an ordinary test: parsing untrusted headers must never crash.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(HeaderFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(genomefed::testing::ReplayFuzzCorpus(GENOMEFED_CRYPT4GH_CORPUS, LLVMFuzzerTestOneInput),
            10u)
      << "the corpus in " << GENOMEFED_CRYPT4GH_CORPUS << " is missing seeds";
}

}  // namespace
