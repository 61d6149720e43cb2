// UTC timestamps as RFC 3339 text ("2026-12-04T03:30:00Z", second precision), the form every
// genomefed record and API answer uses (manifests, archive entries, catalogue, DRS).
#pragma once

#include <ctime>
#include <string>

namespace genomefed {

std::string FormatUtcRfc3339(std::time_t seconds);
std::string NowUtcRfc3339();

}  // namespace genomefed
