// The Beacon v2 core of a node: GA4GH Beacon v2 framework and default model (schemas v2.1.1, with
// the v2.2 count fields `countPrecision` / `countAdjustedTo`), GA4GH service-info 1.0.
//
// It turns a parsed request (beacon/request.h) into an answer computed from the variant store
// (store/store.h), the HPO ontology and the operator's gene table, and renders every Beacon
// response type as schema-valid JSON. It knows no HTTP types: a call is a method name, an
// endpoint, an id, decoded query parameters and a body; an answer is a status number and JSON
// text. The node (and the hub, which serves the same API) maps routes onto `Handle`.
//
// Access: what a caller may see per dataset comes from an AccessFn (the policy seam: the node
// fills it from policy::Policy::AccessFor and the caller's verified passport). The
// returned granularity is min(requested, allowed); counts in (0, min_count) are never released
// exactly to a caller whose access says `exact_counts = false` — they are reported as
// `min_count` with `countPrecision: "imprecise"` and `countAdjustedTo: min_count`.
//
// Thread safety: a Beacon is immutable after construction except for its filter cache (mutex);
// Handle may be called from any number of threads. The store, ontology and gene table must
// outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "beacon/framework.h"
#include "beacon/gene_table.h"
#include "beacon/request.h"
#include "core/config.h"
#include "core/status.h"
#include "ontology/ontology.h"
#include "store/store.h"

namespace genomefed::ingest {
class ReferenceFasta;  // ingest/reference.h
}

namespace genomefed::beacon {

// What one caller may receive from one dataset.
struct DatasetAccess {
  Granularity max_granularity = Granularity::kBoolean;
  uint32_t min_count = 5;     // counts in (0, min_count) are adjusted unless exact_counts
  bool exact_counts = false;  // true for CONTROLLED callers, or when min_count <= 1
  // When > 0, a query result is flagged `rare_hit` if its answer rests on an allele carried by
  // 1 .. rare_below - 1 individuals (of the filtered samples): the signal the node's daily
  // rare-allele budget charges for (0: the caller is not budgeted, nothing is counted).
  uint32_t rare_below = 0;
};
// Per dataset id → access. Must be cheap and thread-safe.
using AccessFn = std::function<DatasetAccess(std::string_view dataset_id)>;

// A count as released to a caller.
struct ReleasedCount {
  uint64_t value = 0;
  bool exact = true;
};
ReleasedCount ReleaseCount(uint64_t count, const DatasetAccess& access);

enum class Endpoint {
  kInfo,
  kServiceInfo,
  kMap,
  kConfiguration,
  kEntryTypes,
  kFilteringTerms,
  kDatasets,
  kDataset,
  kDatasetGVariants,
  kDatasetIndividuals,
  kGVariants,
  kGVariant,
  kGVariantIndividuals,
  kIndividuals,
  kIndividual,
  kCohorts,
  kCohort,
};

// The routes of the Beacon API below its base path (e.g. "/api"), for servers to register.
// `{id}` is the only capture; patterns are relative, starting with '/' ("/" is the root).
struct Route {
  std::string_view method;
  std::string_view pattern;
  Endpoint endpoint;
};
const std::vector<Route>& Routes();

// One call, without HTTP types.
struct Call {
  Endpoint endpoint = Endpoint::kInfo;
  std::string method = "GET";
  std::string id;  // the decoded `{id}` capture, when the route has one
  std::multimap<std::string, std::string, std::less<>> query;
  std::string body;  // POST only
};

struct Reply {
  int status = 200;  // 200, or the HTTP status of the Beacon error (400, 404, 500 …)
  std::string body;  // JSON
};

// Per dataset outcome of a query, before rendering (the hub merges these).
struct DatasetResult {
  std::string dataset_id;
  Granularity granularity = Granularity::kBoolean;  // returned for this dataset
  bool exists = false;
  uint64_t count = 0;  // raw number of results (variants or individuals); never rendered raw
  ReleasedCount released;
  nlohmann::json records = nlohmann::json::array();  // only at record granularity
  // The answer reveals an allele with fewer than DatasetAccess::rare_below carriers.
  bool rare_hit = false;
};

// Called with the per-dataset results of an allele query (/g_variants, /individuals with
// genomic parameters, /g_variants/{id}[/individuals]) after they are computed and before
// anything is rendered. A non-OK status replaces the answer with that Beacon error: the node
// charges the caller's rare-allele budget here (kResourceExhausted → HTTP 429). Empty: release.
using ReleaseGate = std::function<Status(const std::vector<DatasetResult>&)>;

class Beacon {
 public:
  // `store` must not be null; `hpo` and `genes` may be.
  Beacon(NodeConfig config, const store::Store* store, const ontology::Ontology* hpo,
         const GeneTable* genes);
  ~Beacon();

