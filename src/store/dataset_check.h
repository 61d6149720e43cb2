// Checks and recovery of a dataset directory as a whole (docs/formats/store.md, "Verification
// and recovery"): the cheap verification ingest runs before it writes (every file the MANIFEST
// names is there, has its size, segment magic and checksums), the detection of a dataset
// whose MANIFEST is gone, and the rebuild of a MANIFEST from the immutable segments and the
// newest sample table (`genomefed store rebuild-manifest`).
//
// None of these write anything except RebuildManifest, which publishes the rebuilt MANIFEST
// with the same atomic rename as an ingest. Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/manifest.h"

namespace genomefed::store {

// CRC-32 of each kChecksumWindow bytes of `path` (for SegmentEntry::window_crc32).
Result<std::vector<uint32_t>> ChecksumWindows(const std::filesystem::path& path);

// Cheap verification of what `manifest` names in `dataset_dir`, without decoding: the sample
// table is readable; each segment exists (a missing one is corruption, not "not found"), has
// the MANIFEST's size, the segment magic, version and end magic, and its CRC-32 (whole file,
// and per window when the MANIFEST has them, naming the damaged byte range). Corruption
// statuses end with what to do.
Status VerifyDataset(const std::filesystem::path& dataset_dir, const Manifest& manifest);

// For a dataset directory without a MANIFEST: Corruption when it holds a sample table (only an
// ingest that reached its commit point writes one) or segments beyond the first (a killed
// first ingest leaves at most its one segment, which is not data), naming what is there and
// the recovery command; OK when it holds no data.
Status CheckForUncommittedData(const std::filesystem::path& dataset_dir);

// The command that rebuilds the MANIFEST of `dataset_dir`, for messages.
std::string RebuildCommand(const std::filesystem::path& dataset_dir);

struct RebuildReport {
  Manifest manifest;                 // as written
  std::vector<std::string> ignored;  // files left out (with why), e.g. a killed ingest's
};

// Rebuilds the MANIFEST of `dataset_dir` from its files: the newest sample table
// (samples-G.json) and every segment seg-N.gfs with N ≤ G (a segment newer than the newest
// sample table was never committed), each fully validated; the segments' sample batches must
// be disjoint and cover the table's samples exactly, else nothing is written (a segment is
// missing or damaged: the data have to be re-ingested). `assembly` is recorded as given
// ("" = unknown). Refuses when a readable MANIFEST exists, unless `replace` is set.
Result<RebuildReport> RebuildManifest(const std::filesystem::path& dataset_dir,
                                      const std::string& assembly, bool replace);

}  // namespace genomefed::store
