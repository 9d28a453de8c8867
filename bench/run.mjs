#!/usr/bin/env node
// carehook against its JavaScript peers and native Rust, side by side in one process.
//   node bench/run.mjs            full run → bench/results/latest.json and BENCHMARKS.md (scripts/bench runs this)
//   node bench/run.mjs --quick    a smoke (< 30 s): every row must produce numbers and every carehook call verify
//   options: --worker (the wrk row; scripts/bench passes it, or --worker-skip=REASON), --only=v1-1k,ed25519-1k,
//   --out=FILE, --no-write
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measure, PROFILES } from "./lib/harness.mjs";
import { rows } from "./lib/rows.mjs";
import { coldStart, installSize, wasmSize } from "./lib/sizes.mjs";
import { workerBench, workerMissing } from "./lib/worker.mjs";
import { evaluateTargets, renderMarkdown } from "./report.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = join(ROOT, "pkg");
const NATIVE = join(ROOT, "bench", "native", "target", "criterion");

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const only = option("only")?.split(",");
const want = (id) => !only || only.includes(id);
const write = !quick && !flag("no-write");
const out = option("out") ?? join(ROOT, "bench", "results", "latest.json");

if (!existsSync(join(PKG, "dist", "carehook_bg.wasm"))) {
  console.error("bench: pkg/dist is missing: run scripts/build-pkg (make pkg) first");
  process.exit(1);
}
const api = await import(join(PKG, "index.node.mjs"));
const profile = quick ? PROFILES.quick : PROFILES.full;

function machine() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const l = execFileSync("lscpu", { encoding: "utf8" });
    cpu = /^Model name:\s*(.+)$/m.exec(l)?.[1]?.trim() ?? cpu;
  } catch {}
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

/** criterion's median for a bench, in ns, or null. */
function native(id) {
  const f = join(NATIVE, id, "new", "estimates.json");
  if (quick || !existsSync(f)) return null;
  const e = JSON.parse(readFileSync(f, "utf8"));
  return { medianNs: e.median.point_estimate, meanNs: e.mean.point_estimate, measuredAt: statSync(f).mtime.toISOString() };
}

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`);
const started = Date.now();
const result = { machine: machine(), profile: { name: quick ? "quick" : "full", ...profile }, rows: [] };

for (const row of rows(api)) {
  if (!want(row.id)) continue;
  const contenders = await row.build();
  const measured = await measure(contenders, profile);
  const ch = measured.find((c) => c.name === "carehook");
  for (const c of measured) c.timeVsCarehook = c.medianNs / ch.medianNs;
  const nat = native(row.id);
  result.rows.push({ id: row.id, title: row.title, what: row.what, contenders: measured, native: nat, wasmVsNative: nat ? ch.medianNs / nat.medianNs : null });
  console.log(`\n${row.title} — ${row.what}`);
  for (const c of measured) {
    const extra = c.verified !== undefined ? `  (${c.verified} calls, all verified)` : "";
    console.log(`  ${c.name.padEnd(34)} ${Math.round(c.opsPerSec).toString().padStart(9)} ops/s  median ${fmt(c.medianNs).padStart(10)}  p99 ${fmt(c.p99Ns).padStart(10)}  ${c.timeVsCarehook.toFixed(2)}× carehook time${extra}`);
  }
  if (nat) console.log(`  ${"native (criterion)".padEnd(34)} median ${fmt(nat.medianNs)}; wasm/native ${(ch.medianNs / nat.medianNs).toFixed(2)}×`);
}

if (want("size")) {
  result.wasm = wasmSize(PKG);
  console.log(`\n.wasm: ${result.wasm.rawBytes} B raw, ${result.wasm.gzipBytes} B gzip`);
  result.install = installSize(PKG);
  console.log(`installed: ${result.install.installedBytes} B in ${result.install.installedFiles} files (tarball ${result.install.tarballBytes} B, ${result.install.dependencies} dependencies)`);
}
if (want("cold")) {
  result.coldStart = coldStart(PKG, quick ? 3 : 21);
  const c = result.coldStart;
  console.log(`cold start: compile ${c.compileMs.toFixed(2)} ms + instantiate ${c.instantiateMs.toFixed(2)} ms; node import ${c.nodeImportMs.toFixed(1)} ms vs empty ${c.nodeEmptyMs.toFixed(1)} ms → +${c.importDeltaMs.toFixed(1)} ms`);
}
if (want("worker")) {
  if (option("worker-skip")) {
    result.worker = { status: option("worker-skip") };
  } else if (flag("worker") && !quick) {
    try {
      result.worker = await workerBench(ROOT, api);
    } catch (e) {
      // Reported, never replaced by numbers: the row says why it has none.
      result.worker = { status: `worker run failed: ${e.message}` };
    }
  } else {
    result.worker = { status: workerMissing(ROOT) ?? "not run (pass --worker; scripts/bench does)" };
  }
  const w = result.worker;
  if (w.status === "ok") {
    console.log(`worker: ingest ${w.ingest.rps.toFixed(0)} req/s (p99 ${w.ingest.p99Ms} ms) vs pass-through ${w.passThrough.rps.toFixed(0)} req/s (p99 ${w.passThrough.p99Ms} ms); forged ${w.forged.rps.toFixed(0)} req/s`);
  } else console.log(`worker: ${w.status}`);
}

result.targets = evaluateTargets(result);
result.elapsedSeconds = Math.round((Date.now() - started) / 1000);

// The smoke's assertions (they hold for a full run too): every number is a number, every carehook call verified.
const problems = [];
for (const r of result.rows) {
  for (const c of r.contenders) {
    for (const k of ["opsPerSec", "medianNs", "p99Ns", "timeVsCarehook"]) {
      if (!Number.isFinite(c[k]) || c[k] <= 0) problems.push(`${r.id}/${c.name}: ${k} = ${c[k]}`);
    }
    if (c.name.startsWith("carehook") && (c.verified === undefined || c.verified !== c.calls || c.calls === 0)) {
      problems.push(`${r.id}/${c.name}: ${c.verified} of ${c.calls} calls verified`);
    }
  }
}
if (only === undefined && result.rows.length !== rows(api).length) problems.push("a row is missing");
for (const [k, v] of Object.entries({ ...result.wasm, ...result.install, ...result.coldStart })) {
  if (!Number.isFinite(v) || (v <= 0 && k !== "dependencies")) problems.push(`${k} = ${v}`);
}
for (const t of result.targets) if (!Number.isFinite(t.value) && t.status !== "not run") problems.push(`target ${t.target}: no measurement`);
console.log(`\ntargets:`);
for (const t of result.targets) console.log(`  ${t.met === null ? "  -  " : t.met ? " met " : " MISS"}  ${t.target}: ${t.measured}`);
if (problems.length) {
  console.error(`\nbench: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}

if (write) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  if (!option("out")) writeFileSync(join(ROOT, "BENCHMARKS.md"), renderMarkdown(result));
  console.log(`\nwrote ${out}${option("out") ? "" : " and BENCHMARKS.md"}`);
}
const carehookCalls = result.rows.flatMap((r) => r.contenders).filter((c) => c.verified !== undefined).reduce((a, c) => a + c.verified, 0);
console.log(`\nbench: ${result.rows.length} rows, ${carehookCalls} carehook calls, all verified (${result.elapsedSeconds} s)`);