  // Opens the `[[datasets]] reference_fasta` files: sequence queries and variant ids are then
  // left-aligned on them per dataset, as ingest's --reference-fasta left-aligns the data.
  // An unreadable FASTA or index is an error naming it (the node refuses to start).
  Status OpenReferences();

  // Any endpoint; never throws, never crashes on input: errors become Beacon error replies.
  Reply Handle(const Call& call, const AccessFn& access, const ReleaseGate& gate = {}) const;

  // The request of a call (GET parameters or POST body), for callers that need it parsed.
  static Result<BeaconRequest> ParseCall(const Call& call);

  // Computed answers, unrendered. `ids` restricts to datasets (empty = all).
  Result<std::vector<DatasetResult>> QueryGenomicVariants(const BeaconRequest& request,
                                                          const AccessFn& access) const;
  Result<std::vector<DatasetResult>> QueryIndividuals(const BeaconRequest& request,
                                                      const AccessFn& access) const;

  // Renders a result-set answer (boolean, count or resultsets response by the highest
  // granularity returned) for entry type "genomicVariation" or "individual".
  nlohmann::json RenderResultsets(const BeaconRequest& request,
                                  const std::vector<DatasetResult>& results,
                                  std::string_view entity_type) const;
  // The same answer as RenderResultsets(...).dump() when no dataset returns records, written
  // directly as text (the hot path of count queries).
  std::string RenderAggregateText(const BeaconRequest& request,
                                  const std::vector<DatasetResult>& results,
                                  std::string_view entity_type) const;
  // The Beacon error response for a failed Status (errorCode = its HTTP status).
  nlohmann::json RenderError(const Status& status, const BeaconRequest* request) const;
  // A Beacon error for a status the HTTP layer produces itself (404 route, 405, 413 …).
  std::string ErrorBody(int http_status, std::string_view message) const;

  const NodeConfig& config() const { return config_; }

 private:
  struct FilterCache;

  Result<nlohmann::json> Dispatch(const Call& call, const AccessFn& access,
                                  const ReleaseGate& gate) const;
  nlohmann::json Meta(const BeaconRequest* request, Granularity returned,
                      std::string_view entity_type) const;
  nlohmann::json InformationalMeta(std::string_view entity_type) const;
  nlohmann::json InfoResults() const;
  nlohmann::json ServiceInfo() const;
  nlohmann::json MapResponse() const;
  nlohmann::json ConfigurationResponse() const;
  nlohmann::json EntryTypesResponse() const;
  nlohmann::json FilteringTermsResponse() const;
  Result<nlohmann::json> DatasetsResponse(const std::string& id, const BeaconRequest& r) const;
  Result<nlohmann::json> CohortsResponse(const std::string& id, const BeaconRequest& r,
                                         const AccessFn& access) const;
  Result<nlohmann::json> VariantById(const std::string& id, const BeaconRequest& r,
                                     const AccessFn& access, const ReleaseGate& gate,
                                     bool individuals) const;
  Result<nlohmann::json> IndividualById(const std::string& id, const BeaconRequest& r,
                                        const AccessFn& access) const;

  Result<std::vector<const store::Dataset*>> SelectDatasets(const BeaconRequest& r) const;
  // Samples passing every filter (nullopt = no filters, i.e. all samples).
  Result<std::optional<store::SampleSet>> ResolveFilters(const store::Dataset& d,
                                                         const std::vector<Filter>& f) const;
  Result<store::SampleSet> ResolveFilter(const store::Dataset& d, const Filter& f) const;
  // Visits the alleles of `d` matching `q` in (contig, pos, ref, alt) order.
  Status ForEachMatch(
      const store::Dataset& d, const VariantQuery& q,
      const std::function<bool(const store::AlleleKey&, const store::AlleleRef&)>& visit) const;
  nlohmann::json VariantRecord(const store::Dataset& d, const store::AlleleKey& key,
                               const store::AlleleRef& ref, const store::SampleSet* filter,
                               const DatasetAccess& access) const;
  nlohmann::json IndividualRecord(const store::SampleInfo& s) const;
  std::string DatasetName(std::string_view id) const;
  // Filter terms that neither the data, the loaded HPO nor the known vocabularies hold: they can
  // match no one, which an answer says in `info.warnings` rather than a silent 0.
  std::vector<std::string> UnknownFilterTerms(const BeaconRequest& r) const;
  bool KnownFilterTerm(const Filter& f) const;
  // The top-level `info` of a result-set answer (null when there is nothing to say).
  nlohmann::json ResponseInfo(const BeaconRequest& r) const;
  std::string OntologyLabel(std::string_view id) const;

  const ingest::ReferenceFasta* ReferenceFor(std::string_view dataset_id) const;

  NodeConfig config_;
  std::map<std::string, std::unique_ptr<ingest::ReferenceFasta>, std::less<>> references_;
  const store::Store* store_;
  const ontology::Ontology* hpo_;
  const GeneTable* genes_;
  std::unique_ptr<FilterCache> cache_;
};

}  // namespace genomefed::beacon
