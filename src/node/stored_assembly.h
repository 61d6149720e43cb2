// The node's per-dataset assemblyId, reconciled with what ingest recorded in each dataset's
// MANIFEST (ingest/assembly.h): the store is the truth about which coordinates a dataset
// holds, so a [[datasets]] assembly_id that contradicts it is a configuration error, and a
// dataset without one takes the recorded assembly (Beacon `assemblyId` filtering and the
// /datasets answer then use it).
#pragma once

#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "store/store.h"

namespace genomefed::node {

// Fills in or checks `datasets` (the node config's [[datasets]]) against `store`: adds an
// entry (id and assembly only) for a stored dataset that has none. InvalidArgument when a
// configured assembly_id differs from the recorded one.
Status ReconcileAssemblies(const store::Store& store, std::vector<DatasetConfig>& datasets);

}  // namespace genomefed::node
