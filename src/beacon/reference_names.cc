#include "beacon/reference_names.h"

#include <array>
#include <cctype>
#include <charconv>

#include "core/config.h"

#include "store/store.h"

namespace genomefed::beacon {
namespace {

struct Chromosome {
  std::string_view contig;
  std::string_view grch37;  // RefSeq accession in GRCh37 (GCF_000001405.25)
  std::string_view grch38;  // and in GRCh38 (GCF_000001405.26 onwards)
};

// NCBI's assembly reports for GRCh37.p13 and GRCh38.p14 (assigned-molecule RefSeq accessions).
constexpr std::array<Chromosome, 25> kChromosomes = {{
    {"1", "NC_000001.10", "NC_000001.11"},  {"2", "NC_000002.11", "NC_000002.12"},
    {"3", "NC_000003.11", "NC_000003.12"},  {"4", "NC_000004.11", "NC_000004.12"},
    {"5", "NC_000005.9", "NC_000005.10"},   {"6", "NC_000006.11", "NC_000006.12"},
    {"7", "NC_000007.13", "NC_000007.14"},  {"8", "NC_000008.10", "NC_000008.11"},
    {"9", "NC_000009.11", "NC_000009.12"},  {"10", "NC_000010.10", "NC_000010.11"},
    {"11", "NC_000011.9", "NC_000011.10"},  {"12", "NC_000012.11", "NC_000012.12"},
    {"13", "NC_000013.10", "NC_000013.11"}, {"14", "NC_000014.8", "NC_000014.9"},
    {"15", "NC_000015.9", "NC_000015.10"},  {"16", "NC_000016.9", "NC_000016.10"},
    {"17", "NC_000017.10", "NC_000017.11"}, {"18", "NC_000018.9", "NC_000018.10"},
    {"19", "NC_000019.9", "NC_000019.10"},  {"20", "NC_000020.10", "NC_000020.11"},
    {"21", "NC_000021.8", "NC_000021.9"},   {"22", "NC_000022.10", "NC_000022.11"},
    {"X", "NC_000023.10", "NC_000023.11"},  {"Y", "NC_000024.9", "NC_000024.10"},
    {"MT", "NC_012920.1", "NC_012920.1"},
}};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Result<ResolvedReference> ResolveReferenceName(std::string_view name) {
  if (StartsWithNoCase(name, "refseq:")) name.remove_prefix(7);
  if (StartsWithNoCase(name, "nc_")) {
    std::string acc(name);
    acc[0] = 'N';
    acc[1] = 'C';
    for (const Chromosome& c : kChromosomes) {
      // The mitochondrion has one accession in both assemblies: it implies neither.
      if (acc == c.grch37 && acc == c.grch38) return ResolvedReference{std::string(c.contig), ""};
      if (acc == c.grch37) return ResolvedReference{std::string(c.contig), "GRCh37"};
      if (acc == c.grch38) return ResolvedReference{std::string(c.contig), "GRCh38"};
    }
    return InvalidArgument("referenceName '" + std::string(name.substr(0, 40)) +
                           "' is not a GRCh37 or GRCh38 chromosome accession (e.g. "
                           "refseq:NC_000022.11 is chromosome 22 of GRCh38)");
  }
  return ResolvedReference{store::CanonicalContig(name), ""};
}

std::string QueryAssembly(std::string_view assembly_id) {
  constexpr std::string_view kGcf = "GCF_000001405.";
  if (assembly_id.substr(0, kGcf.size()) == kGcf) {
    std::string_view v = assembly_id.substr(kGcf.size());
    int version = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
    if (ec == std::errc() && ptr == v.data() + v.size()) {
      if (version >= 13 && version <= 25) return "GRCh37";
      if (version >= 26 && version <= 40) return "GRCh38";
    }
  }
  return CanonicalAssembly(assembly_id);
}

std::optional<std::string> RefSeqAccession(std::string_view contig, std::string_view assembly) {
  for (const Chromosome& c : kChromosomes) {
    if (c.contig != contig) continue;
    if (assembly == "GRCh37") return std::string(c.grch37);
    if (assembly == "GRCh38") return std::string(c.grch38);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace genomefed::beacon
