#include "beacon/request.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "beacon/reference_names.h"
#include "ingest/normalize.h"
#include "store/store.h"

namespace genomefed::beacon {
namespace {

using nlohmann::json;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    auto comma = s.find(',');
    std::string_view part = TrimSpace(s.substr(0, comma));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

Result<int64_t> ParseInt(std::string_view name, std::string_view text) {
  text = TrimSpace(text);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("parameter '" + std::string(name) + "': '" +
                           std::string(text.substr(0, 40)) + "' is not an integer");
  }
  return v;
}

// A JSON integer, a numeric string, or (when `allow_pair`) an array of one or two of those /
// a string "a,b" or "[a,b]". Returns one or two values.
Result<std::vector<int64_t>> IntList(std::string_view name, const json& v, bool allow_pair) {
  std::vector<int64_t> out;
  auto one = [&](const json& x) -> Status {
    if (x.is_number_integer()) {
      out.push_back(x.get<int64_t>());
      return Status::Ok();
    }
    if (x.is_number_float()) {
      double d = x.get<double>();
      if (d != static_cast<double>(static_cast<int64_t>(d))) {
        return InvalidArgument("parameter '" + std::string(name) + "' must be an integer");
      }
      out.push_back(static_cast<int64_t>(d));
      return Status::Ok();
    }
    if (x.is_string()) {
      std::string_view s = TrimSpace(x.get_ref<const std::string&>());
      if (allow_pair && !s.empty() && s.front() == '[' && s.back() == ']') {
        s = s.substr(1, s.size() - 2);
      }
      if (allow_pair && s.find(',') != std::string_view::npos) {
        for (const auto& part : SplitComma(s)) {
          GF_ASSIGN_OR_RETURN(int64_t n, ParseInt(name, part));
          out.push_back(n);
        }
        return Status::Ok();
      }
      GF_ASSIGN_OR_RETURN(int64_t n, ParseInt(name, s));
      out.push_back(n);
      return Status::Ok();
    }
    return InvalidArgument("parameter '" + std::string(name) + "' must be an integer, got " +
                           std::string(x.type_name()));
  };
  if (v.is_array()) {
    if (!allow_pair && v.size() != 1) {
      return InvalidArgument("parameter '" + std::string(name) + "' takes one integer");
    }
    for (const auto& x : v) GF_RETURN_IF_ERROR(one(x));
  } else {
    GF_RETURN_IF_ERROR(one(v));
  }
  if (out.empty() || out.size() > 2 || (!allow_pair && out.size() != 1)) {
    return InvalidArgument(
        "parameter '" + std::string(name) +
        (allow_pair ? "' takes one integer or a pair [min,max]" : "' takes one integer"));
  }
  return out;
}

Result<std::string> Str(std::string_view name, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_array() && v.size() == 1) return Str(name, v[0]);
  return InvalidArgument("parameter '" + std::string(name) + "' must be a string, got " +
                         std::string(v.type_name()));
}

Result<bool> Bool(std::string_view name, const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = Upper(v.get_ref<const std::string&>());
    if (s == "TRUE" || s == "1") return true;
    if (s == "FALSE" || s == "0") return false;
  }
  return InvalidArgument("parameter '" + std::string(name) + "' must be true or false");
}

Status ParseFilters(const json& v, std::vector<Filter>& out) {
  auto add_id = [&](std::string_view id) -> Status {
    id = TrimSpace(id);
    if (id.empty()) return InvalidArgument("filters: empty filter id");
    out.push_back(Filter{std::string(id), "", "", true});
    return Status::Ok();
  };
  if (v.is_string()) {
    for (const auto& id : SplitComma(v.get_ref<const std::string&>())) {
      GF_RETURN_IF_ERROR(add_id(id));
    }
  } else if (v.is_array()) {
    for (const auto& f : v) {
      if (f.is_string()) {
        GF_RETURN_IF_ERROR(add_id(f.get_ref<const std::string&>()));
        continue;
      }
      if (!f.is_object()) {
        return InvalidArgument("filters: each filter must be a string or an object with 'id'");
      }
      Filter filter;
      for (const auto& [key, val] : f.items()) {
        if (key == "id") {
          GF_ASSIGN_OR_RETURN(filter.id, Str("filters.id", val));
        } else if (key == "operator") {
          GF_ASSIGN_OR_RETURN(filter.op, Str("filters.operator", val));
        } else if (key == "value") {
          GF_ASSIGN_OR_RETURN(filter.value, Str("filters.value", val));
        } else if (key == "includeDescendantTerms") {
          GF_ASSIGN_OR_RETURN(filter.include_descendants,
                              Bool("filters.includeDescendantTerms", val));
        } else if (key == "similarity" || key == "scope") {
          // Accepted: similarity other than "exact" widens nothing here; scope is implied by
          // the endpoint (individuals carry every filterable field).
        } else {
          return InvalidArgument("filters: unknown filter property '" + key +
                                 "' (expected id, operator, value, includeDescendantTerms, "
                                 "similarity, scope)");
        }
      }
      filter.id = std::string(TrimSpace(filter.id));
      if (filter.id.empty()) return InvalidArgument("filters: a filter object needs an 'id'");
      if (filter.op.empty() != filter.value.empty()) {
        return InvalidArgument("filters: filter '" + filter.id +
                               "' needs both 'operator' and 'value', or neither");
      }
      out.push_back(std::move(filter));
    }
  } else {
    return InvalidArgument("filters must be a list of filter ids or objects");
  }
  if (out.size() > kMaxFilters) {
    return InvalidArgument("at most " + std::to_string(kMaxFilters) + " filters per request");
  }
  return Status::Ok();
}

