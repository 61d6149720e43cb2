#include "store/dataset_check.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>

#include "core/bytes.h"
#include "core/crc32.h"
#include "core/file.h"
#include "store/carrier_set.h"
#include "store/segment.h"

namespace genomefed::store {
namespace {

// The generation N of "<prefix>NNNNNN<suffix>", or 0 when `name` is not such a file.
uint64_t GenerationOf(const std::string& name, std::string_view prefix, std::string_view suffix) {
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return 0;
  }
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size() - suffix.size();
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(first, last, n);
  return ec == std::errc() && ptr == last ? n : 0;
}

struct DataFiles {
  std::map<uint64_t, std::string> segments;  // generation → file name
  std::map<uint64_t, std::string> samples;
};

DataFiles ListDataFiles(const std::filesystem::path& dir) {
  DataFiles files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (uint64_t g = GenerationOf(name, "seg-", ".gfs")) files.segments[g] = name;
    if (uint64_t g = GenerationOf(name, "samples-", ".json")) files.samples[g] = name;
  }
  return files;
}

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

std::string RebuildCommand(const std::filesystem::path& dataset_dir) {
  return "genomefed store rebuild-manifest --data-dir " +
         dataset_dir.parent_path().parent_path().string() + " --dataset " +
         dataset_dir.filename().string();
}

Result<std::vector<uint32_t>> ChecksumWindows(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
  std::vector<uint32_t> out;
  for (uint64_t off = 0; off < map.size(); off += kChecksumWindow) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChecksumWindow, map.size() - off));
    out.push_back(Crc32(0, map.data() + off, n));
  }
  return out;
}

Status VerifyDataset(const std::filesystem::path& dir, const Manifest& manifest) {
  const std::string reingest =
      "; the dataset is damaged: restore the file from a backup, or re-ingest its source "
      "(archived under <data-dir>/archive) into a new dataset";
  {
    const auto samples = dir / manifest.samples_file;
    if (!std::filesystem::exists(samples)) {
      return Corruption(samples.string() + ": the sample table named by the MANIFEST is missing" +
                        reingest);
    }
    auto table = ReadSampleTable(samples);
    if (!table.ok()) return Status(StatusCode::kCorruption, table.status().message() + reingest);
  }
  for (const SegmentEntry& e : manifest.segments) {
    const auto path = dir / e.file;
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
      if (!std::filesystem::exists(path)) {
        return Corruption(path.string() + ": segment named by the MANIFEST is missing (" +
                          std::to_string(e.alleles) + " alleles of " + std::to_string(e.samples) +
                          " samples from " + (e.source.empty() ? "?" : e.source) + ")" + reingest);
      }
      return IOError(path.string() + ": cannot read its size: " + ec.message());
    }
    if (size != e.size) {
      return Corruption(path.string() + ": " + std::to_string(size) + " bytes, the MANIFEST says " +
                        std::to_string(e.size) + reingest);
    }
    GF_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
    const uint8_t* d = map.data();
    if (size < kSegmentHeaderSize + kSegmentFooterSize || std::memcmp(d, kSegmentMagic, 8) != 0) {
      return Corruption(path.string() + ": offset 0: bad magic (not a segment)" + reingest);
    }
    if (LoadLe32(d + 8) != kSegmentVersion) {
      return Corruption(path.string() + ": offset 8: segment format version " +
                        std::to_string(LoadLe32(d + 8)) + ", this genomefed reads " +
                        std::to_string(kSegmentVersion) + "; re-ingest the dataset's files");
    }
    const uint8_t* footer = d + size - kSegmentFooterSize;
    if (std::memcmp(footer + 56, kSegmentEndMagic, 8) != 0) {
      return Corruption(path.string() + ": offset " + std::to_string(size - 8) +
                        ": bad end magic (the file was cut short or overwritten)" + reingest);
    }
    // Per window first: a mismatch then names the damaged range.
    const uint64_t windows = (size + kChecksumWindow - 1) / kChecksumWindow;
    if (e.window_crc32.size() == windows) {
      for (uint64_t w = 0; w < windows; ++w) {
        const uint64_t off = w * kChecksumWindow;
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kChecksumWindow, size - off));
        if (Crc32(0, d + off, n) != e.window_crc32[w]) {
          return Corruption(path.string() + ": bytes [" + std::to_string(off) + ", " +
                            std::to_string(off + n) + ") (window " + std::to_string(w + 1) +
                            " of " + std::to_string(windows) + ", at " + Mib(off) +
                            ") fail their CRC-32 in the MANIFEST" + reingest);
        }
      }
    }
    const uint32_t crc = Crc32(0, d, static_cast<size_t>(size - 16));
    if (crc != e.crc32 || LoadLe32(footer + 48) != e.crc32) {
      return Corruption(path.string() + ": CRC-32 of bytes [0, " + std::to_string(size - 16) +
                        ") differs from the MANIFEST's (no per-window checksums recorded to "
                        "narrow it down)" +
                        reingest);
    }
  }
  return Status::Ok();
}

