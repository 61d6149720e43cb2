#include "ingest/ingest.h"

#include <fcntl.h>
#include <htslib/vcf.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "core/config.h"
#include "core/file.h"
#include "core/time.h"
#include "ingest/assembly.h"
#include "ingest/gt_scan.h"
#include "ingest/normalize.h"
#include "ingest/ordered_pipeline.h"
#include "ingest/reference.h"
#include "ingest/sample_sheet.h"
#include "ingest/term_ids.h"
#include "ontology/ontology.h"
#include "store/carrier_set.h"
#include "store/dataset_check.h"
#include "store/manifest.h"
#include "store/segment.h"
#include "vcf/reader.h"

namespace genomefed::ingest {
namespace {

using store::SampleId;

// Batches of records handed from the reader to the workers; the number in flight bounds memory
// whatever the file's length. Small enough that a batch is still in cache when a worker takes
// it: on 2,504 × 200,000 (2 cores) 64 × 8 ingested BCF in 0.97–1.27 s at 31 MiB peak and
// vcf.gz in 1.85–2.76 s at 34 MiB, against 1.07–1.37 s / 64 MiB and 2.78–3.03 s / 89 MiB
// with 256 × 16 (same runs, load average ~3.6).
constexpr size_t kBatchRecords = 64;
constexpr size_t kMinBatchesInFlight = 8;

// Skip reasons, counted per allele (or per record for whole-record problems).
// (A call of ploidy above 2 is not a skip: its record is kept and that call counted as
// missing, IngestReport::high_ploidy_calls. A duplicate allele is an error: DuplicateAllele.)
enum Skip { kSymbolic, kStar, kNoAlt, kInvalidAllele, kSkipReasons };
constexpr const char* kSkipNames[kSkipReasons] = {
    "symbolic allele (structural variant)", "star allele (*)", "no ALT allele",
    "non-ACGTN allele (IUPAC ambiguity codes such as R, Y, M other than N; other letters)"};

struct EncodedAllele {
  int64_t pos;
  std::string ref;
  std::string alt;
  std::string sets;  // het, hom, hemi, partial carrier sets
};

struct ProcessedSite {
  uint64_t location = 0;
  int32_t contig = -1;
  int64_t raw_pos = 0;
  bool skipped_record = false;
  std::string site;        // encoded SiteCalls (plain; the writer may re-encode large sets)
  store::SiteCalls calls;  // what `site` encodes
  // alleles[0, allele_count): entries beyond are kept for their buffers (a ProcessedSite is
  // reused batch after batch, so steady-state encoding allocates nothing).
  std::vector<EncodedAllele> alleles;
  size_t allele_count = 0;
  uint32_t skips[kSkipReasons] = {};
  uint32_t high_ploidy_calls = 0;  // calls above diploid, counted as missing
};

struct Work {
  vcf::RawBatch raw;
  std::vector<ProcessedSite> out;
  Status status;
};

// Turns one decoded record into its encoded site and alleles. Runs on worker threads.
class RecordEncoder {
 public:
  RecordEncoder(SampleId first_id, uint32_t universe, const vcf::VcfFile& file)
      : first_id_(first_id), universe_(universe), file_(file) {}
  // With a reference, indels are left-aligned after trimming (`contigs`: canonical names by the
  // file's contig index).
  void SetReference(const ReferenceFasta* reference, const std::vector<std::string>* contigs) {
    reference_ = reference;
    contigs_ = contigs;
  }

