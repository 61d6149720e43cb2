// Replays the committed corpus of request_fuzz (plus bit flips and cuts of every seed) as an
// ordinary test: parsing untrusted htsget input must never crash.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(HtsgetFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(genomefed::testing::ReplayFuzzCorpus(GENOMEFED_HTSGET_CORPUS, LLVMFuzzerTestOneInput),
            5u)
      << "the corpus in " << GENOMEFED_HTSGET_CORPUS << " is missing seeds";
}

}  // namespace
