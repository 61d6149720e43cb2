// Replays the committed corpus of sample_sheet_fuzz (plus deterministic bit flips and cuts of
// every seed) under g++, as an ordinary test: parsing untrusted sheets must never crash.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(SampleSheetFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(genomefed::testing::ReplayFuzzCorpus(GENOMEFED_INGEST_CORPUS, LLVMFuzzerTestOneInput),
            8u)
      << "the corpus in " << GENOMEFED_INGEST_CORPUS << " is missing seeds";
}

}  // namespace
