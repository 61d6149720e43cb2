#include "beacon/beacon.h"

#include "beacon/reference_names.h"
#include "ingest/normalize.h"
#include "ingest/reference.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace genomefed::beacon {
namespace {

using nlohmann::json;

std::string_view VariantType(const store::AlleleKey& k) {
  if (k.ref.size() == k.alt.size()) return k.ref.size() == 1 ? "SNP" : "MNP";
  return k.ref.size() < k.alt.size() ? "INS" : "DEL";
}

int64_t VariantLength(const store::AlleleKey& k) {
  if (k.ref.size() == k.alt.size()) return static_cast<int64_t>(k.ref.size());
  return std::abs(static_cast<int64_t>(k.alt.size()) - static_cast<int64_t>(k.ref.size()));
}

bool BasesMatch(std::string_view pattern, std::string_view bases) {
  if (pattern.empty()) return true;
  if (pattern.size() != bases.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != 'N' && pattern[i] != bases[i]) return false;
  }
  return true;
}

Granularity MinG(Granularity a, Granularity b) { return a < b ? a : b; }

// A query in the spec's unpadded indel form (referenceBases or alternateBases empty) against a
// stored, VCF-padded allele: the same bases after one shared padding base. A side that was not
// sent is open; a side sent empty must be empty.
// Beacon v2.2 (beaconCommonComponents CountAdjustedTo): an array of strings naming what the
// count was adjusted to; here the one threshold a low count was raised to.
json CountAdjustedTo(uint64_t value) { return json::array({std::to_string(value)}); }

bool UnanchoredMatch(const VariantQuery& q, const store::AlleleKey& k) {
  if (k.ref.empty() || k.alt.empty() || k.ref[0] != k.alt[0]) return false;
  const std::string_view ref = std::string_view(k.ref).substr(1);
  const std::string_view alt = std::string_view(k.alt).substr(1);
  if (q.has_reference_bases && q.reference_bases.empty() ? !ref.empty()
                                                         : !BasesMatch(q.reference_bases, ref)) {
    return false;
  }
  if (q.has_alternate_bases && q.alternate_bases.empty() ? !alt.empty()
                                                         : !BasesMatch(q.alternate_bases, alt)) {
    return false;
  }
  return ref.size() != alt.size();  // an indel, not a padded substitution
}

}  // namespace

ReleasedCount ReleaseCount(uint64_t count, const DatasetAccess& access) {
  if (access.exact_counts || count == 0 || count >= access.min_count) return {count, true};
  return {access.min_count, false};
}

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/", Endpoint::kInfo},
      {"GET", "/info", Endpoint::kInfo},
      {"GET", "/service-info", Endpoint::kServiceInfo},
      {"GET", "/map", Endpoint::kMap},
      {"GET", "/configuration", Endpoint::kConfiguration},
      {"GET", "/entry_types", Endpoint::kEntryTypes},
      {"GET", "/filtering_terms", Endpoint::kFilteringTerms},
      {"POST", "/filtering_terms", Endpoint::kFilteringTerms},
      {"GET", "/datasets", Endpoint::kDatasets},
      {"POST", "/datasets", Endpoint::kDatasets},
      {"GET", "/datasets/{id}", Endpoint::kDataset},
      {"GET", "/datasets/{id}/g_variants", Endpoint::kDatasetGVariants},
      {"POST", "/datasets/{id}/g_variants", Endpoint::kDatasetGVariants},
      {"GET", "/datasets/{id}/individuals", Endpoint::kDatasetIndividuals},
      {"POST", "/datasets/{id}/individuals", Endpoint::kDatasetIndividuals},
      {"GET", "/g_variants", Endpoint::kGVariants},
      {"POST", "/g_variants", Endpoint::kGVariants},
      {"GET", "/g_variants/{id}", Endpoint::kGVariant},
      {"POST", "/g_variants/{id}", Endpoint::kGVariant},
      {"GET", "/g_variants/{id}/individuals", Endpoint::kGVariantIndividuals},
      {"POST", "/g_variants/{id}/individuals", Endpoint::kGVariantIndividuals},
      {"GET", "/individuals", Endpoint::kIndividuals},
      {"POST", "/individuals", Endpoint::kIndividuals},
      {"GET", "/individuals/{id}", Endpoint::kIndividual},
      {"POST", "/individuals/{id}", Endpoint::kIndividual},
      {"GET", "/cohorts", Endpoint::kCohorts},
      {"POST", "/cohorts", Endpoint::kCohorts},
      {"GET", "/cohorts/{id}", Endpoint::kCohort},
  };
  return kRoutes;
}

// Filter value → sample set per dataset, so that repeated filters cost a lookup. Bounded: when
// full it is cleared (the sets are cheap to rebuild; a least-recently-used list would cost more
// on the hot path than it saves).
struct Beacon::FilterCache {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const store::SampleSet>> sets;  // GUARDED_BY(mu)
  std::unordered_map<std::string, std::vector<std::string>> populations;          // GUARDED_BY(mu)
  static constexpr size_t kMaxEntries = 4096;
};

Beacon::Beacon(NodeConfig config, const store::Store* store, const ontology::Ontology* hpo,
               const GeneTable* genes)
    : config_(std::move(config)),
      store_(store),
      hpo_(hpo),
      genes_(genes),
      cache_(std::make_unique<FilterCache>()) {
  if (config_.public_url.empty()) config_.public_url = "http://" + config_.listen;
  while (!config_.public_url.empty() && config_.public_url.back() == '/') {
    config_.public_url.pop_back();
  }
}

Beacon::~Beacon() = default;

Status Beacon::OpenReferences() {
  for (const DatasetConfig& dc : config_.datasets) {
    if (dc.reference_fasta.empty()) continue;
    auto fasta = ingest::ReferenceFasta::Open(dc.reference_fasta);
    if (!fasta.ok())
      return fasta.status().WithContext("[[datasets]] " + dc.id + " reference_fasta");
    references_[dc.id] = std::move(fasta).value();
  }
  return Status::Ok();
}

const ingest::ReferenceFasta* Beacon::ReferenceFor(std::string_view dataset_id) const {
  auto it = references_.find(dataset_id);
  return it == references_.end() ? nullptr : it->second.get();
}

