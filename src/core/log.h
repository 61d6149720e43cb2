// Logging for every component: spdlog behind two small functions so that the sink and format
// are decided in one place. Logs go to stderr; servers write one structured line per request.
// Never log tokens, keys or passphrases: pass identities and decisions, not credentials.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace genomefed::log {

// Sets the global level from "trace|debug|info|warn|error|off"; unknown names mean "info".
void Init(std::string_view level);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

}  // namespace genomefed::log
