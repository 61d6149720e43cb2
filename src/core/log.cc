#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace genomefed::log {

void Init(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("genomefed");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") parsed = spdlog::level::info;
  spdlog::set_level(parsed);
}

}  // namespace genomefed::log
