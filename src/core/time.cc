#include "core/time.h"

namespace genomefed {

std::string FormatUtcRfc3339(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowUtcRfc3339() { return FormatUtcRfc3339(std::time(nullptr)); }

}  // namespace genomefed
