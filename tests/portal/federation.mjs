// A small real federation for the portal's browser tests: two nodes with synthetic cohorts
// (genomefed synth + ingest), a third registered node that is down, and a hub serving the built
// portal, all on 127.0.0.1 with free ports. Every process is stopped by stop().
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";

export const genomefed = process.env.GENOMEFED_BIN;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function startServer(args, name, procs) {
  return new Promise((resolve, reject) => {
    const child = spawn(genomefed, args, { stdio: ["ignore", "pipe", "pipe"] });
    procs.push(child);
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http\S+)\/api/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${err}`));
    });
  });
}

export async function startFederation() {
  if (!genomefed) throw new Error("GENOMEFED_BIN is not set (run through scripts/run-tests.sh)");
  const work = mkdtempSync(join(tmpdir(), "genomefed-portal-"));
  const procs = [];
  const nodes = [
    { id: "fi", country: "FI", pop: "FIN", consent: "DUO:0000042", publicGranularity: "count" },
    // An open-access node: records (and so allele frequencies) for everyone.
    { id: "nl", country: "NL", pop: "NLD", consent: "DUO:0000006", publicGranularity: "record" },
  ];
  const urls = {};
  try {
    for (const n of nodes) {
      const dir = join(work, n.id);
      execFileSync(genomefed, ["synth", "--samples", "150", "--variants", "1500", "--seed", "2024", "--contigs", "22",
        "--populations", n.pop, "--sample-prefix", n.id.toUpperCase(), "--out", join(dir, "cohort"), "--quiet"]);
      execFileSync(genomefed, ["ingest", "--quiet", "--data-dir", join(dir, "data"), "--dataset", `${n.id}-cohort`,
        "--vcf", join(dir, "cohort", "cohort.vcf.gz"), "--samples", join(dir, "cohort", "samples.tsv"), "--consent", n.consent]);
      writeFileSync(join(dir, "node.toml"), `[node]
id = "${n.id}"
name = "Portal test node ${n.country}"
country = "${n.country}"
listen = "127.0.0.1:0"
data_dir = "${join(dir, "data")}"

[policy]
public_granularity = "${n.publicGranularity}"
min_count = 1

[[datasets]]
id = "${n.id}-cohort"
name = "Synthetic ${n.country} cohort"
description = "Synthetic cohort, population ${n.pop}"
consent_codes = ["${n.consent}"]
`);
      urls[n.id] = await startServer(["node", "--config", join(dir, "node.toml")], `node ${n.id}`, procs);
      n.dataDir = join(dir, "data");
    }
    const deadPort = await freePort();
    writeFileSync(join(work, "hub.toml"), `[hub]
id = "portal-test-hub"
name = "Portal test federation"
listen = "127.0.0.1:0"
db = "sqlite:${join(work, "hub.db")}"
node_timeout_ms = 1500

${nodes.map((n) => `[[nodes]]\nid = "${n.id}"\nurl = "${urls[n.id]}"\ncountry = "${n.country}"\n`).join("\n")}
[[nodes]]
id = "es"
url = "http://127.0.0.1:${deadPort}"
country = "ES"
`);
    const hub = await startServer(["hub", "--config", join(work, "hub.toml")], "hub", procs);
    // Wait for the first harvest (catalogue) of the live nodes.
    for (let i = 0; i < 100; i++) {
      const cat = await fetch(`${hub}/api/catalogue`).then((r) => r.json()).catch(() => null);
      if (cat && cat.datasets && cat.datasets.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      hub,
      nodes,
      urls,
      work,
      query(node, args) {
        return JSON.parse(execFileSync(genomefed, ["query", "--data-dir", node.dataDir, "--json", ...args]).toString());
      },
      async stop() {
        for (const p of procs) p.kill("SIGTERM");
        await Promise.all(procs.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.on("exit", r)))));
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const p of procs) p.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}
