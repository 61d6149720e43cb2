#include "beacon_fixture.h"

#include <fstream>

#include "ingest/ingest.h"
#include "support/test_support.h"

namespace genomefed::testing {

std::string SmallVcfText() {
  return "##fileformat=VCFv4.2\n"
         "##contig=<ID=22,length=51304566>\n"
         "##contig=<ID=X,length=155270560>\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\tS5\tS6\n"
         "22\t16050075\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\t0|0\t1|1\t0|0\t0|1\t0|0\n"
         "22\t16050115\t.\tG\tA\t.\tPASS\t.\tGT\t0|0\t0|0\t0|0\t0|0\t0|0\t0|1\n"
         "22\t16050213\t.\tC\tT\t.\tPASS\t.\tGT\t0|1\t0|1\t0|1\t0|1\t0|0\t0|0\n"
         "22\t16050300\t.\tAT\tA\t.\tPASS\t.\tGT\t0|0\t1|0\t0|0\t0|0\t0|0\t0|0\n"
         "22\t16050400\t.\tC\tCAG\t.\tPASS\t.\tGT\t0|0\t0|0\t0|0\t1|1\t0|0\t./.\n"
         "22\t16050500\t.\tA\tC,T\t.\tPASS\t.\tGT\t1|2\t0|0\t0|0\t0|0\t2|2\t0|0\n"
         "22\t16060000\t.\tGA\tTC\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
         "X\t1000\t.\tG\tT\t.\tPASS\t.\tGT\t1\t0/0\t0/1\t1\t0/0\t0\n";
}

std::string SmallSamplesTsv() {
  return "sample_id\tsex\tpopulation\tphenotypes\tdiseases\tconsent\n"
         "S1\tmale\tFIN\tHP:0001250\tICD10:E11.9\tDUO:0000042\n"
         "S2\tfemale\tFIN\tHP:0007359\t\tDUO:0000042\n"
         "S3\tfemale\tGBR\tHP:0000118;HP:0001250\tICD10:E11\tDUO:0000006\n"
         "S4\tmale\tGBR\t\tICD10:I10\tDUO:0000042\n"
         "S5\tfemale\tYRI\tHP:0012638\t\tDUO:0000042\n"
         "S6\tmale\tYRI\t\t\t\n";
}

Status RunIngest(const std::filesystem::path& data_dir, const std::string& dataset,
                 const std::filesystem::path& vcf, const std::filesystem::path& samples) {
  ingest::IngestOptions o;
  o.data_dir = data_dir;
  o.dataset = dataset;
  o.vcf = vcf;
  o.sample_sheet = samples;
  o.threads = 1;
  auto r = ingest::Ingest(o);
  return r.ok() ? Status::Ok() : r.status().WithContext("ingest " + vcf.string());
}

Result<std::filesystem::path> IngestSmallDataset(const std::filesystem::path& dir,
                                                 const std::string& dataset) {
  std::ofstream(dir / "small.vcf") << SmallVcfText();
  std::ofstream(dir / "samples.tsv") << SmallSamplesTsv();
  std::filesystem::path data = dir / "data";
  GF_RETURN_IF_ERROR(RunIngest(data, dataset, dir / "small.vcf", dir / "samples.tsv"));
  return data;
}

namespace {
std::filesystem::path NpmModules() { return SourceDir() / ".cache/npm/node_modules"; }
}  // namespace

std::string SchemaValidationUnavailable() {
  if (SharedDir().empty() || !std::filesystem::exists(SharedDir() / "beacon-v2/validate.js")) {
    return "../shared/beacon-v2 is absent";
  }
  if (!std::filesystem::exists(NpmModules() / "ajv/package.json")) {
    return "Ajv is not installed: run scripts/install-npm-deps.sh (make test does)";
  }
  if (RunCommand("node --version").exit_code != 0) return "node is not installed";
  return {};
}

std::string ValidateAgainstSchema(const std::string& schema_rel,
                                  const std::vector<nlohmann::json>& documents) {
  TempDir dir;
  std::string files;
  for (size_t i = 0; i < documents.size(); ++i) {
    auto p = dir / ("doc" + std::to_string(i) + ".json");
    std::ofstream(p) << documents[i].dump();
    files += " " + p.string();
  }
  std::string cmd = "NODE_PATH=" + NpmModules().string() + " node " +
                    (SharedDir() / "beacon-v2/validate.js").string() + " " + schema_rel + files;
  CommandResult r = RunCommand(cmd, /*merge_stderr=*/true);
  if (r.exit_code == 0) return {};
  return "schema " + schema_rel + " rejected a document:\n" + r.output.substr(0, 6000);
}

}  // namespace genomefed::testing
