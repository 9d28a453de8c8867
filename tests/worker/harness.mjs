// The real built Worker (build/index.js) in workerd via Miniflare, configured from the real wrangler.toml, and a
// real HTTP origin on 127.0.0.1. Queues, KV and the dead-letter queue are Miniflare's emulations.
import { existsSync } from "node:fs";
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
 * An origin on 127.0.0.1 that records every request. `respond(event, attempt)` picks the status (default 200);
 * `stop()` takes it off the network (connections refused) and `start()` brings it back on the same port.
 */
export async function startOrigin() {
  const origin = {
    requests: [], // { headers, body (string), event, status }
    respond: () => 200,
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
      const attempt = origin.requests.filter((r) => r.event?.id === event?.id).length + 1;
      const status = origin.respond(event, attempt);
      origin.requests.push({ headers: req.headers, body, event, status });
      res.writeHead(status, { "content-type": "text/plain" }).end(String(status));
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
    const secret = "KEYS_" + s.vendor.toUpperCase();
    sources[s.vendor] = { ...config.vars.SOURCES[s.vendor], secret };
    secrets[secret] = s.verifyKey;
  }
  return { sources, secrets };
}

/**
 * The gateway as wrangler.toml declares it, with the test's sources, keyrings, origin and short retry delays.
 * A second Worker consumes the dead-letter queue and records each letter in its KV, so tests can read it.
 */
export async function startGateway({ origin, sources, secrets, maxRetries = 2, withoutQueue = false }) {
  const logs = [];
  const options = (extraVars) => {
    const queueProducers = { ...producers };
    if (withoutQueue) delete queueProducers.EVENTS;
    return {
      workers: [
        {
          name: "gateway",
          modules: true,
          scriptPath: config.main,
          modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
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
            ...extraVars,
          },
          kvNamespaces: config.kv_namespaces.map((k) => k.binding),
          queueProducers,
          queueConsumers: {
            [MAIN_QUEUE]: {
              maxBatchSize: consumer.max_batch_size,
              maxBatchTimeout: 0, // deliver at once: the tests wait for it
              maxRetries,
              deadLetterQueue: DEAD_QUEUE,
            },
          },
          stripCfConnectingIp: false,
        },
        {
          name: "dead-letters",
          modules: true,
          compatibilityDate: config.compatibility_date,
          // Records each dead letter; its fetch puts a message of the test's own on the main queue.
          script: `export default {
            async queue(batch, env) {
              for (const m of batch.messages) { await env.LETTERS.put(m.id, JSON.stringify(m.body)); m.ack(); }
            },
            async fetch(request, env) { await env.EVENTS.send(await request.json()); return new Response("queued"); },
          }`,
          kvNamespaces: ["LETTERS"],
          queueProducers: { EVENTS: MAIN_QUEUE },
          queueConsumers: { [DEAD_QUEUE]: { maxBatchTimeout: 0 } },
        },
      ],
      host: "127.0.0.1",
      cf: false,
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) stream.on("data", (d) => logs.push(String(d)));
      },
    };
  };
  const mf = new Miniflare(options({}));
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
    /** Restarts workerd with extra vars (KV and queues start empty again). */
    setVars: (extraVars) => mf.setOptions(options(extraVars)),
    state: () => mf.getKVNamespace("STATE", "gateway"),
    /** Dead letters, by queue message id: the gateway's message bodies. */
    async deadLetters() {
      const kv = await mf.getKVNamespace("LETTERS", "dead-letters");
      const { keys } = await kv.list();
      return Promise.all(keys.map(async (k) => JSON.parse(await kv.get(k.name))));
    },
    /** Puts `body` on the main queue directly, as a producer other than the gateway would. */
    async enqueue(body) {
      const worker = await mf.getWorker("dead-letters");
      await worker.fetch("http://enqueue.test/", { method: "POST", body: JSON.stringify(body) });
    },
    close: () => mf.dispose(),
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
      if (text.includes(v)) throw new Error(`a payload value (${v.length} characters) is in the logs`);
    }
  }
  for (const s of secrets) if (text.includes(s)) throw new Error(`a secret (${s.length} characters) is in the logs`);
  if (checked === 0) throw new Error("no payload value was checked");
  return lines;
}
