// The node's deliverable files: every original VCF/BCF kept in the Crypt4GH archive
// (crypt4gh/archive.h) under a stable file id, with what GA4GH htsget 1.3 slicing needs to find
// a region's bytes without decrypting the body — the file's genomic index (.tbi or .csi, taken
// from beside the source or built at ingest) and its map of BGZF block offsets — and what
// GA4GH DRS 1.2 describes (dataset, name, format). Stored under `<data-dir>/archive/files/`
// (layout in docs/formats/delivery-files.md):
//   <id>.json    the record (format "genomefed-archived-file", version 1)
//   <id>.tbi     or <id>.csi: the index (positions and block offsets only, no genotypes)
//   <id>.blocks  the BGZF block map
// All three are published with atomic renames, the record last, so a listed record always has
// its index. Registration happens at ingest, after the archive entry exists.
//
// Thread safety: functions are safe to call concurrently; loaded values are immutable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::htsget {

enum class FileFormat { kVcf, kBcf };
std::string_view FileFormatName(FileFormat f);  // "VCF" | "BCF" (htsget's names)

struct ArchivedFile {
  std::string id;          // [A-Za-z0-9._-]{1,128}; default: the source name without extensions
  std::string dataset;     // the store dataset it was ingested into
  std::string archive_id;  // the crypt4gh archive entry (SHA-256 of the plaintext)
  std::string name;        // the source's file name
  FileFormat format = FileFormat::kVcf;
  // True for BGZF sources (VCF.gz, BCF): sliceable through the index. Plain or gzip VCFs are
  // delivered whole (DRS) only.
  bool bgzf = false;
  std::string index_kind;  // "tbi" | "csi" when bgzf
  // BGZF virtual offset of the first record: everything before it is the VCF/BCF header.
  uint64_t header_end_voffset = 0;
  // Reference names in the index's id order (the tbi's names; the BCF header's contigs).
  std::vector<std::string> contigs;
  uint64_t plaintext_size = 0;
  bool ends_with_eof_block = false;  // the last 28 bytes are the BGZF end-of-file marker
  std::string created;               // RFC 3339 UTC

  std::filesystem::path dir;  // <data-dir>/archive/files
  std::filesystem::path index_path() const { return dir / (id + "." + index_kind); }
  std::filesystem::path blocks_path() const { return dir / (id + ".blocks"); }
};

// `<data-dir>/archive/files`.
std::filesystem::path FilesDir(const std::filesystem::path& data_dir);

// The default id of a source path: its file name without .gz/.bgz/.vcf/.bcf extensions.
std::string DefaultFileId(const std::filesystem::path& source);
// kInvalidArgument unless `id` matches [A-Za-z0-9._-]{1,128} and is not "service-info".
Status CheckFileId(std::string_view id);

struct RegisterOptions {
  std::filesystem::path data_dir;
  std::filesystem::path source;  // the original VCF/BCF (plaintext, as given to ingest)
  std::string file_id;           // empty: DefaultFileId(source)
  std::string dataset;
  std::string archive_id;
  uint64_t plaintext_size = 0;
};

// Reads the source's format and header end, takes `<source>.tbi` / `.csi` when present and not
// older than the source (else builds one with htslib), maps its BGZF blocks and publishes the
// record. An id already registered for other content is kAlreadyExists (re-registering the
// same archive entry under its id is a no-op). Errors name the source.
Result<ArchivedFile> RegisterArchivedFile(const RegisterOptions& options);

// One record (kNotFound if absent, kCorruption naming the file if damaged).
Result<ArchivedFile> LoadArchivedFile(const std::filesystem::path& data_dir, std::string_view id);
// Every record, sorted by id.
Result<std::vector<ArchivedFile>> ListArchivedFiles(const std::filesystem::path& data_dir);

// The BGZF block map: the offset of every block, then the file size (so block i spans
// [offsets[i], offsets[i + 1])).
Result<std::vector<uint64_t>> LoadBlockMap(const ArchivedFile& file);
// Parses a block map file's bytes (the fuzz target); `where` names it in errors.
Result<std::vector<uint64_t>> ParseBlockMap(std::string_view bytes, std::string_view where);

}  // namespace genomefed::htsget
