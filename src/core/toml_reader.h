// TOML helpers for configuration files: every component parses its own section with these
// (a component owns its settings: struct and parsing beside it), and one whole-file check
// refuses unknown sections, naming file, line and key. toml++ parses; errors become Status.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace genomefed {

// Reads one TOML table into a struct, refusing keys it does not know.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where, std::string_view source)
      : table_(table), where_(std::move(where)), source_(source) {}

  Status Error(const toml::node* node, const std::string& key, const std::string& what) const {
    std::string loc(source_);
    if (node != nullptr) loc += ":" + std::to_string(node->source().begin.line);
    return InvalidArgument(loc + ": " + where_ + (where_.empty() ? "" : ".") + key + ": " + what);
  }

  Status String(const std::string& key, std::string& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<std::string>();
    if (!v) return Error(n, key, "expected a string");
    out = *v;
    return Status::Ok();
  }

  Status Path(const std::string& key, std::filesystem::path& out,
              const std::filesystem::path& base) {
    std::string s;
    GF_RETURN_IF_ERROR(String(key, s));
    if (!s.empty()) {
      std::filesystem::path p(s);
      out = (p.is_relative() && !base.empty()) ? base / p : p;
    }
    return Status::Ok();
  }

  template <typename Int>
  Status Integer(const std::string& key, Int& out, int64_t min, int64_t max) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<int64_t>();
    if (!v) return Error(n, key, "expected an integer");
    if (*v < min || *v > max) {
      return Error(n, key,
                   "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = static_cast<Int>(*v);
    return Status::Ok();
  }

  Status Bool(const std::string& key, bool& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::Ok();
    auto v = n->value<bool>();
    if (!v) return Error(n, key, "expected true or false");
    out = *v;
    return Status::Ok();
  }

  Status StringList(const std::string& key, std::vector<std::string>& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::Ok();
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return Error(n, key, "expected a list of strings");
    for (const toml::node& item : *arr) {
      auto v = item.value<std::string>();
      if (!v) return Error(&item, key, "expected a list of strings");
      out.push_back(*v);
    }
    return Status::Ok();
  }

  Status Granular(const std::string& key, Granularity& out) {
    std::string s;
    const bool present = table_.contains(key);
    GF_RETURN_IF_ERROR(String(key, s));
    if (!present) return Status::Ok();
    auto g = ParseGranularity(s);
    if (!g.ok()) return Error(table_.get(key), key, g.status().message());
    out = *g;
    return Status::Ok();
  }

  void Skip(const std::string& key) { seen_.insert(key); }

  Status NoUnknownKeys() const {
    for (const auto& [k, v] : table_) {
      std::string key(k.str());
      if (!seen_.count(key)) return Error(&v, key, "unknown key");
    }
    return Status::Ok();
  }

 private:
  const toml::table& table_;
  std::string where_;
  std::string_view source_;
  std::set<std::string> seen_;
};

// Parses TOML text; `source` names the file in messages (file:line: what).
Result<toml::table> ParseToml(std::string_view text, std::string_view source);

// root[key] as a table, or nullptr when absent or not a table.
const toml::table* SubTable(const toml::table& root, const std::string& key);

// Refuses a top-level key that is neither in `allowed` (the file's own sections) nor in
// `component_sections` (sections parsed by the components that own them).
Status CheckTopLevel(const toml::table& root, std::string_view source,
                     std::initializer_list<std::string_view> allowed,
                     std::span<const std::string_view> component_sections = {});

// Sections of a node's / the hub's file that their components parse themselves (each with
// its own reader over the same file, e.g. audit::LoadAuditConfig for [audit]).
inline constexpr std::string_view kNodeComponentSections[] = {"audit"};
inline constexpr std::string_view kHubComponentSections[] = {"audit", "portal"};

}  // namespace genomefed
