// genomefed store: checks and recovery of a node's datasets (store/dataset_check.h).
//   store verify            cheap check of every dataset (MANIFEST, files, checksums) and a full
//                           open (every segment validated); exit 4 when one is damaged
//   store rebuild-manifest  a lost or damaged MANIFEST rebuilt from the immutable segments
#include <cstdio>
#include <iostream>

#include "apps/genomefed/commands.h"
#include "core/config.h"
#include "ingest/ingest.h"
#include "store/dataset_check.h"
#include "store/store.h"

namespace genomefed::cli {
namespace {

struct StoreArgs {
  std::string data_dir;
  std::string dataset;
  std::string assembly;
  bool replace = false;
};

Status Verify(const StoreArgs& a) {
  GF_ASSIGN_OR_RETURN(auto st, store::Store::Open(a.data_dir));
  Status worst;
  for (const auto& id : st->dataset_ids()) {
    if (!a.dataset.empty() && id != a.dataset) continue;
    const store::Dataset* ds = st->dataset(id);
    std::printf("ok       %s (generation %llu, %u samples, %llu alleles, assembly %s)\n",
                id.c_str(), static_cast<unsigned long long>(ds->generation()), ds->sample_count(),
                static_cast<unsigned long long>(ds->allele_count()),
                ds->assembly().empty() ? "unknown" : ds->assembly().c_str());
  }
  for (const auto& [id, status] : st->broken()) {
    if (!a.dataset.empty() && id != a.dataset) continue;
    std::printf("DAMAGED  %s: %s\n", id.c_str(), status.message().c_str());
    if (worst.ok()) worst = status;
  }
  if (!a.dataset.empty() && st->dataset(a.dataset) == nullptr && !st->broken().count(a.dataset)) {
    return NotFound("no dataset '" + a.dataset + "' in " + a.data_dir);
  }
  if (!worst.ok()) return Status(worst.code(), "damaged dataset(s), see above");
  return Status::Ok();
}

Status Rebuild(const StoreArgs& a) {
  GF_RETURN_IF_ERROR(store::ValidateDatasetId(a.dataset));
  const auto dir = ingest::DatasetDir(a.data_dir, a.dataset);
  const std::string assembly = a.assembly.empty() ? "" : CanonicalAssembly(a.assembly);
  GF_ASSIGN_OR_RETURN(store::RebuildReport r, store::RebuildManifest(dir, assembly, a.replace));
  std::printf("rebuilt %s: generation %llu, %s, %zu segment(s), assembly %s\n",
              (dir / store::kManifestName).string().c_str(),
              static_cast<unsigned long long>(r.manifest.generation),
              r.manifest.samples_file.c_str(), r.manifest.segments.size(),
              assembly.empty() ? "unknown (give --assembly to record it)" : assembly.c_str());
  for (const auto& name : r.ignored) std::printf("  left out %s\n", name.c_str());
  // The rebuilt dataset must open as a node would open it.
  GF_ASSIGN_OR_RETURN(auto ds, store::Store::OpenDataset(dir));
  std::printf("  opens: %u samples, %llu alleles\n", ds->sample_count(),
              static_cast<unsigned long long>(ds->allele_count()));
  return Status::Ok();
}

}  // namespace

void RegisterStore(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand("store", "Verify a node's datasets, rebuild a lost MANIFEST");
  cmd->require_subcommand(1);
  auto args = std::make_shared<StoreArgs>();
  CLI::App* verify = cmd->add_subcommand("verify", "Check every dataset (exit 4 when damaged)");
  verify->add_option("--data-dir", args->data_dir, "node data directory")->required();
  verify->add_option("--dataset", args->dataset, "only this dataset");
  verify->callback([args, &ctx] { Report(ctx, "store verify", Verify(*args)); });
  CLI::App* rebuild = cmd->add_subcommand(
      "rebuild-manifest", "Rebuild a dataset's MANIFEST from its segments and newest sample table");
  rebuild->add_option("--data-dir", args->data_dir, "node data directory")->required();
  rebuild->add_option("--dataset", args->dataset, "dataset id")->required();
  rebuild->add_option("--assembly", args->assembly, "record this assembly (GRCh37, GRCh38)");
  rebuild->add_flag("--replace", args->replace, "replace a MANIFEST that is still readable");
  rebuild->callback([args, &ctx] { Report(ctx, "store rebuild-manifest", Rebuild(*args)); });
}

}  // namespace genomefed::cli
