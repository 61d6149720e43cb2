// Replays a fuzz target's committed corpus under g++ as an ordinary test (the project's fuzz
// targets are libFuzzer entry points; real fuzzing builds them with clang, see each tests/*/
// CMakeLists.txt): every seed, plus deterministic bit flips and cuts of each, must go through
// the target without crashing (ASan/UBSan builds also catch memory errors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace genomefed::testing {

using FuzzTarget = int (*)(const uint8_t* data, size_t size);

// Runs `target` over every file of `dir`, one bit flip at about a hundred positions of each and
// the cut before each of them. Returns the number of seed files (fails the test on an unreadable
// one); callers check it against the corpus they committed.
size_t ReplayFuzzCorpus(const std::filesystem::path& dir, FuzzTarget target);

}  // namespace genomefed::testing