Result<BeaconRequest> Beacon::ParseCall(const Call& call) {
  if (call.method == "POST") {
    GF_ASSIGN_OR_RETURN(BeaconRequest r, ParsePostRequest(call.body));
    // Query parameters on a POST are honoured too (e.g. ?requestedGranularity=count).
    if (!call.query.empty()) {
      GF_ASSIGN_OR_RETURN(BeaconRequest g, ParseGetRequest(call.query));
      if (g.variant && !r.variant) r.variant = g.variant;
      r.filters.insert(r.filters.end(), g.filters.begin(), g.filters.end());
      if (g.requested_granularity) r.requested_granularity = g.requested_granularity;
      if (call.query.count("skip")) r.skip = g.skip;
      if (call.query.count("limit")) r.limit = g.limit;
      if (call.query.count("includeResultsetResponses")) r.include = g.include;
      if (!g.dataset_ids.empty()) r.dataset_ids = g.dataset_ids;
    }
    return r;
  }
  return ParseGetRequest(call.query);
}

// ---------------------------------------------------------------------------------------------
// Entry point

Reply Beacon::Handle(const Call& call, const AccessFn& access, const ReleaseGate& gate) const {
  Reply reply;
  try {
    // Hot path: aggregate (boolean / count) answers are written straight to text, without
    // building a JSON tree; anything else, and every error, goes through Dispatch.
    if (call.endpoint == Endpoint::kGVariants || call.endpoint == Endpoint::kIndividuals) {
      auto r = ParseCall(call);
      if (r.ok()) {
        const bool variants = call.endpoint == Endpoint::kGVariants;
        auto results = variants ? QueryGenomicVariants(*r, access) : QueryIndividuals(*r, access);
        if (results.ok() && gate) {
          if (Status released = gate(*results); !released.ok()) results = released;
        }
        if (results.ok()) {
          bool record = false;
          for (const auto& res : *results)
            record = record || res.granularity == Granularity::kRecord;
          const std::string_view entity = variants ? "genomicVariation" : "individual";
          if (!record) {
            reply.body = RenderAggregateText(*r, *results, entity);
          } else {
            reply.body = RenderResultsets(*r, *results, entity)
                             .dump(-1, ' ', false, json::error_handler_t::replace);
          }
          return reply;
        }
      }
    }
    auto result = Dispatch(call, access, gate);
    if (result.ok()) {
      reply.body = result->dump(-1, ' ', false, json::error_handler_t::replace);
      return reply;
    }
    auto parsed = ParseCall(call);
    json err = RenderError(result.status(), parsed.ok() ? &parsed.value() : nullptr);
    reply.status = HttpStatusFor(result.status().code());
    reply.body = err.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception& e) {
    // A bug, never input: nlohmann only throws on misuse once inputs are validated.
    reply.status = 500;
    reply.body = ErrorBody(500, "internal error");
  }
  return reply;
}

Result<json> Beacon::Dispatch(const Call& call, const AccessFn& access,
                              const ReleaseGate& gate) const {
  json out;
  switch (call.endpoint) {
    case Endpoint::kInfo:
      out["meta"] = InformationalMeta("info");
      out["response"] = InfoResults();
      return out;
    case Endpoint::kServiceInfo:
      return ServiceInfo();
    case Endpoint::kMap:
      return MapResponse();
    case Endpoint::kConfiguration:
      return ConfigurationResponse();
    case Endpoint::kEntryTypes:
      return EntryTypesResponse();
    case Endpoint::kFilteringTerms:
      return FilteringTermsResponse();
    default:
      break;
  }
  GF_ASSIGN_OR_RETURN(BeaconRequest r, ParseCall(call));
  switch (call.endpoint) {
    case Endpoint::kDatasets:
      return DatasetsResponse("", r);
    case Endpoint::kDataset:
      return DatasetsResponse(call.id, r);
    case Endpoint::kCohorts:
      return CohortsResponse("", r, access);
    case Endpoint::kCohort:
      return CohortsResponse(call.id, r, access);
    case Endpoint::kDatasetGVariants:
    case Endpoint::kGVariants: {
      if (call.endpoint == Endpoint::kDatasetGVariants) {
        if (!store_->dataset(call.id)) return NotFound("no dataset '" + call.id + "'");
        r.dataset_ids = {call.id};
      }
      GF_ASSIGN_OR_RETURN(auto results, QueryGenomicVariants(r, access));
      if (gate) GF_RETURN_IF_ERROR(gate(results));
      return RenderResultsets(r, results, "genomicVariation");
    }
    case Endpoint::kDatasetIndividuals:
    case Endpoint::kIndividuals: {
      if (call.endpoint == Endpoint::kDatasetIndividuals) {
        if (!store_->dataset(call.id)) return NotFound("no dataset '" + call.id + "'");
        r.dataset_ids = {call.id};
      }
      GF_ASSIGN_OR_RETURN(auto results, QueryIndividuals(r, access));
      if (gate) GF_RETURN_IF_ERROR(gate(results));
      return RenderResultsets(r, results, "individual");
    }
    case Endpoint::kGVariant:
      return VariantById(call.id, r, access, gate, /*individuals=*/false);
    case Endpoint::kGVariantIndividuals:
      return VariantById(call.id, r, access, gate, /*individuals=*/true);
    case Endpoint::kIndividual:
      return IndividualById(call.id, r, access);
    default:
      return Internal("unrouted Beacon endpoint");
  }
}

// ---------------------------------------------------------------------------------------------
// Meta sections and informational endpoints

json Beacon::InformationalMeta(std::string_view entity_type) const {
  return beacon::InformationalMeta(config_.id, entity_type);
}

json Beacon::Meta(const BeaconRequest* request, Granularity returned,
                  std::string_view entity_type) const {
  return ResponseMeta(config_.id, request, returned, entity_type);
}

json Beacon::InfoResults() const {
  json r;
  r["id"] = config_.id;
  r["name"] = config_.name.empty() ? config_.id : config_.name;
  r["apiVersion"] = kApiVersion;
  r["environment"] = "prod";
  r["organization"] = {{"id", config_.id},
                       {"name", config_.name.empty() ? config_.id : config_.name}};
  r["description"] = "genomefed node " + config_.id +
                     (config_.country.empty() ? std::string() : " (" + config_.country + ")");
  r["version"] = GENOMEFED_BEACON_VERSION;
  r["welcomeUrl"] = config_.public_url + "/api";
  r["info"] = {{"country", config_.country}, {"datasets", store_->dataset_ids()}};
  return r;
}

json Beacon::ServiceInfo() const {
  json s;
  s["id"] = config_.id;
  s["name"] = config_.name.empty() ? config_.id : config_.name;
  s["type"] = {{"group", "org.ga4gh"}, {"artifact", "beacon"}, {"version", "2.1.1"}};
  s["description"] = "GA4GH Beacon v2 of genomefed node " + config_.id;
  s["organization"] = {{"name", config_.name.empty() ? config_.id : config_.name},
                       {"url", config_.public_url}};
  s["version"] = GENOMEFED_BEACON_VERSION;
  s["environment"] = "prod";
  s["url"] = config_.public_url + "/api";
  return s;
}

