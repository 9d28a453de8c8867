// The real built Worker (build/index.js) in workerd via Miniflare, configured from the real wrangler.toml, and a
// real HTTP origin on 127.0.0.1. Queues, KV and the ledger's SQLite Durable Objects are Miniflare's emulations.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
for (const file of ["build/index.js", "pkg/dist/carehook_bg.wasm"]) {
  if (!existsSync(ROOT + file)) throw new Error(`${file} is missing: run scripts/build-worker and scripts/build-pkg`);
}
export const carehook = await import("../../pkg/index.node.mjs");

/** The secret the gateway signs forwarded events with (Standard Webhooks, `whsec_` + base64). */
export const FORWARD_SECRET = "whsec_" + Buffer.from("carehook-test-forwarding-key-32b").toString("base64");

/** wrangler.toml, as wrangler reads it (and not .dev.vars, which belongs to `make run`). */
export const config = unstable_readConfig({ config: ROOT + "wrangler.toml" });
const producers = Object.fromEntries(config.queues.producers.map((p) => [p.binding, { queueName: p.queue }]));
export const MAIN_QUEUE = producers.EVENTS.queueName;
const consumer = config.queues.consumers.find((c) => c.queue === MAIN_QUEUE);
export const DEAD_QUEUE = consumer.dead_letter_queue;
const deadConsumer = config.queues.consumers.find((c) => c.queue === DEAD_QUEUE);

/** The admin token the tests' gateways are started with. */
export const ADMIN_TOKEN = "carehook-test-admin-token-0123456789";

/**
 * The Worker entry, or (with `clock`, Unix seconds) an entry that first sets workerd's clock to start at `clock`
 * and run on from there: the recorded vectors' timestamps are years old. The clock is the test's, injected around
 * the built Worker; nothing in the Worker reads a test setting.
 */
function entry(clock) {
  if (clock === undefined) return config.main;
  const file = join(ROOT, "build", `test-clock-${clock}.mjs`);
  // workerd's clock reads 0 at startup: the offset is taken at the first reading inside a request. Both
  // `Date.now()` and `new Date()` read the test clock.
  writeFileSync(file, `const RealDate = Date, real = RealDate.now.bind(RealDate);
let start;
const now = () => {
  const r = real();
  start ??= r || undefined;
  return ${clock * 1000} + (start === undefined ? 0 : r - start);
};
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(now());
    else super(...args);
  }
  static now() {
    return now();
  }
};
export * from "./index.js";
export { default } from "./index.js";
`);
  return file;
}

/** Runs `fn` with Node's clock set to `now` (Unix seconds): to check a signature made under a test clock. */
export function atClock(now, fn) {
  const real = Date.now;
  Date.now = () => now * 1000;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}
/** Resolves when `check()` returns a truthy value; rejects after `ms`. */
export async function waitFor(check, ms = 10_000, what = "condition") {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * An origin on 127.0.0.1 that records every request. `respond(event, attempt)` picks the status (default 200), or
 * returns a promise of it to hold the answer back;
 * `stop()` takes it off the network (connections refused) and `start()` brings it back on the same port; with
 * `location` set, a 3xx answer carries it as its `Location`.
 */
export async function startOrigin() {
  const origin = {
    requests: [], // { headers, body (string), event, status }
    respond: () => 200,
    /** Event ids of requests whose answer `respond` has not given yet (it returned a promise). */
    arrived: [],
    port: 0,
    /** Requests the origin answered with a 2xx. */
    delivered() {
      return this.requests.filter((r) => r.status >= 200 && r.status < 300);
    },
    deliveredIds() {
      return this.delivered().map((r) => r.event.id);
    },
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let event = null;
      try {
        event = JSON.parse(body);
      } catch {}
      const attempt = origin.requests.filter((r) => r.event?.id === event?.id).length + origin.arrived.filter((id) => id === event?.id).length + 1;
      const answer = origin.respond(event, attempt);
      const finish = (status) => {
        origin.requests.push({ headers: req.headers, body, event, status });
        const headers = { "content-type": "text/plain" };
        if (status >= 300 && status < 400 && origin.location) headers.location = origin.location;
        res.writeHead(status, headers).end(String(status));
      };
      if (typeof answer?.then !== "function") return finish(answer);
      // An answer still to come: the request is in `arrived` (by event id) until it is given.
      origin.arrived.push(event?.id);
      answer.then((status) => {
        origin.arrived.splice(origin.arrived.indexOf(event?.id), 1);
        finish(status);
      });
    });
  });
  const listen = (port) => new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server.address().port));
  });
  origin.port = await listen(0);
  origin.url = `http://127.0.0.1:${origin.port}/events`;
  origin.stop = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  origin.start = () => listen(origin.port);
  return origin;
}

