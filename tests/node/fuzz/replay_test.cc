// Replays the committed corpus of revocations_fuzz (plus deterministic bit flips and cuts of
// every seed) under g++, as an ordinary test: reading an untrusted revocation list must never
// crash.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(RevocationsFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(
      genomefed::testing::ReplayFuzzCorpus(GENOMEFED_REVOCATIONS_CORPUS, LLVMFuzzerTestOneInput),
      4u)
      << "the corpus in " << GENOMEFED_REVOCATIONS_CORPUS << " is missing seeds";
}

}  // namespace