json Beacon::MapResponse() const {
  return beacon::MapResponse(config_.id, config_.public_url + "/api");
}

json Beacon::EntryTypesResponse() const { return beacon::EntryTypesResponse(config_.id); }

json Beacon::ConfigurationResponse() const {
  return beacon::ConfigurationResponse(config_.id, config_.policy.public_granularity);
}

std::string Beacon::OntologyLabel(std::string_view id) const {
  if (auto k = ontology::KnownLabel(id)) return std::string(*k);
  if (hpo_) {
    if (auto n = hpo_->Name(id)) return *n;
  }
  return {};
}

json Beacon::FilteringTermsResponse() const {
  // field → term id → has label; counts are deliberately not published (small cells).
  std::map<std::string, std::string> terms;  // id → type
  std::map<std::string, std::string> labels;
  for (const auto& id : store_->dataset_ids()) {
    const store::Dataset* d = store_->dataset(id);
    for (auto field :
         {store::SampleField::kSex, store::SampleField::kPhenotype, store::SampleField::kDisease,
          store::SampleField::kConsent, store::SampleField::kPopulation}) {
      for (const auto& [value, n] : d->ValueCounts(field)) {
        if (value.empty() || n == 0) continue;
        if (field == store::SampleField::kPopulation) {
          terms["population:" + value] = "custom";
          labels["population:" + value] = value;
        } else {
          terms[value] = "ontologyTerm";
          std::string label = OntologyLabel(value);
          if (!label.empty()) labels[value] = label;
        }
      }
    }
  }
  json list = json::array();
  for (const auto& [id, type] : terms) {
    json t = {
        {"type", type}, {"id", id}, {"scopes", json::array({"individual", "genomicVariation"})}};
    if (auto it = labels.find(id); it != labels.end()) t["label"] = it->second;
    list.push_back(std::move(t));
  }
  json resources = OntologyResources(hpo_ ? hpo_->version() : std::string());
  json out;
  out["meta"] = InformationalMeta("filteringTerm");
  out["response"] = {{"filteringTerms", std::move(list)}, {"resources", std::move(resources)}};
  return out;
}

std::string Beacon::DatasetName(std::string_view id) const {
  for (const auto& d : config_.datasets) {
    if (d.id == id && !d.name.empty()) return d.name;
  }
  return std::string(id);
}

// ---------------------------------------------------------------------------------------------
// Collections

Result<json> Beacon::DatasetsResponse(const std::string& id, const BeaconRequest& r) const {
  std::vector<std::string> ids = id.empty() ? store_->dataset_ids() : std::vector<std::string>{id};
  if (!id.empty() && !store_->dataset(id)) return NotFound("no dataset '" + id + "'");
  json collections = json::array();
  for (const auto& did : ids) {
    const store::Dataset* d = store_->dataset(did);
    if (!d) continue;
    const DatasetConfig* dc = nullptr;
    for (const auto& c : config_.datasets) {
      if (c.id == did) dc = &c;
    }
    json c;
    c["id"] = did;
    c["name"] = DatasetName(did);
    if (dc && !dc->description.empty()) c["description"] = dc->description;
    c["externalUrl"] = config_.public_url + "/api/datasets/" + did;
    c["version"] = std::to_string(d->generation());
    if (dc && !dc->consent_codes.empty()) {
      json duo = json::array();
      for (const auto& code : dc->consent_codes) {
        auto label = ontology::KnownLabel(code);
        duo.push_back({{"id", code},
                       {"label", label ? std::string(*label) : code},
                       {"version", "2021-02-23"}});
      }
      c["dataUseConditions"] = {{"duoDataUse", std::move(duo)}};
    }
    c["info"] = {{"sampleCount", d->sample_count()},
                 {"alleleCount", d->carried_allele_count()},
                 {"contigs", d->contigs()},
                 {"node", config_.id},
                 {"country", config_.country}};
    if (dc && !dc->assembly_id.empty()) c["info"]["assemblyId"] = dc->assembly_id;
    collections.push_back(std::move(c));
  }
  json out;
  out["meta"] = Meta(&r, Granularity::kRecord, "dataset");
  out["responseSummary"] = {{"exists", !collections.empty()},
                            {"numTotalResults", collections.size()}};
  out["response"] = {{"collections", std::move(collections)}};
  return out;
}

