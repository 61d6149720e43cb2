// Replays the committed corpus of audit_fuzz (plus deterministic bit flips and cuts of every
// seed) under g++, as an ordinary test: reading an untrusted audit log must never crash.
#include <gtest/gtest.h>

#include "support/fuzz_replay.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(AuditFuzzCorpus, ReplaysWithoutCrashing) {
  EXPECT_GE(genomefed::testing::ReplayFuzzCorpus(GENOMEFED_AUDIT_CORPUS, LLVMFuzzerTestOneInput),
            4u)
      << "the corpus in " << GENOMEFED_AUDIT_CORPUS << " is missing seeds";
}

}  // namespace
