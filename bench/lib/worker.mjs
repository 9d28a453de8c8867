// The Worker under load: the built Worker (build/) in local workerd via `wrangler dev`, driven by wrk on 127.0.0.1.
// Verified ingest (POST /in/elation, each request a distinct signed event: verify → dedupe → queue → 200) against a
// pass-through. The Worker has no pass-through route, so GET /healthz stands in for it. A local origin on
// 127.0.0.1 takes the queue's deliveries. Everything is bounded in time and stopped by PID.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../tests/js/http.mjs";

const FORWARD_SECRET = "whsec_" + Buffer.from("carehook-bench-forwarding-key-32").toString("base64");


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function get(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Why the row cannot run, or null. */
export function workerMissing(root) {
  const js = join(root, "build", "index.js");
  const wasm = join(root, "build", "index_bg.wasm");
  if (!existsSync(js) || !existsSync(wasm)) return "worker not built";
  if (spawnSync("wrk", ["--version"], { stdio: "ignore" }).error) return "wrk not installed";
  if (!existsSync(join(root, "node_modules", ".bin", "wrangler"))) return "wrangler not installed";
  return null;
}

function luaString(s) {
  if (s.includes("]==]")) throw new Error("body not representable as a Lua long string");
  return `[==[${s}]==]`;
}

/** A wrk script that cycles through pre-formatted signed requests. */
function ingestScript(requests) {
  const lines = ["local list = {"];
  for (const r of requests) {
    const hs = Object.entries(r.headers).map(([k, v]) => `[ ${luaString(k)} ]=${luaString(v)}`).join(",");
    lines.push(`{${luaString(r.path)},{${hs}},${luaString(r.body)}},`);
  }
  lines.push("}");
  lines.push(`
local reqs = {}
local i = 0
init = function(args)
  for n, r in ipairs(list) do reqs[n] = wrk.format("POST", r[1], r[2], r[3]) end
  list = nil
  i = tonumber(args[1] or "0") % #reqs
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end`);
  return lines.join("\n");
}

function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const total = Number(/(\d+) requests in/.exec(out)?.[1]);
  const unit = { us: 1e-3, ms: 1, s: 1000 };
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? Number(m[1]) * unit[m[2]] : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(out)?.[0] ?? null;
  return { rps, requests: total, p50Ms: pct(50), p99Ms: pct(99), non2xx, socketErrors: errors };
}

/** One wrk run. Asynchronous, so the origin in this process keeps answering the queue's deliveries meanwhile. */
function runWrk(url, seconds, script, connections, offset = 0) {
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "--latency"];
  if (script) args.push("-s", script);
  args.push(url);
  if (script) args.push("--", String(offset));
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`wrk failed: ${(err || out).slice(0, 300)}`));
      else resolve(parseWrk(out));
    });
  });
}

/**
 * Starts the Worker, runs `rounds` alternating wrk runs of each route (`seconds` each), and stops everything.
 * `api` is the carehook package (to sign the requests).
 */
