// Beacon v2 requests (framework v2.1.1, genomicVariations request parameters of the default model)
// parsed into a plain struct, with no HTTP types: the GET query string arrives as a map of
// decoded parameters, the POST body as JSON text.
//
// Lenient in: POST bodies may be nested (`{"meta":…, "query": {"requestParameters": {…},
// "filters": […], "pagination": {…}}}`) or flat (`{"referenceName": "1", "start": [123], …}`);
// numbers may arrive as JSON numbers, numeric strings or one-element arrays; filters as strings
// or `{"id": …}` objects; `referenceName` as `22`, `chr22` or a RefSeq accession.
// Strict where it matters: unknown parameters, malformed JSON, coordinates that are negative,
// inverted or non-numeric, and contradictory query shapes are InvalidArgument with a message
// that names the parameter and says what is expected.
//
// Coordinates follow Beacon: `start`/`end` are 0-based, half-open (`start` = VCF POS − 1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace genomefed::beacon {

enum class IncludeResultsets { kHit, kMiss, kAll, kNone };
std::string_view IncludeResultsetsName(IncludeResultsets v);  // "HIT" | "MISS" | "ALL" | "NONE"

// One Beacon filter. Ontology filters carry only `id`; alphanumeric filters also carry
// `op` and `value` (supported for `sex` and `population` with "=").
struct Filter {
  std::string id;
  std::string op;     // empty for ontology / custom filters
  std::string value;  // alphanumeric filters only
  bool include_descendants = true;
};

// The genomic part of a query. Which shape it is follows from the fields set:
//   sequence: start (single), referenceBases and alternateBases, no end;
//   range:    start and end (single values), optional variantType / bases patterns;
//   bracket:  start=[a,b] and end=[c,d];
//   gene:     gene_id (resolved to a range through the node's gene table).
struct VariantQuery {
  std::string reference_name;        // as received, for the echo
  std::string contig;                // canonical (store::CanonicalContig)
  std::optional<int64_t> start;      // 0-based; bracket: lower bound of start
  std::optional<int64_t> start_max;  // bracket: upper bound of start (inclusive)
  std::optional<int64_t> end;        // 0-based exclusive; bracket: lower bound of end
  std::optional<int64_t> end_max;    // bracket: upper bound of end (inclusive)
  std::string reference_bases;       // upper-case; may contain N (any base)
  std::string alternate_bases;
  // Whether the parameter was sent: an empty (or `-` / `.`) value is the spec's form for an
  // insertion (referenceBases) or a deletion (alternateBases), not "any".
  bool has_reference_bases = false;
  bool has_alternate_bases = false;
  // Sequence query in the spec's maximally trimmed form without a padding base (one side
  // empty): `start` is the first deleted base, or the base the insertion precedes. The store
  // holds VCF's form, anchored on the base before (ValidateVariantQuery sets this).
  bool unanchored = false;
  std::string variant_type;  // SNP, MNP, INDEL, INS, DEL (upper-case) or empty
  std::string gene_id;
  // A dataset whose configured assembly differs (CanonicalAssembly) matches nothing; datasets
  // without one match any.
  std::string assembly_id;
  // The assembly a RefSeq accession in `referenceName` names (NC_000022.11 → GRCh38), or empty.
  std::string implied_assembly;
  // assemblyId if given, else the implied one (both in CanonicalAssembly form), else empty.
  std::string effective_assembly() const;
  std::optional<int64_t> min_length;  // variantMinLength / variantMaxLength (|len(ref)-len(alt)|
  std::optional<int64_t> max_length;  // or len for substitutions)
  bool is_bracket() const { return start_max.has_value() || end_max.has_value(); }
  bool is_sequence() const { return start && !end && has_alternate_bases; }
};

struct BeaconRequest {
  std::optional<VariantQuery> variant;
  std::vector<Filter> filters;
  IncludeResultsets include = IncludeResultsets::kHit;
  // Pagination as the v2 framework defines it: `skip` counts pages of `limit` records, and
  // `limit` 0 means "all, up to the server's maximum" (kMaxLimit).
  uint64_t skip = 0;
  uint64_t limit = 10;
  std::optional<Granularity> requested_granularity;  // nullopt: the schema default, "boolean"
  bool test_mode = false;
  std::string api_version;               // from meta.apiVersion when sent
  std::vector<std::string> dataset_ids;  // restrict to these datasets (extension: datasetIds)
  Granularity requested() const { return requested_granularity.value_or(Granularity::kBoolean); }
  uint64_t page_size() const;     // records per page: `limit`, or kMaxLimit for 0
  uint64_t first_record() const;  // records before the page: skip × page_size (saturating)
};

// Limits that keep one request cheap whatever it asks for.
inline constexpr uint64_t kMaxLimit = 1000;
inline constexpr size_t kMaxFilters = 100;

// Decoded query parameters; a name may repeat (`filters=a&filters=b` adds both filters).
using QueryMap = std::multimap<std::string, std::string, std::less<>>;

// GET: decoded query parameters (`filters` comma-separated or repeated; `start=[a,b]` or
// `start=a,b` for brackets). Any other parameter given twice: the last value wins.
Result<BeaconRequest> ParseGetRequest(const QueryMap& params);
// POST: JSON body (nested or flat). An empty body is an empty request.
Result<BeaconRequest> ParsePostRequest(std::string_view body);

// Checks the combination of genomic fields once parsing has collected them (called by both
// parsers; exposed for callers that build a VariantQuery by hand).
Status ValidateVariantQuery(VariantQuery& q);

}  // namespace genomefed::beacon
