#include "core/toml_reader.h"

namespace genomefed {

Result<toml::table> ParseToml(std::string_view text, std::string_view source) {
  // Debian's toml++ is built with exceptions; they stop here and become a Status.
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(err.source().begin.line) +
                           ": " + std::string(err.description()));
  }
}

const toml::table* SubTable(const toml::table& root, const std::string& key) {
  const toml::node* n = root.get(key);
  return n == nullptr ? nullptr : n->as_table();
}

Status CheckTopLevel(const toml::table& root, std::string_view source,
                     std::initializer_list<std::string_view> allowed,
                     std::span<const std::string_view> component_sections) {
  for (const auto& [k, v] : root) {
    bool ok = false;
    for (auto a : allowed) ok = ok || k.str() == a;
    for (auto a : component_sections) ok = ok || k.str() == a;
    if (!ok) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(v.source().begin.line) +
                             ": unknown section or key '" + std::string(k.str()) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace genomefed
