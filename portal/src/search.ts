// Search and results pages. The search state lives in the URL hash (#/search?q=…&assembly=…
// &filters=…), so every search is a shareable link; results come from the hub's Beacon network
// (/api/g_variants for the variant per dataset, /api/individuals for carriers and records).
import { api, ApiError, type BeaconResponse, type FilteringTerm, type FrequencyItem, type ResultSet } from "./api";
import { AfChart } from "./chart";
import { clear, csv, download, h } from "./dom";
import { parseSearch, type Assembly, type BeaconQuery } from "./variant";

export interface SearchState {
  q: string;
  assembly: Assembly;
  filters: string[];
  advanced: Record<string, string>;
}

const ADVANCED_FIELDS: Array<[string, string, string]> = [
  ["referenceName", "Reference name", "e.g. 22"],
  ["start", "Start (0-based; one value, or two for a bracket: min,max)", "e.g. 16050074"],
  ["end", "End (0-based exclusive; one value, or two for a bracket)", "e.g. 16050075"],
  ["referenceBases", "Reference bases", "e.g. A"],
  ["alternateBases", "Alternate bases", "e.g. G"],
  ["variantType", "Variant type", "SNP, INDEL, DEL, DUP, …"],
  ["geneId", "Gene", "e.g. BRCA2"],
];

export function readState(params: URLSearchParams): SearchState {
  const advanced: Record<string, string> = {};
  for (const [key] of ADVANCED_FIELDS) {
    const v = params.get(`a.${key}`);
    if (v) advanced[key] = v;
  }
  return {
    q: params.get("q") ?? "",
    assembly: params.get("assembly") === "GRCh37" ? "GRCh37" : "GRCh38",
    filters: (params.get("filters") ?? "").split(",").filter((f) => f !== ""),
    advanced,
  };
}

function stateUrl(state: SearchState): string {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  p.set("assembly", state.assembly);
  if (state.filters.length) p.set("filters", state.filters.join(","));
  for (const [k, v] of Object.entries(state.advanced)) if (v) p.set(`a.${k}`, v);
  return `#/search?${p.toString()}`;
}

function termLabel(term: FilteringTerm): string {
  return term.label && term.label !== term.id ? `${term.label} (${term.id})` : term.id;
}

function group(term: FilteringTerm): string {
  if (term.id.startsWith("HP:")) return "Phenotype (HPO, descendants included)";
  if (term.id.startsWith("NCIT:")) return "Sex";
  if (term.id.startsWith("population:")) return "Population";
  if (term.id.startsWith("DUO:")) return "Consent (DUO)";
  return "Disease";
}

function granularityReason(granularity: string | undefined): string {
  switch (granularity) {
    case "record":
      return "records (open at this node, or granted to you)";
    case "count":
      return "counts (your access level at this node)";
    case "boolean":
      return "yes/no only (your access level at this node)";
    default:
      return "unknown";
  }
}

function countText(set: ResultSet | undefined): string {
  if (!set) return "—";
  if (set.resultsCount === undefined) return set.exists ? "yes" : "no";
  if (set.countPrecision === "imprecise") {
    const adj = Array.isArray(set.countAdjustedTo) ? set.countAdjustedTo[0] : set.countAdjustedTo;
    return set.resultsCount === 0 ? "0" : `1–${adj ?? set.resultsCount} (imprecise)`;
  }
  return String(set.resultsCount);
}

function beaconParams(query: BeaconQuery | null, state: SearchState, extraFilter?: string): Record<string, string> {
  const params: Record<string, string> = { ...(query?.params ?? {}), ...state.advanced };
  if (state.advanced.referenceName || state.advanced.geneId) params.assemblyId = state.assembly;
  const filters = [...state.filters, ...(extraFilter ? [extraFilter] : [])];
  if (filters.length) params.filters = filters.join(",");
  params.requestedGranularity = "record";
  params.includeResultsetResponses = "ALL";
  // Records are paged in the page from one answer of up to 100 per dataset.
  params.limit = "100";
  return params;
}