  Status Encode(const vcf::DecodedRecord& decoded, ProcessedSite& out) {
    out.high_ploidy_calls = 0;
    const vcf::DecodedRecord& r =
        decoded.high_ploidy ? MaskHighPloidy(decoded, out.high_ploidy_calls) : decoded;
    out.location = r.location;
    out.contig = r.contig_index;
    out.raw_pos = r.pos;
    out.allele_count = 0;
    out.skipped_record = false;
    std::fill(std::begin(out.skips), std::end(out.skips), 0);
    const size_t n_alleles = r.alleles.size();
    const size_t n_samples = file_.samples().size();
    if (n_alleles == 0) return InvalidArgument(file_.Where(r.location) + ": no REF allele");
    // Which ALTs we keep.
    keep_.assign(n_alleles, false);
    if (ClassifyAllele(r.alleles[0]) != AlleleKind::kSequence) {
      ++out.skips[kInvalidAllele];
      out.skipped_record = true;
      return Status::Ok();
    }
    if (n_alleles == 1) ++out.skips[kNoAlt];
    for (size_t a = 1; a < n_alleles; ++a) {
      switch (ClassifyAllele(r.alleles[a])) {
        case AlleleKind::kSequence:
          keep_[a] = true;
          break;
        case AlleleKind::kSymbolic:
          ++out.skips[kSymbolic];
          break;
        case AlleleKind::kStar:
          ++out.skips[kStar];
          break;
        case AlleleKind::kMissing:
          ++out.skips[kNoAlt];
          break;
        case AlleleKind::kInvalid:
          ++out.skips[kInvalidAllele];
          break;
      }
    }
    carriers_.resize(n_alleles * store::kCarrierClasses);
    for (auto& sets : carriers_) sets.clear();
    for (auto& e : exceptions_) e.clear();
    Status classified;
    switch (r.gt_width) {
      case 1:
        classified = Classify<int8_t>(r, bcf_int8_vector_end, bcf_int8_missing);
        break;
      case 2:
        classified = Classify<int16_t>(r, bcf_int16_vector_end, bcf_int16_missing);
        break;
      default:
        classified = Classify<int32_t>(r, bcf_int32_vector_end, bcf_int32_missing);
    }
    GF_RETURN_IF_ERROR(classified);
    // Site: the most common called count is the base; the others are listed.
    const size_t called_hist[3] = {exceptions_[0].size(), exceptions_[1].size(),
                                   n_samples - exceptions_[0].size() - exceptions_[1].size()};
    store::SiteCalls& site = site_;
    for (auto& e : site.called_exceptions) e.clear();
    site.base = static_cast<uint8_t>(std::max_element(called_hist, called_hist + 3) - called_hist);
    if (site.base == 2) {
      site.called_exceptions[0].swap(exceptions_[0]);
      site.called_exceptions[1].swap(exceptions_[1]);
    } else {  // rare (mostly-missing or haploid sites): list the called-2 samples too
      called_.assign(n_samples, 2);
      for (int k = 0; k < 2; ++k) {
        for (SampleId id : exceptions_[k]) called_[id - first_id_] = static_cast<uint8_t>(k);
      }
      for (size_t s = 0; s < n_samples; ++s) {
        if (called_[s] != site.base) {
          site.called_exceptions[called_[s]].push_back(first_id_ + static_cast<SampleId>(s));
        }
      }
    }
    out.site.clear();
    store::EncodeSite(site, universe_, out.site);
    for (int k = 0; k < 3; ++k) {  // the writer's site differences start from these lists
      out.calls.called_exceptions[k].assign(site.called_exceptions[k].begin(),
                                            site.called_exceptions[k].end());
    }
    out.calls.base = site.base;
    for (size_t a = 1; a < n_alleles; ++a) {
      if (!keep_[a]) continue;
      if (out.alleles.size() == out.allele_count) out.alleles.emplace_back();
      EncodedAllele& e = out.alleles[out.allele_count];
      e.pos = r.pos;
      e.ref.assign(r.alleles[0]);
      e.alt.assign(r.alleles[a]);
      for (auto& c : e.ref) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (auto& c : e.alt) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (e.ref == e.alt) {  // ALT equal to REF carries no variation
        ++out.skips[kInvalidAllele];
        continue;
      }
      TrimAlleles(e.pos, e.ref, e.alt);
      if (reference_ != nullptr)
        LeftAlign(*reference_, (*contigs_)[out.contig], e.pos, e.ref, e.alt);
      e.sets.clear();
      store::EncodeAlleleCarriers(
          std::span(carriers_).subspan(a * store::kCarrierClasses, store::kCarrierClasses), site,
          first_id_, static_cast<uint32_t>(n_samples), universe_, e.sets);
      ++out.allele_count;
    }
    return Status::Ok();
  }

 private:
  // `r` with every call of more than two values made missing (its first two values set to
  // 0, a missing allele), in a copy: the record is kept for the other samples, and bcftools'
  // counts of the file with those calls set to ./. are what the store holds. `*masked`
  // receives the number of such calls.
  const vcf::DecodedRecord& MaskHighPloidy(const vcf::DecodedRecord& r, uint32_t& masked) {
    masked_ = r;
    masked_.high_ploidy = false;
    masked_.high_ploidy_samples = {};
    if (r.gt == nullptr || r.stride < 2) return masked_;
    const size_t n_samples = file_.samples().size();
    const size_t call_bytes = static_cast<size_t>(r.stride) * static_cast<size_t>(r.gt_width);
    masked_gt_.assign(r.gt, r.gt + n_samples * call_bytes);
    auto mask = [&](size_t sample) {
      std::memset(masked_gt_.data() + sample * call_bytes, 0, 2 * static_cast<size_t>(r.gt_width));
      ++masked;
    };
    if (r.stride == 2) {
      for (uint32_t sample : r.high_ploidy_samples) mask(sample);
    } else {
      const int32_t vector_end = r.gt_width == 1   ? bcf_int8_vector_end
                                 : r.gt_width == 2 ? bcf_int16_vector_end
                                                   : bcf_int32_vector_end;
      for (size_t sample = 0; sample < n_samples; ++sample) {
        const uint8_t* third = r.gt + sample * call_bytes + 2 * static_cast<size_t>(r.gt_width);
        int32_t v;
        if (r.gt_width == 1) {
          v = static_cast<int8_t>(*third);
        } else if (r.gt_width == 2) {
          int16_t w;
          std::memcpy(&w, third, 2);
          v = w;
        } else {
          std::memcpy(&v, third, 4);
        }
        if (v != vector_end) mask(sample);
      }
    }
    masked_.gt = masked_gt_.data();
    return masked_;
  }

