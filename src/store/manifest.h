// A dataset's MANIFEST (which segment files and which sample table are live) and its sample
// table. Both are JSON with a format name and version (docs/formats/store.md). The MANIFEST is
// replaced atomically; it is the single commit point of an ingest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace genomefed::store {

inline constexpr int kManifestVersion = 1;
inline constexpr const char* kManifestName = "MANIFEST";

struct SegmentEntry {
  std::string file;  // relative to the dataset directory
  uint32_t crc32 = 0;
  uint64_t size = 0;
  uint64_t alleles = 0;
  uint32_t samples = 0;
  std::string source;      // the VCF/BCF it came from (file name only)
  std::string created_at;  // ISO 8601 UTC
  std::string archive_id;  // Crypt4GH archive entry of the original file ("" if not archived)
  // CRC-32 of each kChecksumWindow bytes of the file (the last window shorter), so that a
  // verification names the damaged byte range; empty in manifests written before they existed.
  std::vector<uint32_t> window_crc32;
};

// Bytes per MANIFEST checksum window of a segment file.
inline constexpr uint64_t kChecksumWindow = uint64_t{1} << 20;

struct Manifest {
  std::string dataset;
  uint64_t generation = 0;
  std::string samples_file;  // relative to the dataset directory
  std::vector<SegmentEntry> segments;
  // Reference assembly of every segment's coordinates ("GRCh37", "GRCh38", or another name
  // given with ingest --assembly), recorded by the first ingest; "" when never recorded.
  std::string assembly;
};

// Ingested samples (ids = positions) and sheet rows of samples not ingested yet.
struct SampleTable {
  std::vector<SampleInfo> samples;
  std::vector<SampleInfo> pending;
};

// kNotFound when the dataset has no MANIFEST yet.
Result<Manifest> ReadManifest(const std::filesystem::path& dataset_dir);
Status WriteManifest(const std::filesystem::path& dataset_dir, const Manifest& manifest);

Result<SampleTable> ReadSampleTable(const std::filesystem::path& path);
Status WriteSampleTable(const std::filesystem::path& path, const SampleTable& table);

// Dataset ids become directory names: [A-Za-z0-9._-], 1–128 chars, not starting with '.'.
Status ValidateDatasetId(std::string_view id);

}  // namespace genomefed::store