export async function renderSearch(main: HTMLElement, state: SearchState): Promise<void> {
  clear(main);
  let terms: FilteringTerm[] = [];
  const termsNote = h("p", { class: "note" });
  try {
    terms = await api.filteringTerms();
  } catch (e) {
    termsNote.textContent = `Filters unavailable: ${(e as Error).message}`;
  }

  const input = h("input", {
    id: "q",
    name: "q",
    type: "search",
    value: state.q,
    autocomplete: "off",
    "aria-describedby": "q-status",
    placeholder: "22-16050075-A-G, 22:16050075 A>G, 22:16000000-17000000 or BRCA2",
  });
  const assembly = h(
    "select",
    { id: "assembly", name: "assembly" },
    h("option", { value: "GRCh38", selected: state.assembly === "GRCh38" }, "GRCh38"),
    h("option", { value: "GRCh37", selected: state.assembly === "GRCh37" }, "GRCh37"),
  );
  const status = h("p", { id: "q-status", class: "status", role: "status", "aria-live": "polite" });
  const validate = () => {
    const hasAdvanced = Object.values(readAdvanced()).some((v) => v);
    if (input.value.trim() === "" && hasAdvanced) {
      status.textContent = "Advanced query";
      status.className = "status ok";
      return true;
    }
    const parsed = parseSearch(input.value, assembly.value as Assembly);
    status.textContent = parsed.ok ? `Searching for ${parsed.query.label}` : parsed.reason;
    status.className = parsed.ok ? "status ok" : "status invalid";
    input.setAttribute("aria-invalid", parsed.ok ? "false" : "true");
    return parsed.ok;
  };
  input.addEventListener("input", validate);
  assembly.addEventListener("change", validate);

  const advancedInputs = ADVANCED_FIELDS.map(([key, label, hint]) => {
    const el = h("input", { id: `a-${key}`, name: key, value: state.advanced[key] ?? "", placeholder: hint });
    el.addEventListener("input", validate);
    return h("div", { class: "field" }, h("label", { for: `a-${key}` }, label), el);
  });
  const readAdvanced = () => {
    const out: Record<string, string> = {};
    for (const [key] of ADVANCED_FIELDS) {
      const v = (document.getElementById(`a-${key}`) as HTMLInputElement | null)?.value.trim();
      if (v) out[key] = v;
    }
    return out;
  };

  const groups = new Map<string, FilteringTerm[]>();
  for (const t of terms) {
    const g = group(t);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(t);
  }
  const termSearch = h("input", { id: "term-search", type: "search", placeholder: "filter terms by id or label" });
  const fieldsets = [...groups.entries()].map(([name, list]) =>
    h(
      "fieldset",
      { class: "terms" },
      h("legend", {}, name),
      list.map((t) =>
        h(
          "label",
          { class: "term", "data-term": `${t.id} ${t.label ?? ""}`.toLowerCase() },
          h("input", { type: "checkbox", name: "filter", value: t.id, checked: state.filters.includes(t.id) }),
          " ",
          termLabel(t),
        ),
      ),
    ),
  );
  termSearch.addEventListener("input", () => {
    const needle = termSearch.value.toLowerCase();
    document.querySelectorAll<HTMLElement>("label.term").forEach((el) => {
      el.hidden = needle !== "" && !(el.dataset.term ?? "").includes(needle);
    });
  });

  const results = h("section", { id: "results", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "search-form", role: "search" },
    h("h1", {}, "Search the federation"),
    h(
      "div",
      { class: "searchbar" },
      h("label", { for: "q", class: "visually-hidden" }, "Variant, region or gene"),
      input,
      h("label", { for: "assembly", class: "visually-hidden" }, "Assembly"),
      assembly,
      h("button", { type: "submit" }, "Search"),
    ),
    status,
    h("details", { class: "advanced", open: Object.keys(state.advanced).length > 0 }, h("summary", {}, "Advanced Beacon v2 query"), advancedInputs),
    h(
      "details",
      { class: "filters", open: state.filters.length > 0 },
      h("summary", {}, `Filters (${terms.length} terms from the federation)`),
      termsNote,
      h("label", { for: "term-search" }, "Find a term"),
      termSearch,
      fieldsets,
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!validate()) {
      input.focus();
      return;
    }
    const filters = [...form.querySelectorAll<HTMLInputElement>("input[name=filter]:checked")].map((el) => el.value);
    const next: SearchState = { q: input.value.trim(), assembly: assembly.value as Assembly, filters, advanced: readAdvanced() };
    const url = stateUrl(next);
    if (location.hash === url) void runSearch(results, next);
    else location.hash = url;
  });
  main.append(form, results);
  if (state.q || Object.keys(state.advanced).length) {
    validate();
    await runSearch(results, state);
  } else {
    validate();
    status.textContent = "";
  }
}

