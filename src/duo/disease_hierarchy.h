// A disease hierarchy for DUO disease-specific (DS) matching: the is_a ancestors of a disease
// id, loaded from the operator's ontology (OBO 1.4, e.g. MONDO's mondo.obo or DOID's doid.obo;
// or OBO-graph JSON, e.g. mondo.json, hp.json) or from a plain JSON map of ancestors
// ({"DOID:10155": ["DOID:3119", "DOID:162", ...]}) for callers without an ontology file.
//
// A DUOS-style match asks one question: is the consented disease the purpose's disease or one
// of its ancestors? (a consent for "cancer" covers research on "intestinal cancer", not the
// reverse). Ids are compared after NormaliseDiseaseId, so "DOID:162" and
// "http://purl.obolibrary.org/obo/DOID_162" are one disease.
//
// Thread safety: immutable after loading; const methods may be called from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace genomefed::duo {

class DiseaseHierarchy {
 public:
  // Parses by content: JSON when the text starts with '{' (OBO-graph JSON when it has a
  // "graphs" array, an ancestors map otherwise), OBO otherwise. `source` names the input in
  // error messages (a file name).
  static Result<DiseaseHierarchy> Parse(std::string_view text, std::string_view source);
  // OBO 1.4: [Term] stanzas with id, name, is_a, alt_id; other stanzas and tags are skipped.
  static Result<DiseaseHierarchy> ParseObo(std::string_view text, std::string_view source);
  // OBO-graph JSON: graphs[].nodes (id, lbl) and graphs[].edges with pred "is_a" (or the
  // rdfs:subClassOf IRI).
  static Result<DiseaseHierarchy> ParseOboGraphJson(std::string_view text, std::string_view source);
  // {"<disease id>": ["<ancestor id>", ...], ...}: each listed ancestor is taken as a parent,
  // so partial lists chain.
  static Result<DiseaseHierarchy> ParseAncestorsJson(std::string_view text,
                                                     std::string_view source);
  // Reads a file (plain text; inflate .gz first) and parses it as Parse does.
  static Result<DiseaseHierarchy> Load(const std::filesystem::path& path);

  // Building by hand (tests). Ids are normalised.
  void AddParent(std::string_view child, std::string_view parent);
  void AddLabel(std::string_view id, std::string_view label);

  // Every ancestor of `id` through is_a (not `id` itself), normalised, nearest first; empty
  // for an unknown id or a root. An alt_id is resolved to its primary term first.
  std::vector<std::string> Ancestors(std::string_view id) const;
  // The disease's label, when the source had one.
  std::optional<std::string> Label(std::string_view id) const;
  // Number of diseases with at least one parent or a label.
  size_t size() const;

 private:
  std::string Resolve(std::string_view id) const;

  std::unordered_map<std::string, std::vector<std::string>> parents_;
  std::unordered_map<std::string, std::string> labels_;
  std::unordered_map<std::string, std::string> alt_ids_;  // alt id → primary id
};

}  // namespace genomefed::duo