bool IsGenomicKey(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "referenceName", "start",  "end",        "referenceBases",   "alternateBases",
      "variantType",   "geneId", "assemblyId", "variantMinLength", "variantMaxLength"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

bool IsUnsupportedBeaconKey(std::string_view key) {
  static constexpr std::string_view kKeys[] = {"aminoacidChange", "genomicAlleleShortForm",
                                               "mateName", "variantId"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

Status ApplyGenomic(VariantQuery& q, const std::string& key, const json& v) {
  if (key == "referenceName") {
    GF_ASSIGN_OR_RETURN(q.reference_name, Str(key, v));
  } else if (key == "start") {
    GF_ASSIGN_OR_RETURN(auto xs, IntList(key, v, /*allow_pair=*/true));
    q.start = xs[0];
    if (xs.size() == 2) q.start_max = xs[1];
  } else if (key == "end") {
    GF_ASSIGN_OR_RETURN(auto xs, IntList(key, v, /*allow_pair=*/true));
    q.end = xs[0];
    if (xs.size() == 2) q.end_max = xs[1];
  } else if (key == "referenceBases") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    q.reference_bases = Upper(TrimSpace(s));
    q.has_reference_bases = true;
  } else if (key == "alternateBases") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    q.alternate_bases = Upper(TrimSpace(s));
    q.has_alternate_bases = true;
  } else if (key == "variantType") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    q.variant_type = Upper(TrimSpace(s));
  } else if (key == "geneId") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    q.gene_id = std::string(TrimSpace(s));
  } else if (key == "assemblyId") {
    GF_ASSIGN_OR_RETURN(q.assembly_id, Str(key, v));
  } else if (key == "variantMinLength") {
    GF_ASSIGN_OR_RETURN(auto xs, IntList(key, v, false));
    q.min_length = xs[0];
  } else if (key == "variantMaxLength") {
    GF_ASSIGN_OR_RETURN(auto xs, IntList(key, v, false));
    q.max_length = xs[0];
  }
  return Status::Ok();
}