async function runSearch(results: HTMLElement, state: SearchState): Promise<void> {
  clear(results);
  let query: BeaconQuery | null = null;
  if (state.q) {
    const parsed = parseSearch(state.q, state.assembly);
    if (!parsed.ok) {
      results.append(h("p", { class: "error", role: "alert" }, parsed.reason));
      return;
    }
    query = parsed.query;
  }
  results.append(h("p", { class: "loading" }, "Asking the federation…"));
  const params = beaconParams(query, state);
  let variants: BeaconResponse;
  let individuals: BeaconResponse;
  try {
    [variants, individuals] = await Promise.all([api.gVariants(params), api.individuals(params)]);
  } catch (e) {
    clear(results);
    const msg = e instanceof ApiError ? `The hub refused the query (${e.status}): ${e.message}` : `The hub could not be reached: ${(e as Error).message}`;
    results.append(h("p", { class: "error", role: "alert" }, msg));
    return;
  }
  clear(results);
  results.append(renderResults(query, state, variants, individuals));
}

function unreachable(resp: BeaconResponse): Array<{ id: string; why: string }> {
  const out: Array<{ id: string; why: string }> = [];
  for (const n of resp.info?.nodes ?? []) {
    if (n.status && n.status !== "ok") out.push({ id: n.id, why: n.error ?? n.status });
  }
  for (const u of resp.info?.unavailableNodes ?? []) {
    const id = typeof u === "string" ? u : u.id;
    if (!out.some((o) => o.id === id)) out.push({ id, why: typeof u === "string" ? "unavailable" : (u.reason ?? u.error ?? "unavailable") });
  }
  return out;
}

interface FreqRow {
  dataset: string;
  node: string;
  population: string;
  item: FrequencyItem;
}

function frequencyRows(resp: BeaconResponse): FreqRow[] {
  const rows: FreqRow[] = [];
  for (const set of resp.response?.resultSets ?? []) {
    for (const record of set.results ?? []) {
      const fips = (record.frequencyInPopulations ?? []) as Array<{ source?: string; frequencies?: FrequencyItem[] }>;
      for (const fip of fips) {
        for (const item of fip.frequencies ?? []) {
          rows.push({ dataset: set.id, node: set.info?.node ?? "", population: item.population, item });
        }
      }
    }
  }
  return rows;
}

function fmtAf(v: number | undefined): string {
  if (v === undefined) return "—";
  return v === 0 ? "0" : v < 0.001 ? v.toExponential(2) : v.toFixed(4);
}

