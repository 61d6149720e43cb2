// Parsing of the search box: what a researcher types, turned into Beacon v2 request parameters
// (0-based `start`, as the Beacon v2 framework defines coordinates), with the reason when the
// text is not a query. Pure functions: no DOM, no network.

export type Assembly = "GRCh38" | "GRCh37";

export interface BeaconQuery {
  kind: "variant" | "region" | "gene";
  params: Record<string, string>;
  label: string;
}

export type Parsed = { ok: true; query: BeaconQuery } | { ok: false; reason: string };

const CHROMOSOMES = new Set([
  ...Array.from({ length: 22 }, (_, i) => String(i + 1)),
  "X",
  "Y",
  "MT",
  "M",
]);

function chromosome(text: string): string | null {
  const name = text.replace(/^chr/i, "").toUpperCase();
  if (!CHROMOSOMES.has(name)) return null;
  return name === "M" ? "MT" : name;
}

function position(text: string): number | null {
  if (!/^\d{1,10}$/.test(text.replace(/,/g, ""))) return null;
  const value = Number(text.replace(/,/g, ""));
  return value >= 1 && value <= 2 ** 31 ? value : null;
}

const BASES = /^[ACGTN]+$/;

function variant(chr: string, pos: string, ref: string, alt: string, assembly: Assembly): Parsed {
  const name = chromosome(chr);
  if (!name) return { ok: false, reason: `"${chr}" is not a human chromosome (1–22, X, Y, MT)` };
  const p = position(pos);
  if (p === null) return { ok: false, reason: `"${pos}" is not a position (1-based, a whole number)` };
  const r = ref.toUpperCase();
  const a = alt.toUpperCase();
  if (!BASES.test(r)) return { ok: false, reason: `reference bases "${ref}" must be A, C, G, T or N` };
  if (!BASES.test(a)) return { ok: false, reason: `alternate bases "${alt}" must be A, C, G, T or N` };
  if (r === a) return { ok: false, reason: "reference and alternate bases are the same" };
  return {
    ok: true,
    query: {
      kind: "variant",
      label: `${name}-${p}-${r}-${a} (${assembly})`,
      params: {
        assemblyId: assembly,
        referenceName: name,
        start: String(p - 1),
        referenceBases: r,
        alternateBases: a,
      },
    },
  };
}

// Accepted forms: `22-16050075-A-G`, `chr22:16050075 A>G`, `22:16050075:A:G`, a region
// `22:16,000,000-17,000,000`, a gene symbol `BRCA2`. rsIDs need a node with an rsID table.
export function parseSearch(input: string, assembly: Assembly): Parsed {
  const text = input.trim();
  if (text === "") return { ok: false, reason: "type a variant (22-16050075-A-G), a region (22:16000000-17000000) or a gene symbol" };
  let m = /^(?:chr)?([0-9XYMT]{1,2})[-:](\d[\d,]*)[-:]([A-Za-z]+)[-:]([A-Za-z]+)$/i.exec(text);
  if (m) return variant(m[1], m[2], m[3], m[4], assembly);
  m = /^(?:chr)?([0-9XYMT]{1,2}):(\d[\d,]*)\s*([A-Za-z]+)\s*>\s*([A-Za-z]+)$/i.exec(text);
  if (m) return variant(m[1], m[2], m[3], m[4], assembly);
  m = /^(?:chr)?([0-9XYMT]{1,2}):(\d[\d,]*)\s*-\s*(\d[\d,]*)$/i.exec(text);
  if (m) {
    const name = chromosome(m[1]);
    const from = position(m[2]);
    const to = position(m[3]);
    if (!name) return { ok: false, reason: `"${m[1]}" is not a human chromosome (1–22, X, Y, MT)` };
    if (from === null || to === null) return { ok: false, reason: "region bounds must be whole numbers ≥ 1" };
    if (to < from) return { ok: false, reason: "the region ends before it starts" };
    if (to - from > 50_000_000) return { ok: false, reason: "regions are limited to 50 Mb: narrow the range" };
    return {
      ok: true,
      query: {
        kind: "region",
        label: `${name}:${from}-${to} (${assembly})`,
        params: { assemblyId: assembly, referenceName: name, start: String(from - 1), end: String(to) },
      },
    };
  }
  if (/^rs\d+$/i.test(text)) {
    return { ok: false, reason: "rsID search needs a node with an rsID table; none of this federation's nodes has one — search by position instead" };
  }
  if (/^[A-Za-z][A-Za-z0-9-]{0,19}$/.test(text) && !/^chr/i.test(text)) {
    const symbol = text.toUpperCase();
    return { ok: true, query: { kind: "gene", label: `gene ${symbol} (${assembly})`, params: { assemblyId: assembly, geneId: symbol } } };
  }
  return { ok: false, reason: `"${text}" is neither a variant (22-16050075-A-G or 22:16050075 A>G), a region (22:1000-2000) nor a gene symbol` };
}
