// genomefed ingest: a VCF/BCF batch (+ sample sheet) into a dataset of the node's store.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "apps/genomefed/commands.h"
#include "crypt4gh/archive.h"
#include "htsget/archived_file.h"
#include "ingest/ingest.h"

namespace genomefed::cli {
namespace {

struct IngestArgs {
  std::string data_dir;
  std::string dataset;
  std::string vcf;
  std::string samples;
  std::vector<std::string> consent;
  std::string assembly;
  std::string file_id;
  int threads = 0;
  std::string reference_fasta;
  std::string hpo_ontology;
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
  std::printf("  assembly %s\n", r.assembly.empty() ? "unknown" : r.assembly.c_str());
  if (r.high_ploidy_calls > 0) {
    std::printf("  calls    %llu with more than two alleles (in %llu records) counted as missing\n",
                static_cast<unsigned long long>(r.high_ploidy_calls),
                static_cast<unsigned long long>(r.high_ploidy_records));
  }
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
  cmd->add_option("--assembly", args->assembly,
                  "reference assembly of the batch (GRCh37, GRCh38, hg19, hg38...); default: "
                  "from the header, and the dataset's recorded one must agree");
  cmd->add_option("--file-id", args->file_id,
                  "id of the archived file for htsget and DRS (default: the file name without "
                  "extensions)");
  cmd->add_option("--threads", args->threads, "decoding threads (0 = one per core)");
  cmd->add_option("--reference-fasta", args->reference_fasta,
                  "FASTA (+ .fai) of the VCF's assembly: left-align indels as bcftools norm -f");
  cmd->add_option("--hpo-ontology", args->hpo_ontology,
                  "the node's HPO release (OBO or OBO-graph JSON): warn about sheet phenotypes "
                  "it lacks");
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
    opts.assembly = args->assembly;
    opts.threads = args->threads;
    opts.reference_fasta = args->reference_fasta;
    opts.hpo_ontology = args->hpo_ontology;
    if (!args->file_id.empty()) {
      if (Status s = htsget::CheckFileId(args->file_id); !s.ok()) {
        Report(ctx, "ingest --file-id", s);
        return;
      }
      if (args->no_archive) {
        Report(ctx, "ingest",
               InvalidArgument("--file-id names an archived file: drop --no-archive"));
        return;
      }
    }
    if (!args->no_archive) {
      // The original, encrypted to the node key (created on first use in <data-dir>/keys).
      opts.before_commit = [args]() -> Result<std::string> {
        const std::filesystem::path dir(args->data_dir);
        GF_RETURN_IF_ERROR(crypt4gh::EnsureNodeKeys(dir / "keys").status());
        // The secret half keys the entry's integrity MACs (crypt4gh/archive_integrity.h).
        GF_ASSIGN_OR_RETURN(crypt4gh::KeyPair node, crypt4gh::LoadNodeKeys(dir / "keys"));
        GF_ASSIGN_OR_RETURN(crypt4gh::ArchiveEntry entry,
                            crypt4gh::ArchiveFile(dir / "archive", args->vcf, node));
        // Deliverable through htsget and DRS under its file id, with its index kept beside.
        htsget::RegisterOptions reg;
        reg.data_dir = dir;
        reg.source = args->vcf;
        reg.file_id = args->file_id;
        reg.dataset = args->dataset;
        reg.archive_id = entry.id;
        reg.plaintext_size = entry.plaintext_size;
        GF_RETURN_IF_ERROR(htsget::RegisterArchivedFile(reg).status());
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
