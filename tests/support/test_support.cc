#include "support/test_support.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace genomefed::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path root = base != nullptr ? base : "/tmp";
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::filesystem::path p = root / ("genomefed-test-" + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  ADD_FAILURE() << "cannot create a temporary directory under " << root;
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

std::filesystem::path SourceDir() { return GENOMEFED_SOURCE_DIR; }
std::filesystem::path BinaryDir() { return GENOMEFED_BINARY_DIR; }
std::filesystem::path GenomefedBinary() { return BinaryDir() / "apps" / "genomefed" / "genomefed"; }

std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("GENOMEFED_SHARED"); env != nullptr && *env != '\0') {
    return std::filesystem::exists(env) ? std::filesystem::path(env) : std::filesystem::path();
  }
  std::filesystem::path p = SourceDir().parent_path() / "shared";
  return std::filesystem::exists(p / "DESIGN.md") ? p : std::filesystem::path();
}

CommandResult RunCommand(const std::string& command, bool merge_stderr) {
  CommandResult result;
  std::string cmd = command + (merge_stderr ? " 2>&1" : "");
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 65536> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace genomefed::testing
