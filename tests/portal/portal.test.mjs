// The portal in a real browser against a real federation: Debian's Chromium driven by
// playwright-core (node --test), a hub and nodes started by federation.mjs on 127.0.0.1.
// Every page is also a test of the hub's public API: the numbers on the page are checked
// against the hub's JSON and against `genomefed query` on each node's store. Screenshots of
// every page go to $GENOMEFED_ARTEFACTS (default: build/portal-screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFederation } from "./federation.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const portalDir = join(here, "..", "..", "portal");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const artefacts = process.env.GENOMEFED_ARTEFACTS ?? join(here, "..", "..", "build", "portal-screenshots");

let chromium = null;
try {
  chromium = createRequire(join(portalDir, "package.json"))("playwright-core").chromium;
} catch {
  chromium = null;
}
const missing = !existsSync(chromiumPath)
  ? `${chromiumPath} is absent (scripts/install-deps.sh installs Debian's chromium)`
  : !chromium
    ? "playwright-core is not installed in portal/node_modules (make portal)"
    : !existsSync(join(portalDir, "dist", "index.html"))
      ? "the portal is not built (make portal)"
      : null;

let fed;
let browser;
let variant; // an allele carried in both live nodes, e.g. "22-16026213-T-G"
let hpo; // an HPO term that narrows the carriers

before(async () => {
  if (missing) return;
  mkdirSync(artefacts, { recursive: true });
  fed = await startFederation();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // A common allele of both cohorts (they share one site model).
  const fi = fed.query(fed.nodes[0], ["--region", "22:1-60000000"]);
  const nl = new Map(fed.query(fed.nodes[1], ["--region", "22:1-60000000"]).map((a) => [a.variant, a]));
  const common = fi.filter((a) => a.individuals >= 20 && (nl.get(a.variant)?.individuals ?? 0) >= 20);
  assert.ok(common.length > 0, "the two cohorts share no common allele");
  variant = common[0].variant;
  const terms = await fetch(`${fed.hub}/api/filtering_terms`).then((r) => r.json());
  const hpos = terms.response.filteringTerms.map((t) => t.id).filter((id) => id.startsWith("HP:"));
  hpo = hpos.find((id) => {
    const n = fed.query(fed.nodes[0], ["--variant", variant.replaceAll("-", ":"), "--filter", id]).individuals;
    return n > 0 && n < common[0].individuals;
  });
  assert.ok(hpo, "no HPO term narrows the carriers");
});

after(async () => {
  await browser?.close();
  await fed?.stop();
});

async function openPage(hash) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(String(err)));
  await page.goto(`${fed.hub}/${hash}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  return { page, problems };
}

function shot(page, name) {
  return page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
}

test("the portal is served with a strict Content-Security-Policy", { skip: missing ?? false }, async () => {
  const res = await fetch(`${fed.hub}/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const html = await res.text();
  assert.doesNotMatch(html, /<script>(?!<\/script>)/, "no inline script");
  assert.equal((await fetch(`${fed.hub}/assets/..%2Fhub.toml`)).status, 404);
});

test("search: counts per dataset equal the hub API and genomefed query on each node", { skip: missing ?? false }, async () => {
  const { page, problems } = await openPage(`#/search?q=${variant}&assembly=GRCh38`);
  await page.waitForSelector("[data-testid=datasets]");
  const [chr, pos, ref, alt] = variant.split("-");
  const api = await fetch(`${fed.hub}/api/individuals?referenceName=${chr}&start=${pos - 1}&referenceBases=${ref}&alternateBases=${alt}&requestedGranularity=record&includeResultsetResponses=ALL&assemblyId=GRCh38`).then((r) => r.json());
  for (const node of fed.nodes) {
    const id = `${node.id}:${node.id}-cohort`;
    const shown = await page.textContent(`tr[data-dataset="${id}"] [data-testid=count]`);
    const fromApi = api.response.resultSets.find((s) => s.id === id).resultsCount;
    const fromStore = fed.query(node, ["--variant", variant.replaceAll("-", ":")]).individuals;
    assert.equal(Number(shown), fromApi, `${id}: page vs hub API`);
    assert.equal(fromApi, fromStore, `${id}: hub API vs genomefed query`);
  }
  // The dead node is shown as unreachable, not as "not found".
  assert.match(await page.textContent("[data-testid=unreachable]"), /es/);
  await shot(page, "search-results");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a phenotype filter changes the counts to those of the filtered store", { skip: missing ?? false }, async () => {
  const { page } = await openPage(`#/search?q=${variant}&assembly=GRCh38`);
  await page.waitForSelector("[data-testid=datasets]");
  await page.click("details.filters summary");
  await page.check(`input[name=filter][value="${hpo}"]`);
  await page.click("form#search-form button[type=submit]");
  await page.waitForFunction((term) => location.hash.includes(`filters=${encodeURIComponent(term)}`) || location.hash.includes(`filters=${term}`), hpo);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector("[data-testid=datasets]");
  const fi = fed.nodes[0];
  const expected = fed.query(fi, ["--variant", variant.replaceAll("-", ":"), "--filter", hpo]).individuals;
  const shown = await page.textContent(`tr[data-dataset="fi:fi-cohort"] [data-testid=count]`);
  assert.equal(Number(shown), expected);
  assert.notEqual(expected, fed.query(fi, ["--variant", variant.replaceAll("-", ":")]).individuals);
  // The URL is the search: opening it again shows the same.
  const again = await openPage(new URL(page.url()).hash);
  await again.page.waitForSelector("[data-testid=datasets]");
  assert.equal(await again.page.textContent(`tr[data-dataset="fi:fi-cohort"] [data-testid=count]`), shown);
  await shot(page, "search-filtered");
  await again.page.close();
  await page.close();
});

