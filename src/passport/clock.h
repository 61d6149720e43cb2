// Clock seam for the passport verifier and the policy budget: token lifetimes, JWKS cache
// expiry and the daily query budget all read time through this interface so that tests can
// move time by hand (LevelDB's Env idea, reduced to the one call these components need).
#pragma once

#include <atomic>
#include <cstdint>

namespace genomefed::passport {

// Seconds since the Unix epoch (UTC). Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowSeconds() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowSeconds() const override;
};

// A clock that only moves when told to; for tests and simulations. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now) : now_(now) {}
  int64_t NowSeconds() const override { return now_.load(std::memory_order_relaxed); }
  void Set(int64_t now) { now_.store(now, std::memory_order_relaxed); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace genomefed::passport
