// Audit append cost per request: audit::AuditLog::Append (render, redact, hash-chain, group
// commit with fdatasync) from 1, 4 and 16 threads, against the baseline of one write(2) +
// fdatasync(2) per record of the same size from one thread (what a naive durable log costs).
// Run: build/release/bench/audit_bench [--benchmark_filter=...]; the log lives in $TMPDIR
// (or /tmp): the figures are the disk's.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "audit/audit_log.h"

namespace {

std::filesystem::path BenchDir() {
  const char* tmp = std::getenv("TMPDIR");
  auto dir =
      std::filesystem::path(tmp ? tmp : "/tmp") / ("audit_bench." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

genomefed::audit::Event SampleEvent(int64_t i) {
  genomefed::audit::Event e;
  e.identity = "alice@https://hub.example.org";
  e.action = "htsget.block";
  e.dataset = "fi-cohort";
  e.request = {{"id", "cohort"}, {"referenceName", "22"}, {"start", i}, {"end", i + 100000}};
  e.decision = "allow";
  e.reason = "ControlledAccessGrants https://fi.example/datasets/fi-cohort";
  e.bytes = 65536;
  return e;
}

genomefed::audit::AuditLog* shared_log = nullptr;

void BM_AuditAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    auto path = BenchDir() / "append.jsonl";
    std::filesystem::remove(path);
    shared_log = genomefed::audit::AuditLog::Open({path, {}, 0, 0})->release();
  }
  int64_t i = 0;
  for (auto _ : state) {
    if (!shared_log->Append(SampleEvent(i++)).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete shared_log;
    shared_log = nullptr;
  }
}
BENCHMARK(BM_AuditAppend)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_BaselineWriteFdatasync(benchmark::State& state) {
  auto path = BenchDir() / "baseline.jsonl";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  std::string line(330, 'x');  // about one rendered record
  line.back() = '\n';
  for (auto _ : state) {
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write failed");
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineWriteFdatasync)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
