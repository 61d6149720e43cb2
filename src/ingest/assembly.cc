#include "ingest/assembly.h"

#include <algorithm>
#include <cctype>

#include "core/config.h"
#include "store/store.h"

namespace genomefed::ingest {
namespace {

struct ChromosomeLengths {
  const char* name;
  int64_t grch37, grch38;
};

// Primary assembly chromosome lengths (GRC; identical across patch releases). MT is the same
// rCRS sequence in both and tells nothing.
constexpr ChromosomeLengths kLengths[] = {
    {"1", 249250621, 248956422},  {"2", 243199373, 242193529},  {"3", 198022430, 198295559},
    {"4", 191154276, 190214555},  {"5", 180915260, 181538259},  {"6", 171115067, 170805979},
    {"7", 159138663, 159345973},  {"8", 146364022, 145138636},  {"9", 141213431, 138394717},
    {"10", 135534747, 133797422}, {"11", 135006516, 135086622}, {"12", 133851895, 133275309},
    {"13", 115169878, 114364328}, {"14", 107349540, 107043718}, {"15", 102531392, 101991189},
    {"16", 90354753, 90338345},   {"17", 81195210, 83257441},   {"18", 78077248, 80373285},
    {"19", 59128983, 58617616},   {"20", 63025520, 64444167},   {"21", 48129895, 46709983},
    {"22", 51304566, 50818468},   {"X", 155270560, 156040895},  {"Y", 59373566, 57227415},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// GRCh37 / GRCh38 named somewhere in a ##reference value (a path or URL, usually).
std::string AssemblyInReference(const std::string& reference) {
  const std::string r = Lower(reference);
  const bool is37 = r.find("grch37") != std::string::npos || r.find("hg19") != std::string::npos ||
                    r.find("hs37d5") != std::string::npos || r.find("b37") != std::string::npos ||
                    r.find("g1k_v37") != std::string::npos;
  const bool is38 = r.find("grch38") != std::string::npos || r.find("hg38") != std::string::npos;
  if (is37 == is38) return "";
  return is37 ? "GRCh37" : "GRCh38";
}

}  // namespace

Result<AssemblyEvidence> BatchAssembly(const HeaderAssemblyInput& h, const std::string& given) {
  std::vector<AssemblyEvidence> found;
  if (std::string a = AssemblyInReference(h.reference); !a.empty()) {
    found.push_back({a, "##reference=" + h.reference});
  }
  for (size_t i = 0; i < h.contigs.size(); ++i) {
    if (i < h.assembly.size() && !h.assembly[i].empty()) {
      const std::string a = CanonicalAssembly(h.assembly[i]);
      if (a == "GRCh37" || a == "GRCh38") {
        found.push_back({a, "##contig " + h.contigs[i] + " says assembly=" + h.assembly[i]});
      }
    }
    if (i >= h.lengths.size() || h.lengths[i] <= 0) continue;
    const std::string canonical = store::CanonicalContig(h.contigs[i]);
    for (const auto& c : kLengths) {
      if (canonical != c.name) continue;
      if (h.lengths[i] == c.grch37 || h.lengths[i] == c.grch38) {
        found.push_back({h.lengths[i] == c.grch37 ? "GRCh37" : "GRCh38",
                         "##contig " + h.contigs[i] + " has length " +
                             std::to_string(h.lengths[i]) + ", " +
                             (h.lengths[i] == c.grch37 ? "GRCh37" : "GRCh38") + "'s"});
      }
    }
  }
  for (const auto& e : found) {
    if (e.assembly != found.front().assembly) {
      return InvalidArgument(h.file + ": the header names two assemblies: " + found.front().why +
                             ", but " + e.why + "; fix the header (bcftools reheader)");
    }
  }
  if (!given.empty()) {
    if (!found.empty() && found.front().assembly != given) {
      return InvalidArgument(h.file + ": --assembly " + given + " but the header is " +
                             found.front().assembly + " (" + found.front().why +
                             "); check which reference the file was called on");
    }
    return AssemblyEvidence{given, "--assembly " + given};
  }
  if (found.empty()) return AssemblyEvidence{};
  return found.front();
}

Result<std::string> DatasetAssemblyAfter(const std::string& dataset_id, const std::string& dataset,
                                         const AssemblyEvidence& batch, std::string& warning) {
  warning.clear();
  if (dataset.empty() || batch.assembly.empty()) {
    if (dataset.empty() && batch.assembly.empty()) {
      warning = "the reference assembly of dataset '" + dataset_id +
                "' is unknown (no ##reference, contig lengths or assembly= in the header); "
                "give --assembly GRCh37 or GRCh38 so that queries on the other one skip it";
    } else if (dataset.empty()) {
      warning = "dataset '" + dataset_id + "' had no recorded assembly; recorded " +
                batch.assembly + " (" + batch.why + ")";
    }
    return dataset.empty() ? batch.assembly : dataset;
  }
  if (dataset != batch.assembly) {
    return InvalidArgument("the batch is " + batch.assembly + " (" + batch.why + ") but dataset '" +
                           dataset_id + "' is " + dataset +
                           " (recorded at its first ingest): coordinates of two assemblies "
                           "cannot be counted together; lift the batch over (e.g. bcftools "
                           "+liftover or CrossMap) or ingest it into another dataset");
  }
  return dataset;
}

}  // namespace genomefed::ingest
