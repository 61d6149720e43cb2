#include "vcf/reader.h"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <cstdlib>
#include <cstring>

namespace genomefed::vcf {

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

RawBatch::RawBatch() = default;
RawBatch::~RawBatch() {
  for (Item* item : items) delete item;
}

struct VcfFile::Handles {
  htsFile* fp = nullptr;
  bcf_hdr_t* hdr = nullptr;
  ~Handles() {
    if (hdr != nullptr) bcf_hdr_destroy(hdr);
    if (fp != nullptr) hts_close(fp);
  }
};

VcfFile::~VcfFile() = default;

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
    return InvalidArgument(path.string() + ": not a VCF or BCF file (detected " +
                           std::string(hts_format_file_extension(format)) + ")");
  }
  f->is_bcf_ = format->format == ::bcf;
  if (format->compression == bgzf && bgzf_check_EOF(fp->fp.bgzf) == 0) {
    return InvalidArgument(path.string() +
                           ": truncated (the BGZF end-of-file marker is missing); "
                           "re-create or re-download the file");
  }
  if (io_threads > 0) hts_set_threads(fp, io_threads);
  if (f->is_bcf_) {
    f->h_->hdr = bcf_hdr_read(fp);
    if (f->h_->hdr == nullptr) return InvalidArgument(path.string() + ": malformed BCF header");
    f->next_location_ = 1;
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
                               ": cannot read the header (corrupt or truncated compressed data)");
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
  int n = 0;
  const char** names = bcf_hdr_seqnames(hdr, &n);
  for (int i = 0; i < n; ++i) f->contigs_.emplace_back(names[i]);
  std::free(names);
  return f;
}

uint64_t VcfFile::bytes_read() const {
  htsFile* fp = h_->fp;
  if (fp->format.compression != no_compression) {
    return static_cast<uint64_t>(bgzf_tell(fp->fp.bgzf) >> 16);
  }
  return 0;
}

Status VcfFile::ReadBatch(RawBatch& batch, size_t max_items) {
  batch.size = 0;
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
      if (ret >= 0 && item.line.l == 0) {  // blank line: tolerated, not a record
        ++next_location_;
        continue;
      }
    }
    if (ret == -1) break;
    if (ret < -1) {
      return InvalidArgument(Where(next_location_) +
                             ": cannot read (corrupt or truncated data); the file is damaged");
    }
    ++next_location_;
    ++batch.size;
  }
  return Status::Ok();
}

struct Decoder::Impl {
  const VcfFile* file = nullptr;
  bcf_hdr_t* hdr = nullptr;  // private copy: htslib may add dummy tags to it while parsing
  bcf1_t* rec = nullptr;
  int32_t* gt = nullptr;
  int n_gt = 0;
  ~Impl() {
    if (rec != nullptr) bcf_destroy(rec);
    if (hdr != nullptr) bcf_hdr_destroy(hdr);
    std::free(gt);
  }
};

Decoder::Decoder(const VcfFile& file) : impl_(std::make_unique<Impl>()) {
  impl_->file = &file;
  impl_->hdr = bcf_hdr_dup(file.h_->hdr);
  impl_->rec = bcf_init();
}

Decoder::~Decoder() = default;

Status Decoder::Decode(RawBatch& batch, size_t i, DecodedRecord& out) {
  RawBatch::Item& item = *batch.items[i];
  const VcfFile& file = *impl_->file;
  bcf1_t* rec;
  if (file.is_bcf_) {
    rec = item.rec;
  } else {
    rec = impl_->rec;
    if (vcf_parse(&item.line, impl_->hdr, rec) != 0 || (rec->errcode & ~BCF_ERR_TAG_UNDEF) != 0) {
      if (rec->errcode & BCF_ERR_CTG_UNDEF) {
        return InvalidArgument(file.Where(item.location) +
                               ": contig is not declared in the header (add a ##contig line)");
      }
      return InvalidArgument(file.Where(item.location) +
                             ": malformed VCF record (htslib's message above says why)");
    }
  }
  if (rec->rid < 0 || static_cast<size_t>(rec->rid) >= file.contigs_.size()) {
    return InvalidArgument(file.Where(item.location) + ": contig is not declared in the header");
  }
  if (bcf_unpack(rec, BCF_UN_STR | BCF_UN_FMT) != 0) {
    return InvalidArgument(file.Where(item.location) + ": cannot decode the record");
  }
  out.contig_index = rec->rid;
  out.pos = rec->pos + 1;
  out.location = item.location;
  out.alleles.clear();
  for (int a = 0; a < rec->n_allele; ++a) out.alleles.emplace_back(rec->d.allele[a]);
  out.ploidy = 0;
  out.gt = nullptr;
  const int n_samples = bcf_hdr_nsamples(impl_->hdr);
  if (n_samples > 0) {
    int n = bcf_get_genotypes(impl_->hdr, rec, &impl_->gt, &impl_->n_gt);
    if (n > 0) {
      if (n % n_samples != 0) {
        return InvalidArgument(file.Where(item.location) + ": GT values do not match samples");
      }
      out.ploidy = n / n_samples;
      out.gt = impl_->gt;
    } else if (n != -3) {  // -3: no GT in this record (all calls missing)
      return InvalidArgument(file.Where(item.location) + ": cannot read GT");
    }
  }
  return Status::Ok();
}

}  // namespace genomefed::vcf