  // Classifies every sample's call of `r` (values of type T) into the carrier sets and the
  // called-count exceptions (0 and 1 called alleles; 2 is implied). A diploid 0/0 is the bulk of
  // every file, so int8 diploid vectors are scanned 16 samples at a time (CollectNonRef).
  template <typename T>
  [[gnu::flatten]] Status Classify(const vcf::DecodedRecord& r, T vector_end, T missing) {
    const size_t n_samples = file_.samples().size();
    const int n_alleles = static_cast<int>(r.alleles.size());
    const int stride = r.stride;
    const int values = std::min(stride, 2);
    // BCF records are read in place, so wider GT values may sit at odd addresses: values are
    // loaded with memcpy, never through a T*.
    auto value_at = [&](size_t i) {
      T v;
      std::memcpy(&v, r.gt + i * sizeof(T), sizeof(T));
      return v;
    };
    // One sample's call: its called count into the exceptions, its alleles into the sets.
    // Returns false (with `error` set) on a malformed call.
    Status error;
    auto classify_one = [&](size_t sample) -> bool {
      const SampleId id = first_id_ + static_cast<SampleId>(sample);
      int n = 0, alleles[2] = {-1, -1}, called = 0;
      if (stride > 0) {
        const size_t first = sample * static_cast<size_t>(stride);
        for (int k = 0; k < values; ++k) {
          const T g = value_at(first + static_cast<size_t>(k));
          if (g == vector_end) break;
          ++n;
          if (g == missing || (g >> 1) == 0) continue;  // a missing allele
          if (g < 0) {
            error = InvalidArgument(file_.Where(r.location) + ": malformed GT value " +
                                    std::to_string(g));
            return false;
          }
          alleles[k] = (g >> 1) - 1;
          if (alleles[k] >= n_alleles) {
            error = BadAllele(r, alleles[k]);
            return false;
          }
          ++called;
        }
      }
      if (called < 2) exceptions_[called].push_back(id);
      if (alleles[0] <= 0 && alleles[1] <= 0) return true;  // ref or missing
      if (n == 1) {
        Add(alleles[0], store::kHemi, id);
      } else if (called == 2) {
        if (alleles[0] == alleles[1]) {
          Add(alleles[0], store::kHom, id);
        } else {
          Add(alleles[0], store::kHet, id);
          Add(alleles[1], store::kHet, id);
        }
      } else {  // diploid with one allele missing: counts in AC and AN only
        Add(alleles[0] >= 0 ? alleles[0] : alleles[1], store::kPartial, id);
      }
      return true;
    };
    size_t s = 0;
    if constexpr (sizeof(T) == 1) {
      if (stride == 2) {
        // A diploid call of two valid alleles (the usual non-reference call) is handled
        // inline; anything else takes classify_one.
        s = n_samples;
        if (n_alleles == 2) return ClassifyBiallelic(r, classify_one, error);
        non_ref_.resize(n_samples);
        const size_t count = CollectNonRef(r.gt, n_samples, non_ref_.data());
        for (size_t c = 0; c < count; ++c) {
          const size_t sample = non_ref_[c];
          const int a = value_at(2 * sample), b = value_at(2 * sample + 1);
          const int x0 = (a >> 1) - 1, x1 = (b >> 1) - 1;
          if (a >= 2 && b >= 2 && x0 < n_alleles && x1 < n_alleles) {
            const SampleId id = first_id_ + static_cast<SampleId>(sample);
            if (x0 == x1) {
              Add(x0, store::kHom, id);
            } else {
              Add(x0, store::kHet, id);
              Add(x1, store::kHet, id);
            }
          } else if (!classify_one(sample)) {
            return error;
          }
        }
      }
    }
    for (; s < n_samples; ++s) {
      if (!classify_one(s)) return error;
    }
    return Status::Ok();
  }