Result<json> Beacon::CohortsResponse(const std::string& id, const BeaconRequest& r,
                                     const AccessFn& access) const {
  if (!id.empty() && !store_->dataset(id)) return NotFound("no cohort '" + id + "'");
  std::vector<std::string> ids = id.empty() ? store_->dataset_ids() : std::vector<std::string>{id};
  json collections = json::array();
  for (const auto& did : ids) {
    const store::Dataset* d = store_->dataset(did);
    if (!d) continue;
    // One beacon-defined cohort per dataset: its samples. The size is the dataset's public
    // sample count (shown in /datasets too), so disclosure control does not apply.
    (void)access;
    json c;
    c["id"] = did;
    c["name"] = DatasetName(did);
    c["cohortType"] = "beacon-defined";
    c["cohortSize"] = d->sample_count();
    json genders = json::array();
    for (const auto& [sex, n] : d->ValueCounts(store::SampleField::kSex)) {
      if (sex.empty() || n == 0) continue;
      genders.push_back({{"id", sex}, {"label", OntologyLabel(sex)}});
    }
    if (!genders.empty()) c["inclusionCriteria"] = {{"genders", std::move(genders)}};
    collections.push_back(std::move(c));
  }
  json out;
  out["meta"] = Meta(&r, Granularity::kRecord, "cohort");
  out["responseSummary"] = {{"exists", !collections.empty()},
                            {"numTotalResults", collections.size()}};
  out["response"] = {{"collections", std::move(collections)}};
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters

Result<std::vector<const store::Dataset*>> Beacon::SelectDatasets(const BeaconRequest& r) const {
  std::vector<const store::Dataset*> out;
  if (r.dataset_ids.empty()) {
    for (const auto& id : store_->dataset_ids()) out.push_back(store_->dataset(id));
    return out;
  }
  for (const auto& id : r.dataset_ids) {
    const store::Dataset* d = store_->dataset(id);
    if (!d) return InvalidArgument("datasetIds: no dataset '" + id.substr(0, 80) + "' here");
    out.push_back(d);
  }
  return out;
}

Result<store::SampleSet> Beacon::ResolveFilter(const store::Dataset& d, const Filter& f) const {
  using store::SampleField;
  std::string key = d.id() + '\x1f' + std::to_string(d.generation()) + '\x1f' + f.id + '\x1f' +
                    f.op + '\x1f' + f.value + (f.include_descendants ? "+" : "-");
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    auto it = cache_->sets.find(key);
    if (it != cache_->sets.end()) return *it->second;
  }
  store::SampleSet set(d.sample_count());
  auto prefix_of = [](std::string_view id) {
    auto c = id.find(':');
    std::string p(id.substr(0, c == std::string_view::npos ? 0 : c));
    for (char& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return p;
  };
  if (!f.op.empty()) {
    if (f.op != "=") {
      return InvalidArgument("filter '" + f.id + "': only the operator '=' is supported");
    }
    std::string field = f.id;
    for (char& ch : field) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (field == "sex") {
      std::string v = f.value;
      for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string code = v == "male"     ? std::string(store::kNcitMale)
                         : v == "female" ? std::string(store::kNcitFemale)
                                         : f.value;
      set = d.SamplesMatching(SampleField::kSex, {code});
    } else if (field == "population" || field == "ethnicity") {
      set = d.SamplesMatching(SampleField::kPopulation, {f.value});
    } else if (field == "phenotype" || field == "disease" || field == "consent") {
      Filter inner{f.value, "", "", f.include_descendants};
      return ResolveFilter(d, inner);
    } else {
      return InvalidArgument("alphanumeric filter on '" + f.id.substr(0, 40) +
                             "' is not supported; use sex, population, phenotype, disease or "
                             "consent");
    }
  } else if (f.id.rfind("population:", 0) == 0) {
    set = d.SamplesMatching(SampleField::kPopulation, {f.id.substr(11)});
  } else {
    std::string prefix = prefix_of(f.id);
    if (prefix == "HP") {
      std::vector<std::string> values =
          f.include_descendants && hpo_ ? hpo_->Descendants(f.id) : std::vector<std::string>{};
      if (values.empty()) values.push_back(f.id);
      if (hpo_) {
        if (auto p = hpo_->Primary(f.id); p && *p != f.id) values.push_back(*p);
      }
      set = d.SamplesMatching(SampleField::kPhenotype, values);
    } else if (prefix == "NCIT" && (f.id == store::kNcitMale || f.id == store::kNcitFemale ||
                                    f.id == store::kNcitUnknownSex)) {
      set = d.SamplesMatching(SampleField::kSex, {f.id});
    } else if (prefix == "DUO") {
      set = d.SamplesMatching(SampleField::kConsent, {f.id});
    } else if (prefix.rfind("ICD10", 0) == 0) {
      // ICD-10 is a code hierarchy: "ICD10:E11" covers "ICD10:E11.9" (and "E119" written
      // without the dot). Exact when descendants are not wanted.
      std::vector<std::string> values{f.id};
      if (f.include_descendants) {
        for (const auto& [v, n] : d.ValueCounts(SampleField::kDisease)) {
          if (v.size() > f.id.size() && v.compare(0, f.id.size(), f.id) == 0) values.push_back(v);
        }
      }
      set = d.SamplesMatching(SampleField::kDisease, values);
    } else {
      // Any other CURIE: whichever field holds it (diseases from other vocabularies,
      // ethnicity codes, phenotypes outside HPO).
      for (auto field : {SampleField::kDisease, SampleField::kPhenotype, SampleField::kPopulation,
                         SampleField::kConsent}) {
        set |= d.SamplesMatching(field, {f.id});
      }
    }
  }
  auto shared = std::make_shared<const store::SampleSet>(set);
  std::lock_guard<std::mutex> lock(cache_->mu);
  if (cache_->sets.size() >= FilterCache::kMaxEntries) cache_->sets.clear();
  cache_->sets.emplace(std::move(key), std::move(shared));
  return set;
}

bool Beacon::KnownFilterTerm(const Filter& f) const {
  if (!f.op.empty()) return true;  // alphanumeric: an unsupported field is refused outright
  if (ontology::KnownLabel(f.id)) return true;
  if (hpo_ && (hpo_->Name(f.id) || hpo_->Primary(f.id))) return true;
  const bool population = f.id.rfind("population:", 0) == 0;
  const std::string value = population ? f.id.substr(11) : f.id;
  const bool icd10 = f.id.rfind("ICD10", 0) == 0;
  for (const auto& id : store_->dataset_ids()) {
    const store::Dataset* d = store_->dataset(id);
    for (auto field :
         {store::SampleField::kPopulation, store::SampleField::kPhenotype,
          store::SampleField::kDisease, store::SampleField::kConsent, store::SampleField::kSex}) {
      if (population && field != store::SampleField::kPopulation) continue;
      for (const auto& [v, n] : d->ValueCounts(field)) {
        if (v == value || (icd10 && v.compare(0, value.size(), value) == 0)) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> Beacon::UnknownFilterTerms(const BeaconRequest& r) const {
  std::vector<std::string> out;
  for (const Filter& f : r.filters) {
    if (!KnownFilterTerm(f)) out.push_back(f.id);
  }
  return out;
}

json Beacon::ResponseInfo(const BeaconRequest& r) const {
  const std::vector<std::string> unknown = UnknownFilterTerms(r);
  if (unknown.empty()) return nullptr;
  json warnings = json::array();
  for (const auto& id : unknown) {
    warnings.push_back("filter '" + id.substr(0, 80) +
                       "' is not a term of this beacon (see /filtering_terms): it matches no "
                       "one, so the answer is empty for it");
  }
  return {{"warnings", std::move(warnings)}};
}

Result<std::optional<store::SampleSet>> Beacon::ResolveFilters(
    const store::Dataset& d, const std::vector<Filter>& filters) const {
  if (filters.empty()) return std::optional<store::SampleSet>();
  std::optional<store::SampleSet> acc;
  for (const auto& f : filters) {
    GF_ASSIGN_OR_RETURN(store::SampleSet s, ResolveFilter(d, f));
    if (!acc) {
      acc = std::move(s);
    } else {
      *acc &= s;
    }
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Variant matching

Status Beacon::ForEachMatch(
    const store::Dataset& d, const VariantQuery& q,
    const std::function<bool(const store::AlleleKey&, const store::AlleleRef&)>& visit) const {
  if (const std::string asked = q.effective_assembly(); !asked.empty()) {
    for (const DatasetConfig& dc : config_.datasets) {
      if (dc.id == d.id() && !dc.assembly_id.empty() && dc.assembly_id != asked) {
        return Status::Ok();  // coordinates of another assembly: nothing here can match
      }
    }
  }
  // With the dataset's reference, an indel asked for at another place of its repeat is the
  // left-aligned allele ingest stored (the aligned query is aligned already: no second round).
  if (const ingest::ReferenceFasta* fasta = ReferenceFor(d.id());
      fasta && q.start && !q.end && !q.is_bracket() && !q.unanchored &&
      q.reference_bases.size() != q.alternate_bases.size()) {
    VariantQuery aligned = q;
    int64_t pos = *q.start + 1;
    if (ingest::LeftAlign(*fasta, q.contig, pos, aligned.reference_bases,
                          aligned.alternate_bases) &&
        pos != *q.start + 1) {
      aligned.start = pos - 1;
      return ForEachMatch(d, aligned, visit);
    }
  }
  std::string contig = q.contig;
  int64_t lo = 1, hi = std::numeric_limits<int64_t>::max() / 2;  // 1-based VCF positions
  std::optional<int64_t> end_lo, end_hi;                         // bracket: 0-based end bounds
  bool overlap = false;  // range and gene queries: partial overlaps count (Beacon v2)
  if (!q.gene_id.empty()) {
    if (!genes_) {
      return InvalidArgument("geneId queries need a gene table; this node has none configured");
    }
    auto g = genes_->Find(q.gene_id);
    if (!g) return InvalidArgument("unknown geneId '" + q.gene_id.substr(0, 60) + "'");
    if (!contig.empty() && contig != g->contig) return Status::Ok();  // gene is elsewhere
    contig = g->contig;
    lo = g->start + 1;
    hi = g->end;
    overlap = true;
  } else if (contig.empty()) {
    return Status::Ok();  // only assemblyId given: nothing to match
  } else if (q.is_bracket()) {
    lo = *q.start + 1;
    hi = (q.start_max ? *q.start_max : *q.start) + 1;
    end_lo = *q.end;
    end_hi = q.end_max ? *q.end_max : *q.end;
  } else if (q.start && q.end) {
    lo = *q.start + 1;
    hi = *q.end;
    overlap = true;
  } else if (q.start) {
    // The unpadded form's start is the first deleted base (or the base an insertion precedes);
    // the stored, padded allele starts one base before it.
    lo = hi = q.unanchored ? *q.start : *q.start + 1;
  }
  auto on_allele = [&](const store::AlleleKey& k, const store::AlleleRef& ref) {
    if (q.unanchored
            ? !UnanchoredMatch(q, k)
            : !BasesMatch(q.reference_bases, k.ref) || !BasesMatch(q.alternate_bases, k.alt)) {
      return true;
    }
    if (!q.variant_type.empty()) {
      std::string_view t = VariantType(k);
      bool ok = q.variant_type == t || (q.variant_type == "INDEL" && (t == "INS" || t == "DEL"));
      if (!ok) return true;
    }
    if (q.min_length || q.max_length) {
      int64_t len = VariantLength(k);
      if ((q.min_length && len < *q.min_length) || (q.max_length && len > *q.max_length)) {
        return true;
      }
    }
    if (end_lo) {
      int64_t end0 = k.pos - 1 + static_cast<int64_t>(k.ref.size());
      if (end0 < *end_lo || end0 > *end_hi) return true;
    }
    return visit(k, ref);
  };
  if (overlap) {
    d.ScanOverlapping(contig, lo, hi, on_allele);
  } else {
    d.ScanRange(contig, lo, hi, on_allele);
  }
  return Status::Ok();
}

json Beacon::VariantRecord(const store::Dataset& d, const store::AlleleKey& key,
                           const store::AlleleRef& ref, const store::SampleSet* filter,
                           const DatasetAccess& access) const {
  json rec;
  rec["variantInternalId"] = store::FormatAlleleKey(key);
  int64_t start0 = key.pos - 1;
  // The sequence the coordinates are on: the chromosome's RefSeq accession in the dataset's
  // assembly. A dataset configured without one gets no accession (it cannot be known): the
  // location then names the contig in this beacon's own namespace.
  std::string assembly;
  for (const DatasetConfig& dc : config_.datasets) {
    if (dc.id == d.id()) assembly = dc.assembly_id;
  }
  const std::optional<std::string> accession = RefSeqAccession(key.contig, assembly);
  rec["variation"] = {
      {"variantType", VariantType(key)},
      {"referenceBases", key.ref},
      {"alternateBases", key.alt},
      {"location",
       {{"type", "SequenceLocation"},
        {"sequence_id", accession ? "refseq:" + *accession : "contig:" + key.contig},
        {"interval",
         {{"type", "SequenceInterval"},
          {"start", {{"type", "Number"}, {"value", start0}}},
          {"end",
           {{"type", "Number"}, {"value", start0 + static_cast<int64_t>(key.ref.size())}}}}}}}};
  // HGVS names a genomic sequence by its accession, and places indels at their 3'-most
  // position, which needs the reference sequence around them (the store has VCF's left-aligned
  // alleles only): so only substitutions on a known accession get an id.
  if (accession && key.ref.size() == 1 && key.alt.size() == 1) {
    rec["identifiers"] = {
        {"genomicHGVSId", *accession + ":g." + std::to_string(key.pos) + key.ref + ">" + key.alt}};
  }
  auto freq_item = [&](const std::string& population, const store::AlleleCounts& c) {
    json f;
    f["population"] = population;
    f["alleleNumber"] = c.allele_number;
    bool adjusted = false;
    auto put = [&](const char* name, uint64_t v) {
      ReleasedCount rc = ReleaseCount(v, access);
      if (rc.exact) {
        f[name] = v;
      } else {
        adjusted = true;  // the exact low figure is withheld
      }
    };
    put("alleleCount", c.allele_count);
    put("alleleCountHomozygous", c.ac_hom);
    put("alleleCountHeterozygous", c.ac_het);
    put("alleleCountHemizygous", c.ac_hemi);
    ReleasedCount ac = ReleaseCount(c.allele_count, access);
    f["alleleFrequency"] =
        c.allele_number == 0 ? 0.0
                             : static_cast<double>(ac.value) / static_cast<double>(c.allele_number);
    if (adjusted) {
      f["countPrecision"] = "imprecise";
      f["countAdjustedTo"] = CountAdjustedTo(access.min_count);
    }
    return f;
  };
  json freqs = json::array();
  freqs.push_back(freq_item("Total", d.Count(ref, filter)));
  std::vector<std::string> pops;
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    std::string pkey = d.id() + '\x1f' + std::to_string(d.generation());
    auto it = cache_->populations.find(pkey);
    if (it == cache_->populations.end()) {
      std::vector<std::string> values;
      for (const auto& [p, n] : d.ValueCounts(store::SampleField::kPopulation)) {
        if (!p.empty() && n > 0) values.push_back(p);
      }
      it = cache_->populations.emplace(pkey, std::move(values)).first;
    }
    pops = it->second;
  }
  for (const auto& p : pops) {
    auto set = ResolveFilter(d, Filter{"population:" + p, "", "", false});
    if (!set.ok()) continue;
    store::SampleSet s = std::move(set).value();
    if (filter) s &= *filter;
    if (s.Empty()) continue;
    freqs.push_back(freq_item(p, d.Count(ref, &s)));
  }
  rec["frequencyInPopulations"] =
      json::array({{{"source", d.id()},
                    {"sourceReference", config_.public_url + "/api/datasets/" + d.id()},
                    {"version", std::to_string(d.generation())},
                    {"frequencies", std::move(freqs)}}});
  return rec;
}

json Beacon::IndividualRecord(const store::SampleInfo& s) const {
  if (!s.individual_json.empty()) {
    json j = json::parse(s.individual_json, nullptr, false);
    if (j.is_object()) return j;
  }
  json ind;
  ind["id"] = s.id;
  std::string sex = s.sex.empty() ? std::string(store::kNcitUnknownSex) : s.sex;
  ind["sex"] = {{"id", sex}, {"label", OntologyLabel(sex)}};
  if (!s.phenotypes.empty()) {
    json pf = json::array();
    for (const auto& p : s.phenotypes) {
      json t = {{"id", p}};
      if (auto l = OntologyLabel(p); !l.empty()) t["label"] = l;
      pf.push_back({{"featureType", std::move(t)}});
    }
    ind["phenotypicFeatures"] = std::move(pf);
  }
  if (!s.diseases.empty()) {
    json ds = json::array();
    for (const auto& dz : s.diseases) ds.push_back({{"diseaseCode", {{"id", dz}}}});
    ind["diseases"] = std::move(ds);
  }
  json info = json::object();
  if (!s.population.empty()) info["population"] = s.population;
  if (!s.consent.empty()) info["consent"] = s.consent;
  if (!info.empty()) ind["info"] = std::move(info);
  return ind;
}

// ---------------------------------------------------------------------------------------------
// Queries

Result<std::vector<DatasetResult>> Beacon::QueryGenomicVariants(const BeaconRequest& r,
                                                                const AccessFn& access) const {
  GF_ASSIGN_OR_RETURN(auto datasets, SelectDatasets(r));
  std::vector<DatasetResult> out;
  for (const store::Dataset* d : datasets) {
    DatasetAccess a = access(d->id());
    DatasetResult res;
    res.dataset_id = d->id();
    res.granularity = MinG(r.requested(), a.max_granularity);
    GF_ASSIGN_OR_RETURN(auto filter, ResolveFilters(*d, r.filters));
    const store::SampleSet* fp = filter ? &*filter : nullptr;
    bool want_records = res.granularity == Granularity::kRecord;
    bool need_count = res.granularity != Granularity::kBoolean || want_records;
    auto on_match = [&](const store::AlleleKey& k, const store::AlleleRef& ref) {
      // An allele exists when one of the (filtered) samples carries it: a stored record whose
      // ALT nobody carries (AC = 0) is no hit, at any granularity.
      if (a.rare_below > 0) {
        const uint64_t carriers = d->Carriers(ref, fp).Count();
        if (carriers == 0) return true;
        res.rare_hit = res.rare_hit || carriers < a.rare_below;
      } else if (!d->HasCarrier(ref, fp)) {
        return true;
      }
      if (want_records && res.count >= r.first_record() && res.records.size() < r.page_size()) {
        res.records.push_back(VariantRecord(*d, k, ref, fp, a));
      }
      ++res.count;
      return need_count || res.count == 0;  // boolean answers stop at the first hit
    };
    if (r.variant) {
      GF_RETURN_IF_ERROR(ForEachMatch(*d, *r.variant, on_match));
    } else if (!fp && !want_records && a.rare_below == 0) {
      res.count = d->carried_allele_count();
    } else {
      bool go = true;
      for (const auto& contig : d->contigs()) {
        if (!go) break;
        d->ScanRange(contig, 1, std::numeric_limits<int64_t>::max() / 2,
                     [&](const store::AlleleKey& k, const store::AlleleRef& ref) {
                       go = on_match(k, ref);
                       return go;
                     });
      }
    }
    res.exists = res.count > 0;
    // Variant counts disclose no individual; the individual-level figures inside records are
    // adjusted per item (VariantRecord).
    res.released = ReleasedCount{res.count, true};
    out.push_back(std::move(res));
  }
  return out;
}

Result<std::vector<DatasetResult>> Beacon::QueryIndividuals(const BeaconRequest& r,
                                                            const AccessFn& access) const {
  GF_ASSIGN_OR_RETURN(auto datasets, SelectDatasets(r));
  std::vector<DatasetResult> out;
  for (const store::Dataset* d : datasets) {
    DatasetAccess a = access(d->id());
    DatasetResult res;
    res.dataset_id = d->id();
    res.granularity = MinG(r.requested(), a.max_granularity);
    GF_ASSIGN_OR_RETURN(auto filter, ResolveFilters(*d, r.filters));
    store::SampleSet selected = filter ? std::move(*filter) : d->AllSamples();
    if (r.variant) {
      store::SampleSet carriers(d->sample_count());
      GF_RETURN_IF_ERROR(
          ForEachMatch(*d, *r.variant, [&](const store::AlleleKey&, const store::AlleleRef& ref) {
            carriers |= d->Carriers(ref, &selected);
            return true;
          }));
      selected = std::move(carriers);
    }
    res.count = selected.Count();
    res.exists = res.count > 0;
    res.released = ReleaseCount(res.count, a);
    // With genomic parameters the count is the carriers of the matched alleles.
    res.rare_hit = r.variant && res.count > 0 && res.count < a.rare_below;
    if (res.granularity == Granularity::kRecord) {
      uint64_t i = 0;
      for (store::SampleId id : selected.ToVector()) {
        if (res.records.size() >= r.page_size()) break;
        if (i++ < r.first_record()) continue;
        res.records.push_back(IndividualRecord(d->samples()[id]));
      }
    }
    out.push_back(std::move(res));
  }
  return out;
}

Result<json> Beacon::VariantById(const std::string& id, const BeaconRequest& r,
                                 const AccessFn& access, const ReleaseGate& gate,
                                 bool individuals) const {
  auto key = store::ParseAlleleKey(id);
  if (!key.ok()) {
    return InvalidArgument("'" + id.substr(0, 80) +
                           "' is not a variant id; expected CHR-POS-REF-ALT (POS 1-based)");
  }
  key->contig = store::CanonicalContig(key->contig);
  // The id normalised as ingest normalises the data: 22-300-GCC-GCCCC is 22-300-G-GCC.
  if (key->ref.find('N') == std::string::npos && key->alt.find('N') == std::string::npos) {
    ingest::TrimAlleles(key->pos, key->ref, key->alt);
  }
  GF_ASSIGN_OR_RETURN(auto datasets, SelectDatasets(r));
  std::vector<DatasetResult> results;
  bool found = false;
  for (const store::Dataset* d : datasets) {
    store::AlleleKey aligned = *key;
    if (const ingest::ReferenceFasta* fasta = ReferenceFor(d->id())) {
      ingest::LeftAlign(*fasta, aligned.contig, aligned.pos, aligned.ref, aligned.alt);
    }
    auto ref = d->Find(aligned);
    // Stored but carried by nobody (AC = 0 in every batch): not a variant of this dataset.
    if (!ref || !d->HasCarrier(*ref)) continue;
    found = true;
    DatasetAccess a = access(d->id());
    DatasetResult res;
    res.dataset_id = d->id();
    res.granularity = MinG(r.requested(), a.max_granularity);
    GF_ASSIGN_OR_RETURN(auto filter, ResolveFilters(*d, r.filters));
    const store::SampleSet* fp = filter ? &*filter : nullptr;
    if (individuals) {
      store::SampleSet carriers = d->Carriers(*ref, fp);
      res.count = carriers.Count();
      res.rare_hit = res.count > 0 && res.count < a.rare_below;
      res.released = ReleaseCount(res.count, a);
      if (res.granularity == Granularity::kRecord) {
        uint64_t i = 0;
        for (store::SampleId sid : carriers.ToVector()) {
          if (res.records.size() >= r.page_size()) break;
          if (i++ < r.first_record()) continue;
          res.records.push_back(IndividualRecord(d->samples()[sid]));
        }
      }
    } else {
      res.count = fp && !d->HasCarrier(*ref, fp) ? 0 : 1;
      if (res.count > 0 && a.rare_below > 0) {
        res.rare_hit = d->Carriers(*ref, fp).Count() < a.rare_below;
      }
      res.released = ReleasedCount{res.count, true};
      if (res.granularity == Granularity::kRecord && res.count > 0 && r.first_record() == 0) {
        res.records.push_back(VariantRecord(*d, aligned, *ref, fp, a));
      }
    }
    res.exists = res.count > 0;
    results.push_back(std::move(res));
  }
  if (!found) return NotFound("variant '" + id.substr(0, 80) + "' is in no dataset here");
  if (gate) GF_RETURN_IF_ERROR(gate(results));
  return RenderResultsets(r, results, individuals ? "individual" : "genomicVariation");
}

Result<json> Beacon::IndividualById(const std::string& id, const BeaconRequest& r,
                                    const AccessFn& access) const {
  GF_ASSIGN_OR_RETURN(auto datasets, SelectDatasets(r));
  std::vector<DatasetResult> results;
  for (const store::Dataset* d : datasets) {
    auto sid = d->FindSample(id);
    if (!sid) continue;
    DatasetAccess a = access(d->id());
    DatasetResult res;
    res.dataset_id = d->id();
    res.granularity = MinG(r.requested(), a.max_granularity);
    GF_ASSIGN_OR_RETURN(auto filter, ResolveFilters(*d, r.filters));
    res.count = filter && !filter->Contains(*sid) ? 0 : 1;
    res.exists = res.count > 0;
    res.released = ReleaseCount(res.count, a);
    if (res.granularity == Granularity::kRecord && res.exists && r.first_record() == 0) {
      res.records.push_back(IndividualRecord(d->samples()[*sid]));
    }
    results.push_back(std::move(res));
  }
  if (results.empty())
    return NotFound("individual '" + id.substr(0, 80) + "' is in no dataset here");
  return RenderResultsets(r, results, "individual");
}

// ---------------------------------------------------------------------------------------------
// Rendering

namespace {

// The responseSummary of a result-set answer, shared by the tree and the text renderer.
struct Summary {
  Granularity top = Granularity::kBoolean;  // the highest granularity any dataset returns
  bool exists = false;
  uint64_t total = 0;       // released counts of the datasets answered at count or record
  bool total_exact = true;  // false when any of those is adjusted, or a boolean-only one hits
};

Summary Summarize(const std::vector<DatasetResult>& results) {
  Summary s;
  for (const auto& res : results) {
    if (res.granularity > s.top) s.top = res.granularity;
    s.exists = s.exists || res.exists;
    if (res.granularity >= Granularity::kCount) {
      s.total += res.released.value;
      s.total_exact = s.total_exact && res.released.exact;
    } else if (res.exists) {
      s.total_exact = false;  // a boolean-only dataset hides its count
    }
  }
  return s;
}

}  // namespace

json Beacon::RenderResultsets(const BeaconRequest& r, const std::vector<DatasetResult>& results,
                              std::string_view entity_type) const {
  const auto [top, exists, total, total_exact] = Summarize(results);
  json sets = json::array();
  for (const auto& res : results) {
    bool include = r.include == IncludeResultsets::kAll ||
                   (r.include == IncludeResultsets::kHit && res.exists) ||
                   (r.include == IncludeResultsets::kMiss && !res.exists);
    if (!include) continue;
    json s;
    s["id"] = res.dataset_id;
    s["setType"] = "dataset";
    s["exists"] = res.exists;
    json info = {{"returnedGranularity", GranularityName(res.granularity)}};
    if (top >= Granularity::kCount) {
      if (res.granularity >= Granularity::kCount) {
        s["resultsCount"] = res.released.value;
        if (!res.released.exact) {
          s["countPrecision"] = "imprecise";
          s["countAdjustedTo"] = CountAdjustedTo(res.released.value);
        } else {
          s["countPrecision"] = "exact";
        }
      } else {
        // The schema requires a count; a boolean-only dataset says 1 for "some", flagged.
        s["resultsCount"] = res.exists ? 1 : 0;
        s["countPrecision"] = "imprecise";
      }
      s["results"] = res.granularity == Granularity::kRecord ? res.records : json::array();
    }
    s["info"] = std::move(info);
    sets.push_back(std::move(s));
  }
  json out;
  if (json info = ResponseInfo(r); !info.is_null()) out["info"] = std::move(info);
  out["meta"] = Meta(&r, top, entity_type);
  json summary = {{"exists", exists}};
  if (top >= Granularity::kCount) {
    summary["numTotalResults"] = total;
    summary["countPrecision"] = total_exact ? "exact" : "imprecise";
  }
  out["responseSummary"] = std::move(summary);
  if (r.include != IncludeResultsets::kNone || top == Granularity::kRecord) {
    out["response"] = {{"resultSets", std::move(sets)}};
  }
  return out;
}

namespace {

void AppendJsonString(std::string& out, std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Non-ASCII (possibly invalid UTF-8 from a caller): let nlohmann validate and replace.
      out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  }
  out.push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void AppendInt(std::string& out, int64_t v) { out += std::to_string(v); }

}  // namespace

std::string Beacon::RenderAggregateText(const BeaconRequest& r,
                                        const std::vector<DatasetResult>& results,
                                        std::string_view entity_type) const {
  // Same document as RenderResultsets(...).dump() for boolean/count answers (keys in the same
  // sorted order); kept in step by the golden and schema tests, which cover both paths.
  const auto [top, exists, total, total_exact] = Summarize(results);
  const EntryTypeInfo& et = *FindEntryType(entity_type);  // genomicVariation or individual
  std::string out;
  out.reserve(1024);
  out += "{";
  if (!r.filters.empty()) {
    if (json info = ResponseInfo(r); !info.is_null()) {
      out += "\"info\":";
      out += info.dump(-1, ' ', false, json::error_handler_t::replace);
      out += ",";
    }
  }
  out += "\"meta\":{\"apiVersion\":";
  AppendJsonString(out, kApiVersion);
  out += ",\"beaconId\":";
  AppendJsonString(out, config_.id);
  out += ",\"receivedRequestSummary\":{\"apiVersion\":";
  AppendJsonString(out, r.api_version.empty() ? kApiVersion : std::string_view(r.api_version));
  if (!r.filters.empty()) {
    out += ",\"filters\":[";
    for (size_t i = 0; i < r.filters.size(); ++i) {
      if (i) out.push_back(',');
      const Filter& f = r.filters[i];
      AppendJsonString(out, f.op.empty() ? f.id : f.id + f.op + f.value);
    }
    out.push_back(']');
  }
  out += ",\"includeResultsetResponses\":";
  AppendJsonString(out, IncludeResultsetsName(r.include));
  out += ",\"pagination\":{\"limit\":";
  AppendInt(out, static_cast<int64_t>(r.limit));
  out += ",\"skip\":";
  AppendInt(out, static_cast<int64_t>(r.skip));
  out += "}";
  if (r.variant) {
    const VariantQuery& q = *r.variant;
    out += ",\"requestParameters\":{\"genomicVariation\":{";
    bool first = true;
    auto key = [&](const char* k) {
      if (!first) out.push_back(',');
      first = false;
      out.push_back('"');
      out += k;
      out += "\":";
    };
    auto pair = [&](int64_t a, const std::optional<int64_t>& b) {
      out.push_back('[');
      AppendInt(out, a);
      if (b) {
        out.push_back(',');
        AppendInt(out, *b);
      }
      out.push_back(']');
    };
    if (!q.alternate_bases.empty()) key("alternateBases"), AppendJsonString(out, q.alternate_bases);
    if (!q.assembly_id.empty()) key("assemblyId"), AppendJsonString(out, q.assembly_id);
    if (q.end) key("end"), pair(*q.end, q.end_max);
    if (!q.gene_id.empty()) key("geneId"), AppendJsonString(out, q.gene_id);
    if (!q.reference_bases.empty()) key("referenceBases"), AppendJsonString(out, q.reference_bases);
    if (!q.reference_name.empty()) key("referenceName"), AppendJsonString(out, q.reference_name);
    if (q.start) key("start"), pair(*q.start, q.start_max);
    if (q.max_length) key("variantMaxLength"), AppendInt(out, *q.max_length);
    if (q.min_length) key("variantMinLength"), AppendInt(out, *q.min_length);
    if (!q.variant_type.empty()) key("variantType"), AppendJsonString(out, q.variant_type);
    out += "}}";
  }
  out += ",\"requestedGranularity\":";
  AppendJsonString(out, GranularityName(r.requested()));
  out += ",\"requestedSchemas\":[],\"testMode\":";
  out += r.test_mode ? "true" : "false";
  out += "},\"returnedGranularity\":";
  AppendJsonString(out, GranularityName(top));
  out += ",\"returnedSchemas\":[{\"entityType\":";
  AppendJsonString(out, entity_type);
  out += ",\"schema\":";
  AppendJsonString(out, et.schema_name);
  out += "}]}";
  if (r.include != IncludeResultsets::kNone) {
    out += ",\"response\":{\"resultSets\":[";
    bool first = true;
    for (const auto& res : results) {
      bool include = r.include == IncludeResultsets::kAll ||
                     (r.include == IncludeResultsets::kHit && res.exists) ||
                     (r.include == IncludeResultsets::kMiss && !res.exists);
      if (!include) continue;
      if (!first) out.push_back(',');
      first = false;
      out.push_back('{');
      if (top >= Granularity::kCount) {
        if (res.granularity >= Granularity::kCount && !res.released.exact) {
          out += "\"countAdjustedTo\":";
          out += CountAdjustedTo(res.released.value).dump();
          out += ",\"countPrecision\":\"imprecise\",";
        } else if (res.granularity >= Granularity::kCount) {
          out += "\"countPrecision\":\"exact\",";
        } else {
          out += "\"countPrecision\":\"imprecise\",";
        }
      }
      out += "\"exists\":";
      out += res.exists ? "true" : "false";
      out += ",\"id\":";
      AppendJsonString(out, res.dataset_id);
      out += ",\"info\":{\"returnedGranularity\":";
      AppendJsonString(out, GranularityName(res.granularity));
      out += "}";
      if (top >= Granularity::kCount) {
        out += ",\"results\":[],\"resultsCount\":";
        uint64_t n =
            res.granularity >= Granularity::kCount ? res.released.value : (res.exists ? 1 : 0);
        AppendInt(out, static_cast<int64_t>(n));
      }
      out += ",\"setType\":\"dataset\"}";
    }
    out += "]}";
  }
  out += ",\"responseSummary\":{";
  if (top >= Granularity::kCount) {
    out += total_exact ? "\"countPrecision\":\"exact\"," : "\"countPrecision\":\"imprecise\",";
  }
  out += "\"exists\":";
  out += exists ? "true" : "false";
  if (top >= Granularity::kCount) {
    out += ",\"numTotalResults\":";
    AppendInt(out, static_cast<int64_t>(total));
  }
  out += "}}";
  return out;
}

json Beacon::RenderError(const Status& status, const BeaconRequest* request) const {
  json out;
  out["meta"] = Meta(request, request ? request->requested() : Granularity::kBoolean, "error");
  out["meta"]["returnedSchemas"] = json::array();
  out["error"] = {{"errorCode", HttpStatusFor(status.code())}, {"errorMessage", status.message()}};
  return out;
}

std::string Beacon::ErrorBody(int http_status, std::string_view message) const {
  json out;
  out["meta"] = Meta(nullptr, Granularity::kBoolean, "error");
  out["meta"]["returnedSchemas"] = json::array();
  out["error"] = {{"errorCode", http_status}, {"errorMessage", std::string(message)}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace genomefed::beacon
