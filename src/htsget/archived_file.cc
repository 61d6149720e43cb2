#include "htsget/archived_file.h"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/tbx.h>
#include <htslib/vcf.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "core/bytes.h"
#include "core/file.h"
#include "core/time.h"

namespace genomefed::htsget {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kRecordFormat = "genomefed-archived-file";
constexpr int kRecordVersion = 1;
constexpr std::string_view kBlockMapMagic = "GFBLKMAP";  // then u32le version, u64le count
constexpr uint32_t kBlockMapVersion = 1;
// Size of the BGZF end-of-file marker (SAM/BAM specification §4.1.2): an empty block.
constexpr uint64_t kBgzfEofSize = 28;

struct HtsCloser {
  void operator()(htsFile* f) const {
    if (f != nullptr) hts_close(f);
  }
};
struct HdrCloser {
  void operator()(bcf_hdr_t* h) const {
    if (h != nullptr) bcf_hdr_destroy(h);
  }
};

// Offsets of every BGZF block of `path`, then the file size. Only block headers are read.
Result<std::vector<uint64_t>> ScanBlocks(const fs::path& path, bool* ends_with_eof) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOError("cannot open " + path.string() + ": " + ErrnoMessage(errno));
  std::vector<uint64_t> offsets;
  uint64_t offset = 0;
  uint8_t head[18];
  Status status;
  bool last_was_eof = false;
  for (;;) {
    ssize_t n = ::pread(fd, head, sizeof(head), static_cast<off_t>(offset));
    if (n == 0) break;
    if (n != static_cast<ssize_t>(sizeof(head)) || head[0] != 0x1f || head[1] != 0x8b ||
        head[2] != 8 || (head[3] & 4) == 0 || head[12] != 'B' || head[13] != 'C' ||
        LoadLe16(head + 10) != 6) {
      status = Corruption(path.string() + ": not a BGZF block at offset " + std::to_string(offset));
      break;
    }
    offsets.push_back(offset);
    const uint64_t size = uint64_t{LoadLe16(head + 16)} + 1;
    last_was_eof = size == kBgzfEofSize;
    offset += size;
  }
  ::close(fd);
  if (!status.ok()) return status;
  std::error_code ec;
  const uint64_t file_size = fs::file_size(path, ec);
  if (ec || file_size != offset) {
    return Corruption(path.string() + ": truncated BGZF block at offset " +
                      std::to_string(offsets.empty() ? 0 : offsets.back()));
  }
  offsets.push_back(file_size);
  *ends_with_eof = last_was_eof;
  return offsets;
}