  // The usual record: diploid int8 calls, one ALT, split by SplitBiallelic in one pass over
  // the vector; the calls it leaves (one allele missing, anything odd) take classify_one, whose
  // called-count exceptions are then merged with the split's (both lists ascending).
  template <typename ClassifyOne>
  Status ClassifyBiallelic(const vcf::DecodedRecord& r, ClassifyOne& classify_one,
                           const Status& error) {
    const size_t n_samples = file_.samples().size();
    for (auto& list : split_) {
      if (list.size() < n_samples) list.resize(n_samples);
    }
    const BiallelicLists lists = {split_[0].data(), split_[1].data(), split_[2].data(),
                                  split_[3].data(), split_[4].data(), split_[5].data()};
    const BiallelicSplit n = SplitBiallelic(r.gt, n_samples, first_id_, lists);
    auto& sets = carriers_;
    sets[store::kCarrierClasses + store::kHet].assign(lists.het, lists.het + n.het);
    sets[store::kCarrierClasses + store::kHom].assign(lists.hom, lists.hom + n.hom);
    sets[store::kCarrierClasses + store::kHemi].assign(lists.hemi, lists.hemi + n.hemi);
    for (size_t c = 0; c < n.other; ++c) {
      if (!classify_one(lists.other[c])) return error;
    }
    MergeInto(exceptions_[0], lists.called0, n.called0);
    MergeInto(exceptions_[1], lists.called1, n.called1);
    return Status::Ok();
  }

  // list ∪ [ids, ids + n), both ascending and disjoint, into list.
  void MergeInto(std::vector<SampleId>& list, const SampleId* ids, size_t n) {
    if (n == 0) return;
    if (list.empty()) {
      list.assign(ids, ids + n);
      return;
    }
    merged_.resize(list.size() + n);
    std::merge(list.begin(), list.end(), ids, ids + n, merged_.begin());
    list.swap(merged_);
  }

  Status BadAllele(const vcf::DecodedRecord& r, int allele) const {
    return InvalidArgument(file_.Where(r.location) + ": GT allele index " + std::to_string(allele) +
                           " but the record has only " + std::to_string(r.alleles.size() - 1) +
                           " ALT allele(s)");
  }

  void Add(int allele, int cls, SampleId id) {
    if (allele > 0) carriers_[allele * store::kCarrierClasses + cls].push_back(id);
  }
  SampleId first_id_;
  uint32_t universe_;
  const vcf::VcfFile& file_;
  std::vector<bool> keep_;
  std::vector<std::vector<SampleId>> carriers_;
  std::vector<SampleId> exceptions_[3];
  std::vector<uint8_t> called_;
  std::vector<uint32_t> non_ref_;   // CollectNonRef's output
  std::vector<uint32_t> split_[6];  // ClassifyBiallelic's lists (BiallelicLists order)
  const ReferenceFasta* reference_ = nullptr;
  const std::vector<std::string>* contigs_ = nullptr;
  std::vector<SampleId> merged_;
  store::SiteCalls site_;
  vcf::DecodedRecord masked_;  // MaskHighPloidy's copy
  std::vector<uint8_t> masked_gt_;
};

// Writes processed sites in key order. Trimming can move an allele's position forward by up to
// its length, so alleles wait in a small ordered buffer until no later record can precede them.
class SortedSink {
 public:
  SortedSink(store::SegmentWriter& writer, const vcf::VcfFile& file,
             std::vector<std::string> canonical_contigs)
      : writer_(writer), file_(file), contigs_(std::move(canonical_contigs)) {}

  Status Add(ProcessedSite& site, IngestReport& report, uint64_t skips[kSkipReasons]) {
    ++report.records;
    for (int k = 0; k < kSkipReasons; ++k) skips[k] += site.skips[k];
    if (site.high_ploidy_calls > 0) {
      if (report.high_ploidy_calls == 0) first_high_ploidy_ = site.location;
      report.high_ploidy_calls += site.high_ploidy_calls;
      ++report.high_ploidy_records;
    }
    if (site.contig != current_contig_) {
      GF_RETURN_IF_ERROR(Flush(INT64_MAX));
      const std::string& name = contigs_[site.contig];
      if (!finished_contigs_.emplace(name).second) {
        return InvalidArgument(file_.Where(site.location) + ": contig " + name +
                               " appears again after another contig; the file must be sorted "
                               "(bcftools sort)");
      }
      current_contig_ = site.contig;
      last_raw_pos_ = 0;
    }
    if (site.raw_pos < last_raw_pos_) {
      return InvalidArgument(file_.Where(site.location) + ": position " +
                             std::to_string(site.raw_pos) + " comes after " +
                             std::to_string(last_raw_pos_) +
                             "; the file must be sorted (bcftools sort)");
    }
    last_raw_pos_ = site.raw_pos;
    GF_RETURN_IF_ERROR(Flush(site.raw_pos - lookback_));
    if (site.skipped_record || site.allele_count == 0) return Status::Ok();
    GF_ASSIGN_OR_RETURN(uint64_t site_index, writer_.AddSite(site.site, &site.calls));
    ++report.sites;
    for (size_t i = 0; i < site.allele_count; ++i) {
      const EncodedAllele& a = site.alleles[i];
      auto it = std::lower_bound(
          pending_.begin(), pending_.end(), a, [](const Pending& p, const EncodedAllele& x) {
            return std::tie(p.pos, p.ref, p.alt) < std::tie(x.pos, x.ref, x.alt);
          });
      if (it != pending_.end() && it->pos == a.pos && it->ref == a.ref && it->alt == a.alt) {
        return DuplicateAllele(site, a, it->location);
      }
      Pending p;
      if (!spare_.empty()) {
        p = std::move(spare_.back());
        spare_.pop_back();
      }
      p.pos = a.pos;
      p.ref.assign(a.ref);
      p.alt.assign(a.alt);
      p.sets.assign(a.sets);
      p.site = site_index;
      p.location = site.location;
      pending_.insert(it, std::move(p));
    }
    return Status::Ok();
  }

