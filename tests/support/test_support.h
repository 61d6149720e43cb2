// Helpers shared by every test binary: status assertions, temporary directories, and the
// location of ../shared (tests that need it skip with a clear message when it is absent).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/status.h"

#define ASSERT_OK(expr)                                                          \
  do {                                                                           \
    const auto& gf_s_ = (expr);                                                  \
    ASSERT_TRUE(gf_s_.ok()) << ::genomefed::testing::StatusOf(gf_s_).ToString(); \
  } while (false)
#define EXPECT_OK(expr)                                                          \
  do {                                                                           \
    const auto& gf_s_ = (expr);                                                  \
    EXPECT_TRUE(gf_s_.ok()) << ::genomefed::testing::StatusOf(gf_s_).ToString(); \
  } while (false)

namespace genomefed::testing {

// The Status of a Status or a Result<T>, used by ASSERT_OK / EXPECT_OK.
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// A fresh directory under $TMPDIR, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// ../shared beside the repository, or $GENOMEFED_SHARED; empty when absent.
std::filesystem::path SharedDir();

// The repository root and the build directory (for running the genomefed binary).
std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();
std::filesystem::path GenomefedBinary();

// Runs a shell command, returns its exit status and captures stdout (and stderr if asked).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command, bool merge_stderr = false);

// Skips the current test when ../shared (or a file in it) is absent, saying so.
#define GF_REQUIRE_SHARED(relative)                                                       \
  do {                                                                                    \
    if (::genomefed::testing::SharedDir().empty() ||                                      \
        !std::filesystem::exists(::genomefed::testing::SharedDir() / (relative))) {       \
      GTEST_SKIP() << "../shared/" << (relative)                                          \
                   << " is absent: this test needs the shared test data beside the repo"; \
    }                                                                                     \
  } while (false)

}  // namespace genomefed::testing