// Framework parameters that may appear flat (GET, flat POST) or inside `query`.
// Returns false when `key` is not one of them.
Result<bool> ApplyFramework(BeaconRequest& r, const std::string& key, const json& v) {
  if (key == "filters") {
    GF_RETURN_IF_ERROR(ParseFilters(v, r.filters));
  } else if (key == "includeResultsetResponses") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    s = Upper(s);
    if (s == "HIT") {
      r.include = IncludeResultsets::kHit;
    } else if (s == "MISS") {
      r.include = IncludeResultsets::kMiss;
    } else if (s == "ALL") {
      r.include = IncludeResultsets::kAll;
    } else if (s == "NONE") {
      r.include = IncludeResultsets::kNone;
    } else {
      return InvalidArgument("includeResultsetResponses must be HIT, MISS, ALL or NONE, got '" +
                             s.substr(0, 20) + "'");
    }
  } else if (key == "skip" || key == "limit") {
    GF_ASSIGN_OR_RETURN(auto xs, IntList(key, v, false));
    if (xs[0] < 0) return InvalidArgument(key + " must be ≥ 0");
    if (key == "skip") {
      r.skip = static_cast<uint64_t>(xs[0]);
    } else {
      if (static_cast<uint64_t>(xs[0]) > kMaxLimit) {
        return InvalidArgument("limit must be ≤ " + std::to_string(kMaxLimit));
      }
      r.limit = static_cast<uint64_t>(xs[0]);
    }
  } else if (key == "pagination") {
    if (!v.is_object()) return InvalidArgument("pagination must be an object");
    for (const auto& [k, x] : v.items()) {
      if (k == "skip" || k == "limit") {
        GF_ASSIGN_OR_RETURN(bool ok, ApplyFramework(r, k, x));
        (void)ok;
      } else if (k != "currentPage" && k != "nextPage" && k != "previousPage") {
        return InvalidArgument("pagination: unknown property '" + k + "'");
      }
    }
  } else if (key == "requestedGranularity") {
    GF_ASSIGN_OR_RETURN(std::string s, Str(key, v));
    auto g = ParseGranularity(s);
    if (!g.ok()) {
      return InvalidArgument("requestedGranularity must be boolean, count or record, got '" +
                             s.substr(0, 20) + "'");
    }
    r.requested_granularity = *g;
  } else if (key == "testMode") {
    GF_ASSIGN_OR_RETURN(r.test_mode, Bool(key, v));
  } else if (key == "datasetIds" || key == "datasets") {
    if (v.is_object() && v.contains("datasetIds"))
      return ApplyFramework(r, "datasetIds", v["datasetIds"]);
    if (v.is_string()) {
      r.dataset_ids = SplitComma(v.get_ref<const std::string&>());
    } else if (v.is_array()) {
      for (const auto& x : v) {
        GF_ASSIGN_OR_RETURN(std::string s, Str(key, x));
        r.dataset_ids.push_back(s);
      }
    } else {
      return InvalidArgument("datasetIds must be a list of dataset ids");
    }
  } else if (key == "requestedSchema" || key == "requestedSchemas" || key == "apiVersion" ||
             key == "$schema") {
    if (key == "apiVersion" && v.is_string()) r.api_version = v.get<std::string>();
  } else {
    return false;
  }
  return true;
}

Status ApplyAny(BeaconRequest& r, VariantQuery& q, bool& genomic, const std::string& key,
                const json& v) {
  // The genomicVariations requestParameters schema nests its parameters under `g_variant`
  // (and the echo of receivedRequestSummary under `genomicVariation`): both are accepted.
  if (key == "g_variant" || key == "genomicVariation") {
    if (!v.is_object()) return InvalidArgument(key + " must be an object of request parameters");
    for (const auto& [k, x] : v.items()) {
      if (!IsGenomicKey(k) && !IsUnsupportedBeaconKey(k)) {
        return InvalidArgument("unknown genomic request parameter '" + k.substr(0, 60) + "' in " +
                               key);
      }
      GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, k, x));
    }
    return Status::Ok();
  }
  if (IsGenomicKey(key)) {
    genomic = true;
    return ApplyGenomic(q, key, v);
  }
  if (IsUnsupportedBeaconKey(key)) {
    return Unimplemented("request parameter '" + key + "' is not supported by this beacon");
  }
  GF_ASSIGN_OR_RETURN(bool known, ApplyFramework(r, key, v));
  if (!known) {
    return InvalidArgument(
        "unknown request parameter '" + key.substr(0, 60) +
        "'; expected referenceName, start, end, referenceBases, alternateBases, variantType, "
        "geneId, assemblyId, variantMinLength, variantMaxLength, filters, "
        "includeResultsetResponses, skip, limit, requestedGranularity, testMode, datasetIds");
  }
  return Status::Ok();
}

Status Finish(BeaconRequest& r, VariantQuery& q, bool genomic) {
  if (genomic) {
    GF_RETURN_IF_ERROR(ValidateVariantQuery(q));
    r.variant = std::move(q);
  }
  return Status::Ok();
}

bool ValidBases(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == 'A' || c == 'C' || c == 'G' || c == 'T' || c == 'N';
  });
}

}  // namespace

std::string_view IncludeResultsetsName(IncludeResultsets v) {
  switch (v) {
    case IncludeResultsets::kHit:
      return "HIT";
    case IncludeResultsets::kMiss:
      return "MISS";
    case IncludeResultsets::kAll:
      return "ALL";
    case IncludeResultsets::kNone:
      return "NONE";
  }
  return "HIT";
}

uint64_t BeaconRequest::page_size() const { return limit == 0 ? kMaxLimit : limit; }

