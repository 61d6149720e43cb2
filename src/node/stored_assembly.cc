#include "node/stored_assembly.h"

namespace genomefed::node {

Status ReconcileAssemblies(const store::Store& store, std::vector<DatasetConfig>& datasets) {
  for (const auto& id : store.dataset_ids()) {
    const std::string& recorded = store.dataset(id)->assembly();
    if (recorded.empty()) continue;
    DatasetConfig* config = nullptr;
    for (auto& d : datasets) {
      if (d.id == id) config = &d;
    }
    if (config == nullptr) {
      DatasetConfig d;
      d.id = id;
      d.assembly_id = recorded;
      datasets.push_back(std::move(d));
      continue;
    }
    if (config->assembly_id.empty()) {
      config->assembly_id = recorded;
    } else if (CanonicalAssembly(config->assembly_id) != recorded) {
      return InvalidArgument("[[datasets]] id = \"" + id + "\": assembly_id = \"" +
                             config->assembly_id + "\" but the dataset was ingested as " +
                             recorded + " (its MANIFEST); set assembly_id = \"" + recorded +
                             "\" or remove it");
    }
  }
  return Status::Ok();
}

}  // namespace genomefed::node