  Status Finish() { return Flush(INT64_MAX); }
  // Left-alignment moves alleles back by up to kMaxLeftShift: they wait that much longer.
  void set_lookback(int64_t bases) { lookback_ = bases; }
  uint64_t alleles() const { return alleles_; }
  uint64_t first_high_ploidy() const { return first_high_ploidy_; }

 private:
  struct Pending {
    int64_t pos = 0;
    std::string ref, alt;
    std::string sets;
    uint64_t site = 0;      // the site's handle in the segment
    uint64_t location = 0;  // the line (record) it came from
  };

  // The same allele twice in one batch (two records, records that trim to the same allele, or
  // one ALT listed twice): the second's carriers would need merging per sample, which the
  // store's one-entry-per-allele-and-batch cannot express, and keeping only one loses calls.
  // So the file is refused, saying how to merge it.
  Status DuplicateAllele(const ProcessedSite& site, const EncodedAllele& a,
                         uint64_t first_location) const {
    const std::string key =
        contigs_[site.contig] + ":" + std::to_string(a.pos) + ":" + a.ref + ":" + a.alt;
    const std::string where = first_location == site.location
                                  ? "ALT lists allele " + key + " twice"
                                  : "allele " + key + " (after trimming) is also at " +
                                        (file_.is_bcf() ? "record " : "line ") +
                                        std::to_string(first_location);
    return InvalidArgument(file_.Where(site.location) + ": " + where +
                           "; an allele must appear once per file, else its calls would be "
                           "dropped or counted twice. Merge such records first: bcftools norm "
                           "-m+any, then bcftools norm -m-any (or drop exact copies with "
                           "bcftools norm -d exact)");
  }

  // Writes every buffered allele whose position is below `limit`.
  Status Flush(int64_t limit) {
    size_t n = 0;
    for (; n < pending_.size() && pending_[n].pos < limit; ++n) {
      const Pending& p = pending_[n];
      GF_RETURN_IF_ERROR(
          writer_.AddAllele(contigs_[current_contig_], p.pos, p.ref, p.alt, p.site, p.sets));
      ++alleles_;
    }
    for (size_t i = 0; i < n; ++i) spare_.push_back(std::move(pending_[i]));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    return Status::Ok();
  }

