#include "passport/clock.h"

#include <chrono>

namespace genomefed::passport {

int64_t SystemClock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace genomefed::passport