function renderResults(query: BeaconQuery | null, state: SearchState, variants: BeaconResponse, individuals: BeaconResponse): HTMLElement {
  const section = h("div", { class: "results" });
  const label = query?.label ?? "advanced query";
  const summary = individuals.responseSummary;
  section.append(
    h("h2", {}, `Results for ${label}`),
    h(
      "p",
      { class: "summary", "data-testid": "summary" },
      summary?.exists ? "Found in the federation. " : "Not found in any dataset that answered. ",
      summary?.numTotalResults !== undefined ? `${summary.numTotalResults} individuals in all` : "",
      summary?.countPrecision === "imprecise" ? " (imprecise: low counts are rounded by node policy)" : "",
      state.filters.length ? ` · filters: ${state.filters.join(", ")}` : "",
    ),
  );
  const down = unreachable(individuals);
  if (down.length) {
    section.append(
      h("div", { class: "warning", role: "alert", "data-testid": "unreachable" }, h("strong", {}, "Unreachable nodes: "), down.map((d) => `${d.id} (${d.why})`).join("; "), ". Their datasets are not part of this answer."),
    );
  }
  const variantSets = new Map((variants.response?.resultSets ?? []).map((s) => [s.id, s]));
  const individualSets = individuals.response?.resultSets ?? [];
  const ids = [...new Set([...individualSets.map((s) => s.id), ...variantSets.keys()])].sort();
  const rows = ids.map((id) => {
    const ind = individualSets.find((s) => s.id === id);
    const v = variantSets.get(id);
    const any = ind ?? v!;
    return { id, node: any.info?.node ?? "", country: any.info?.country ?? "", variant: v, individuals: ind, granularity: ind?.info?.returnedGranularity ?? v?.info?.returnedGranularity };
  });
  const table = h(
    "table",
    { class: "datasets", "data-testid": "datasets" },
    h("caption", {}, "Per node and dataset"),
    h("thead", {}, h("tr", {}, ["Dataset", "Node", "Country", "Variant found", "Individuals", "Access", "Why"].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          { "data-dataset": r.id },
          h("th", { scope: "row" }, r.id),
          h("td", {}, r.node),
          h("td", {}, r.country),
          h("td", {}, r.variant ? (r.variant.exists ? "yes" : "no") : "—"),
          h("td", { class: r.individuals?.countPrecision === "imprecise" ? "count imprecise" : "count", "data-testid": "count" }, countText(r.individuals)),
          h("td", {}, r.granularity ?? "—"),
          h("td", {}, granularityReason(r.granularity)),
        ),
      ),
    ),
  );
  section.append(table);

  // Allele frequencies (record-level variant answers carry frequencyInPopulations).
  const freqs = frequencyRows(variants);
  const freqSection = h("section", { class: "frequencies" }, h("h3", {}, "Allele frequency by population"));
  if (freqs.length === 0) {
    freqSection.append(h("p", { class: "note" }, query?.kind === "variant" ? "Frequencies are shown for datasets whose node gives you record-level variant answers (a granted dataset, or a node that publishes records)." : "Frequencies are shown for a single variant."));
  } else {
    const byPop = new Map<string, { ac: number; an: number; hom: number; het: number; hemi: number; imprecise: boolean }>();
    for (const r of freqs) {
      const p = byPop.get(r.population) ?? { ac: 0, an: 0, hom: 0, het: 0, hemi: 0, imprecise: false };
      p.ac += r.item.alleleCount ?? 0;
      p.an += r.item.alleleNumber ?? 0;
      p.hom += r.item.alleleCountHomozygous ?? 0;
      p.het += r.item.alleleCountHeterozygous ?? 0;
      p.hemi += r.item.alleleCountHemizygous ?? 0;
      p.imprecise ||= r.item.alleleCount === undefined;
      byPop.set(r.population, p);
    }
    const pops = [...byPop.keys()].sort((a, b) => (a === "Total" ? 1 : b === "Total" ? -1 : a.localeCompare(b)));
    const freqTable = h(
      "table",
      { class: "freq", "data-testid": "freq-table" },
      h("caption", {}, "Pooled over the datasets that gave records (expand a row for its nodes)"),
      h("thead", {}, h("tr", {}, ["Population", "AC", "AN", "AF", "Hom", "Het", "Hemi"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        pops.flatMap((pop) => {
          const p = byPop.get(pop)!;
          const af = p.an > 0 ? p.ac / p.an : undefined;
          const detail = freqs.filter((r) => r.population === pop);
          const toggle = h("button", { type: "button", class: "expand", "aria-expanded": "false", "aria-label": `Show ${pop} by node` }, "▸");
          const sub = detail.map((d) =>
            h("tr", { class: "sub", hidden: true }, h("td", {}, `↳ ${d.node} (${d.dataset})`), h("td", {}, d.item.alleleCount ?? "<min"), h("td", {}, d.item.alleleNumber ?? "—"), h("td", {}, fmtAf(d.item.alleleFrequency)), h("td", {}, d.item.alleleCountHomozygous ?? "—"), h("td", {}, d.item.alleleCountHeterozygous ?? "—"), h("td", {}, d.item.alleleCountHemizygous ?? "—")),
          );
          toggle.addEventListener("click", () => {
            const open = toggle.getAttribute("aria-expanded") !== "true";
            toggle.setAttribute("aria-expanded", String(open));
            toggle.textContent = open ? "▾" : "▸";
            for (const s of sub) s.hidden = !open;
          });
          return [
            h("tr", { "data-population": pop }, h("th", { scope: "row" }, toggle, " ", pop), h("td", {}, p.ac + (p.imprecise ? "+" : "")), h("td", {}, p.an), h("td", { "data-testid": "af" }, fmtAf(af)), h("td", {}, p.hom), h("td", {}, p.het), h("td", {}, p.hemi)),
            ...sub,
          ];
        }),
      ),
    );
    const chartPops = pops.filter((p) => p !== "Total");
    const chart = new AfChart(chartPops.map((p) => ({ label: p, value: byPop.get(p)!.an > 0 ? byPop.get(p)!.ac / byPop.get(p)!.an : 0 })));
    freqSection.append(h("div", { class: "freq-layout" }, freqTable, chart.element));
    freqSection.append(
      h("p", {}, h("button", { type: "button", id: "freq-by-sex" }, "Frequencies by sex")),
    );
    const bySex = h("div", { id: "freq-sex" });
    freqSection.append(bySex);
    freqSection.querySelector("#freq-by-sex")!.addEventListener("click", async () => {
      clear(bySex);
      bySex.append(h("p", { class: "loading" }, "Asking the federation…"));
      const sexes: Array<[string, string]> = [
        ["female", "NCIT:C16576"],
        ["male", "NCIT:C20197"],
      ];
      const answers = await Promise.all(sexes.map(([, id]) => api.gVariants(beaconParams(query, state, id)).catch(() => null)));
      clear(bySex);
      bySex.append(
        h(
          "table",
          { class: "freq", "data-testid": "freq-sex-table" },
          h("caption", {}, "Total allele frequency by sex"),
          h("thead", {}, h("tr", {}, ["Sex", "AC", "AN", "AF"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            sexes.map(([name], i) => {
              const rows = answers[i] ? frequencyRows(answers[i]!).filter((r) => r.population === "Total") : [];
              const ac = rows.reduce((s, r) => s + (r.item.alleleCount ?? 0), 0);
              const an = rows.reduce((s, r) => s + (r.item.alleleNumber ?? 0), 0);
              return h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, answers[i] ? ac : "unavailable"), h("td", {}, an), h("td", {}, fmtAf(an ? ac / an : undefined)));
            }),
          ),
        ),
      );
    });
  }
  section.append(freqSection);

  // Records (granted datasets only): individuals, paged by the hub's skip/limit.
  const records = individualSets.flatMap((s) => (s.results ?? []).map((r) => ({ set: s.id, r })));
  if (records.length) {
    section.append(renderRecords(records));
  }

  const exportRows: Array<Array<string | number | undefined>> = [["dataset", "node", "country", "variantFound", "individuals", "countPrecision", "granularity"]];
  for (const r of rows) exportRows.push([r.id, r.node, r.country, r.variant ? String(r.variant.exists) : "", r.individuals?.resultsCount, r.individuals?.countPrecision, r.granularity]);
  section.append(
    h(
      "p",
      { class: "export" },
      h("button", { type: "button", onclick: () => download("genomefed-results.json", "application/json", JSON.stringify({ query: label, variants, individuals }, null, 2)) }, "Export JSON"),
      " ",
      h("button", { type: "button", onclick: () => download("genomefed-results.csv", "text/csv", csv(exportRows)) }, "Export CSV"),
    ),
  );
  return section;
}

function renderRecords(records: Array<{ set: string; r: Record<string, unknown> }>): HTMLElement {
  const pageSize = 20;
  let page = 0;
  const body = h("tbody", {});
  const pager = h("p", { class: "pager" });
  const draw = () => {
    clear(body);
    for (const { set, r } of records.slice(page * pageSize, (page + 1) * pageSize)) {
      const sex = (r.sex as { label?: string; id?: string } | undefined)?.label ?? (r.sex as { id?: string } | undefined)?.id ?? "";
      body.append(h("tr", {}, h("td", {}, set), h("td", {}, String(r.id ?? "")), h("td", {}, sex)));
    }
    clear(pager);
    const pages = Math.ceil(records.length / pageSize);
    pager.append(
      h("button", { type: "button", disabled: page === 0, onclick: () => { page--; draw(); } }, "Previous"),
      ` page ${page + 1} of ${pages} `,
      h("button", { type: "button", disabled: page + 1 >= pages, onclick: () => { page++; draw(); } }, "Next"),
    );
  };
  draw();
  return h(
    "section",
    { class: "records" },
    h("h3", {}, `Individual records (${records.length}, from granted datasets)`),
    h("table", { "data-testid": "records" }, h("thead", {}, h("tr", {}, ["Dataset", "Individual", "Sex"].map((c) => h("th", { scope: "col" }, c)))), body),
    pager,
  );
}