  store::SegmentWriter& writer_;
  const vcf::VcfFile& file_;
  std::vector<std::string> contigs_;
  std::set<std::string> finished_contigs_;
  int32_t current_contig_ = -1;
  int64_t last_raw_pos_ = 0;
  // Alleles not yet written, in key order (a few at a time: one or two sites' worth), and
  // written ones kept for their string buffers.
  std::vector<Pending> pending_, spare_;
  uint64_t alleles_ = 0;
  uint64_t first_high_ploidy_ = 0;
  int64_t lookback_ = 0;
};

// flock-based single-writer lock on the dataset.
class DatasetLock {
 public:
  ~DatasetLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Acquire(const std::filesystem::path& dir) {
    const auto path = dir / "LOCK";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return IOError("cannot open " + path.string() + ": " + ErrnoMessage(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return FailedPrecondition("another ingest is writing to " + dir.string() +
                                "; wait for it to finish");
    }
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

std::string GenerationName(const char* prefix, uint64_t generation, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%06llu%s", prefix, static_cast<unsigned long long>(generation),
                suffix);
  return buf;
}

// Removes files a killed ingest may have left: anything not referenced by the MANIFEST.
void RemoveUnreferenced(const std::filesystem::path& dir, const store::Manifest& m) {
  std::set<std::string> live = {store::kManifestName, "LOCK", m.samples_file};
  for (const auto& s : m.segments) live.insert(s.file);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name.rfind("seg-", 0) == 0 || name.rfind("samples-", 0) == 0 ||
                      name.rfind(std::string(store::kManifestName) + ".tmp", 0) == 0;
    if (ours && !live.count(name)) std::filesystem::remove(entry.path(), ec);
  }
}

// Two header contigs that are one chromosome to the store ("1" and "chr1", "MT" and "chrM")
// would mix their records; refused before anything is read.
Status CheckContigNames(const vcf::VcfFile& file) {
  std::map<std::string, std::string> seen;
  for (const auto& name : file.contigs()) {
    auto [it, added] = seen.emplace(store::CanonicalContig(name), name);
    if (!added) {
      return InvalidArgument(file.path().string() + ": the header declares both contig '" +
                             it->second + "' and '" + name + "', which are the same chromosome (" +
                             it->first +
                             "); keep one naming (bcftools annotate --rename-chrs) and ingest "
                             "again");
    }
  }
  return Status::Ok();
}

Result<AssemblyEvidence> AssemblyOf(const vcf::VcfFile& file, const std::string& given) {
  HeaderAssemblyInput h;
  h.file = file.path().string();
  h.reference = file.reference();
  h.contigs = file.contigs();
  h.lengths = file.contig_lengths();
  h.assembly = file.contig_assemblies();
  return BatchAssembly(h, given.empty() ? "" : CanonicalAssembly(given));
}

// The dataset's MANIFEST and sample table, verified before anything is written (a damaged
// dataset is refused, never written over); an empty state for a new dataset. A directory that
// holds ingested data but no MANIFEST is corrupt: starting again at generation 1 would delete
// the old segments and sample table.
Status ReadDatasetState(const std::filesystem::path& dir, const std::string& dataset,
                        store::Manifest& manifest, store::SampleTable& table) {
  auto existing = store::ReadManifest(dir);
  if (!existing.ok()) {
    if (existing.status().code() != StatusCode::kNotFound) {
      return Status(existing.status().code(), existing.status().message() +
                                                  "; if the MANIFEST is damaged, rebuild it: " +
                                                  store::RebuildCommand(dir) + " --replace");
    }
    GF_RETURN_IF_ERROR(store::CheckForUncommittedData(dir));
    manifest.dataset = dataset;
    return Status::Ok();
  }
  manifest = std::move(existing).value();
  GF_RETURN_IF_ERROR(store::VerifyDataset(dir, manifest));
  GF_ASSIGN_OR_RETURN(table, store::ReadSampleTable(dir / manifest.samples_file));
  return Status::Ok();
}

}  // namespace

std::filesystem::path DatasetDir(const std::filesystem::path& data_dir, std::string_view dataset) {
  return data_dir / "datasets" / std::string(dataset);
}

Result<IngestReport> Ingest(const IngestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  GF_RETURN_IF_ERROR(store::ValidateDatasetId(options.dataset));
  for (const auto& code : options.consent) {
    if (code.rfind("DUO:", 0) != 0 || code.size() != 11) {
      return InvalidArgument("consent code '" + code + "' is not a DUO term like DUO:0000042");
    }
  }
  IngestReport report;
  // Read the inputs that can be checked up front before touching the store.
  std::vector<store::SampleInfo> sheet;
  if (!options.sample_sheet.empty()) {
    GF_ASSIGN_OR_RETURN(sheet, ReadSampleSheet(options.sample_sheet));
  }
  if (!options.hpo_ontology.empty()) {
    GF_ASSIGN_OR_RETURN(auto hpo, ontology::Ontology::Load(options.hpo_ontology));
    if (auto unknown = PhenotypesNotIn(hpo, sheet); !unknown.empty()) {
      report.warnings.push_back(UnknownTermsWarning(unknown, options.hpo_ontology));
    }
  }
  const int workers =
      options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // No htslib thread pool: a BGZF BCF is inflated by the decoding workers themselves (vcf/
  // reader.h), and a .vcf.gz is inflated on the reader thread, which is already apart from them
  // (an htslib pool thread measured slower on 2 cores: 2,504 × 200,000 synth, BCF 1.66–1.81 s vs
  // 1.24–1.51 s with 0.3–0.7 s of system time in futex hand-offs per 64 KiB block; vcf.gz
  // 4.4–5.0 s vs 4.3 s).
  GF_ASSIGN_OR_RETURN(std::unique_ptr<vcf::VcfFile> file, vcf::VcfFile::Open(options.vcf, 0));

  if (file->samples().empty()) {
    return InvalidArgument(options.vcf.string() + ": no samples (genotype columns) in the file");
  }
  GF_RETURN_IF_ERROR(CheckContigNames(*file));
  GF_ASSIGN_OR_RETURN(AssemblyEvidence batch_assembly, AssemblyOf(*file, options.assembly));

  const auto dir = DatasetDir(options.data_dir, options.dataset);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir.string() + ": " + ec.message());
  DatasetLock lock;
  GF_RETURN_IF_ERROR(lock.Acquire(dir));

