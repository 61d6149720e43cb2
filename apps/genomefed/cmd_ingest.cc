// genomefed ingest: a VCF/BCF batch (+ sample sheet) into a dataset of the node's store.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "apps/genomefed/commands.h"
#include "crypt4gh/archive.h"
#include "ingest/ingest.h"

namespace genomefed::cli {
namespace {

struct IngestArgs {
  std::string data_dir;
  std::string dataset;
  std::string vcf;
  std::string samples;
  std::vector<std::string> consent;
  int threads = 0;
  bool quiet = false;
  bool no_archive = false;
};

void PrintReport(const ingest::IngestReport& r, const IngestArgs& a) {
  std::printf("ingested %s into dataset '%s' (generation %llu, %s)\n", a.vcf.c_str(),
              a.dataset.c_str(), static_cast<unsigned long long>(r.generation),
              r.segment_file.c_str());
  std::printf("  records  %llu\n  sites    %llu\n  alleles  %llu\n",
              static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.sites),
              static_cast<unsigned long long>(r.alleles));
  std::printf(
      "  samples  %u added, %u in the dataset, %u without metadata, %u sheet rows kept "
      "for later batches\n",
      r.samples_added, r.samples_total, r.samples_without_metadata, r.sheet_rows_pending);
  if (r.skipped.empty()) {
    std::printf("  skipped  none\n");
  } else {
    for (const auto& [reason, n] : r.skipped) {
      std::printf("  skipped  %llu  %s\n", static_cast<unsigned long long>(n), reason.c_str());
    }
  }
  if (!r.archive_id.empty()) {
    std::printf("  archive  %s (Crypt4GH, node key)\n", r.archive_id.c_str());
  }
  std::printf("  time     %.2f s (%.0f records/s)\n", r.seconds,
              r.seconds > 0 ? static_cast<double>(r.records) / r.seconds : 0.0);
}

}  // namespace

void RegisterIngest(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = root.add_subcommand(
      "ingest", "Ingest a VCF/VCF.gz/BCF batch and its sample sheet into a dataset");
  cmd->add_option("--data-dir", args->data_dir, "node data directory")->required();
  cmd->add_option("--dataset", args->dataset, "dataset id ([A-Za-z0-9._-])")->required();
  cmd->add_option("--vcf", args->vcf, "VCF, VCF.gz or BCF file")->required();
  cmd->add_option("--samples", args->samples,
                  "sample sheet: TSV (sample_id sex population phenotypes diseases [consent]) "
                  "or Beacon v2 individuals JSON");
  cmd->add_option("--consent", args->consent, "DUO code(s) for every sample of this batch");
  cmd->add_option("--threads", args->threads, "decoding threads (0 = one per core)");
  cmd->add_flag("--quiet", args->quiet, "no progress or summary");
  cmd->add_flag("--no-archive", args->no_archive,
                "do not keep the original file (Crypt4GH-encrypted) in <data-dir>/archive");
  cmd->callback([args, &ctx] {
    ingest::IngestOptions opts;
    opts.data_dir = args->data_dir;
    opts.dataset = args->dataset;
    opts.vcf = args->vcf;
    opts.sample_sheet = args->samples;
    opts.consent = args->consent;
    opts.threads = args->threads;
    if (!args->no_archive) {
      // The original, encrypted to the node key (created on first use in <data-dir>/keys).
      opts.before_commit = [args]() -> Result<std::string> {
        const std::filesystem::path dir(args->data_dir);
        GF_RETURN_IF_ERROR(crypt4gh::EnsureNodeKeys(dir / "keys").status());
        // The secret half keys the entry's integrity MACs (crypt4gh/archive_integrity.h).
        GF_ASSIGN_OR_RETURN(crypt4gh::KeyPair node, crypt4gh::LoadNodeKeys(dir / "keys"));
        GF_ASSIGN_OR_RETURN(crypt4gh::ArchiveEntry entry,
                            crypt4gh::ArchiveFile(dir / "archive", args->vcf, node));
        return entry.id;
      };
    }
    const bool tty = ::isatty(STDERR_FILENO) != 0 && !args->quiet;
    if (tty) {
      opts.on_progress = [](const ingest::IngestProgress& p) {
        std::fprintf(stderr, "\r  %llu records  %.0f records/s   ",
                     static_cast<unsigned long long>(p.records),
                     p.seconds > 0 ? static_cast<double>(p.records) / p.seconds : 0.0);
      };
    }
    auto report = ingest::Ingest(opts);
    if (tty) std::fprintf(stderr, "\r%60s\r", "");
    if (!report.ok()) {
      Report(ctx, "ingest", report.status());
      return;
    }
    for (const auto& w : report->warnings) std::cerr << "warning: " << w << "\n";
    if (!args->quiet) PrintReport(*report, *args);
  });
}

}  // namespace genomefed::cli
