// Catalogue, dataset and federation-health pages over /api/catalogue (harvested from the nodes'
// /info, /datasets and /filtering_terms). Facets are computed from the unfiltered catalogue so
// every choice shows how many datasets it has; the selection lives in the URL hash.
import { api, type Catalogue, type CatalogueDataset, type FilteringTerm } from "./api";
import { clear, h } from "./dom";

type Facet = "country" | "node" | "consent" | "dataType";

function facetValues(d: CatalogueDataset, facet: Facet): string[] {
  switch (facet) {
    case "country":
      return [d.country];
    case "node":
      return [d.node];
    case "consent":
      return d.consentCodes ?? [];
    case "dataType":
      return d.dataTypes ?? [];
  }
}

const FACETS: Array<[Facet, string]> = [
  ["country", "Country"],
  ["node", "Node"],
  ["consent", "Consent (DUO)"],
  ["dataType", "Data type"],
];

export async function renderCatalogue(main: HTMLElement, params: URLSearchParams): Promise<void> {
  clear(main);
  main.append(h("h1", {}, "Catalogue"), h("p", { class: "loading" }, "Loading the catalogue…"));
  let all: Catalogue;
  let terms: FilteringTerm[] = [];
  try {
    [all, terms] = await Promise.all([api.catalogue({}), api.filteringTerms().catch(() => [])]);
  } catch (e) {
    clear(main);
    main.append(h("h1", {}, "Catalogue"), h("p", { class: "error", role: "alert" }, `The catalogue is unavailable: ${(e as Error).message}`));
    return;
  }
  const labels = new Map(terms.map((t) => [t.id, t.label ?? t.id]));
  const text = params.get("text") ?? "";
  const minSamples = params.get("minSamples") ?? "";
  const disease = params.get("disease") ?? "";
  const selected = new Map<Facet, Set<string>>(FACETS.map(([f]) => [f, new Set((params.get(f) ?? "").split(",").filter(Boolean))]));

  // Text, disease and size go to the hub's search; facets filter the answer here.
  let searched = all.datasets;
  if (text || minSamples || disease) {
    const q: Record<string, string> = {};
    if (text) q.q = text;
    if (minSamples) q.minSamples = minSamples;
    if (disease) q.disease = disease;
    try {
      searched = (await api.catalogue(q)).datasets;
    } catch (e) {
      searched = [];
      main.append(h("p", { class: "error", role: "alert" }, (e as Error).message));
    }
  }
  const shown = searched.filter((d) => FACETS.every(([f]) => selected.get(f)!.size === 0 || facetValues(d, f).some((v) => selected.get(f)!.has(v))));

  clear(main);
  const form = h("form", { class: "catalogue-search", role: "search" });
  const textInput = h("input", { id: "cat-text", type: "search", value: text, placeholder: "dataset, description, country, phenotype…" });
  const sizeInput = h("input", { id: "cat-size", type: "number", min: 0, value: minSamples });
  const diseaseInput = h("input", { id: "cat-disease", type: "search", value: disease, placeholder: "ICD10:E11 or label" });
  form.append(
    h("div", { class: "field" }, h("label", { for: "cat-text" }, "Search"), textInput),
    h("div", { class: "field" }, h("label", { for: "cat-disease" }, "Disease"), diseaseInput),
    h("div", { class: "field" }, h("label", { for: "cat-size" }, "At least this many samples"), sizeInput),
    ...FACETS.map(([facet, title]) => {
      const counts = new Map<string, number>();
      for (const d of all.datasets) for (const v of facetValues(d, facet)) counts.set(v, (counts.get(v) ?? 0) + 1);
      return h(
        "fieldset",
        { class: "facet" },
        h("legend", {}, title),
        [...counts.entries()].sort().map(([value, n]) =>
          h("label", {}, h("input", { type: "checkbox", name: facet, value, checked: selected.get(facet)!.has(value) }), " ", facet === "consent" ? `${labels.get(value) ?? value} (${value})` : value, ` · ${n}`),
        ),
      );
    }),
    h("button", { type: "submit" }, "Apply"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    if (textInput.value.trim()) p.set("text", textInput.value.trim());
    if (diseaseInput.value.trim()) p.set("disease", diseaseInput.value.trim());
    if (sizeInput.value) p.set("minSamples", sizeInput.value);
    for (const [facet] of FACETS) {
      const values = [...form.querySelectorAll<HTMLInputElement>(`input[name=${facet}]:checked`)].map((el) => el.value);
      if (values.length) p.set(facet, values.join(","));
    }
    location.hash = `#/catalogue?${p.toString()}`;
  });
  main.append(
    h("h1", {}, "Catalogue"),
    h("div", { class: "catalogue" }, form, h("section", { "aria-live": "polite" }, h("p", { "data-testid": "catalogue-total" }, `${shown.length} of ${all.total} datasets`), shown.map((d) => datasetCard(d, labels)))),
  );
}

