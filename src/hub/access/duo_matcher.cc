#include "hub/access/duo_matcher.h"

#ifdef GENOMEFED_HAVE_DUO
#include "duo/match.h"
#endif

namespace genomefed::hub::access {
#ifdef GENOMEFED_HAVE_DUO
namespace {

std::string Join(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

}  // namespace
#endif

ConsentMatcher DuoConsentMatcher() {
#ifdef GENOMEFED_HAVE_DUO
  return [](const std::vector<std::string>& consent, const std::vector<std::string>& purpose) {
    auto c = duo::ParseCodes(Join(consent));
    if (!c.ok()) {
      return ConsentVerdict{
          "needs_review",
          {"the dataset's consent codes are not valid DUO: " + c.status().message()}};
    }
    auto p = duo::ParseCodes(Join(purpose));
    if (!p.ok()) return ConsentVerdict{"needs_review", {"purpose: " + p.status().message()}};
    duo::MatchResult m = duo::Match(*c, *p);
    ConsentVerdict v{std::string(duo::VerdictName(m.verdict)), m.reasons};
    if (v.reasons.empty()) v.reasons.push_back("the purpose is within the consent");
    return v;
  };
#else
  return nullptr;
#endif
}

Status CheckPurposeCodes(const std::vector<std::string>& purpose) {
#ifdef GENOMEFED_HAVE_DUO
  auto p = duo::ParseCodes(Join(purpose));
  if (!p.ok()) return InvalidArgument("purpose: " + p.status().message());
#else
  (void)purpose;
#endif
  return Status::Ok();
}

}  // namespace genomefed::hub::access