export async function workerBench(root, api, { seconds = 6, rounds = 3, connections = 16, events = 20000 } = {}) {
  const missing = workerMissing(root);
  if (missing) return { status: missing };
  const tmp = mkdtempSync(join(tmpdir(), "carehook-bench-worker-"));
  let delivered = 0;
  const origin = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      delivered++;
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => origin.listen(0, "127.0.0.1", r));
  const originPort = origin.address().port;
  const port = await freePort();
  const inspector = await freePort();
  const elation = api.samples().find((s) => s.vendor === "elation");
  writeFileSync(join(tmp, "bench.env"), `KEYS_ELATION=${elation.verifyKey}\nFORWARD_SECRET=${FORWARD_SECRET}\n`);
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_COLOR: "1",
  };
  const args = [
    "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector),
    "--show-interactive-dev-session=false", "--env-file", join(tmp, "bench.env"), "--persist-to", join(tmp, "state"),
    "--var", `ORIGIN_URL:http://127.0.0.1:${originPort}/events`, "--log-level", "error",
  ];
  const child = spawn(join(root, "node_modules", ".bin", "wrangler"), args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log = (log + d).slice(-4000)));
  child.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {}
    const end = Date.now() + 10_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < end) await sleep(100);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
    await new Promise((r) => origin.close(r));
    origin.closeAllConnections?.();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const ready = Date.now() + 90_000;
    while ((await get(`${base}/healthz`)) !== 200) {
      if (child.exitCode !== null || Date.now() > ready) throw new Error(`wrangler dev did not start: ${log.slice(-600)}`);
      await sleep(250);
    }
    // Distinct events (Elation: Ed25519 over the body, no timestamp), so every request takes the whole ingest path.
    const requests = [];
    for (let i = 0; i < events; i++) {
      const uuid = `019a6f4e-8c2d-7a10-${(0x8000 + (i >> 16)).toString(16)}-${(i & 0xffff).toString(16).padStart(4, "0")}5f6a7b8c`;
      const body = elation.body.replace(/"event_uuid": "[^"]+"/, `"event_uuid": "${uuid}"`).replace('"event_id": 88123', `"event_id": ${100000 + i}`);
      const sig = api.sign({ vendor: "elation", key: elation.signingKey, body });
      requests.push({ path: "/in/elation", headers: { "Content-Type": "application/json", ...sig }, body });
    }
    // Every request of the script must verify before it is timed.
    for (const r of [requests[0], requests[requests.length - 1]]) {
      const ev = api.verify({ vendor: "elation", keys: elation.verifyKey, path: r.path, headers: r.headers, body: Buffer.from(r.body) });
      if (!ev.id) throw new Error("a bench request does not verify");
    }
    const script = join(tmp, "ingest.lua");
    writeFileSync(script, ingestScript(requests));
    // Forged: each body under the previous body's signature. The Worker does the whole Ed25519 check, then refuses
    // before any KV or queue work: the cost of verification alone inside the Worker.
    const forgedScript = join(tmp, "forged.lua");
    writeFileSync(forgedScript, ingestScript(requests.slice(0, 2000).map((r, i, all) => ({ ...r, headers: all[(i + 1) % all.length].headers }))));
    // The first signed request; wrangler may still be (re)loading the Worker, so a dropped connection is retried.
    let first;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers = { "content-type": "application/json", ...api.sign({ vendor: "elation", key: elation.signingKey, body: elation.body }) };
        first = await fetch(`${base}/in/elation`, { method: "POST", headers, body: elation.body, signal: AbortSignal.timeout(10_000) });
        await first.arrayBuffer();
        break;
      } catch (e) {
        if (attempt >= 5) throw new Error(`the Worker dropped a signed sample (${e.cause?.message ?? e.message}); wrangler said: ${log.trim().slice(-400) || "nothing"}`);
        await sleep(1000);
      }
    }
    if (first.status !== 200) throw new Error(`the Worker refused a signed sample: HTTP ${first.status}`);
    // A tampered body must be refused, or "verified ingest" is not verifying.
    const forged = await fetch(`${base}/in/elation`, {
      method: "POST",
      headers: { "content-type": "application/json", ...api.sign({ vendor: "elation", key: elation.signingKey, body: elation.body }) },
      body: elation.body.replace("Jane", "John"),
    });
    await forged.arrayBuffer();
    if (forged.status < 400) throw new Error(`the Worker accepted a forged request: HTTP ${forged.status}`);
    await runWrk(`${base}/healthz`, 2, null, connections); // warm both routes
    const warm = ingestScript(requests.slice(-200));
    writeFileSync(join(tmp, "warm.lua"), warm);
    await runWrk(base, 2, join(tmp, "warm.lua"), connections);
    const pass = [];
    const ingest = [];
    const forgedRuns = [];
    let offset = 0; // each ingest run continues where the last stopped: no event is sent twice while any is left
    const ingestRun = async () => {
      const r = await runWrk(base, seconds, script, connections, offset);
      offset += r.requests;
      ingest.push(r);
    };
    const forgedRun = async () => forgedRuns.push(await runWrk(base, seconds, forgedScript, connections));
    const passRun = async () => pass.push(await runWrk(`${base}/healthz`, seconds, null, connections));
    for (let r = 0; r < rounds; r++) {
      // Alternate the order, so neither route always runs first.
      for (const run of r % 2 === 0 ? [passRun, ingestRun, forgedRun] : [forgedRun, ingestRun, passRun]) await run();
    }
    for (const r of [...pass, ...ingest]) if (r.non2xx !== 0) throw new Error(`the Worker answered ${r.non2xx} non-2xx responses under load`);
    for (const r of forgedRuns) if (r.non2xx !== r.requests) throw new Error("the Worker accepted a forged request under load");
    // The queue's consumer runs behind the ingest: give it a few seconds after the load to show it delivers.
    const deliveredDuringLoad = delivered;
    for (let i = 0; i < 20 && delivered === deliveredDuringLoad; i++) await sleep(500);
    const pick = (runs) => runs.slice().sort((a, b) => a.rps - b.rps)[runs.length >> 1];
    const ingestTotal = ingest.reduce((a, b) => a + b.requests, 0);
    return {
      status: "ok",
      passThroughRoute: "GET /healthz (the Worker has no pass-through route)",
      ingestRoute: "POST /in/elation (Ed25519, distinct events: verify, dedupe, queue)",
      connections,
      seconds,
      rounds,
      distinctEvents: events,
      ingestRequests: ingestTotal,
      repeatedEvents: Math.max(0, ingestTotal - events),
      forgedRoute: "POST /in/elation, forged signatures (Ed25519 verify, then 401; no KV or queue)",
      passThrough: pick(pass),
      ingest: pick(ingest),
      forged: pick(forgedRuns),
      allRuns: { passThrough: pass, ingest, forged: forgedRuns },
      deliveredDuringLoad,
      deliveredToOrigin: delivered,
      wasmBytes: statSync(join(root, "build", "index_bg.wasm")).size,
    };
  } finally {
    await stop();
  }
}