test("an invalid variant shows the reason as you type", { skip: missing ?? false }, async () => {
  const { page } = await openPage("#/search");
  await page.fill("#q", "22-16050075-A-Q");
  assert.match(await page.textContent("#q-status"), /alternate bases "Q"/);
  assert.equal(await page.getAttribute("#q", "aria-invalid"), "true");
  await page.fill("#q", "23-100-A-G");
  assert.match(await page.textContent("#q-status"), /not a human chromosome/);
  await page.fill("#q", "22:16050075 A>G");
  assert.match(await page.textContent("#q-status"), /22-16050075-A-G/);
  // Keyboard only: Enter submits.
  await page.fill("#q", variant);
  await page.press("#q", "Enter");
  await page.waitForSelector("[data-testid=datasets]");
  await shot(page, "search-validation");
  await page.close();
});

test("the frequency chart has the numbers of the table beside it", { skip: missing ?? false }, async () => {
  const { page } = await openPage(`#/search?q=${variant}&assembly=GRCh38`);
  await page.waitForSelector("[data-testid=freq-table]");
  await page.waitForSelector("[data-testid=af-chart][data-values]");
  const values = JSON.parse(await page.getAttribute("[data-testid=af-chart]", "data-values"));
  const labels = JSON.parse(await page.getAttribute("[data-testid=af-chart]", "data-labels"));
  assert.ok(labels.length > 0);
  for (let i = 0; i < labels.length; i++) {
    const cell = await page.textContent(`tr[data-population="${labels[i]}"] [data-testid=af]`);
    assert.ok(Math.abs(Number(cell) - values[i]) < 1e-4, `${labels[i]}: table ${cell}, chart ${values[i]}`);
  }
  // The open-access node's figures equal its store's.
  const nl = fed.query(fed.nodes[1], ["--variant", variant.replaceAll("-", ":")]);
  const nlCell = await page.textContent(`tr[data-population="NLD"] [data-testid=af]`);
  assert.ok(Math.abs(Number(nlCell) - nl.alleleFrequency) < 1e-4, `NLD AF ${nlCell} vs ${nl.alleleFrequency}`);
  await page.check("#af-log");
  await shot(page, "frequencies");
  await page.close();
});

test("catalogue: facets, search, dataset page and federation health", { skip: missing ?? false }, async () => {
  const { page } = await openPage("#/catalogue");
  await page.waitForSelector("[data-testid=catalogue-total]");
  assert.match(await page.textContent("[data-testid=catalogue-total]"), /^2 of 2 datasets/);
  await shot(page, "catalogue");
  await page.check('input[name=country][value="FI"]');
  await page.click("form.catalogue-search button[type=submit]");
  await page.waitForFunction(() => document.querySelector("[data-testid=catalogue-total]")?.textContent?.startsWith("1 of 2"));
  assert.equal(await page.locator("article.dataset").count(), 1);
  await page.click('article[data-dataset="fi:fi-cohort"] h2 a');
  await page.waitForSelector("[data-testid=phenotypes]");
  assert.match(await page.textContent("main h1"), /Synthetic FI cohort/);
  await shot(page, "dataset");
  const health = await openPage("#/health");
  await health.page.waitForSelector("[data-testid=health]");
  assert.match(await health.page.textContent('tr[data-node="es"]'), /stale/);
  assert.match(await health.page.textContent('tr[data-node="fi"]'), /ok/);
  await shot(health.page, "health");
  await health.page.close();
  await page.close();
});