std::string EncodeBlockMap(const std::vector<uint64_t>& offsets) {
  std::string out(kBlockMapMagic);
  auto put = [&out](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(kBlockMapVersion, 4);
  put(offsets.size(), 8);
  for (uint64_t o : offsets) put(o, 8);
  return out;
}

json ToJson(const ArchivedFile& f) {
  return {{"format", kRecordFormat},
          {"version", kRecordVersion},
          {"id", f.id},
          {"dataset", f.dataset},
          {"archive_id", f.archive_id},
          {"name", f.name},
          {"file_format", FileFormatName(f.format)},
          {"bgzf", f.bgzf},
          {"index", f.index_kind},
          {"header_end_voffset", f.header_end_voffset},
          {"contigs", f.contigs},
          {"plaintext_size", f.plaintext_size},
          {"ends_with_eof_block", f.ends_with_eof_block},
          {"created", f.created}};
}

Result<ArchivedFile> FromJson(std::string_view text, const fs::path& file) {
  const std::string where = file.string();
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption(where + ": not a JSON object");
  ArchivedFile f;
  try {
    if (j.at("format").get<std::string>() != kRecordFormat ||
        j.at("version").get<int>() != kRecordVersion) {
      return Corruption(where + ": not a version " + std::to_string(kRecordVersion) + " " +
                        std::string(kRecordFormat) + " record");
    }
    f.id = j.at("id").get<std::string>();
    f.dataset = j.at("dataset").get<std::string>();
    f.archive_id = j.at("archive_id").get<std::string>();
    f.name = j.at("name").get<std::string>();
    const std::string format = j.at("file_format").get<std::string>();
    if (format == "VCF") {
      f.format = FileFormat::kVcf;
    } else if (format == "BCF") {
      f.format = FileFormat::kBcf;
    } else {
      return Corruption(where + ": file_format '" + format + "' is neither VCF nor BCF");
    }
    f.bgzf = j.at("bgzf").get<bool>();
    f.index_kind = j.at("index").get<std::string>();
    f.header_end_voffset = j.at("header_end_voffset").get<uint64_t>();
    f.contigs = j.at("contigs").get<std::vector<std::string>>();
    f.plaintext_size = j.at("plaintext_size").get<uint64_t>();
    f.ends_with_eof_block = j.at("ends_with_eof_block").get<bool>();
    f.created = j.at("created").get<std::string>();
  } catch (const json::exception& e) {
    return Corruption(where + ": " + e.what());
  }
  if (!CheckFileId(f.id).ok() || f.id + ".json" != file.filename().string()) {
    return Corruption(where + ": id '" + f.id + "' does not match the file name");
  }
  if (f.bgzf && f.index_kind != "tbi" && f.index_kind != "csi") {
    return Corruption(where + ": index must be tbi or csi");
  }
  f.dir = file.parent_path();
  return f;
}

// Copies (or builds) the index of `source` into `target` atomically.
Status PublishIndex(const fs::path& source, FileFormat format, const fs::path& target,
                    std::string* kind) {
  std::error_code ec;
  const auto source_time = fs::last_write_time(source, ec);
  for (const char* ext : {".csi", ".tbi"}) {
    if (format == FileFormat::kBcf && std::string_view(ext) == ".tbi") continue;
    fs::path beside = source;
    beside += ext;
    std::error_code e2;
    if (!fs::is_regular_file(beside, e2) || fs::last_write_time(beside, e2) < source_time) continue;
    // Only an index htslib can load is taken.
    hts_idx_t* idx = hts_idx_load2(source.c_str(), beside.c_str());
    if (idx == nullptr) continue;
    hts_idx_destroy(idx);
    GF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(beside));
    *kind = std::string(ext + 1);
    fs::path final_target = target;
    final_target += ext;
    return WriteFileAtomic(final_target, bytes);
  }
  // Built next to the target under a temporary name, then renamed: BCF gets a CSI (min_shift
  // 14, htslib's default), bgzipped VCF a TBI.
  const bool csi = format == FileFormat::kBcf;
  *kind = csi ? "csi" : "tbi";
  fs::path final_target = target;
  final_target += csi ? ".csi" : ".tbi";
  fs::path temp = target.parent_path() / (".incoming-" + target.filename().string() +
                                          std::to_string(std::random_device{}()) + "." + *kind);
  int rc = bcf_index_build3(source.c_str(), temp.c_str(), csi ? 14 : 0, 1);
  if (rc != 0) {
    fs::remove(temp, ec);
    return InvalidArgument(source.string() +
                           ": cannot build an index (is the file sorted by position?)");
  }
  GF_RETURN_IF_ERROR(SyncPath(temp));
  fs::rename(temp, final_target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return IOError("cannot publish " + final_target.string() + ": " + ec.message());
  }
  return SyncPath(final_target.parent_path());
}

Result<std::vector<std::string>> IndexContigs(const ArchivedFile& f, const fs::path& source,
                                              const bcf_hdr_t* hdr) {
  std::vector<std::string> names;
  int n = 0;
  if (f.format == FileFormat::kVcf) {
    tbx_t* tbx = tbx_index_load3(source.c_str(), f.index_path().c_str(), 0);
    if (tbx == nullptr) return Corruption(f.index_path().string() + ": not a tabix index");
    const char** seq = tbx_seqnames(tbx, &n);
    for (int i = 0; i < n; ++i) names.emplace_back(seq[i]);
    free(seq);
    tbx_destroy(tbx);
  } else {
    const char** seq = bcf_hdr_seqnames(hdr, &n);
    for (int i = 0; i < n; ++i) names.emplace_back(seq[i]);
    free(seq);
  }
  return names;
}

}  // namespace

std::string_view FileFormatName(FileFormat f) { return f == FileFormat::kBcf ? "BCF" : "VCF"; }

fs::path FilesDir(const fs::path& data_dir) { return data_dir / "archive" / "files"; }

std::string DefaultFileId(const fs::path& source) {
  std::string name = source.filename().string();
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view ext : {".gz", ".bgz", ".vcf", ".bcf"}) {
      if (name.size() > ext.size() && name.ends_with(ext)) {
        name.resize(name.size() - ext.size());
        changed = true;
      }
    }
  }
  for (char& c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  }
  return name.substr(0, 128);
}

Status CheckFileId(std::string_view id) {
  const bool ok =
      !id.empty() && id.size() <= 128 && id != "service-info" && id[0] != '.' &&
      std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (ok) return Status::Ok();
  return InvalidArgument("file id '" + std::string(id.substr(0, 200)) +
                         "' must be 1-128 characters of A-Z a-z 0-9 . _ - (not starting with '.', "
                         "not 'service-info')");
}

