// The hub's public API, as the portal uses it (the same endpoints the CLI and other clients
// call: Beacon v2 network under /api, the catalogue at /api/catalogue). Same-origin requests
// only; no token is ever put in a URL or in local storage.

export interface FilteringTerm {
  id: string;
  label?: string;
  type?: string;
}

export interface NodeStatus {
  id: string;
  country?: string;
  status?: string;
  error?: string;
  elapsedMs?: number;
  returnedGranularity?: string;
}

export interface FrequencyItem {
  population: string;
  alleleFrequency?: number;
  alleleCount?: number;
  alleleNumber?: number;
  alleleCountHomozygous?: number;
  alleleCountHeterozygous?: number;
  alleleCountHemizygous?: number;
  countPrecision?: string;
  countAdjustedTo?: number;
}

export interface ResultSet {
  id: string;
  exists: boolean;
  resultsCount?: number;
  countPrecision?: string;
  countAdjustedTo?: number | number[];
  info?: { node?: string; country?: string; datasetId?: string; returnedGranularity?: string };
  results?: Array<Record<string, unknown>>;
}

export interface BeaconResponse {
  info?: { nodes?: NodeStatus[]; unavailableNodes?: Array<{ id: string; error?: string; reason?: string } | string> };
  meta?: { returnedGranularity?: string };
  responseSummary?: { exists: boolean; numTotalResults?: number; countPrecision?: string };
  response?: { resultSets?: ResultSet[] };
  error?: { errorCode: number; errorMessage: string };
}

export interface CatalogueDataset {
  id: string;
  datasetId: string;
  node: string;
  country: string;
  name: string;
  description?: string;
  sampleCount?: number;
  alleleCount?: number;
  consentCodes?: string[];
  dataTypes?: string[];
  stale?: boolean;
  lastHarvest?: string;
  access?: { route?: string; apply?: string; beacon?: string; htsget?: string };
}

export interface CatalogueNode {
  id: string;
  country: string;
  url?: string;
  stale: boolean;
  lastSuccess?: string;
  lastError?: string;
}

export interface Catalogue {
  total: number;
  datasets: CatalogueDataset[];
  nodes: CatalogueNode[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, `the hub answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const err = (body as BeaconResponse).error;
    throw new ApiError(response.status, err?.errorMessage ?? `the hub answered ${response.status}`);
  }
  return body as T;
}

export function query(params: Record<string, string>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "") search.set(k, v);
  return search.toString();
}

export const api = {
  filteringTerms: () =>
    getJson<{ response?: { filteringTerms?: FilteringTerm[] } }>("/api/filtering_terms").then(
      (r) => r.response?.filteringTerms ?? [],
    ),
  gVariants: (params: Record<string, string>) => getJson<BeaconResponse>(`/api/g_variants?${query(params)}`),
  individuals: (params: Record<string, string>) => getJson<BeaconResponse>(`/api/individuals?${query(params)}`),
  catalogue: (params: Record<string, string>) => getJson<Catalogue>(`/api/catalogue?${query(params)}`),
  info: () => getJson<{ response?: Record<string, unknown>; info?: Record<string, unknown> }>("/api/info"),
};