uint64_t BeaconRequest::first_record() const {
  const uint64_t page = page_size();
  if (skip > std::numeric_limits<uint64_t>::max() / page) {
    return std::numeric_limits<uint64_t>::max();
  }
  return skip * page;
}

std::string VariantQuery::effective_assembly() const {
  return assembly_id.empty() ? implied_assembly : QueryAssembly(assembly_id);
}

namespace {

// A sequence query of two concrete alleles (no N) is trimmed as ingest trims the data, so the
// form `bcftools norm -m-` writes (GCC>GCCCC of a split multi-allelic site) finds the allele
// stored as G>GCC.
void NormaliseSequenceQuery(VariantQuery& q) {
  if (q.reference_bases.empty() || q.alternate_bases.empty()) return;
  if (q.reference_bases.find('N') != std::string::npos ||
      q.alternate_bases.find('N') != std::string::npos) {
    return;  // a wildcard is not a base: trimming across it could drop a real difference
  }
  int64_t pos = *q.start + 1;
  ingest::TrimAlleles(pos, q.reference_bases, q.alternate_bases);
  q.start = pos - 1;
}

}  // namespace

Status ValidateVariantQuery(VariantQuery& q) {
  // The schema's pattern admits '-' and '.' besides the empty string: all three are the empty
  // value, the spec's form for an insertion's referenceBases or a deletion's alternateBases.
  for (std::string* bases : {&q.reference_bases, &q.alternate_bases}) {
    if (*bases == "." || *bases == "-") bases->clear();
    if (!ValidBases(*bases)) {
      return InvalidArgument(
          std::string(bases == &q.reference_bases ? "referenceBases" : "alternateBases") +
          " must be a sequence of A, C, G, T or N (empty, '-' or '.' for none), got '" +
          bases->substr(0, 40) + "'");
    }
  }
  if (!q.variant_type.empty()) {
    if (q.variant_type == "SNV") q.variant_type = "SNP";
    static constexpr std::string_view kTypes[] = {"SNP", "MNP", "INDEL", "INS", "DEL"};
    if (std::find(std::begin(kTypes), std::end(kTypes), q.variant_type) == std::end(kTypes)) {
      return InvalidArgument("variantType '" + q.variant_type.substr(0, 20) +
                             "' is not supported; use SNP, MNP, INDEL, INS or DEL");
    }
  }
  if (q.min_length && *q.min_length < 0) return InvalidArgument("variantMinLength must be ≥ 0");
  if (q.max_length && *q.max_length < 0) return InvalidArgument("variantMaxLength must be ≥ 0");
  if (q.min_length && q.max_length && *q.min_length > *q.max_length) {
    return InvalidArgument("variantMinLength must not exceed variantMaxLength");
  }
  auto resolve_name = [&q]() -> Status {
    GF_ASSIGN_OR_RETURN(ResolvedReference ref, ResolveReferenceName(TrimSpace(q.reference_name)));
    q.contig = std::move(ref.contig);
    q.implied_assembly = std::move(ref.assembly);
    if (!q.implied_assembly.empty() && !q.assembly_id.empty() &&
        QueryAssembly(q.assembly_id) != q.implied_assembly) {
      return InvalidArgument("referenceName '" + q.reference_name.substr(0, 40) + "' is a " +
                             q.implied_assembly + " accession but assemblyId is '" +
                             q.assembly_id.substr(0, 40) + "'");
    }
    return Status::Ok();
  };
  if (!q.gene_id.empty()) {
    if (q.start || q.end) {
      return InvalidArgument("geneId cannot be combined with start/end; use one or the other");
    }
    if (!q.reference_name.empty()) GF_RETURN_IF_ERROR(resolve_name());
    return Status::Ok();
  }
  if (q.reference_name.empty()) {
    if (q.start || q.end || q.has_reference_bases || q.has_alternate_bases ||
        !q.variant_type.empty() || q.min_length || q.max_length) {
      return InvalidArgument(
          "referenceName is required for a genomic query (sequence, range or bracket); or give "
          "geneId");
    }
    return Status::Ok();  // only assemblyId: nothing to match on
  }
  if (TrimSpace(q.reference_name).empty()) return InvalidArgument("referenceName is empty");
  GF_RETURN_IF_ERROR(resolve_name());
  if (q.contig.empty()) return InvalidArgument("referenceName is empty");
  if (q.end && !q.start) return InvalidArgument("end needs a start");
  if (q.start && *q.start < 0) return InvalidArgument("start must be ≥ 0 (0-based coordinates)");
  if (q.start_max && *q.start_max < *q.start) {
    return InvalidArgument("start=[min,max]: min must not exceed max");
  }
  if (q.end && *q.end < 0) return InvalidArgument("end must be ≥ 0");
  if (q.end_max && *q.end_max < *q.end) {
    return InvalidArgument("end=[min,max]: min must not exceed max");
  }
  if (q.is_bracket()) {
    if (!q.end) return InvalidArgument("a bracket query needs both start=[a,b] and end=[c,d]");
    if (*q.end_max < *q.start) {
      return InvalidArgument("bracket query: the end bracket lies before the start bracket");
    }
  } else if (q.end && *q.end <= *q.start) {
    return InvalidArgument("end (" + std::to_string(*q.end) + ") must be greater than start (" +
                           std::to_string(*q.start) + "); coordinates are 0-based, half-open");
  }
  const bool empty_ref = q.has_reference_bases && q.reference_bases.empty();
  const bool empty_alt = q.has_alternate_bases && q.alternate_bases.empty();
  if (empty_ref && empty_alt) {
    return InvalidArgument("referenceBases and alternateBases cannot both be empty");
  }
  if (q.start && !q.end) {
    // "the use of `start` without an `end` parameter requires the use of `alternateBases`"
    // (genomicVariations request parameters); variantType stands in for it (an SV at start).
    if (!q.has_alternate_bases && q.variant_type.empty()) {
      return InvalidArgument(
          "a query with start and no end needs alternateBases (empty, '-' or '.' for a "
          "deletion, N for any base) or variantType; for a range give end too");
    }
    if (empty_alt && !q.has_reference_bases) {
      return InvalidArgument(
          "alternateBases is empty (a deletion): give the deleted bases in referenceBases");
    }
  }
  // One side empty: the spec's unpadded indel form (the store holds VCF's padded one).
  q.unanchored = empty_ref || empty_alt;
  if (q.unanchored && q.start && !q.end && *q.start < 1) {
    return InvalidArgument("an insertion or deletion at start 0 has no base before it");
  }
  if (q.start && !q.end && !q.unanchored) NormaliseSequenceQuery(q);
  return Status::Ok();
}