  store::Manifest manifest;
  store::SampleTable table;
  GF_RETURN_IF_ERROR(ReadDatasetState(dir, options.dataset, manifest, table));
  {
    std::string warning;
    auto assembly =
        DatasetAssemblyAfter(options.dataset, manifest.assembly, batch_assembly, warning);
    if (!assembly.ok()) return assembly.status().WithContext(options.vcf.string());
    manifest.assembly = std::move(assembly).value();
    if (!warning.empty()) report.warnings.push_back(warning);
  }
  report.assembly = manifest.assembly;
  RemoveUnreferenced(dir, manifest);

  // Samples: refuse any already ingested; take metadata from this sheet, else earlier sheets.
  std::map<std::string, size_t> ingested;
  for (size_t i = 0; i < table.samples.size(); ++i) ingested[table.samples[i].id] = i;
  for (const auto& name : file->samples()) {
    if (ingested.count(name)) {
      return AlreadyExists(options.vcf.string() + ": sample '" + name +
                           "' is already in dataset '" + options.dataset +
                           "'; a batch must hold new samples only");
    }
  }
  std::map<std::string, store::SampleInfo> metadata;
  for (auto& row : table.pending) metadata[row.id] = row;
  for (auto& row : sheet) metadata[row.id] = row;  // the newest sheet wins
  const SampleId first_id = static_cast<SampleId>(table.samples.size());
  std::vector<std::string> without;
  for (const auto& name : file->samples()) {
    store::SampleInfo info;
    auto it = metadata.find(name);
    if (it != metadata.end()) {
      info = std::move(it->second);
      metadata.erase(it);
    } else {
      info.id = name;
      without.push_back(name);
    }
    for (const auto& code : options.consent) {
      if (std::find(info.consent.begin(), info.consent.end(), code) == info.consent.end()) {
        info.consent.push_back(code);
      }
    }
    table.samples.push_back(std::move(info));
  }
  table.pending.clear();
  for (auto& [id, row] : metadata) {
    if (!ingested.count(id)) table.pending.push_back(std::move(row));
  }
  report.samples_added = static_cast<uint32_t>(file->samples().size());
  report.samples_total = static_cast<uint32_t>(table.samples.size());
  report.samples_without_metadata = static_cast<uint32_t>(without.size());
  report.sheet_rows_pending = static_cast<uint32_t>(table.pending.size());
  if (!without.empty() && !options.sample_sheet.empty()) {
    std::string list;
    for (size_t i = 0; i < std::min<size_t>(5, without.size()); ++i)
      list += (i ? ", " : "") + without[i];
    if (without.size() > 5) list += ", ...";
    report.warnings.push_back(std::to_string(without.size()) +
                              " sample(s) have no row in the sample sheet and were ingested "
                              "without metadata: " +
                              list);
  }
  std::vector<std::string> canonical;
  for (const auto& c : file->contigs()) canonical.push_back(store::CanonicalContig(c));

  std::unique_ptr<ReferenceFasta> reference;  // left-aligns indels (bcftools norm -f)
  if (!options.reference_fasta.empty()) {
    GF_ASSIGN_OR_RETURN(reference, ReferenceFasta::Open(options.reference_fasta));
  }

  const uint64_t generation = manifest.generation + 1;
  const std::string segment_name = GenerationName("seg-", generation, ".gfs");
  store::SegmentWriter writer;
  GF_RETURN_IF_ERROR(writer.Open(dir / segment_name, report.samples_total));
  SortedSink sink(writer, *file, canonical);
  if (reference) sink.set_lookback(kMaxLeftShift);
  uint64_t skips[kSkipReasons] = {};