Result<ArchivedFile> RegisterArchivedFile(const RegisterOptions& options) {
  ArchivedFile f;
  f.id = options.file_id.empty() ? DefaultFileId(options.source) : options.file_id;
  GF_RETURN_IF_ERROR(CheckFileId(f.id));
  f.dataset = options.dataset;
  f.archive_id = options.archive_id;
  f.name = options.source.filename().string();
  f.plaintext_size = options.plaintext_size;
  f.created = NowUtcRfc3339();
  f.dir = FilesDir(options.data_dir);
  const fs::path record_path = f.dir / (f.id + ".json");

  std::error_code ec;
  if (fs::exists(record_path, ec)) {
    GF_ASSIGN_OR_RETURN(ArchivedFile existing, LoadArchivedFile(options.data_dir, f.id));
    if (existing.archive_id == f.archive_id && existing.dataset == f.dataset) return existing;
    return AlreadyExists("file id '" + f.id + "' is already used by " + existing.name +
                         " (dataset " + existing.dataset + "); choose another with --file-id");
  }
  fs::create_directories(f.dir, ec);
  if (ec) return IOError("cannot create " + f.dir.string() + ": " + ec.message());

  std::unique_ptr<htsFile, HtsCloser> fp(hts_open(options.source.c_str(), "r"));
  if (!fp) return IOError("cannot open " + options.source.string());
  const htsFormat* format = hts_get_format(fp.get());
  if (format->format == bcf) {
    f.format = FileFormat::kBcf;
  } else if (format->format == vcf) {
    f.format = FileFormat::kVcf;
  } else {
    return InvalidArgument(options.source.string() + ": neither VCF nor BCF");
  }
  std::unique_ptr<bcf_hdr_t, HdrCloser> hdr(bcf_hdr_read(fp.get()));
  if (!hdr) return InvalidArgument(options.source.string() + ": cannot read the VCF/BCF header");
  f.bgzf = format->compression == bgzf;
  if (f.bgzf) {
    f.header_end_voffset = static_cast<uint64_t>(bgzf_tell(fp->fp.bgzf));
    GF_RETURN_IF_ERROR(PublishIndex(options.source, f.format, f.dir / f.id, &f.index_kind));
    GF_ASSIGN_OR_RETURN(f.contigs, IndexContigs(f, options.source, hdr.get()));
    GF_ASSIGN_OR_RETURN(std::vector<uint64_t> blocks,
                        ScanBlocks(options.source, &f.ends_with_eof_block));
    GF_RETURN_IF_ERROR(WriteFileAtomic(f.blocks_path(), EncodeBlockMap(blocks)));
  }
  GF_RETURN_IF_ERROR(WriteFileAtomic(record_path, ToJson(f).dump(2) + "\n"));
  return f;
}

Result<ArchivedFile> LoadArchivedFile(const fs::path& data_dir, std::string_view id) {
  GF_RETURN_IF_ERROR(CheckFileId(id));
  const fs::path path = FilesDir(data_dir) / (std::string(id) + ".json");
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("no archived file '" + std::string(id) + "'");
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return FromJson(text, path);
}

Result<std::vector<ArchivedFile>> ListArchivedFiles(const fs::path& data_dir) {
  std::vector<ArchivedFile> out;
  const fs::path dir = FilesDir(data_dir);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (name.starts_with(".") || p.extension() != ".json") continue;
    GF_ASSIGN_OR_RETURN(std::string text, ReadFile(p));
    GF_ASSIGN_OR_RETURN(ArchivedFile f, FromJson(text, p));
    out.push_back(std::move(f));
  }
  if (ec) return IOError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const ArchivedFile& a, const ArchivedFile& b) { return a.id < b.id; });
  return out;
}

Result<std::vector<uint64_t>> ParseBlockMap(std::string_view bytes, std::string_view where) {
  const size_t head = kBlockMapMagic.size() + 4 + 8;
  if (bytes.size() < head || bytes.substr(0, kBlockMapMagic.size()) != kBlockMapMagic) {
    return Corruption(std::string(where) + ": not a block map (bad magic at offset 0)");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (LoadLe32(p + 8) != kBlockMapVersion) {
    return Corruption(std::string(where) + ": unsupported block map version at offset 8");
  }
  const uint64_t count = LoadLe64(p + 12);
  if (count == 0 || count > (bytes.size() - head) / 8 || (bytes.size() - head) != count * 8) {
    return Corruption(std::string(where) + ": block count does not match the size at offset 12");
  }
  std::vector<uint64_t> offsets(count);
  for (uint64_t i = 0; i < count; ++i) {
    offsets[i] = LoadLe64(p + head + 8 * i);
    if (i > 0 && offsets[i] <= offsets[i - 1]) {
      return Corruption(std::string(where) + ": offsets not increasing at offset " +
                        std::to_string(head + 8 * i));
    }
  }
  if (offsets[0] != 0) return Corruption(std::string(where) + ": first block not at 0");
  return offsets;
}

Result<std::vector<uint64_t>> LoadBlockMap(const ArchivedFile& file) {
  if (!file.bgzf) return FailedPrecondition(file.id + " is not BGZF-compressed");
  GF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(file.blocks_path()));
  return ParseBlockMap(bytes, file.blocks_path().string());
}

}  // namespace genomefed::htsget