Result<BeaconRequest> ParseGetRequest(const QueryMap& params) {
  BeaconRequest r;
  VariantQuery q;
  bool genomic = false;
  for (const auto& [key, value] : params) {
    GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, key, json(value)));
  }
  GF_RETURN_IF_ERROR(Finish(r, q, genomic));
  return r;
}

Result<BeaconRequest> ParsePostRequest(std::string_view body) {
  BeaconRequest r;
  VariantQuery q;
  bool genomic = false;
  if (TrimSpace(body).empty()) return r;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgument("request body is not valid JSON");
  }
  if (!doc.is_object()) return InvalidArgument("request body must be a JSON object");
  bool nested = doc.contains("query") || doc.contains("meta");
  if (!nested) {
    for (const auto& [key, v] : doc.items()) {
      if (key == "requestParameters") {
        if (!v.is_object()) return InvalidArgument("requestParameters must be an object");
        for (const auto& [k, x] : v.items()) GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, k, x));
        continue;
      }
      GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, key, v));
    }
    GF_RETURN_IF_ERROR(Finish(r, q, genomic));
    return r;
  }
  for (const auto& [key, v] : doc.items()) {
    if (key == "meta") {
      if (!v.is_object()) return InvalidArgument("meta must be an object");
      // Informational (apiVersion, requestedSchemas, beaconId...): lenient, never an error.
      if (auto av = v.find("apiVersion"); av != v.end() && av->is_string()) {
        r.api_version = av->get<std::string>();
      }
    } else if (key == "query") {
      if (!v.is_object()) return InvalidArgument("query must be an object");
      for (const auto& [k, x] : v.items()) {
        if (k == "requestParameters") {
          if (!x.is_object()) return InvalidArgument("query.requestParameters must be an object");
          for (const auto& [pk, px] : x.items()) {
            GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, pk, px));
          }
        } else {
          GF_RETURN_IF_ERROR(ApplyAny(r, q, genomic, k, x));
        }
      }
    } else if (key != "$schema") {
      return InvalidArgument("unknown top-level property '" + key.substr(0, 60) +
                             "' in request body; expected meta and query");
    }
  }
  GF_RETURN_IF_ERROR(Finish(r, q, genomic));
  return r;
}

}  // namespace genomefed::beacon
