#include "vcf/reader.h"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "vcf/bcf_record.h"
#include "vcf/bgzf_blocks.h"

namespace genomefed::vcf {

namespace {
// Inflated bytes per BCF chunk: enough records to amortise the hand-offs, small enough to stay
// in a core's L2 cache between inflation and decoding (512 KiB on the EPYC this was tuned on).
constexpr size_t kChunkInflated = 256 * 1024;
// A record larger than this is refused rather than buffered (a damaged length field would
// otherwise make the reader buffer the rest of the file).
constexpr uint64_t kMaxRecordBytes = uint64_t{512} << 20;
// Buffers grown past this by a large record are freed after use rather than kept for reuse.
constexpr size_t kKeepBufferBytes = size_t{4} << 20;
}  // namespace

// hts_getline's "split at newlines" mode (KS_SEP_LINE in htslib's kseq.h, which we avoid
// including).
constexpr int kLineDelimiter = 2;

struct RawBatch::Item {
  kstring_t line = KS_INITIALIZE;  // text records
  bcf1_t* rec = nullptr;           // BCF records
  uint64_t location = 0;
  ~Item() {
    ks_free(&line);
    if (rec != nullptr) bcf_destroy(rec);
  }
};

struct RawBatch::Chunk {
  uint64_t sequence = 0;  // chunk number, in file order
  BgzfChunk blocks;
  std::vector<uint8_t> data;            // inflated
  std::string spill;                    // the record that began in the previous chunk
  std::vector<const uint8_t*> records;  // each at its 8-byte length prefix
  uint64_t first_location = 0;          // record number of records[0]
};

RawBatch::RawBatch() = default;
RawBatch::~RawBatch() {
  for (Item* item : items) delete item;
}

// Record framing of a BGZF BCF across chunks, in file order: chunk k may be framed once chunk
// k − 1 was (it needs the bytes of the record left open at that chunk's end).
struct Framing {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next_sequence = 0;  // the chunk to frame next
  uint64_t next_record = 1;    // its first record's number
  size_t skip = 0;             // header bytes at the start of chunk 0
  std::string carry;           // the open record's bytes so far
  bool failed = false;         // a chunk failed: later ones are not framed
};

struct VcfFile::Handles {
  htsFile* fp = nullptr;
  bcf_hdr_t* hdr = nullptr;
  // BGZF BCF read in chunks (see the header comment); htslib only read the header.
  bool chunked = false;
  BGZF* text_bgzf = nullptr;  // a compressed text file's BGZF stream (its error state)
  BgzfBlockReader blocks;
  uint64_t next_chunk = 0;
  BcfLayout layout;
  Framing framing;
  ~Handles() {
    if (hdr != nullptr) bcf_hdr_destroy(hdr);
    if (fp != nullptr) hts_close(fp);
  }
};

VcfFile::~VcfFile() = default;

namespace {
// Whether the file (plain or gzip/BGZF-compressed) begins with a UTF-8 byte-order mark.
bool StartsWithByteOrderMark(const std::filesystem::path& path) {
  BGZF* z = bgzf_open(path.c_str(), "r");
  if (z == nullptr) return false;
  unsigned char head[3] = {};
  const ssize_t n = bgzf_read(z, head, sizeof head);
  bgzf_close(z);
  return n == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
}
}  // namespace

std::string VcfFile::DamageWhere() const {
  const htsFormat* format = hts_get_format(h_->fp);
  if (format->compression != bgzf && format->compression != gzip) {
    return "a read error";
  }
  // The block being inflated when reading failed (BGZF keeps its compressed address).
  return "corrupt or truncated compressed data: the BGZF block at byte offset " +
         std::to_string(h_->fp->fp.bgzf->block_address) + " does not inflate";
}

std::string VcfFile::Where(uint64_t location) const {
  return path_.string() + (is_bcf_ ? ": record " : ":") + std::to_string(location);
}

Result<std::unique_ptr<VcfFile>> VcfFile::Open(const std::filesystem::path& path, int io_threads) {
  std::unique_ptr<VcfFile> f(new VcfFile());
  f->path_ = path;
  f->h_ = std::make_unique<Handles>();
  if (!std::filesystem::exists(path)) return NotFound(path.string() + ": no such file");
  f->h_->fp = hts_open(path.c_str(), "r");
  if (f->h_->fp == nullptr) return IOError(path.string() + ": cannot open");
  htsFile* fp = f->h_->fp;
  const htsFormat* format = hts_get_format(fp);
  if (format->format != ::vcf && format->format != ::bcf) {
    if (StartsWithByteOrderMark(path)) {
      return InvalidArgument(
          path.string() +
          ": byte 0: the file starts with a UTF-8 byte-order mark (EF BB BF), "
          "which VCF does not allow; remove it (e.g. sed -i '1s/^\xEF\xBB\xBF//' "
          "on the uncompressed file) and ingest again");
    }
    return InvalidArgument(path.string() + ": not a VCF or BCF file (detected " +
                           std::string(hts_format_file_extension(format)) +
                           "); a VCF starts with ##fileformat=VCFv4.x");
  }
  f->is_bcf_ = format->format == ::bcf;
  if (format->compression == bgzf && bgzf_check_EOF(fp->fp.bgzf) == 0) {
    return InvalidArgument(path.string() +
                           ": truncated (the BGZF end-of-file marker is missing); "
                           "re-create or re-download the file");
  }
  f->h_->chunked = f->is_bcf_ && format->compression == bgzf;
  if (!f->is_bcf_ && (format->compression == bgzf || format->compression == gzip)) {
    f->h_->text_bgzf = fp->fp.bgzf;
  }
  if (io_threads > 0 && !f->h_->chunked) hts_set_threads(fp, io_threads);
  if (f->is_bcf_) {
    f->h_->hdr = bcf_hdr_read(fp);
    if (f->h_->hdr == nullptr) return InvalidArgument(path.string() + ": malformed BCF header");
    f->next_location_ = 1;
    if (f->h_->chunked) {
      // Records start at this virtual offset: block address << 16 | offset in the block.
      const int64_t start = bgzf_tell(fp->fp.bgzf);
      if (start < 0) return IOError(path.string() + ": cannot locate the end of the header");
      GF_RETURN_IF_ERROR(f->h_->blocks.Open(path, static_cast<uint64_t>(start) >> 16));
      f->h_->framing.skip = static_cast<size_t>(start & 0xFFFF);
      const bcf_hdr_t* hdr = f->h_->hdr;
      BcfLayout& layout = f->h_->layout;
      layout.n_samples = static_cast<size_t>(bcf_hdr_nsamples(hdr));
      layout.n_keys = hdr->n[BCF_DT_ID];
      layout.gt_key = bcf_hdr_id2int(hdr, BCF_DT_ID, "GT");
      if (layout.gt_key >= 0 && !bcf_hdr_idinfo_exists(hdr, BCF_HL_FMT, layout.gt_key)) {
        layout.gt_key = -1;
      }
    }
  } else {
    // Read the header lines ourselves so that record line numbers are exact.
    std::string text;
    kstring_t line = KS_INITIALIZE;
    uint64_t lines = 0;
    bool saw_chrom = false;
    while (true) {
      int ret = hts_getline(fp, kLineDelimiter, &line);
      if (ret < -1) {
        ks_free(&line);
        return InvalidArgument(path.string() + ":" + std::to_string(lines + 1) +
                               ": cannot read the header (" + f->DamageWhere() + ")");
      }
      if (ret == -1) break;
      ++lines;
      if (line.l == 0 || line.s[0] != '#') {
        ks_free(&line);
        return InvalidArgument(path.string() + ":" + std::to_string(lines) +
                               ": expected a header line starting with '#' (is this a VCF?)");
      }
      text.append(line.s, line.l);
      text.push_back('\n');
      if (line.l >= 6 && std::strncmp(line.s, "#CHROM", 6) == 0) {
        saw_chrom = true;
        break;
      }
    }
    ks_free(&line);
    if (!saw_chrom || text.rfind("##fileformat=VCF", 0) != 0) {
      return InvalidArgument(path.string() +
                             ": not a VCF (needs ##fileformat=VCF... first and a #CHROM line)");
    }
    f->h_->hdr = bcf_hdr_init("r");
    if (bcf_hdr_parse(f->h_->hdr, text.data()) != 0) {
      return InvalidArgument(path.string() + ": malformed VCF header (see htslib's message)");
    }
    if (bcf_hdr_sync(f->h_->hdr) != 0) return InvalidArgument(path.string() + ": bad header");
    f->next_location_ = lines + 1;
  }
  bcf_hdr_t* hdr = f->h_->hdr;
  for (int i = 0; i < bcf_hdr_nsamples(hdr); ++i) f->samples_.emplace_back(hdr->samples[i]);
  // A BCF header may number its contigs with IDX= and leave gaps; htslib 1.16 asserts on those
  // in bcf_hdr_seqnames (newer versions skip them, shifting every later contig).
  for (int i = 0; i < hdr->n[BCF_DT_CTG]; ++i) {
    if (hdr->id[BCF_DT_CTG][i].key == nullptr) {
      return InvalidArgument(path.string() + ": contig number " + std::to_string(i) +
                             " has no ##contig line (IDX= values leave a gap)");
    }
  }
  int n = 0;
  const char** names = bcf_hdr_seqnames(hdr, &n);
  for (int i = 0; i < n; ++i) f->contigs_.emplace_back(names[i]);
  std::free(names);
  for (const auto& name : f->contigs_) {
    int64_t length = 0;
    std::string assembly;
    if (bcf_hrec_t* h = bcf_hdr_get_hrec(hdr, BCF_HL_CTG, "ID", name.c_str(), nullptr)) {
      const int k = bcf_hrec_find_key(h, "length");
      if (k >= 0 && h->vals[k] != nullptr) length = std::strtoll(h->vals[k], nullptr, 10);
      const int a = bcf_hrec_find_key(h, "assembly");
      if (a >= 0 && h->vals[a] != nullptr) assembly = h->vals[a];
    }
    f->contig_lengths_.push_back(length);
    f->contig_assemblies_.push_back(std::move(assembly));
  }
  if (bcf_hrec_t* h = bcf_hdr_get_hrec(hdr, BCF_HL_GEN, "reference", nullptr, nullptr)) {
    if (h->value != nullptr) f->reference_ = h->value;
  }
  f->h_->layout.n_contigs = f->contigs_.size();
  return f;
}

Status VcfFile::ReadBatch(RawBatch& batch, size_t max_items) {
  batch.size = 0;
  batch.end = false;
  if (h_->chunked) {
    if (batch.chunk == nullptr) batch.chunk = std::make_unique<RawBatch::Chunk>();
    RawBatch::Chunk& chunk = *batch.chunk;
    chunk.blocks.clear();
    bool eof = false;
    GF_RETURN_IF_ERROR(h_->blocks.Read(kChunkInflated, chunk.blocks, &eof));
    batch.end = chunk.blocks.blocks.empty() && eof;
    chunk.sequence = h_->next_chunk++;
    return Status::Ok();
  }
  while (batch.items.size() < max_items) batch.items.push_back(new RawBatch::Item());
  htsFile* fp = h_->fp;
  while (batch.size < max_items) {
    RawBatch::Item& item = *batch.items[batch.size];
    item.location = next_location_;
    int ret;
    if (is_bcf_) {
      if (item.rec == nullptr) item.rec = bcf_init();
      ret = bcf_read(fp, h_->hdr, item.rec);
    } else {
      ret = hts_getline(fp, kLineDelimiter, &item.line);
      // htslib hands out the part of a line read before a block failed to inflate; that
      // partial line must not be parsed as a (short) record.
      if (ret >= 0 && h_->text_bgzf != nullptr && h_->text_bgzf->errcode != 0) ret = -2;
      if (ret >= 0 && item.line.l == 0) {  // blank line: tolerated, not a record
        ++next_location_;
        continue;
      }
    }
    if (ret == -1) break;
    if (ret < -1) {
      return InvalidArgument(Where(next_location_) + ": cannot read (" + DamageWhere() +
                             "); the file is damaged: re-create or re-download it");
    }
    ++next_location_;
    ++batch.size;
  }
  batch.end = batch.size == 0;
  return Status::Ok();
}

void ReleaseLargeBuffers(RawBatch& batch) {
  if (batch.chunk != nullptr && batch.chunk->spill.capacity() > kKeepBufferBytes) {
    std::string().swap(batch.chunk->spill);
  }
  for (RawBatch::Item* item : batch.items) {
    if (item->line.m > kKeepBufferBytes) ks_free(&item->line);
  }
}

Status VcfFile::CheckComplete() const {
  if (!h_->chunked) return Status::Ok();
  std::lock_guard<std::mutex> l(h_->framing.mu);
  if (!h_->framing.failed && !h_->framing.carry.empty()) {
    return InvalidArgument(Where(h_->framing.next_record) +
                           ": the file ends inside this record (truncated)");
  }
  return Status::Ok();
}

namespace {

uint64_t RecordBytes(const uint8_t* prefix) {
  uint32_t l_shared, l_indiv;
  std::memcpy(&l_shared, prefix, 4);
  std::memcpy(&l_indiv, prefix + 4, 4);
  return kBcfRecordPrefix + uint64_t{l_shared} + l_indiv;
}

// Cuts the inflated bytes of one chunk (`data`, `n` bytes, the first `skip` not records) into
// records. `carry` holds the bytes of the record left open by the previous chunk and receives
// those left open by this one; a record completed here from the carry is moved to `spill`.
// `first_record` numbers the records for messages. Returns "" or what is wrong.
std::string FrameRecords(std::string& carry, const uint8_t* data, size_t n, size_t skip,
                         uint64_t first_record, std::string& spill,
                         std::vector<const uint8_t*>& records) {
  records.clear();
  if (skip > n) return "the header ends past its block";
  size_t pos = skip;
  auto check = [&](const uint8_t* prefix, uint64_t* bytes) -> std::string {
    uint32_t l_shared;
    std::memcpy(&l_shared, prefix, 4);
    *bytes = RecordBytes(prefix);
    if (l_shared < kBcfFixedShared) {
      return "record " + std::to_string(first_record + records.size()) +
             ": malformed BCF record (shared part of " + std::to_string(l_shared) + " bytes)";
    }
    if (*bytes > kMaxRecordBytes) {
      return "record " + std::to_string(first_record + records.size()) + ": " +
             std::to_string(*bytes) + " bytes, above the limit of " +
             std::to_string(kMaxRecordBytes >> 20) + " MiB (corrupt length?)";
    }
    return "";
  };
  if (!carry.empty()) {
    if (carry.size() < kBcfRecordPrefix) {
      const size_t take = std::min(n - pos, kBcfRecordPrefix - carry.size());
      carry.append(reinterpret_cast<const char*>(data + pos), take);
      pos += take;
      if (carry.size() < kBcfRecordPrefix) return "";
    }
    uint64_t bytes;
    if (std::string e = check(reinterpret_cast<const uint8_t*>(carry.data()), &bytes); !e.empty()) {
      return e;
    }
    carry.reserve(static_cast<size_t>(bytes));  // exactly: a large record is not doubled
    const size_t take = static_cast<size_t>(std::min<uint64_t>(bytes - carry.size(), n - pos));
    carry.append(reinterpret_cast<const char*>(data + pos), take);
    pos += take;
    if (carry.size() < bytes) return "";
    spill.swap(carry);
    carry.clear();
    if (carry.capacity() > kKeepBufferBytes) std::string().swap(carry);  // an earlier large one
    records.push_back(reinterpret_cast<const uint8_t*>(spill.data()));
  }
  while (n - pos >= kBcfRecordPrefix) {
    uint64_t bytes;
    if (std::string e = check(data + pos, &bytes); !e.empty()) return e;
    if (bytes > n - pos) break;
    records.push_back(data + pos);
    pos += static_cast<size_t>(bytes);
  }
  carry.assign(reinterpret_cast<const char*>(data + pos), n - pos);
  return "";
}

// Position just past the 8th tab of a VCF line (the FORMAT column), or nullptr.
const char* FormatColumn(const char* s, const char* end) {
  for (int i = 0; i < 8; ++i) {
    s = static_cast<const char*>(std::memchr(s, '\t', static_cast<size_t>(end - s)));
    if (s == nullptr) return nullptr;
    ++s;
  }
  return s;
}

// Parses the sample columns of a GT-only VCF record (`s` at the first sample column) into
// `out` (n_samples × 2 values of type T, BCF encoding). Accepts and rejects exactly what
// htslib 1.16's vcf_parse accepts for a FORMAT of "GT" (an optional '+' before an index, '.'
// for a missing allele, '/' or '|' between alleles, no empty call, columns beyond the
// header's samples ignored) and yields the same values. Returns "" on success, else why not;
// `*widest` receives the largest allele index seen, `*high_ploidy` whether a call has more
// than two alleles.
template <typename T>
std::string ParseGtColumns(const char* s, const char* end, size_t n_samples, T* out,
                           uint32_t* widest, bool* high_ploidy,
                           std::vector<uint32_t>& high_samples) {
  high_samples.clear();
  constexpr T kVectorEnd =
      sizeof(T) == 1 ? static_cast<T>(bcf_int8_vector_end) : static_cast<T>(bcf_int32_vector_end);
  uint32_t max_index = 0;
  bool high = false;
  for (size_t sample = 0; sample < n_samples; ++sample) {
    if constexpr (sizeof(T) == 1) {
      // Most calls are 0/0 (or 0|0): two of them are eight bytes that compare in one go.
      constexpr uint64_t kRefPair = 0x09302F3009302F30ull;     // "0/0\t0/0\t"
      constexpr uint64_t kPhasedPair = 0x09307C3009307C30ull;  // "0|0\t0|0\t"
      while (sample + 2 <= n_samples && end - s >= 8) {
        uint64_t w;
        std::memcpy(&w, s, 8);
        int8_t second;
        if (w == kRefPair) {
          second = 2;
        } else if (w == kPhasedPair) {
          second = 3;
        } else {
          break;
        }
        T* g = out + 2 * sample;
        g[0] = 2;
        g[1] = second;
        g[2] = 2;
        g[3] = second;
        sample += 2;
        s += 8;
      }
      if (sample == n_samples) break;
    }
    if (s >= end) return "fewer sample columns than the header's " + std::to_string(n_samples);
    T* g = out + 2 * sample;
    int n = 0;
    uint32_t phased = 0;
    while (true) {
      uint32_t value;
      if (*s == '.') {
        value = phased;
        ++s;
      } else {
        const char* start = s;
        if (s < end && *s == '+') ++s;
        uint64_t v = 0;
        int digits = 0;
        while (s < end && *s >= '0' && *s <= '9') {
          v = v * 10 + static_cast<uint64_t>(*s++ - '0');  // wraps like htslib's fast loop
          if (++digits > 152) return "GT allele index too large";
        }
        if (s == start) {
          if (s < end && *s == '\0') {
            return "embedded NUL byte in sample column " + std::to_string(sample + 1);
          }
          return "GT value is not a number or '.'";
        }
        const uint32_t index = static_cast<uint32_t>(v);  // htslib keeps 32 bits
        if (index > (INT32_MAX >> 1) - 1) return "GT allele index too large";
        max_index = std::max(max_index, index);
        value = (index + 1) << 1 | phased;
      }
      if (n < 2) g[n] = static_cast<T>(value);
      ++n;
      if (s < end && (*s == '|' || *s == '/')) {
        phased = *s == '|';
        ++s;
        continue;
      }
      break;
    }
    if (n > 2) {
      high = true;
      high_samples.push_back(static_cast<uint32_t>(sample));
    }
    if (n < 2) g[1] = kVectorEnd;
    if (s < end && *s != '\t') {
      if (*s == '\0') return "embedded NUL byte in sample column " + std::to_string(sample + 1);
      return std::string("invalid character '") + *s + "' in a GT call (FORMAT is GT only)";
    }
    if (s < end) ++s;  // past the tab
  }
  *widest = max_index;
  *high_ploidy = high;
  return "";
}

}  // namespace

namespace {

// What htslib's vcf_parse lets through and would lose data: a line cut before its sample
// columns (htslib reads it as a site without calls), a NUL byte (htslib's C strings end there,
// dropping what follows), and a POS that is not a plain number in range (htslib reads "2x0" as
// 2 and 0 as position −1). The GT-only sample columns are checked by ParseGtColumns, which
// refuses any byte it does not expect, so only the site columns are scanned here.
Status CheckTextRecord(const VcfFile& file, const RawBatch::Item& item, const char* format,
                       const char* gt_columns) {
  const char* line = item.line.s;
  const char* line_end = line + item.line.l;
  const char* scanned_end = gt_columns != nullptr ? gt_columns : line_end;
  if (const void* nul = std::memchr(line, '\0', static_cast<size_t>(scanned_end - line))) {
    return InvalidArgument(file.Where(item.location) + ": embedded NUL byte at column " +
                           std::to_string(static_cast<const char*>(nul) - line + 1) +
                           " of the line; the file is damaged (or binary): re-create it");
  }
  const size_t n_samples = file.samples().size();
  if (n_samples > 0 && format == nullptr) {
    const size_t columns = 1 + static_cast<size_t>(std::count(line, line_end, '\t'));
    return InvalidArgument(file.Where(item.location) + ": " + std::to_string(columns) +
                           " columns, the header's #CHROM line has " +
                           std::to_string(9 + n_samples) +
                           " (FORMAT and one per sample); the line is truncated: re-create the "
                           "file");
  }
  const char* pos = static_cast<const char*>(std::memchr(line, '\t', item.line.l));
  if (pos != nullptr) {
    ++pos;
    const char* pos_end =
        static_cast<const char*>(std::memchr(pos, '\t', static_cast<size_t>(line_end - pos)));
    if (pos_end == nullptr) pos_end = line_end;
    uint64_t value = 0;
    bool digits = pos < pos_end && pos_end - pos <= 10;
    for (const char* c = pos; digits && c < pos_end; ++c) {
      digits = *c >= '0' && *c <= '9';
      value = value * 10 + static_cast<uint64_t>(*c - '0');
    }
    if (!digits || value < 1 || value > UINT32_MAX) {
      return InvalidArgument(file.Where(item.location) + ": POS '" +
                             std::string(pos, static_cast<size_t>(pos_end - pos)) +
                             "' is not a position from 1 to 4294967295 (column 2 must be a "
                             "plain 1-based number); fix or drop the record");
    }
  }
  return Status::Ok();
}

}  // namespace

struct Decoder::Impl {
  const VcfFile* file = nullptr;
  bcf_hdr_t* hdr = nullptr;  // private copy: htslib may add dummy tags to it while parsing
  bcf1_t* rec = nullptr;
  std::vector<uint8_t> gt;                 // text GT values (int8 or int32)
  std::vector<uint32_t> high_ploidy;       // text GT: samples with more than two values
  std::unique_ptr<BgzfInflater> inflater;  // BGZF BCF only
  ~Impl() {
    if (rec != nullptr) bcf_destroy(rec);
    if (hdr != nullptr) bcf_hdr_destroy(hdr);
  }
};

Decoder::Decoder(const VcfFile& file) : impl_(std::make_unique<Impl>()) {
  impl_->file = &file;
  impl_->hdr = bcf_hdr_dup(file.h_->hdr);
  impl_->rec = bcf_init();
}

Decoder::~Decoder() = default;

Status Decoder::Prepare(RawBatch& batch) {
  if (batch.chunk == nullptr) return Status::Ok();
  const VcfFile& file = *impl_->file;
  RawBatch::Chunk& chunk = *batch.chunk;
  batch.size = 0;
  if (impl_->inflater == nullptr) impl_->inflater = std::make_unique<BgzfInflater>();
  chunk.data.resize(chunk.blocks.inflated_size);
  const Status inflated = impl_->inflater->Inflate(chunk.blocks, file.path_, chunk.data.data());
  Framing& framing = file.h_->framing;
  std::unique_lock<std::mutex> l(framing.mu);
  framing.cv.wait(l, [&] { return framing.next_sequence == chunk.sequence || framing.failed; });
  if (framing.failed) {
    return InvalidArgument(file.path_.string() + ": not decoded after an earlier error");
  }
  std::string error;
  if (inflated.ok()) {
    error = FrameRecords(framing.carry, chunk.data.data(), chunk.data.size(),
                         chunk.sequence == 0 ? framing.skip : 0, framing.next_record, chunk.spill,
                         chunk.records);
  }
  if (!inflated.ok() || !error.empty()) {
    framing.failed = true;
    framing.cv.notify_all();
    return inflated.ok() ? InvalidArgument(file.path_.string() + ": " + error) : inflated;
  }
  chunk.first_location = framing.next_record;
  framing.next_record += chunk.records.size();
  ++framing.next_sequence;
  framing.cv.notify_all();
  batch.size = chunk.records.size();
  return Status::Ok();
}

Status Decoder::Decode(RawBatch& batch, size_t i, DecodedRecord& out) {
  const VcfFile& file = *impl_->file;
  if (batch.chunk != nullptr) {
    const RawBatch::Chunk& chunk = *batch.chunk;
    out.location = chunk.first_location + i;
    std::string error = DecodeBcfRecord(chunk.records[i], file.h_->layout, out);
    if (!error.empty()) return InvalidArgument(file.Where(out.location) + ": " + error);
    return Status::Ok();
  }
  RawBatch::Item& item = *batch.items[i];
  const size_t n_samples = file.samples_.size();
  bcf1_t* rec;
  // GT-only text records: htslib parses the site columns (CHROM..INFO) and we parse the calls,
  // which is most of the text and where vcf_parse spends its time (FORMAT decoding into int32,
  // then packing to int8). Any other FORMAT goes through vcf_parse whole.
  const char* gt_columns = nullptr;
  if (file.is_bcf_) {
    rec = item.rec;
  } else {
    rec = impl_->rec;
    const char* line_end = item.line.s + item.line.l;
    const char* format = FormatColumn(item.line.s, line_end);
    if (format != nullptr && line_end - format > 3 && format[0] == 'G' && format[1] == 'T' &&
        format[2] == '\t') {
      gt_columns = format + 3;
    }
    GF_RETURN_IF_ERROR(CheckTextRecord(file, item, format, gt_columns));
    rec->max_unpack = gt_columns != nullptr ? BCF_UN_INFO : 0;
    if (vcf_parse(&item.line, impl_->hdr, rec) != 0 || (rec->errcode & ~BCF_ERR_TAG_UNDEF) != 0) {
      if (rec->errcode & BCF_ERR_CTG_UNDEF) {
        return InvalidArgument(file.Where(item.location) +
                               ": contig is not declared in the header (add a ##contig line)");
      }
      return InvalidArgument(file.Where(item.location) +
                             ": malformed VCF record (htslib's message above says why)");
    }
  }
  if (!file.is_bcf_ && gt_columns == nullptr && n_samples > 0 &&
      static_cast<size_t>(rec->n_sample) != n_samples) {
    return InvalidArgument(file.Where(item.location) + ": the record has " +
                           std::to_string(rec->n_sample) + " sample columns, the header " +
                           std::to_string(n_samples) + " (a truncated or merged line?)");
  }
  if (rec->rid < 0 || static_cast<size_t>(rec->rid) >= file.contigs_.size()) {
    return InvalidArgument(file.Where(item.location) + ": contig is not declared in the header");
  }
  if (bcf_unpack(rec, gt_columns != nullptr ? BCF_UN_STR : BCF_UN_STR | BCF_UN_FMT) != 0) {
    return InvalidArgument(file.Where(item.location) + ": cannot decode the record");
  }
  out.contig_index = rec->rid;
  out.pos = rec->pos + 1;
  out.location = item.location;
  out.alleles.clear();
  for (int a = 0; a < rec->n_allele; ++a) out.alleles.emplace_back(rec->d.allele[a]);
  out.stride = 0;
  out.gt_width = 0;
  out.high_ploidy = false;
  out.high_ploidy_samples = {};
  out.gt = nullptr;
  if (n_samples == 0) return Status::Ok();
  if (gt_columns != nullptr) {
    const char* line_end = item.line.s + item.line.l;
    uint32_t widest = 0;
    impl_->gt.resize(n_samples * 2);
    std::string error =
        ParseGtColumns(gt_columns, line_end, n_samples, reinterpret_cast<int8_t*>(impl_->gt.data()),
                       &widest, &out.high_ploidy, impl_->high_ploidy);
    out.gt_width = 1;
    if (error.empty() && widest > 62) {  // (62 + 1) << 1 | 1 is int8's largest GT value
      impl_->gt.resize(n_samples * 2 * sizeof(int32_t));
      error = ParseGtColumns(gt_columns, line_end, n_samples,
                             reinterpret_cast<int32_t*>(impl_->gt.data()), &widest,
                             &out.high_ploidy, impl_->high_ploidy);
      out.gt_width = 4;
    }
    if (!error.empty()) return InvalidArgument(file.Where(item.location) + ": " + error);
    out.stride = 2;
    out.gt = impl_->gt.data();
    out.high_ploidy_samples = impl_->high_ploidy;
    return Status::Ok();
  }
  // BCF, or text decoded by vcf_parse: read the GT vector in place.
  bcf_fmt_t* fmt = bcf_get_fmt(impl_->hdr, rec, "GT");
  if (fmt == nullptr || fmt->n == 0) return Status::Ok();  // no GT: every call missing
  if (fmt->type != BCF_BT_INT8 && fmt->type != BCF_BT_INT16 && fmt->type != BCF_BT_INT32) {
    return InvalidArgument(file.Where(item.location) + ": GT is not stored as integers");
  }
  if (static_cast<size_t>(rec->n_sample) != n_samples ||
      static_cast<size_t>(fmt->p_len) < n_samples * static_cast<size_t>(fmt->size)) {
    return InvalidArgument(file.Where(item.location) + ": GT values do not match samples");
  }
  out.stride = fmt->n;
  out.gt_width = 1 << bcf_type_shift[fmt->type];
  out.gt = fmt->p;
  out.high_ploidy = AnyCallAboveDiploid(out.gt, n_samples, out.stride, out.gt_width);
  return Status::Ok();
}

}  // namespace genomefed::vcf
