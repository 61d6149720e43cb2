// The reference genome model of the synthetic cohort generator: GRCh38 (GCA_000001405.15)
// primary-assembly contig names and lengths, and the pseudo-autosomal regions (PAR1, PAR2) that
// decide ploidy on the sex chromosomes. No sequence is needed: REF alleles are synthetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genomefed::synth {

struct Contig {
  std::string_view name;  // canonical, without "chr": "1".."22", "X", "Y", "MT"
  int64_t length = 0;     // GRCh38 length in bases
};

// The 25 GRCh38 contigs genomefed synthesises, in karyotypic order.
const std::vector<Contig>& Grch38Contigs();

// Looks a contig up by "22", "chr22", "X", "chrX", "M", "chrM" or "MT".
std::optional<Contig> FindContig(std::string_view name);

// The name as written to the VCF: "chr22"/"chrX"/"chrM" with the prefix, "22"/"X"/"MT" without.
std::string VcfContigName(const Contig& contig, bool chr_prefix);

// How many alleles each sex carries at a position.
enum class PloidyClass {
  kDiploid,  // autosomes and the PARs of chrX: everyone diploid
  kXNonPar,  // chrX outside the PARs: females diploid, males haploid
  kYNonPar,  // chrY: males haploid, females have no call (written as ".")
  kHaploid,  // mitochondrion: everyone haploid
};

PloidyClass PloidyAt(const Contig& contig, int64_t pos);

}  // namespace genomefed::synth
