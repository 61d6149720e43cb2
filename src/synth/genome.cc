#include "synth/genome.h"

namespace genomefed::synth {
namespace {

// GRCh38 PAR boundaries (1-based, inclusive), from the GRC's assembly description.
constexpr int64_t kXPar1End = 2781479;
constexpr int64_t kXPar1Start = 10001;
constexpr int64_t kXPar2Start = 155701383;
constexpr int64_t kXPar2End = 156030895;

}  // namespace

const std::vector<Contig>& Grch38Contigs() {
  static const std::vector<Contig> kContigs = {
      {"1", 248956422},  {"2", 242193529},  {"3", 198295559},  {"4", 190214555},  {"5", 181538259},
      {"6", 170805979},  {"7", 159345973},  {"8", 145138636},  {"9", 138394717},  {"10", 133797422},
      {"11", 135086622}, {"12", 133275309}, {"13", 114364328}, {"14", 107043718}, {"15", 101991189},
      {"16", 90338345},  {"17", 83257441},  {"18", 80373285},  {"19", 58617616},  {"20", 64444167},
      {"21", 46709983},  {"22", 50818468},  {"X", 156040895},  {"Y", 57227415},   {"MT", 16569},
  };
  return kContigs;
}

std::optional<Contig> FindContig(std::string_view name) {
  if (name.size() > 3 && (name.substr(0, 3) == "chr" || name.substr(0, 3) == "CHR")) {
    name.remove_prefix(3);
  }
  if (name == "M") name = "MT";
  if (name == "x") name = "X";
  if (name == "y") name = "Y";
  for (const Contig& c : Grch38Contigs()) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

std::string VcfContigName(const Contig& contig, bool chr_prefix) {
  if (!chr_prefix) return std::string(contig.name);
  if (contig.name == "MT") return "chrM";
  return "chr" + std::string(contig.name);
}

PloidyClass PloidyAt(const Contig& contig, int64_t pos) {
  if (contig.name == "X") {
    const bool in_par =
        (pos >= kXPar1Start && pos <= kXPar1End) || (pos >= kXPar2Start && pos <= kXPar2End);
    return in_par ? PloidyClass::kDiploid : PloidyClass::kXNonPar;
  }
  if (contig.name == "Y") return PloidyClass::kYNonPar;
  if (contig.name == "MT") return PloidyClass::kHaploid;
  return PloidyClass::kDiploid;
}

}  // namespace genomefed::synth