Status CheckForUncommittedData(const std::filesystem::path& dir) {
  const DataFiles files = ListDataFiles(dir);
  if (files.samples.empty() && files.segments.size() <= 1) return Status::Ok();
  std::string what;
  if (!files.samples.empty()) what += std::to_string(files.samples.size()) + " sample table(s)";
  if (!files.segments.empty()) {
    what += (what.empty() ? "" : " and ") + std::to_string(files.segments.size()) + " segment(s)";
  }
  return Corruption((dir / kManifestName).string() + " is missing but " + dir.string() + " holds " +
                    what +
                    " of ingested data; nothing is read or written without it. Rebuild it "
                    "from the segments with: " +
                    RebuildCommand(dir));
}

Result<RebuildReport> RebuildManifest(const std::filesystem::path& dir, const std::string& assembly,
                                      bool replace) {
  if (!std::filesystem::is_directory(dir)) return NotFound(dir.string() + ": no such dataset");
  if (!replace) {
    auto existing = ReadManifest(dir);
    if (existing.ok()) {
      return FailedPrecondition((dir / kManifestName).string() +
                                " exists and is readable; nothing to rebuild (--replace to "
                                "rebuild it anyway)");
    }
  }
  const DataFiles files = ListDataFiles(dir);
  if (files.samples.empty()) {
    return Corruption(dir.string() +
                      ": no sample table (samples-NNNNNN.json) left; the MANIFEST cannot be "
                      "rebuilt: re-ingest the dataset's files into a new dataset");
  }
  RebuildReport report;
  Manifest& m = report.manifest;
  const auto& [generation, samples_file] = *files.samples.rbegin();
  GF_ASSIGN_OR_RETURN(SampleTable table, ReadSampleTable(dir / samples_file));
  m.dataset = dir.filename().string();
  m.generation = generation;
  m.samples_file = samples_file;
  m.assembly = assembly;
  for (const auto& [g, name] : files.samples) {
    if (g != generation) report.ignored.push_back(name + " (an older sample table)");
  }
  const uint32_t n_samples = static_cast<uint32_t>(table.samples.size());
  std::vector<uint8_t> owner(n_samples, 0);
  for (const auto& [g, name] : files.segments) {
    if (g > generation) {
      report.ignored.push_back(name + " (newer than the newest sample table: never committed)");
      continue;
    }
    auto seg = Segment::Open(dir / name);
    if (!seg.ok()) {
      return Status(StatusCode::kCorruption,
                    seg.status().message() +
                        "; this segment's data are lost: re-ingest its source into a new dataset");
    }
    const std::vector<SampleId> batch = CarrierSetToVector((*seg)->batch_set(), (*seg)->universe());
    for (SampleId id : batch) {
      if (id >= n_samples || owner[id]) {
        return Corruption((dir / name).string() + ": sample id " + std::to_string(id) +
                          (id >= n_samples ? " is beyond the sample table " + samples_file
                                           : " is also in an earlier segment") +
                          "; the files do not belong together, the MANIFEST cannot be rebuilt");
      }
      owner[id] = 1;
    }
    SegmentEntry e;
    e.file = name;
    e.crc32 = (*seg)->crc();
    e.size = std::filesystem::file_size(dir / name);
    e.alleles = (*seg)->allele_count();
    e.samples = static_cast<uint32_t>(batch.size());
    e.source = "(rebuilt)";
    GF_ASSIGN_OR_RETURN(e.window_crc32, ChecksumWindows(dir / name));
    m.segments.push_back(std::move(e));
  }
  const auto gap = std::find(owner.begin(), owner.end(), 0);
  if (gap != owner.end()) {
    const size_t id = static_cast<size_t>(gap - owner.begin());
    return Corruption(dir.string() + ": sample '" + table.samples[id].id + "' (id " +
                      std::to_string(id) + ") of " + samples_file +
                      " is in no segment: a segment file is missing; the MANIFEST cannot be "
                      "rebuilt without losing its calls. Restore the segment from a backup, or "
                      "re-ingest the dataset's files into a new dataset");
  }
  GF_RETURN_IF_ERROR(WriteManifest(dir, m));
  return report;
}

}  // namespace genomefed::store
