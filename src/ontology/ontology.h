// Ontologies for Beacon filters: the Human Phenotype Ontology (HPO) loaded from the operator's
// OBO 1.4 file or OBO-graph JSON release (hp.json, optionally gzip-compressed), plus a small
// table of labels that genomefed knows without any file (NCIT sex codes, common DUO codes).
//
// What the Beacon needs from an ontology is small: a term's name (for /filtering_terms and
// echoed labels) and its is_a descendants, so that a filter on "HP:0001250 Seizure" also selects
// individuals annotated with "HP:0007359 Focal-onset seizure" (Beacon v2 filters default to
// `includeDescendantTerms = true`). Alternative ids (`alt_id`, oboInOwl#hasAlternativeId) resolve
// to their primary term; obsolete terms are kept for names but have no edges.
//
// Thread safety: an Ontology is immutable after loading, except for its descendant memo, which
// is guarded by a mutex; every const method may be called from any number of threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace genomefed::ontology {

class Ontology {
 public:
  Ontology();
  ~Ontology();
  Ontology(Ontology&&) noexcept;
  Ontology& operator=(Ontology&&) noexcept;

  // Loads by content: OBO-graph JSON when the (inflated) text starts with '{', OBO otherwise.
  // Gzip input is detected by its magic bytes, whatever the file name.
  static Result<Ontology> Load(const std::filesystem::path& path);
  // Parses OBO 1.4 text ([Term] stanzas with id, name, alt_id, is_a, is_obsolete).
  // `source` names the input in error messages.
  static Result<Ontology> ParseObo(std::string_view text, std::string_view source);
  // Parses OBO-graph JSON (graphs[].nodes / edges with pred "is_a"; IRIs → CURIEs).
  static Result<Ontology> ParseOboGraphJson(std::string_view text, std::string_view source);

  // Building by hand (tests, small built-in vocabularies). Unknown ids are created on demand.
  void AddTerm(std::string_view id, std::string_view name);
  void AddIsA(std::string_view child, std::string_view parent);
  void AddAltId(std::string_view alt_id, std::string_view primary_id);

  size_t size() const { return ids_.size(); }
  bool Contains(std::string_view id) const { return Index(id).has_value(); }
  // The primary id of `id` (itself, or the term an alt_id points to); nullopt when unknown.
  std::optional<std::string> Primary(std::string_view id) const;
  // The term's name; nullopt when unknown (or nameless).
  std::optional<std::string> Name(std::string_view id) const;
  // `id` and every term below it through is_a, primary ids only, sorted. An unknown id yields
  // just itself, so a filter on a term the ontology lacks still matches exact annotations.
  // Memoised: the first call for a term walks the graph, later calls copy the stored list.
  std::vector<std::string> Descendants(std::string_view id) const;
  // The release the file declares (OBO `data-version`, JSON `versionInfo`), may be empty.
  const std::string& version() const { return version_; }

 private:
  std::optional<uint32_t> Index(std::string_view id) const;
  uint32_t Intern(std::string_view id);

  std::vector<std::string> ids_;
  std::vector<std::string> names_;
  std::vector<std::vector<uint32_t>> children_;
  std::unordered_map<std::string, uint32_t> index_;  // primary and alt ids → term
  std::string version_;
  // Memo of descendant lists; unique_ptr keeps the class movable.
  std::unique_ptr<std::mutex> memo_mu_;
  mutable std::unordered_map<uint32_t, std::vector<std::string>> memo_;  // GUARDED_BY(memo_mu_)
};

// Labels genomefed knows without an ontology file: NCIT sex codes (as used by Beacon v2
// individuals) and the DUO codes of the 2021-02-23 release that datasets commonly carry.
// nullopt for anything else.
std::optional<std::string_view> KnownLabel(std::string_view id);

// Reads a whole file, inflating it when it starts with the gzip magic bytes (zlib).
Result<std::string> ReadMaybeGzip(const std::filesystem::path& path);

}  // namespace genomefed::ontology