function datasetCard(d: CatalogueDataset, labels: Map<string, string>): HTMLElement {
  return h(
    "article",
    { class: "dataset", "data-dataset": d.id },
    h("h2", {}, h("a", { href: `#/dataset/${encodeURIComponent(d.id)}` }, d.name || d.id)),
    h("p", { class: "meta" }, `${d.id} · ${d.country} · ${d.sampleCount ?? "?"} samples · ${d.alleleCount ?? "?"} alleles`, d.stale ? " · stale (last harvest failed)" : ""),
    d.description ? h("p", {}, d.description) : null,
    h("p", { class: "consent" }, "Consent: ", (d.consentCodes ?? []).map((c) => h("span", { class: "duo", title: c }, labels.get(c) ?? c)).flatMap((el, i) => (i ? [", ", el] : [el]))),
  );
}

export async function renderDataset(main: HTMLElement, id: string): Promise<void> {
  clear(main);
  let cat: Catalogue;
  let terms: FilteringTerm[] = [];
  try {
    [cat, terms] = await Promise.all([api.catalogue({}), api.filteringTerms().catch(() => [])]);
  } catch (e) {
    main.append(h("p", { class: "error", role: "alert" }, (e as Error).message));
    return;
  }
  const d = cat.datasets.find((x) => x.id === id);
  if (!d) {
    main.append(h("h1", {}, "Dataset not found"), h("p", {}, `The catalogue has no dataset ${id}.`), h("a", { href: "#/catalogue" }, "Back to the catalogue"));
    return;
  }
  const labels = new Map(terms.map((t) => [t.id, t.label ?? t.id]));
  main.append(
    h("h1", {}, d.name || d.id),
    h("p", { class: "meta" }, `${d.id} at node ${d.node} (${d.country})`),
    h("p", {}, d.description ?? ""),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Samples"),
      h("dd", {}, String(d.sampleCount ?? "unknown")),
      h("dt", {}, "Alleles"),
      h("dd", {}, String(d.alleleCount ?? "unknown")),
      h("dt", {}, "Data types"),
      h("dd", {}, (d.dataTypes ?? []).join(", ")),
      h("dt", {}, "Consent"),
      h("dd", {}, (d.consentCodes ?? []).map((c) => `${labels.get(c) ?? c} (${c})`).join("; ") || "none recorded"),
      h("dt", {}, "Last harvest"),
      h("dd", {}, d.lastHarvest ?? "never", d.stale ? " (stale)" : ""),
    ),
    h("h2", {}, "Phenotypes"),
    h("div", { id: "phenotypes" }, h("p", { class: "loading" }, "Counting…")),
    h("h2", {}, "How to get access"),
    h("p", {}, d.access?.route === "controlled" ? "Controlled access: apply at this hub's data access committee; a granted application adds a ControlledAccessGrants visa to your passport, which the node honours for record-level answers and downloads." : "Registered access: a ResearcherStatus visa gives counts."),
  );
  // Phenotype distribution: one count query per HPO term the node publishes (counts are what
  // the caller may see: imprecise below the node's minimum).
  const hpo = terms.filter((t) => t.id.startsWith("HP:")).slice(0, 12);
  const counts = await Promise.all(
    hpo.map((t) =>
      api
        .individuals({ filters: t.id, datasetIds: d.datasetId, requestedGranularity: "count" })
        .then((r) => r.response?.resultSets?.find((s) => s.id === d.id || s.info?.datasetId === d.datasetId))
        .catch(() => undefined),
    ),
  );
  const box = document.getElementById("phenotypes")!;
  clear(box);
  box.append(
    h(
      "table",
      { "data-testid": "phenotypes" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Phenotype"), h("th", { scope: "col" }, "Individuals"))),
      h("tbody", {}, hpo.map((t, i) => h("tr", {}, h("td", {}, t.label ? `${t.label} (${t.id})` : t.id), h("td", {}, counts[i] ? String(counts[i]!.resultsCount ?? (counts[i]!.exists ? "yes" : "no")) + (counts[i]!.countPrecision === "imprecise" ? " (imprecise)" : "") : "unavailable")))),
    ),
  );
}

export async function renderHealth(main: HTMLElement): Promise<void> {
  clear(main);
  main.append(h("h1", {}, "Federation"));
  try {
    const cat = await api.catalogue({});
    main.append(
      h(
        "table",
        { "data-testid": "health" },
        h("caption", {}, "Nodes and their last harvest"),
        h("thead", {}, h("tr", {}, ["Node", "Country", "Status", "Last success", "Last error"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, cat.nodes.map((n) => h("tr", { "data-node": n.id }, h("th", { scope: "row" }, n.id), h("td", {}, n.country), h("td", { class: n.stale ? "bad" : "good" }, n.stale ? "stale" : "ok"), h("td", {}, n.lastSuccess || "never"), h("td", {}, n.lastError || "")))),
      ),
    );
  } catch (e) {
    main.append(h("p", { class: "error", role: "alert" }, (e as Error).message));
  }
}
