// Serves a real dataset through the full node stack (store → Beacon core → HTTP) for
// bench/beacon_bench.sh, and writes the inputs the baselines need: the 1,000 allele count URLs
// for wrk, the filtered carrier-count URLs, and TSV tables of the same carriers and metadata for
// PostgreSQL.
//
//   beacon_node_bench --vcf F.vcf.gz --samples individuals.json --work DIR [--threads N]
// Prints "port=N" once serving; stops on SIGTERM/SIGINT.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "ingest/ingest.h"
#include "node/node.h"

using namespace genomefed;

int main(int argc, char** argv) {
  std::string vcf, samples, work, filter = "ICD10:E10";
  uint32_t threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--vcf")
      vcf = v;
    else if (k == "--samples")
      samples = v;
    else if (k == "--work")
      work = v;
    else if (k == "--threads")
      threads = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--filter")
      filter = v;
  }
  if (vcf.empty() || work.empty()) {
    std::cerr << "usage: beacon_node_bench --vcf F --samples S --work DIR [--threads N]\n";
    return 2;
  }
  std::filesystem::path dir(work);
  if (!std::filesystem::exists(dir / "data")) {
    ingest::IngestOptions o;
    o.data_dir = dir / "data";
    o.dataset = "kg";
    o.vcf = vcf;
    o.sample_sheet = samples;
    o.consent = {"DUO:0000042"};
    auto r = ingest::Ingest(o);
    if (!r.ok()) {
      std::cerr << r.status().ToString() << "\n";
      return 1;
    }
  }
  NodeConfig cfg;
  cfg.id = "org.genomefed.bench";
  cfg.name = "bench";
  cfg.data_dir = dir / "data";
  cfg.listen = "127.0.0.1:0";
  cfg.public_url = "http://127.0.0.1";
  cfg.limits.threads = threads;
  cfg.policy.public_granularity = Granularity::kCount;
  cfg.policy.min_count = 1;
  node::NodeOptions options;
  options.config = cfg;
  options.access_log = false;
  auto node = node::Node::Start(std::move(options));
  if (!node.ok()) {
    std::cerr << node.status().ToString() << "\n";
    return 1;
  }
  const store::Dataset* d = (*node)->store().dataset("kg");
  std::ofstream urls(dir / "urls.txt"), common(dir / "common_urls.txt"),
      carriers(dir / "carriers.tsv"), diseases(dir / "diseases.tsv"), consent(dir / "consent.tsv"),
      bcf(dir / "alleles.txt");
  int n = 0, n_common = 0;
  for (const auto& contig : d->contigs()) {
    d->ScanRange(
        contig, 1, INT64_MAX / 2, [&](const store::AlleleKey& k, const store::AlleleRef& ref) {
          std::string params = "referenceName=" + k.contig + "&start=" + std::to_string(k.pos - 1) +
                               "&referenceBases=" + k.ref + "&alternateBases=" + k.alt;
          if (n < 1000) {
            urls << "/api/g_variants?" << params << "&requestedGranularity=count\n";
            bcf << k.contig << "\t" << k.pos << "\t" << k.ref << "\t" << k.alt << "\n";
            ++n;
          }
          auto c = d->Count(ref);
          if (c.frequency() > 0.2 && n_common < 100) {
            ++n_common;
            common << "/api/individuals?" << params << "&filters=" << filter
                   << ",DUO:0000042&requestedGranularity=count\n";
            for (auto id : d->Carriers(ref).ToVector()) carriers << n_common << "\t" << id << "\n";
          }
          return true;
        });
  }
  for (uint32_t i = 0; i < d->sample_count(); ++i) {
    for (const auto& dz : d->samples()[i].diseases) diseases << i << "\t" << dz << "\n";
    for (const auto& c : d->samples()[i].consent) consent << i << "\t" << c << "\n";
  }
  for (std::ofstream* f : {&urls, &common, &carriers, &diseases, &consent, &bcf}) f->close();
  std::cout << "alleles=" << n << " common=" << n_common << "\nport=" << (*node)->port()
            << std::endl;
  (*node)->RunUntilSignal();
  return 0;
}