/** What `vendor` would send: its sample (or `body`) signed now with the sample's key; `id` sets a Standard Webhooks id. */
export function signed(vendor, { body, id, now = Math.floor(Date.now() / 1000) } = {}) {
  const s = carehook.samples().find((x) => x.vendor === vendor);
  const payload = body ?? s.body;
  const sig = carehook.sign({ vendor, key: s.signingKey, body: payload, path: s.path, now, id });
  return { path: s.path, headers: { ...Object.fromEntries(s.headers), ...sig }, body: payload };
}

/** Keyring secrets and SOURCES entries for every vendor's sample: source name = vendor, keys = its verify key. */
export function sampleSources() {
  const sources = {}, secrets = {};
  for (const s of carehook.samples()) {
    const secret = config.vars.SOURCES[s.vendor].secret;
    sources[s.vendor] = { ...config.vars.SOURCES[s.vendor], secret };
    secrets[secret] = s.verifyKey;
  }
  return { sources, secrets };
}

/**
 * The gateway as wrangler.toml declares it (its queues, their consumers and the ledger's Durable Objects), with the
 * test's sources, keyrings, origin, admin token and short retry delays. Durable Object storage lives in a folder of
 * the test's own, so it survives `setVars` (a restart), as it does in production. `batchTimeout` (seconds) is the
 * consumer's batch wait: above 0, a full batch goes to a second consumer invocation while one is running, as on
 * Cloudflare. `vars` are set on every start (before `setVars`' own).
 */
