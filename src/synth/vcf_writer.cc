#include "synth/vcf_writer.h"

#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <vector>

namespace genomefed::synth {
namespace {

// htslib before 1.19 writes wrong offsets when indexing on the fly with BGZF threads
// (samtools/bcftools#1985, samtools/htslib#1740, fixed by htslib PRs #1672 and #1742). With
// threads on such a version the index is built after closing, as `bcftools index` would.
constexpr bool kThreadedOnTheFlyIndexWorks = HTS_VERSION >= 101900;

}  // namespace

struct VcfWriter::Impl {
  htsFile* fp = nullptr;
  bcf_hdr_t* hdr = nullptr;
  bcf1_t* rec = nullptr;
  std::filesystem::path path;
  // htslib keeps the pointer given to bcf_idx_init until bcf_idx_save, so the name lives here.
  std::string index_path;
  int n_samples = 0;
  int pass_id = 0;
  int gt_id = 0;
  bool bcf = false;
  std::vector<int32_t> gt32;  // VCF output only
  bool info_tags = true;
  bool closed = false;
  bool index_after_close = false;
  int min_shift = 0;
  int threads = 0;

  ~Impl() {
    if (rec != nullptr) bcf_destroy(rec);
    if (fp != nullptr) hts_close(fp);
    if (hdr != nullptr) bcf_hdr_destroy(hdr);
  }
};

VcfWriter::VcfWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VcfWriter::~VcfWriter() = default;

Result<std::unique_ptr<VcfWriter>> VcfWriter::Open(const std::filesystem::path& path, bool bcf,
                                                   const VcfHeaderSpec& header, int threads,
                                                   int level) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->info_tags = header.info_tags;
  impl->bcf = bcf;
  impl->hdr = bcf_hdr_init("w");
  if (impl->hdr == nullptr) return Internal("bcf_hdr_init failed");
  auto append = [&](const std::string& line) -> Status {
    if (bcf_hdr_append(impl->hdr, line.c_str()) != 0) {
      return Internal("htslib refused header line: " + line);
    }
    return Status::Ok();
  };
  // bcf_hdr_init("w") already writes ##fileformat=VCFv4.2 and ##FILTER=<ID=PASS,...>.
  GF_RETURN_IF_ERROR(append("##reference=GRCh38"));
  if (!header.source.empty()) GF_RETURN_IF_ERROR(append("##source=" + header.source));
  for (const auto& [name, length] : header.contigs) {
    GF_RETURN_IF_ERROR(
        append("##contig=<ID=" + name + ",length=" + std::to_string(length) + ",assembly=GRCh38>"));
  }
  if (header.info_tags) {
    GF_RETURN_IF_ERROR(
        append("##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes, for "
               "each ALT allele, in the same order as listed\">"));
    GF_RETURN_IF_ERROR(append(
        "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called "
        "genotypes\">"));
  }
  GF_RETURN_IF_ERROR(append("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">"));
  for (const std::string& s : header.samples) {
    if (bcf_hdr_add_sample(impl->hdr, s.c_str()) != 0) {
      return InvalidArgument("htslib refused sample name '" + s + "' (duplicate?)");
    }
  }
  if (bcf_hdr_sync(impl->hdr) != 0) return Internal("bcf_hdr_sync failed");
  impl->n_samples = bcf_hdr_nsamples(impl->hdr);
  impl->pass_id = bcf_hdr_id2int(impl->hdr, BCF_DT_ID, "PASS");
  impl->gt_id = bcf_hdr_id2int(impl->hdr, BCF_DT_ID, "GT");

  // "wb6" / "wz1": format, then the BGZF deflate level (htslib's default when none is given).
  std::string mode = bcf ? "wb" : "wz";
  if (level >= 0 && level <= 9) mode += static_cast<char>('0' + level);
  impl->fp = hts_open(path.c_str(), mode.c_str());
  if (impl->fp == nullptr) return IOError("cannot create " + path.string());
  if (threads > 0 && hts_set_threads(impl->fp, threads) != 0) {
    return Internal("hts_set_threads failed");
  }
  if (bcf_hdr_write(impl->fp, impl->hdr) != 0)
    return IOError("cannot write header to " + path.string());
  // BCF gets a CSI index (min_shift 14, as bcftools index), BGZF VCF a tabix index (shift 0).
  std::filesystem::path index = path;
  index += bcf ? ".csi" : ".tbi";
  impl->index_path = index.string();
  impl->min_shift = bcf ? 14 : 0;
  impl->threads = threads;
  impl->index_after_close = threads > 0 && !kThreadedOnTheFlyIndexWorks;
  if (!impl->index_after_close &&
      bcf_idx_init(impl->fp, impl->hdr, impl->min_shift, impl->index_path.c_str()) != 0) {
    return Internal("cannot start the index " + index.string());
  }
  impl->rec = bcf_init();
  if (impl->rec == nullptr) return Internal("bcf_init failed");
  std::unique_ptr<VcfWriter> writer(new VcfWriter(std::move(impl)));
  writer->index_path_ = index;
  return writer;
}

Status VcfWriter::Write(const VcfRecordSpec& r) {
  Impl& w = *impl_;
  if (w.closed) return FailedPrecondition("write after close");
  bcf1_t* rec = w.rec;
  bcf_clear(rec);
  rec->rid = r.contig;
  rec->pos = r.pos - 1;
  bcf_float_set_missing(rec->qual);
  if (bcf_update_alleles_str(w.hdr, rec, r.alleles.c_str()) != 0) {
    return Internal("htslib refused alleles " + r.alleles);
  }
  int pass = w.pass_id;
  if (bcf_update_filter(w.hdr, rec, &pass, 1) != 0) return Internal("bcf_update_filter failed");
  if (w.info_tags && r.ac != nullptr) {
    if (bcf_update_info_int32(w.hdr, rec, "AC", r.ac->data(), static_cast<int>(r.ac->size())) !=
            0 ||
        bcf_update_info_int32(w.hdr, rec, "AN", &r.an, 1) != 0) {
      return Internal("bcf_update_info_int32 failed");
    }
  }
  if (r.gt == nullptr || r.gt->size() != 2 * static_cast<size_t>(w.n_samples)) {
    return Internal("genotype buffer does not match the samples");
  }
  if (w.bcf) {
    // BCF: the FORMAT block is written directly in its BCF 2.2 form (key, type byte of an int8
    // vector of 2, the values): bcf_update_genotypes would scan and convert 2 int32 per sample
    // on every record, a fifth of the generator's time at 100,000 samples. bcf_clear() left
    // the block empty and not dirty, so bcf_write copies it as is.
    kstring_t* indiv = &rec->indiv;
    indiv->l = 0;
    if (bcf_enc_int1(indiv, w.gt_id) != 0 || bcf_enc_size(indiv, 2, BCF_BT_INT8) != 0 ||
        kputsn(reinterpret_cast<const char*>(r.gt->data()), r.gt->size(), indiv) < 0) {
      return Internal("out of memory encoding genotypes");
    }
    rec->n_fmt = 1;
    rec->n_sample = static_cast<uint32_t>(w.n_samples);
  } else {
    // VCF text is formatted from the unpacked fields, which a record built in memory only has
    // through bcf_update_*; formatting the text costs far more than this conversion anyway.
    w.gt32.resize(r.gt->size());
    for (size_t i = 0; i < r.gt->size(); ++i) {
      const int8_t v = (*r.gt)[i];
      w.gt32[i] = v == bcf_int8_vector_end ? bcf_int32_vector_end : v;
    }
    if (bcf_update_genotypes(w.hdr, rec, w.gt32.data(), static_cast<int>(w.gt32.size())) != 0) {
      return Internal("bcf_update_genotypes failed");
    }
  }
  if (bcf_write(w.fp, w.hdr, rec) != 0) {
    return IOError("write failed on " + w.path.string() + " (disk full?)");
  }
  return Status::Ok();
}

Status VcfWriter::Close() {
  Impl& w = *impl_;
  if (w.closed) return Status::Ok();
  w.closed = true;
  if (!w.index_after_close && bcf_idx_save(w.fp) != 0) {
    return IOError("cannot write the index " + index_path_.string());
  }
  const int rc = hts_close(w.fp);
  w.fp = nullptr;
  if (rc != 0) return IOError("cannot close " + w.path.string() + " (disk full?)");
  if (w.index_after_close &&
      bcf_index_build3(w.path.c_str(), w.index_path.c_str(), w.min_shift, w.threads) != 0) {
    return IOError("cannot build the index " + index_path_.string());
  }
  return Status::Ok();
}

}  // namespace genomefed::synth
