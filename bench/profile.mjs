#!/usr/bin/env node
// Where a carehook call spends its time in Node, step by step, on the v1 1 KB and 64 KB and pipeline requests:
// the public `verify`, `verifyToJSON`, the raw binding call with pre-built arguments, header flattening, and
// JSON.parse of the result. Also a plain loop for `node --cpu-prof`:
//   node bench/profile.mjs                      the breakdown table
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.mjs --loop=v1-1k --seconds=5
import { measure, PROFILES } from "./lib/harness.mjs";
import { bodyText, transportHeaders } from "./lib/bodies.mjs";

import { readFileSync } from "node:fs";

const api = await import("../pkg/index.node.mjs");
// The raw bindings, instantiated here: the package's Node entry is its CommonJS build, with an instance of its own.
const wasm = await import("../pkg/dist/carehook.js");
wasm.initSync({ module: readFileSync(new URL("../pkg/dist/carehook_bg.wasm", import.meta.url)) });
const { nodeCrypto } = await import("../pkg/src/host-node.js");

const argv = process.argv.slice(2);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const KEY = "whsec_Y2FyZWhvb2stZGVtby1zdGFuZGFyZC1zZWNyZXQ=";

function standardCase(size) {
  const body = Buffer.from(bodyText("standard", size));
  const signed = api.sign({ vendor: "standard", key: KEY, body, path: "/in/standard", id: "msg_profile" });
  return { vendor: "standard", keys: KEY, req: { method: "POST", path: "/in/standard", headers: { ...transportHeaders(body.length), ...signed }, body: new Uint8Array(body) } };
}
function sampleCase(vendor) {
  const s = api.signedSample(vendor);
  const body = Buffer.from(s.body);
  return { vendor, keys: s.verifyKey, req: { method: "POST", path: s.path, headers: { ...transportHeaders(body.length), ...s.headers }, body: new Uint8Array(body) } };
}
const CASES = { "v1-1k": () => standardCase(1024), "v1-64k": () => standardCase(65536), "pipeline-mycure": () => sampleCase("mycure"), "pipeline-elmed": () => sampleCase("elmed") };

const loop = option("loop");
if (loop) {
  const c = CASES[loop]();
  const v = new api.Verifier({ vendor: c.vendor, keys: c.keys });
  const end = Date.now() + Number(option("seconds") ?? 5) * 1000;
  let n = 0;
  while (Date.now() < end) for (let i = 0; i < 100; i++, n++) v.verify(c.req);
  console.log(`${loop}: ${n} calls`);
} else {
  for (const id of Object.keys(CASES)) {
    const c = CASES[id]();
    const v = new api.Verifier({ vendor: c.vendor, keys: c.keys });
    const inner = new wasm.Verifier(JSON.stringify({ vendor: c.vendor, keys: [c.keys] }));
    const flat = api.flattenHeaders(c.req.headers);
    const now = Math.floor(Date.now() / 1000);
    const text = v.verifyToJSON(c.req);
    const line = new TextEncoder().encode(`POST\0${c.req.path}\0${flat}`);
    const events = inner.verifyEvents(line, c.req.body, now, undefined);
    const bodyText = new TextDecoder().decode(c.req.body);
    const steps = [
      { name: "carehook", op: () => v.verify(c.req) },
      { name: "verifyToJSON()", op: () => v.verifyToJSON(c.req) },
      { name: "binding, core crypto", op: () => { wasm.installHostCrypto(null); return inner.verifyOne(line, c.req.body, now, undefined); } },
      { name: "binding, node:crypto", op: () => { wasm.installHostCrypto(nodeCrypto); return inner.verifyOne(line, c.req.body, now, undefined); } },
      { name: "JSON.parse(verifyEvents)", op: () => JSON.parse(events) },
      { name: "decode body", op: () => new TextDecoder().decode(c.req.body) },
      { name: "JSON.parse(body)", op: () => JSON.parse(bodyText) },
      { name: "flattenHeaders()", op: () => api.flattenHeaders(c.req.headers) },
      { name: "JSON.parse(result)", op: () => JSON.parse(text) },
    ];
    const res = await measure(steps, PROFILES.full.rounds ? { warmupMs: 200, rounds: 8, sliceMs: 40 } : PROFILES.quick);
    console.log(`\n${id} (result ${text.length} B, headers ${flat.length} B)`);
    for (const r of res) console.log(`  ${r.name.padEnd(32)} median ${(r.medianNs / 1000).toFixed(2).padStart(8)} µs  (${((r.medianNs / res[0].medianNs) * 100).toFixed(0)}%)`);
  }
}
