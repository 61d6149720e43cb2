// `genomefed duo`: GA4GH DUO consent matching from the command line (docs/duo.md).
//   duo match (--consent CODES | --consent-json FILE) (--purpose CODES | --purpose-json FILE)
//             [--disease-ancestors FILE] [--ethics-approval REF] [--collaborator NAME]...
//             [--publication] [--commercial] [--json]
//       prints the verdict (approve | deny | needs_review) and its reasons; exit 0 whatever
//       the verdict, 2 for bad input (message names the option, file and field or item).
//   duo convert (--codes CODES | --datause-json FILE) [--side consent|purpose]
//       prints the DUOS DataUse JSON and the DUO codes of one consent or purpose.
//   duo terms [--owl FILE | --csv FILE] [--json]
//       lists the built-in DUO table; with a release file, prints how it differs (exit 1 if so).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apps/genomefed/commands.h"
#include "core/file.h"
#include "duo/datause_json.h"
#include "duo/disease_hierarchy.h"
#include "duo/match.h"
#include "duo/release.h"
#include "duo/terms.h"
#include "ontology/ontology.h"

namespace genomefed::cli {
namespace {

// Text from arguments (an ethics approval reference, say) may not be UTF-8: replace, never throw.
std::string Dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct DuoMatchArgs {
  std::string consent, consent_json, purpose, purpose_json;
  std::string disease_ancestors;
  std::string ethics_approval;
  std::vector<std::string> collaborators;
  bool publication = false;
  bool commercial = false;
  bool json = false;
};

// One side from either its codes or its DUOS DataUse file; exactly one must be given.
Result<duo::DataUse> LoadSide(const std::string& codes, const std::string& file, duo::Side side) {
  std::string name = side == duo::Side::kConsent ? "consent" : "purpose";
  if (codes.empty() == file.empty()) {
    return InvalidArgument("give either --" + name + " CODES or --" + name + "-json FILE");
  }
  if (!codes.empty()) {
    Result<duo::DataUse> use = duo::ParseCodes(codes);
    if (!use.ok()) return use.status().WithContext("--" + name);
    return use;
  }
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return duo::ParseDuosDataUse(text, side, file);
}

Status DuoMatch(const DuoMatchArgs& a) {
  GF_ASSIGN_OR_RETURN(duo::DataUse consent,
                      LoadSide(a.consent, a.consent_json, duo::Side::kConsent));
  GF_ASSIGN_OR_RETURN(duo::DataUse purpose,
                      LoadSide(a.purpose, a.purpose_json, duo::Side::kPurpose));
  if (!a.ethics_approval.empty()) purpose.ethics_approval = a.ethics_approval;
  for (const std::string& c : a.collaborators) purpose.collaborators.push_back(c);
  if (a.publication) purpose.publication_promised = true;
  if (a.commercial) purpose.non_profit = false;
  std::optional<duo::DiseaseHierarchy> hierarchy;
  if (!a.disease_ancestors.empty()) {
    // Ontology releases are often gzip-compressed (hp.json.gz, mondo.obo.gz).
    GF_ASSIGN_OR_RETURN(std::string text, ontology::ReadMaybeGzip(a.disease_ancestors));
    GF_ASSIGN_OR_RETURN(hierarchy, duo::DiseaseHierarchy::Parse(text, a.disease_ancestors));
  }
  duo::MatchResult m = duo::Match(consent, purpose, hierarchy ? &*hierarchy : nullptr);
  if (a.json) {
    nlohmann::json out = duo::MatchResultToJson(m);
    out["consent"] = duo::DataUseToDuosJson(consent, duo::Side::kConsent);
    out["purpose"] = duo::DataUseToDuosJson(purpose, duo::Side::kPurpose);
    std::cout << Dump(out) << "\n";
  } else {
    std::cout << duo::VerdictName(m.verdict) << "\n";
    for (const std::string& r : m.reasons) std::cout << "  - " << r << "\n";
  }
  return Status::Ok();
}

struct DuoConvertArgs {
  std::string codes, datause_json;
  std::string side = "consent";
};

Status DuoConvert(const DuoConvertArgs& a) {
  duo::Side side;
  if (a.side == "consent") {
    side = duo::Side::kConsent;
  } else if (a.side == "purpose") {
    side = duo::Side::kPurpose;
  } else {
    return InvalidArgument("--side must be consent or purpose, not '" + a.side + "'");
  }
  if (a.codes.empty() == a.datause_json.empty()) {
    return InvalidArgument("give either --codes CODES or --datause-json FILE");
  }
  duo::DataUse use;
  if (!a.codes.empty()) {
    Result<duo::DataUse> parsed = duo::ParseCodes(a.codes);
    if (!parsed.ok()) return parsed.status().WithContext("--codes");
    use = std::move(parsed).value();
  } else {
    GF_ASSIGN_OR_RETURN(std::string text, ReadFile(a.datause_json));
    GF_ASSIGN_OR_RETURN(use, duo::ParseDuosDataUse(text, side, a.datause_json));
  }
  nlohmann::json out = {{"codes", duo::FormatCodes(use)},
                        {"dataUse", duo::DataUseToDuosJson(use, side)}};
  std::cout << Dump(out) << "\n";
  return Status::Ok();
}

struct DuoTermsArgs {
  std::string owl, csv;
  bool json = false;
};

Status DuoTerms(const DuoTermsArgs& a, CommandContext& ctx) {
  if (!a.owl.empty() || !a.csv.empty()) {
    if (!a.owl.empty() && !a.csv.empty()) return InvalidArgument("give --owl or --csv, not both");
    const std::string& path = a.owl.empty() ? a.csv : a.owl;
    GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    Result<std::vector<duo::ReleaseTerm>> release =
        a.owl.empty() ? duo::ParseDuoCsv(text, path) : duo::ParseDuoOwl(text, path);
    if (!release.ok()) return release.status();
    std::vector<std::string> diffs = duo::CompareWithBuiltIn(*release, a.csv.empty());
    for (const std::string& d : diffs) std::cout << d << "\n";
    std::cout << release->size() << " terms in " << path << ", " << duo::AllTerms().size()
              << " built in, " << diffs.size() << " differences\n";
    if (!diffs.empty()) ctx.exit_code = 1;
    return Status::Ok();
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const duo::Term& t : duo::AllTerms()) {
    if (a.json) {
      rows.push_back({{"id", t.id},
                      {"shorthand", t.shorthand},
                      {"label", t.label},
                      {"kind", duo::TermKindName(t.kind)},
                      {"parent", t.parent}});
    } else {
      std::cout << t.id << "\t" << t.shorthand << "\t" << duo::TermKindName(t.kind) << "\t"
                << t.label << "\n";
    }
  }
  if (a.json) std::cout << Dump(rows) << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterDuo(CLI::App& root, CommandContext& ctx) {
  CLI::App* duo = root.add_subcommand("duo", "GA4GH DUO consent codes: match, convert, terms");
  duo->require_subcommand(1);

  auto m = std::make_shared<DuoMatchArgs>();
  CLI::App* match =
      duo->add_subcommand("match", "Match a research purpose against a dataset's consent");
  match->add_option("--consent", m->consent, "Consent codes, e.g. DUO:0000007,MONDO:0005148");
  match->add_option("--consent-json", m->consent_json, "Consent as a DUOS DataUse JSON file");
  match->add_option("--purpose", m->purpose, "Purpose codes, e.g. DUO:0000006");
  match->add_option("--purpose-json", m->purpose_json, "Purpose as a DUOS DataUse JSON file");
  match->add_option("--disease-ancestors", m->disease_ancestors,
                    "Disease hierarchy: JSON map id → ancestors, OBO or OBO-graph JSON (.gz ok)");
  match->add_option("--ethics-approval", m->ethics_approval,
                    "Purpose: reference of the ethics approval (satisfies IRB)");
  match->add_option("--collaborator", m->collaborators,
                    "Purpose: a collaborator among the primary investigators (satisfies COL)");
  match->add_flag("--publication", m->publication, "Purpose: results will be published (PUB)");
  match->add_flag("--commercial", m->commercial, "Purpose: for-profit or commercial use");
  match->add_flag("--json", m->json, "Print the verdict and reasons as JSON");
  match->callback([m, &ctx] { Report(ctx, "duo match", DuoMatch(*m)); });

  auto c = std::make_shared<DuoConvertArgs>();
  CLI::App* convert =
      duo->add_subcommand("convert", "Convert between DUO codes and DUOS DataUse JSON");
  convert->add_option("--codes", c->codes, "DUO and disease codes, comma separated");
  convert->add_option("--datause-json", c->datause_json, "A DUOS DataUse JSON file");
  convert->add_option("--side", c->side, "consent or purpose")->capture_default_str();
  convert->callback([c, &ctx] { Report(ctx, "duo convert", DuoConvert(*c)); });

  auto t = std::make_shared<DuoTermsArgs>();
  CLI::App* terms = duo->add_subcommand(
      "terms", "List the built-in DUO table, or compare it with a release file");
  terms->add_option("--owl", t->owl, "A DUO release duo.owl to compare with");
  terms->add_option("--csv", t->csv, "A DUO release duo.csv to compare with");
  terms->add_flag("--json", t->json, "Print the table as JSON");
  terms->callback([t, &ctx] { Report(ctx, "duo terms", DuoTerms(*t, ctx)); });
}

}  // namespace genomefed::cli
