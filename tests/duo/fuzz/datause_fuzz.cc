// Fuzz target for genomefed_duo's parsers of outside input: DUOS DataUse JSON (both sides),
// comma-separated codes, disease hierarchies (OBO, OBO-graph JSON, ancestor maps) and the DUO
// release readers (duo.owl, duo.csv). The first byte picks the parser; whatever parses is also
// matched, written back and re-read, so the matcher and writer see fuzzed DataUses too.
// Built with clang -fsanitize=fuzzer when GENOMEFED_FUZZ=ON; otherwise the committed corpus is
// replayed by duo_fuzz_replay_test.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "duo/datause_json.h"
#include "duo/disease_hierarchy.h"
#include "duo/match.h"
#include "duo/release.h"

namespace {

using namespace genomefed::duo;

void Exercise(const DataUse& use, Side side) {
  DataUse other;
  other.terms = {"DUO:0000006"};
  other.diseases = {"DOID:162"};
  DiseaseHierarchy h;
  h.AddParent("DOID:10155", "DOID:162");
  MatchResult m =
      Match(side == Side::kConsent ? use : other, side == Side::kConsent ? other : use, &h);
  (void)Match(use, use, nullptr);
  // dump() throws on invalid UTF-8: reasons and documents must stay valid for JSON bodies.
  (void)MatchResultToJson(m).dump();
  nlohmann::json written = DataUseToDuosJson(use, side);
  (void)written.dump();
  genomefed::Result<DataUse> again = DataUseFromDuosJson(written, side, "rewritten");
  if (!again.ok()) __builtin_trap();  // what genomefed writes it must read back
  (void)FormatCodes(use);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
    case 1: {
      Side side = data[0] % 6 == 0 ? Side::kConsent : Side::kPurpose;
      genomefed::Result<DataUse> use = ParseDuosDataUse(text, side, "fuzz");
      if (use.ok()) Exercise(*use, side);
      break;
    }
    case 2: {
      genomefed::Result<DataUse> use = ParseCodes(text);
      if (use.ok()) {
        Exercise(*use, Side::kConsent);
        Exercise(*use, Side::kPurpose);
      }
      break;
    }
    case 3: {
      genomefed::Result<DiseaseHierarchy> h = DiseaseHierarchy::Parse(text, "fuzz");
      if (h.ok()) {
        for (std::string_view id : {"DOID:10155", "DOID:162", "A:1", "HP:0001250"}) {
          (void)h->Ancestors(id);
          (void)h->Label(id);
        }
        (void)h->size();
      }
      break;
    }
    case 4: {
      genomefed::Result<std::vector<ReleaseTerm>> owl = ParseDuoOwl(text, "fuzz");
      if (owl.ok()) (void)CompareWithBuiltIn(*owl, true);
      break;
    }
    case 5: {
      genomefed::Result<std::vector<ReleaseTerm>> csv = ParseDuoCsv(text, "fuzz");
      if (csv.ok()) (void)CompareWithBuiltIn(*csv, false);
      break;
    }
  }
  return 0;
}
