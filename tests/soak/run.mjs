#!/usr/bin/env node
// make soak (scripts/soak builds first): N signed webhooks (SOAK_N, default 10,000) from every vendor through the
// real Worker under wrangler dev, a share sent as several identical copies at once, with an origin that fails, hangs,
// goes down and refuses some events for good until it is fixed; then every dead letter is replayed through the admin
// API. Prints a table, writes target/soak/latest.json, exits 1 if an invariant failed.
//   SOAK_N  SOAK_CONCURRENCY (32)  SOAK_OUTAGE_SECONDS (30)  SOAK_RETRY_BASE_SECONDS (1)
//   SOAK_ORIGIN_TIMEOUT_SECONDS (2)  SOAK_FAIL_RATE (0.3)  SOAK_HANG_RATE (0.01)  SOAK_FAULT_CAP  SOAK_SEED
//   SOAK_DUP_RATE (0.1)  SOAK_DUP_MIN (3)  SOAK_DUP_MAX (5)  SOAK_REFUSE_RATE (0.01)
//   SOAK_DEADLINE_SECONDS (how long to wait for the first settlement after the last webhook is sent)
//   SOAK_REPLAY_DEADLINE_SECONDS (how long to wait for the replayed dead letters)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_ATTEMPTS, outageAttempts, ROOT, run, table } from "./lib.mjs";

const num = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) {
    console.error(`soak: ${name} must be a non-negative number`);
    process.exit(2);
  }
  return x;
};
const n = Math.floor(num("SOAK_N", 10_000));
const outageS = num("SOAK_OUTAGE_SECONDS", 30);
const retryBase = Math.floor(num("SOAK_RETRY_BASE_SECONDS", 1)) || 1;
// The most faults per event for which the retry budget still covers the outage (see run() in lib.mjs).
const faultCap = Math.floor(num("SOAK_FAULT_CAP", MAX_ATTEMPTS - 1 - outageAttempts(outageS, retryBase)));
const worst = faultCap + outageAttempts(outageS, retryBase);
const dupMin = Math.max(2, Math.floor(num("SOAK_DUP_MIN", 3)));
const params = {
  n,
  concurrency: Math.max(1, Math.floor(num("SOAK_CONCURRENCY", 32))),
  outageS,
  retryBase,
  originTimeout: Math.floor(num("SOAK_ORIGIN_TIMEOUT_SECONDS", 2)) || 1,
  failRate: num("SOAK_FAIL_RATE", 0.3),
  hangRate: num("SOAK_HANG_RATE", 0.01),
  faultCap,
  seed: Math.floor(num("SOAK_SEED", Math.floor(Math.random() * 2 ** 31))),
  // The longest backoff an event can need, plus room for the consumer's backlog.
  deadlineS: num("SOAK_DEADLINE_SECONDS", retryBase * (2 ** worst - 1) + 300),
  dupRate: num("SOAK_DUP_RATE", 0.1),
  dupCopies: [dupMin, Math.max(dupMin, Math.floor(num("SOAK_DUP_MAX", 5)))],
  refuseRate: num("SOAK_REFUSE_RATE", 0.01),
  // A replayed event meets the faults again (no outage): the longest backoff for faultCap faults, plus room.
  replayDeadlineS: num("SOAK_REPLAY_DEADLINE_SECONDS", retryBase * (2 ** (faultCap + 1) - 1) + 120),
};

const out = join(ROOT, "target/soak");
mkdirSync(out, { recursive: true });
const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    if (controller.signal.aborted) return;
    console.error(`soak: ${sig}: stopping`);
    process.exitCode = 130;
    controller.abort();
  });
}
console.log(`soak: ${JSON.stringify(params)}`);
const started = Date.now();
const result = await run({ ...params, signal: controller.signal, logFile: join(out, "gateway.log"), log: (t) => console.log(t) });
result.wallSeconds = Math.round((Date.now() - started) / 1000);
delete result.processes; // this run's temp paths and ports: gone already
writeFileSync(join(out, "latest.json"), JSON.stringify(result, null, 2) + "\n");
console.log(`\nsoak: ${n} webhooks, ${result.wallSeconds} s in all (the gateway's output: target/soak/gateway.log)\n`);
console.log(table(result));
console.log(`\nsoak: ${result.ok ? "ok" : "FAILED"}; target/soak/latest.json`);
if (!result.ok || controller.signal.aborted) process.exitCode ||= 1;