export async function startGateway({ origin, sources, secrets, maxRetries = 2, withoutQueue = false, adminToken = ADMIN_TOKEN, clock, batchTimeout = 0, vars = {} }) {
  const logs = [];
  const persist = mkdtempSync(join(tmpdir(), "carehook-do-"));
  const durableObjects = Object.fromEntries(
    config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
  );
  const options = (extraVars, { queue = !withoutQueue, at = clock } = {}) => {
    const queueProducers = { ...producers };
    if (!queue) delete queueProducers.EVENTS;
    return {
      workers: [
        {
          name: "gateway",
          modules: true,
          scriptPath: entry(at),
          modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
          compatibilityDate: config.compatibility_date,
          compatibilityFlags: config.compatibility_flags,
          bindings: {
            ...config.vars,
            ...secrets,
            SOURCES: sources,
            ORIGIN_URL: origin.url,
            FORWARD_SECRET,
            RETRY_BASE_SECONDS: "1",
            ORIGIN_TIMEOUT_SECONDS: "5",
            ...(adminToken ? { ADMIN_TOKEN: adminToken } : {}),
            ...extraVars,
          },
          kvNamespaces: config.kv_namespaces.map((k) => k.binding),
          durableObjects,
          queueProducers,
          queueConsumers: {
            [MAIN_QUEUE]: {
              maxBatchSize: consumer.max_batch_size,
              maxBatchTimeout: batchTimeout, // 0: deliver at once, the tests wait for it
              maxRetries,
              deadLetterQueue: DEAD_QUEUE,
            },
            [DEAD_QUEUE]: { maxBatchSize: deadConsumer.max_batch_size, maxBatchTimeout: 0, maxRetries: deadConsumer.max_retries },
          },
          stripCfConnectingIp: false,
        },
        {
          name: "producer",
          modules: true,
          compatibilityDate: config.compatibility_date,
          // Puts messages of the test's own on the main queue (one sendBatch), as a producer other than the gateway would.
          script: `export default {
            async fetch(request, env) {
              await env.EVENTS.sendBatch((await request.json()).map((body) => ({ body })));
              return new Response("queued");
            },
          }`,
          queueProducers: { EVENTS: MAIN_QUEUE },
        },
      ],
      durableObjectsPersist: persist,
      host: "127.0.0.1",
      cf: false,
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) stream.on("data", (d) => logs.push(String(d)));
      },
    };
  };
  const mf = new Miniflare(options(vars));
  await mf.ready;
  return {
    mf,
    logs: () => logs.join(""),
    /**
     * One request over real HTTP to workerd. `body`: string or bytes; `chunked: true` sends it in pieces with no
     * Content-Length. Resolves to { status, headers, text, json }.
     */
    send: async (path, { method = "POST", headers = {}, body = "", chunked = false } = {}) =>
      request(await mf.ready, path, { method, headers, body, chunked }),
    get: async (path) => request(await mf.ready, path, { method: "GET" }),
    /** Restarts workerd with extra vars (KV and queues start empty again; the ledger keeps its state). */
    setVars: (extraVars, opts) => mf.setOptions(options({ ...vars, ...extraVars }, opts)),
    /** Restarts workerd with its clock starting at `now` (Unix seconds). */
    setClock: (now) => mf.setOptions(options(vars, { at: now })),
    state: () => mf.getKVNamespace("STATE", "gateway"),
    /** The admin API over real HTTP, with the token (or `token`). */
    admin: async (path, { method = "GET", token = adminToken } = {}) =>
      request(await mf.ready, path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }),
    /** The ledger's dead events, as the admin API lists them. */
    async deadLetters(source) {
      const q = source ? `&source=${encodeURIComponent(source)}` : "";
      const res = await request(await mf.ready, `/admin/events?status=dead&limit=500${q}`, { method: "GET", headers: { authorization: `Bearer ${adminToken}` } });
      return res.json?.events ?? [];
    },
    /** Puts `body` on the main queue directly, as a producer other than the gateway would. */
    enqueue(body) {
      return this.enqueueBatch([body]);
    },
    /** Puts `bodies` on the main queue in one `sendBatch`, so they reach the consumer together. */
    async enqueueBatch(bodies) {
      const worker = await mf.getWorker("producer");
      await worker.fetch("http://enqueue.test/", { method: "POST", body: JSON.stringify(bodies) });
    },
    close: async () => {
      await mf.dispose();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

function request(base, path, { method, headers = {}, body = "", chunked = false }) {
  const bytes = Buffer.from(body);
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 20_000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    if (method === "GET" || method === "HEAD") return req.end();
    if (!chunked) {
      if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) {
        req.setHeader("content-length", bytes.length);
      }
      return req.end(bytes);
    }
    for (let i = 0; i < bytes.length; i += 64 * 1024) req.write(bytes.subarray(i, i + 64 * 1024));
    req.end();
  });
}

/** The structured log lines of a run; fails on any line that is not one. */
export function logLines(text) {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const line = JSON.parse(l);
      if (typeof line.kind !== "string" || typeof line.outcome !== "string" || typeof line.duration_ms !== "number") {
        throw new Error(`not a structured log line: ${l.slice(0, 120)}`);
      }
      return line;
    });
}

/** Every string and number in a JSON document (the values a log must never show). */
export function leaves(value, out = []) {
  if (typeof value === "string" || typeof value === "number") out.push(String(value));
  else if (value && typeof value === "object") for (const v of Object.values(value)) leaves(v, out);
  return out;
}

/**
 * Checks a run's output: every line is a structured log line, and none shows a payload value (other than the
 * event ids and types a line is meant to carry) or a secret. Returns the lines.
 */
export function checkLogs(text, { bodies, secrets }) {
  const lines = logLines(text);
  const carried = lines.flatMap((l) => [l.id, l.type, l.source, l.vendor]).filter(Boolean).join("\n");
  let checked = 0;
  for (const body of bodies) {
    for (const v of leaves(JSON.parse(body))) {
      if (v.length < 4 || carried.includes(v)) continue;
      checked++;
      // As a whole token: "live" inside "delivered" is not a payload value.
      const token = new RegExp(`(^|[^A-Za-z0-9])${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`);
      if (token.test(text)) throw new Error(`a payload value (${v.length} characters) is in the logs`);
    }
  }
  for (const s of secrets) if (text.includes(s)) throw new Error(`a secret (${s.length} characters) is in the logs`);
  if (checked === 0) throw new Error("no payload value was checked");
  return lines;
}