  // The pipeline (ordered_pipeline.h): batches read in file order, decoded and encoded on
  // every thread, written in file order by whichever thread is free.
  const size_t in_flight =
      std::max<size_t>(kMinBatchesInFlight, 2 * static_cast<size_t>(workers) + 2);
  auto last_progress = std::chrono::steady_clock::now();
  struct ThreadState {
    ThreadState(const vcf::VcfFile& file, SampleId first, uint32_t universe)
        : decoder(file), encoder(first, universe, file) {}
    vcf::Decoder decoder;
    RecordEncoder encoder;
    vcf::DecodedRecord record;
  };
  Status status = RunOrderedPipeline<Work>(
      workers, in_flight,
      [&] {
        auto t = std::make_unique<ThreadState>(*file, first_id, report.samples_total);
        t->encoder.SetReference(reference.get(), &canonical);
        return t;
      },
      [&](Work& w) -> Result<bool> {
        GF_RETURN_IF_ERROR(file->ReadBatch(w.raw, kBatchRecords));
        return !w.raw.end;
      },
      [&](std::unique_ptr<ThreadState>& t, Work& w) {
        w.status = t->decoder.Prepare(w.raw);
        w.out.resize(w.raw.size);
        for (size_t i = 0; i < w.raw.size && w.status.ok(); ++i) {
          w.status = t->decoder.Decode(w.raw, i, t->record);
          if (w.status.ok()) w.status = t->encoder.Encode(t->record, w.out[i]);
        }
        vcf::ReleaseLargeBuffers(w.raw);  // the encoded sites own copies of what they need
      },
      [&](Work& w) -> Status {
        GF_RETURN_IF_ERROR(w.status);
        for (size_t i = 0; i < w.raw.size; ++i) {
          GF_RETURN_IF_ERROR(sink.Add(w.out[i], report, skips));
        }
        if (options.on_progress) {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_progress > std::chrono::milliseconds(500)) {
            last_progress = now;
            options.on_progress(
                {report.records, std::chrono::duration<double>(now - started).count()});
          }
        }
        return Status::Ok();
      });

  auto fail = [&](const Status& s) -> Status {
    writer.Abandon();
    return s;
  };
  if (!status.ok()) return fail(status);
  if (Status s = file->CheckComplete(); !s.ok()) return fail(s);
  if (Status s = sink.Finish(); !s.ok()) return fail(s);
  std::vector<SampleId> batch_ids(report.samples_added);
  for (SampleId i = 0; i < report.samples_added; ++i) batch_ids[i] = first_id + i;
  // The segment's fsync runs while it is re-read below (it waits on the disk, the re-read on
  // the CPU); both finish before anything is published.
  if (Status s = writer.Finish(batch_ids, /*sync=*/false); !s.ok()) return fail(s);

  report.alleles = sink.alleles();
  if (report.high_ploidy_calls > 0) {
    report.warnings.push_back(
        std::to_string(report.high_ploidy_calls) + " call(s) with more than two alleles in " +
        std::to_string(report.high_ploidy_records) + " record(s) (first at " +
        file->Where(sink.first_high_ploidy()) +
        ") were counted as missing; the records were kept for the other samples");
  }
  for (int k = 0; k < kSkipReasons; ++k) {
    if (skips[k] > 0) report.skipped[kSkipNames[k]] = skips[k];
  }

  // Commit: sample table, then the MANIFEST rename that publishes both.
  const std::string samples_name = GenerationName("samples-", generation, ".json");
  auto cleanup = [&](const Status& s) -> Status {
    std::error_code rm;
    std::filesystem::remove(dir / segment_name, rm);
    std::filesystem::remove(dir / samples_name, rm);
    return s;
  };
  Status synced;
  std::thread sync([&] { synced = SyncPath(dir / segment_name); });
  auto opened = store::Segment::Open(dir / segment_name);  // re-read what we wrote
  sync.join();
  if (!synced.ok()) return cleanup(synced);
  if (!opened.ok()) return cleanup(opened.status());

  if (Status s = store::WriteSampleTable(dir / samples_name, table); !s.ok()) return cleanup(s);
  if (options.before_commit) {
    auto archived = options.before_commit();
    if (!archived.ok()) return cleanup(archived.status());
    report.archive_id = *archived;
  }
  store::SegmentEntry entry;
  entry.file = segment_name;
  entry.crc32 = (*opened)->crc();
  entry.size = std::filesystem::file_size(dir / segment_name);
  entry.alleles = report.alleles;
  entry.samples = report.samples_added;
  entry.source = options.vcf.filename().string();
  entry.created_at = NowUtcRfc3339();
  entry.archive_id = report.archive_id;
  if (auto windows = store::ChecksumWindows(dir / segment_name); windows.ok()) {
    entry.window_crc32 = std::move(windows).value();
  } else {
    return cleanup(windows.status());
  }
  store::Manifest next_manifest = manifest;
  next_manifest.generation = generation;
  next_manifest.samples_file = samples_name;
  next_manifest.segments.push_back(entry);
  if (Status s = store::WriteManifest(dir, next_manifest); !s.ok()) return cleanup(s);

  RemoveUnreferenced(dir, next_manifest);
  report.generation = generation;
  report.segment_file = segment_name;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace genomefed::ingest
