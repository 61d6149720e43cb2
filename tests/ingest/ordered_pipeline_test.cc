// RunOrderedPipeline: every item read is processed once and written once, in read order, with
// any number of threads and items in flight; errors of read and write stop it and come back;
// nothing deadlocks when processing takes uneven time.
#include "ingest/ordered_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

struct Item {
  uint64_t value = 0;
  uint64_t processed = 0;
};

struct Outcome {
  Status status;
  std::vector<uint64_t> written;
  int states = 0;
};

// Items 0..n-1; processing squares them after an uneven pause; `fail_read_at` / `fail_write_at`
// inject errors.
Outcome RunPipeline(int threads, size_t in_flight, uint64_t n, uint64_t fail_read_at = UINT64_MAX,
                    uint64_t fail_write_at = UINT64_MAX) {
  Outcome run;
  std::atomic<int> states{0};
  uint64_t next = 0;
  std::atomic<int> readers{0}, writers{0};
  run.status = RunOrderedPipeline<Item>(
      threads, in_flight,
      [&] {
        ++states;
        return std::mt19937(static_cast<uint32_t>(states.load()));
      },
      [&](Item& item) -> Result<bool> {
        EXPECT_EQ(readers.fetch_add(1), 0) << "two readers at once";
        readers.fetch_sub(1);
        if (next == fail_read_at) return InvalidArgument("read failed");
        if (next == n) return false;
        item.value = next++;
        return true;
      },
      [&](std::mt19937& rng, Item& item) {
        if (rng() % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
        item.processed = item.value * item.value;
      },
      [&](Item& item) -> Status {
        EXPECT_EQ(writers.fetch_add(1), 0) << "two writers at once";
        writers.fetch_sub(1);
        EXPECT_EQ(item.processed, item.value * item.value);
        if (item.value == fail_write_at) return InvalidArgument("write failed");
        run.written.push_back(item.value);
        return Status::Ok();
      });
  run.states = states.load();
  return run;
}

TEST(OrderedPipeline, WritesEverythingInReadOrder) {
  for (int threads : {1, 2, 3, 8}) {
    for (size_t in_flight : {1, 2, 5, 64}) {
      const Outcome run = RunPipeline(threads, in_flight, 500);
      ASSERT_OK(run.status);
      ASSERT_EQ(run.written.size(), 500u) << threads << " threads, " << in_flight << " in flight";
      for (uint64_t i = 0; i < 500; ++i) ASSERT_EQ(run.written[i], i);
      EXPECT_EQ(run.states, threads);
    }
  }
}

TEST(OrderedPipeline, EmptyInput) {
  const Outcome run = RunPipeline(2, 4, 0);
  ASSERT_OK(run.status);
  EXPECT_TRUE(run.written.empty());
}

TEST(OrderedPipeline, ReadErrorStopsAndIsReturned) {
  for (int threads : {1, 2, 4}) {
    const Outcome run = RunPipeline(threads, 4, 500, /*fail_read_at=*/200);
    ASSERT_FALSE(run.status.ok());
    EXPECT_EQ(run.status.message(), "read failed");
    EXPECT_LE(run.written.size(), 200u);
    for (uint64_t i = 0; i < run.written.size(); ++i) ASSERT_EQ(run.written[i], i);
  }
}

TEST(OrderedPipeline, WriteErrorStopsAndIsReturned) {
  for (int threads : {1, 2, 4}) {
    const Outcome run = RunPipeline(threads, 4, 500, UINT64_MAX, /*fail_write_at=*/123);
    ASSERT_FALSE(run.status.ok());
    EXPECT_EQ(run.status.message(), "write failed");
    ASSERT_EQ(run.written.size(), 123u);  // nothing after the failed one
  }
}

}  // namespace
}  // namespace genomefed::ingest
