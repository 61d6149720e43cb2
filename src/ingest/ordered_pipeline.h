// An ordered pipeline without dedicated reader or writer threads: each of `threads` threads
// loops over "write what is ready (if nobody is writing), else read the next item (if nobody is
// reading and an item is free) and process it", so reading and writing — both sequential, both
// light next to processing — happen on whichever thread is free, and no thread sleeps while
// there is work.
//
// Why: ingest ran a reader thread, N workers and a writer thread, i.e. N + 2 threads on N cores.
// Each batch cost three hand-offs (reader → worker → writer → reader), and on 2 cores the
// futex wake-ups and the time-slicing of four threads were 10–15 % of a BCF ingest's CPU
// (~9,000 context switches for 200,000 records).
//
// read(item) fills a free item and returns true, or false at the end; it is called by one thread
// at a time, in order. process(state, item) runs concurrently on the thread that read the item,
// with that thread's own state (make_state() is called once per thread). write(item) is called
// by one thread at a time, in read order. The first error of read or write stops the pipeline
// (items being processed finish; nothing more is read or written) and is returned. At most
// `in_flight` items exist, which bounds memory.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"

namespace genomefed::ingest {

template <typename Item, typename MakeState, typename Read, typename Process, typename Write>
Status RunOrderedPipeline(int threads, size_t in_flight, MakeState make_state, Read read,
                          Process process, Write write) {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::unique_ptr<Item>> free_items;
  for (size_t i = 0; i < std::max<size_t>(in_flight, 1); ++i) {
    free_items.push_back(std::make_unique<Item>());
  }
  std::map<uint64_t, std::unique_ptr<Item>> done;  // processed, waiting for their turn
  uint64_t read_count = 0, written = 0;
  bool reading = false, writing = false, read_end = false, failed = false;
  int waiting = 0;
  Status status;
  auto fail = [&](const Status& s) {  // under mu
    if (status.ok()) status = s;
    failed = true;
  };
  auto wake = [&] {  // under mu
    if (waiting > 0) changed.notify_all();
  };

  auto run = [&] {
    auto state = make_state();
    std::unique_lock<std::mutex> l(mu);
    while (!failed) {
      if (!writing && !done.empty() && done.begin()->first == written) {
        writing = true;
        while (!failed && !done.empty() && done.begin()->first == written) {
          std::unique_ptr<Item> item = std::move(done.begin()->second);
          done.erase(done.begin());
          l.unlock();
          const Status s = write(*item);
          l.lock();
          ++written;
          free_items.push_back(std::move(item));
          if (!s.ok()) fail(s);
          wake();
        }
        writing = false;
        wake();
        continue;
      }
      if (read_end && written == read_count) break;  // everything read was written
      if (!reading && !read_end && !free_items.empty()) {
        reading = true;
        std::unique_ptr<Item> item = std::move(free_items.back());
        free_items.pop_back();
        const uint64_t sequence = read_count;
        l.unlock();
        Result<bool> got = read(*item);
        l.lock();
        reading = false;
        if (!got.ok() || !*got) {
          if (!got.ok()) fail(got.status());
          read_end = true;
          free_items.push_back(std::move(item));
          wake();
          continue;
        }
        ++read_count;
        wake();  // another thread may read now
        l.unlock();
        process(state, *item);
        l.lock();
        done.emplace(sequence, std::move(item));
        continue;
      }
      ++waiting;
      changed.wait(l);
      --waiting;
    }
    wake();
  };

  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
  return status;
}

}  // namespace genomefed::ingest
