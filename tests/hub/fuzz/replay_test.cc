// Replays the committed corpus of answer_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: what nodes and callers send must never crash the hub.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(HubAnswerFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(genomefed::testing::ReplayFuzzCorpus(GENOMEFED_HUB_CORPUS, LLVMFuzzerTestOneInput), 8u)
      << "the corpus in " << GENOMEFED_HUB_CORPUS << " is missing seeds";
}

}  // namespace
