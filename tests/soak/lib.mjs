// The soak: the real built Worker under `wrangler dev --local`, a fault-injecting origin, and a load of signed
// webhooks from every vendor. Used by scripts/soak (10,000 webhooks, tests/soak/run.mjs) and by the small suite in
// tests/soak/soak.test.mjs. Everything listens on 127.0.0.1, every wait is bounded, every process is stopped by PID.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { freePort } from "../js/http.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
for (const file of ["build/index.js", "pkg/dist/carehook_bg.wasm"]) {
  if (!existsSync(ROOT + file)) throw new Error(`${file} is missing: run scripts/build-worker and scripts/build-pkg`);
}
export const carehook = await import("../../pkg/index.node.mjs");

/**
 * wrangler.toml as wrangler reads it: the queue names and the retry budget the soak runs against. Read in a child
 * process: importing wrangler here would install its own SIGINT handler, which exits before the soak cleans up.
 */
const config = (() => {
  const script = `import { unstable_readConfig } from "wrangler";
    const c = unstable_readConfig({ config: "wrangler.toml" });
    console.log(JSON.stringify({ queues: c.queues, compatibility_date: c.compatibility_date, durable_objects: c.durable_objects }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`could not read wrangler.toml: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
})();
const EVENTS_QUEUE = config.queues.producers.find((p) => p.binding === "EVENTS").queue;
const consumer = config.queues.consumers.find((c) => c.queue === EVENTS_QUEUE);
export const DEAD_QUEUE = consumer.dead_letter_queue;
/** Attempts the queue allows an event before it moves it to the dead-letter queue. */
export const MAX_ATTEMPTS = (consumer.max_retries ?? 3) + 1;
// The gateway consumes its own dead-letter queue (a queue has one consumer) and records each letter in its ledger.
if (!config.queues.consumers.some((c) => c.queue === DEAD_QUEUE)) {
  throw new Error(`wrangler.toml declares no consumer for the dead-letter queue ${DEAD_QUEUE}: the gateway must consume it`);
}
if (!config.durable_objects?.bindings?.some((b) => b.name === "LEDGER")) throw new Error("wrangler.toml declares no LEDGER Durable Object");

/** What the origin answers, in turn, to the events the soak makes it refuse: 3xx and 4xx the gateway must not retry. */
export const REFUSALS = [400, 302, 404, 410, 422, 301, 403, 307];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** A small seeded generator (mulberry32): the same seed gives the same fault sequence for the same request order. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Attempts of one event that an outage of `outageS` seconds can take, with the consumer's backoff (`base`, doubled
 * each time): attempts at offsets 0, base, 3·base, 7·base ... that fall in the outage, plus one already in flight
 * when it starts.
 */
export function outageAttempts(outageS, base) {
  let k = 0;
  while (base * (2 ** k - 1) <= outageS) k++;
  return k + 1;
}

/**
 * The origin: verifies each forwarded event's Standard Webhooks signature (npm `standardwebhooks`, not carehook),
 * records it by CloudEvent source + id, and injects faults: `failRate` of requests get a 500, `hangRate` get no
 * answer for `hangMs` (longer than the gateway's timeout, then the socket is closed), and `down()` takes it off the
 * network entirely (connections refused) until `up()`. `faultCap` bounds the faults one event can be given (see
 * run()). While `refusing`, the events in `refuse` (source|id → status) are refused for good instead: a 4xx, or a
 * 3xx whose `Location` points back at this origin, off `/events` — a request there means a redirect was followed.
 */
export async function startFaultOrigin({ secret, failRate, hangRate, hangMs, faultCap, seed, port = 0 }) {
  const webhook = new Webhook(secret);
  const random = rng(seed);
  const hangs = new Set();
  const origin = {
    ids: new Map(), // source|id → { requests, faults, refused, delivered, vendor, route }
    refuse: new Map(),
    refusing: true,
    requests: 0,
    badSignatures: 0,
    mismatchedIds: 0,
    injected500: 0,
    injectedHangs: 0,
    injectedRefusals: 0,
    strays: 0,
    delivered200: 0,
    downAt: null,
    upAt: null,
    lastDeliveryAt: null,
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url !== "/events") {
        origin.strays++;
        return res.writeHead(404).end();
      }
      origin.requests++;
      const body = Buffer.concat(chunks).toString("utf8");
      let event;
      try {
        // Throws unless the signature is the gateway's, over these exact bytes, with a fresh timestamp.
        webhook.verify(body, req.headers);
        event = JSON.parse(body);
      } catch {
        origin.badSignatures++;
        return res.writeHead(401).end();
      }
      if (event.id !== req.headers["webhook-id"] || event.specversion !== "1.0") origin.mismatchedIds++;
      const key = `${event.source}|${event.id}`;
      let seen = origin.ids.get(key);
      if (!seen) {
        const route = String(event.source).replace(/^carehook:in\//, "");
        origin.ids.set(key, (seen = { requests: 0, faults: 0, refused: 0, delivered: 0, vendor: event.vendor, route }));
      }
      seen.requests++;
      const refusal = origin.refusing ? origin.refuse.get(key) : undefined;
      if (refusal) {
        seen.refused++;
        origin.injectedRefusals++;
        const headers = refusal < 400 ? { location: `http://127.0.0.1:${origin.port}/followed` } : {};
        return res.writeHead(refusal, headers).end();
      }
      const roll = random();
      if (seen.faults < faultCap && roll < failRate) {
        seen.faults++;
        origin.injected500++;
        return res.writeHead(500).end();
      }
      if (seen.faults < faultCap && roll < failRate + hangRate) {
        seen.faults++;
        origin.injectedHangs++;
        const timer = setTimeout(() => {
          hangs.delete(timer);
          req.socket.destroy();
        }, hangMs);
        hangs.add(timer);
        return;
      }
      seen.delivered++;
      origin.delivered200++;
      origin.lastDeliveryAt = performance.now();
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        server.off("error", reject);
        resolve(server.address().port);
      });
    });
  origin.port = await listen(port);
  origin.url = `http://127.0.0.1:${origin.port}/events`;
  const stopListening = () =>
    new Promise((resolve) => {
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  /** Off the network: the listener is closed, open connections are dropped, new ones are refused. */
  origin.down = async () => {
    origin.downAt = performance.now();
    await stopListening();
  };
  origin.up = async () => {
    await listen(origin.port);
    origin.upAt = performance.now();
  };
  origin.close = () => (server.listening ? stopListening() : Promise.resolve());
  return origin;
}

/**
 * The gateway: `wrangler dev --local` on 127.0.0.1 with the repository's wrangler.toml (both queue consumers — the
 * events and the dead letters — and the ledger's SQLite Durable Objects), overridden by `--var` for the origin, the
 * first retry delay and the origin timeout. It runs a copy of wrangler.toml and build/ in `dir`: wrangler dev
 * reloads when they change, and a reload empties the local queues, so a rebuild elsewhere during a run must not
 * reach it. Keys, the forwarding secret and the admin token go in an env file in `dir` (mode 600), not on the
 * command line; the ledger lives in `dir/state`.
 * `onLine(line, atMs)` receives each structured log line as it is printed.
 */
export async function startGateway({ dir, originUrl, secret, adminToken, retryBase, originTimeout, onLine, lifetimeS, logFile }) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const env = [`FORWARD_SECRET=${secret}`, `ADMIN_TOKEN=${adminToken}`];
  for (const s of carehook.samples()) env.push(`KEYS_${s.vendor.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${s.verifyKey}`);
  writeFileSync(join(dir, "env"), env.join("\n") + "\n", { mode: 0o600 });
  copyFileSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "build"), join(dir, "build"), { recursive: true });
  const args = [
    // A hard bound on the gateway's life, should this process die without stopping it.
    "--signal=INT", "--kill-after=10", String(lifetimeS),
    join(ROOT, "node_modules/.bin/wrangler"), "dev",
    "-c", join(dir, "wrangler.toml"),
    "--local", "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--persist-to", join(dir, "state"),
    "--env-file", join(dir, "env"),
    "--var", `ORIGIN_URL:${originUrl}`,
    "--var", `RETRY_BASE_SECONDS:${retryBase}`,
    "--var", `ORIGIN_TIMEOUT_SECONDS:${originTimeout}`,
  ];
  const child = spawn("timeout", args, {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
  });
  const log = createWriteStream(logFile ?? join(dir, "gateway.log"));
  const gateway = { url: `http://127.0.0.1:${port}`, pid: child.pid, exited: false, warnings: [], batches: [] };
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => {
    gateway.exited = true;
    resolve({ code, signal });
  }));
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false });
    createInterface({ input: stream }).on("line", (text) => {
      const at = performance.now();
      // The Worker's own lines: one JSON object each, after wrangler's prefix (if any).
      const brace = text.indexOf('{"kind":');
      if (brace >= 0) {
        try {
          return onLine(JSON.parse(text.slice(brace)), at);
        } catch {}
      }
      // Miniflare's own word when the queue gives up on a message: "Moving message ... to dead letter queue".
      if (/dead letter queue|Dropped message/i.test(text)) gateway.warnings.push(text.slice(0, 200));
      // Each consumer batch: "QUEUE carehook-events 7/10 (14ms)" (acknowledged/size, how long the batch took).
      const batch = /QUEUE (\S+) (\d+)\/(\d+) \((\d+)ms\)/.exec(text);
      if (batch && batch[1] === EVENTS_QUEUE) gateway.batches.push({ size: Number(batch[3]), ms: Number(batch[4]) });
    });
  }
  /** The workerd processes under the gateway (Linux /proc), to tell whether the runtime was restarted. */
  gateway.runtimePids = () => {
    const out = [];
    const walk = (pid, depth) => {
      if (depth > 6) return;
      let kids = [];
      try {
        for (const task of readdirSync(`/proc/${pid}/task`)) kids.push(...readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean));
      } catch {}
      for (const kid of kids) {
        try {
          if (readFileSync(`/proc/${kid}/comm`, "utf8").trim() === "workerd") out.push(Number(kid));
        } catch {}
        walk(kid, depth + 1);
      }
    };
    walk(child.pid, 0);
    return out.sort((a, b) => a - b);
  };
  gateway.stop = async () => {
    if (!gateway.exited) {
      child.kill("SIGINT");
      // `timeout` leads its own process group (wrangler, workerd): SIGKILL it whole if SIGINT was not enough.
      const force = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 15_000);
      await exited;
      clearTimeout(force);
    }
    await new Promise((r) => log.end(r));
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gateway.exited) throw new Error("the gateway (wrangler dev) exited before it was ready");
    try {
      const res = await fetch(`${gateway.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await gateway.stop();
      throw new Error("the gateway (wrangler dev) was not ready within 90 s");
    }
    await sleep(250);
  }
  return gateway;
}

/** The vendors, each with its sample, in a fixed order. */
// One webhook, one event: the vendors whose requests batch several events (FHIR Bundles, Fitbit arrays) are left to the
// Worker suite, which checks each event of a batch arrives once (tests/worker/vectors.test.mjs, gateway.test.mjs).
const SAMPLES = carehook.samples().filter((s) => !s.batches);

/**
 * Webhook `seq` of run `run`: vendor `seq` modulo the number of samples, its sample with the fields that identify the event changed, so
 * every request carries a distinct event, signed `now`. Returns what to send, the route (`/in/<route>`), and the
 * event id carehook's library derives for it with the route's CloudEvent source `carehook:in/<route>` (the gateway
 * must answer with the same), and `key`, the event's source + id.
 */
export function webhook(seq, run, now) {
  const s = SAMPLES[seq % SAMPLES.length];
  const b = JSON.parse(s.body);
  const tag = `${run}_${seq}`;
  let signId, delivery, extra = {};
  switch (s.vendor) {
    case "elation":
      b.event_uuid = randomUUID();
      b.event_id = seq;
      break;
    case "elmed":
      b.data.prescription_id = seq;
      b.data.prescription_number = `RX-${tag}`;
      break;
    case "healthie":
      b.resource_id = `${seq}`;
      b.resource_organization_id = `org_${run}`;
      break;
    case "mycure":
      b.id = `wh_evt_${tag}`;
      break;
    case "standard":
    case "svix":
      signId = `msg_${tag}`;
      b.data.id = `pat_${tag}`;
      break;
    case "stripe":
    case "akute":
      b.id = `evt_${tag}`;
      break;
    case "github":
      b.issue.id = seq;
      b.issue.number = seq;
      delivery = randomUUID(); // X-GitHub-Delivery: not signed, set over the sample's
      break;
    case "athenahealth":
      b.eventId = randomUUID();
      break;
    case "medplum":
      b.meta.versionId = `${seq}`;
      break;
    case "metriport":
      b.meta.messageId = randomUUID();
      break;
    case "photon":
      b.id = `soak_${tag}`;
      break;
    default:
      // A vendor without a variant of its own: its top-level `id` (if any) and the body change, and so does any
      // delivery or event id header of its sample. The check below the routes makes sure that gives distinct events.
      if (typeof b.id === "string") b.id = `${b.id}_${tag}`;
      else if (typeof b.id === "number") b.id = b.id * 100_000 + seq;
      b.soak = tag;
      extra = Object.fromEntries(s.headers.filter(([name]) => /-(delivery|event-id|message-id)$/i.test(name)).map(([name, value]) => [name, `${value}_${tag}`]));
  }
  const body = JSON.stringify(b);
  const headers = { ...Object.fromEntries(s.headers), ...carehook.sign({ vendor: s.vendor, key: s.signingKey, body, path: s.path, now, id: signId }), ...extra };
  if (delivery) headers["x-github-delivery"] = delivery;
  const route = s.path.split("/")[2];
  const source = `carehook:in/${route}`;
  const event = carehook.verify({ vendor: s.vendor, keys: s.verifyKey, method: "POST", path: s.path, headers, body, now, source });
  return { vendor: s.vendor, route, path: s.path, headers, body, id: event.id, key: `${source}|${event.id}` };
}

/**
 * One POST over a keep-alive agent; resolves to { status, json, text, error, ms }: status 0 when no answer came
 * (`error` is the socket's error code), `text` the start of a body that is not JSON.
 */
function post(agent, base, { path, headers, body }) {
  const bytes = Buffer.from(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const failed = (e) => resolve({ status: 0, json: null, text: null, error: e?.code ?? e?.message ?? "error", ms: performance.now() - started });
    const req = http.request(new URL(path, base), {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": bytes.length },
      timeout: 30_000,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, json, text: json ? null : text.slice(0, 120), error: null, ms: performance.now() - started });
      });
      res.on("error", failed);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "TIMEOUT" })));
    req.on("error", failed);
    req.end(bytes);
  });
}

/**
 * Who failed an ingest request: the Worker itself (its JSON error answer), wrangler's local dev proxy (its plain
 * 503 "Your worker restarted mid-request", when its connection to the Worker's runtime fails), or the connection.
 */
function failure(res) {
  if (res.status === 0) return `connection ${res.error}`;
  if (res.json?.error) return `worker ${res.status} ${res.json.error}`;
  if (res.status === 503 && res.text?.startsWith("Your worker restarted mid-request")) return "dev proxy 503";
  return `other ${res.status}`;
}

/** Vendors send a webhook again until it gets a 2xx: at most this many times in all, 0.5 s, 1 s, 2 s ... apart. */
const SENDS = 5;

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const round = (x, digits = 1) => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** One admin API call with the token; resolves to { status, json } (status 0 when no answer came). */
async function admin(gateway, token, path, method = "GET") {
  try {
    const res = await fetch(gateway.url + path, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json };
  } catch {
    return { status: 0, json: null };
  }
}

/**
 * What becomes of webhook `seq`, from the seed and `seq` alone: how many identical copies are sent at once (1, or
 * `dupCopies[0]`..`dupCopies[1]` for a share `dupRate`), and the status the origin refuses it with until it is
 * fixed (null, or one of REFUSALS for a share `refuseRate`).
 */
export function plan(seq, { seed, dupRate, dupCopies: [lo, hi], refuseRate }) {
  const r = rng((seed ^ Math.imul(seq + 1, 0x9e3779b1)) >>> 0);
  r();
  const [dup, copies, refuse, status] = [r(), r(), r(), r()];
  return {
    copies: dup < dupRate ? lo + Math.floor(copies * (hi - lo + 1)) : 1,
    refusal: refuse < refuseRate ? REFUSALS[Math.floor(status * REFUSALS.length)] : null,
  };
}

/** The routes the soak sends to (one per vendor sample), and the vendors. */
export const ROUTES = [...new Set(SAMPLES.map((s) => s.path.split("/")[2]))];
export const VENDORS = SAMPLES.map((s) => s.vendor);
// Two webhooks of each vendor must be two events: a variant that left the id as it is would fail the soak late.
for (let i = 0; i < SAMPLES.length; i++) {
  const now = Math.floor(Date.now() / 1000);
  const [a, b] = [webhook(i, "check", now), webhook(i + SAMPLES.length, "check", now)];
  if (a.key === b.key) throw new Error(`the soak has no variant for the vendor ${a.vendor}: two of its webhooks carry one event id`);
}

/**
 * The whole soak. Options (all required but `log`): n, concurrency, outageS, retryBase, originTimeout, failRate,
 * hangRate, faultCap, seed, deadlineS (how long to wait for the first settlement once every webhook is sent),
 * dupRate and dupCopies ([least, most]: the share of webhooks sent as that many concurrent identical copies),
 * refuseRate (the share of events the origin refuses for good until it is fixed), replayDeadlineS (how long to wait
 * for the replayed dead letters), log(text) for progress, logFile (keep the gateway's output there), signal (an
 * AbortSignal: stop early, clean up). Resolves to the result: figures and checks.
 *
 * It runs in two phases. First every webhook is sent (the outage starts halfway) and the soak waits until the
 * origin has every event it does not refuse and the ledger counts every refused one dead. Then the origin is fixed,
 * every dead letter is replayed through POST /admin/replay?status=dead (called until it replays none), and the soak
 * waits until the origin has every event and the ledger counts nothing queued, received or dead.
 *
 * Faults per event are capped at `faultCap`: with at most `outageAttempts()` attempts lost to the outage, an event
 * then fails at most `faultCap + outageAttempts` attempts, fewer than the queue's MAX_ATTEMPTS, so a correct gateway
 * never dead-letters one by running out of retries: the only dead letters are the refused events.
 */
export async function run(opts) {
  const { n, concurrency, outageS, retryBase, originTimeout, failRate, hangRate, faultCap, seed, deadlineS } = opts;
  const { dupRate, dupCopies, refuseRate, replayDeadlineS } = opts;
  const say = opts.log ?? (() => {});
  const aborted = () => Boolean(opts.signal?.aborted);
  const worstFailures = faultCap + outageAttempts(outageS, retryBase);
  if (worstFailures >= MAX_ATTEMPTS) {
    say(`soak: warning: faultCap ${faultCap} + ${outageAttempts(outageS, retryBase)} attempts lost to the outage reach the queue's ${MAX_ATTEMPTS}: events can run out of retries and be dead-lettered`);
  }
  const dir = mkdtempSync(join(tmpdir(), "carehook-soak-"));
  const secret = "whsec_" + randomBytes(32).toString("base64");
  const adminToken = randomBytes(24).toString("base64url");
  const runTag = randomBytes(4).toString("hex");
  // Per event (source|id): the gateway's delivery lines by outcome.
  const byOutcome = { delivered: new Map(), dead_letter: new Map(), dead: new Map() };
  const lines = { ingestMs: [], request: 0, requestOutcomes: {}, delivery: {}, retryNoStatus: 0, retryNoStatusInOutage: 0, retry500: 0, maxAttempt: 0 };
  const expected = new Set(); // source|id of every event the gateway accepted
  const refused = new Map(); // source|id → the status the origin refuses it with, for the accepted ones
  let origin, gateway, outageTimer, runtimeTimer, result;
  const runtimeChanges = [];
  const t0 = performance.now();
  const loadBefore = loadavg()[0];
  const since = (t) => (t == null ? null : (t - t0) / 1000);
  try {
    origin = await startFaultOrigin({ secret, failRate, hangRate, hangMs: (originTimeout + 1) * 1000, faultCap, seed });
    const onLine = (line, at) => {
      if (line.kind === "request") {
        lines.request++;
        if (line.outcome === "queued") lines.ingestMs.push(line.duration_ms);
        lines.requestOutcomes[line.outcome] = (lines.requestOutcomes[line.outcome] ?? 0) + 1;
      } else if (line.kind === "delivery") {
        lines.delivery[line.outcome] = (lines.delivery[line.outcome] ?? 0) + 1;
        lines.maxAttempt = Math.max(lines.maxAttempt, line.attempt ?? 0);
        if (line.outcome === "retry" && line.status == null) {
          lines.retryNoStatus++;
          const down = origin.downAt, up = origin.upAt ?? Infinity;
          if (down != null && at >= down && at <= up + 1000) lines.retryNoStatusInOutage++;
        }
        if (line.outcome === "retry" && line.status === 500) lines.retry500++;
        const tally = byOutcome[line.outcome];
        if (tally && line.source != null && line.id != null) {
          // The line's source is the route; the CloudEvent's is carehook:in/<route>.
          const key = `carehook:in/${line.source}|${line.id}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        }
      }
    };
    const lifetimeS = Math.ceil(120 + n / 20 + outageS + deadlineS + replayDeadlineS);
    gateway = await startGateway({ dir, originUrl: origin.url, secret, adminToken, retryBase, originTimeout, onLine, lifetimeS, logFile: opts.logFile });
    const ready = performance.now();
    const runtimeAtStart = gateway.runtimePids();
    let runtimeNow = runtimeAtStart.join(",");
    runtimeTimer = setInterval(() => {
      const pids = gateway.runtimePids().join(",");
      if (pids !== runtimeNow) runtimeChanges.push({ atS: round(since(performance.now()), 1), pids: (runtimeNow = pids) });
    }, 2000);
    say(`soak: gateway ${gateway.url} (pid ${gateway.pid}) ready in ${((ready - t0) / 1000).toFixed(1)} s; origin ${origin.url}`);
    const stats = async () => (await admin(gateway, adminToken, "/admin/stats")).json;
    const delivered = (keys) => {
      let k = 0;
      for (const key of keys) if (origin.ids.get(key)?.delivered > 0) k++;
      return k;
    };

    // Phase 1. Send: `concurrency` webhooks in flight, some as several identical copies at once; the outage
    // starts when half have been sent.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * dupCopies[1] });
    const ingest = { statuses: {}, firstStatuses: {}, latencies: [], idMismatch: 0, duplicateIds: 0, firstCopyDuplicate: 0, duplicateAnswers: 0, resent: 0, lost: 0, failures: {} };
    const copies = { webhooks: 0, requests: 0, bad: 0, examples: [], answersLost: 0 };
    let next = 0;
    let outage = null;
    const startOutage = () => {
      outage = origin.down().then(() => {
        say(`soak: origin down for ${outageS} s`);
        return new Promise((resolve) => {
          outageTimer = setTimeout(() => origin.up().then(() => say("soak: origin back up"), (e) => say(`soak: origin could not come back: ${e.message}`)).then(resolve), outageS * 1000);
        });
      });
    };
    /** One copy, sent again (the same bytes, as a vendor does) until it gets a 200. */
    const send = async (hook) => {
      let lost = false;
      for (let attempt = 1; ; attempt++) {
        const res = await post(agent, gateway.url, hook);
        ingest.statuses[res.status] = (ingest.statuses[res.status] ?? 0) + 1;
        if (attempt === 1) ingest.firstStatuses[res.status] = (ingest.firstStatuses[res.status] ?? 0) + 1;
        ingest.latencies.push(res.ms);
        if (res.status === 200 && res.json?.duplicate === true) ingest.duplicateAnswers++;
        if (res.status === 200 || attempt === SENDS || aborted()) return { ...res, lost };
        const why = failure(res);
        ingest.failures[why] = (ingest.failures[why] ?? 0) + 1;
        // Without an answer, the gateway may have accepted it: the next answer may then be a duplicate.
        if (res.status === 0) {
          lost = true;
          ingest.lost++;
        }
        ingest.resent++;
        await sleep(500 * 2 ** (attempt - 1));
      }
    };
    const sendStart = performance.now();
    let progressAt = sendStart;
    const sender = async () => {
      for (;;) {
        const seq = next++;
        if (seq >= n || aborted()) return;
        if (seq === Math.floor(n / 2) && !outage) startOutage();
        const hook = webhook(seq, runTag, Math.floor(Date.now() / 1000));
        const { copies: k, refusal } = plan(seq, { seed, dupRate, dupCopies, refuseRate });
        // Before the first copy is sent: the gateway may deliver it before it answers.
        if (refusal) origin.refuse.set(hook.key, refusal);
        const answers = await Promise.all(Array.from({ length: k }, () => send(hook)));
        const ok = answers.filter((a) => a.status === 200);
        const firsts = ok.filter((a) => a.json?.duplicate === false).length;
        const lost = answers.some((a) => a.lost);
        if (k > 1) {
          copies.webhooks++;
          copies.requests += k;
          if (lost) copies.answersLost++;
          const dups = ok.filter((a) => a.json?.duplicate === true).length;
          // Exactly one copy accepted; none seen accepted only when the answer to an accepted one was lost.
          if (ok.length !== k || dups + firsts !== k || !(firsts === 1 || (firsts === 0 && lost))) {
            copies.bad++;
            if (copies.examples.length < 10) copies.examples.push(answers.map((a) => `${a.status}:${a.json?.duplicate}`).join(","));
          }
        } else if (ok.length === 1 && firsts !== 1 && !lost) ingest.firstCopyDuplicate++;
        if (ok.length === 0) {
          origin.refuse.delete(hook.key);
          continue;
        }
        if (ok.some((a) => a.json?.id !== hook.id)) ingest.idMismatch++;
        if (expected.has(hook.key)) ingest.duplicateIds++;
        expected.add(hook.key);
        if (refusal) refused.set(hook.key, refusal);
        if (performance.now() - progressAt > 10_000) {
          progressAt = performance.now();
          say(`soak: sent ${seq + 1}/${n} webhooks (${ingest.latencies.length} requests), origin has ${delivered(expected)} events`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, sender));
    const sendEnd = performance.now();
    agent.destroy();
    say(`soak: sent ${n} webhooks (${ingest.latencies.length} requests; ${copies.webhooks} as ${copies.requests} concurrent copies) in ${((sendEnd - sendStart) / 1000).toFixed(1)} s; the origin refuses ${refused.size} of them`);
    const abortedP = new Promise((resolve) => opts.signal?.addEventListener("abort", resolve, { once: true }));
    if (outage) await Promise.race([outage, abortedP]);

    // Wait, bounded, until the origin has every event it does not refuse and the ledger has every refused one dead.
    const deliverable = [...expected].filter((key) => !refused.has(key));
    const settleEnd = performance.now() + deadlineS * 1000;
    let missing = deliverable.length - delivered(deliverable);
    let counts = null;
    let reported = performance.now();
    while (performance.now() < settleEnd && !gateway.exited && !aborted()) {
      missing = deliverable.length - delivered(deliverable);
      if (missing === 0) {
        counts = (await stats())?.counts ?? null;
        if (counts && counts.dead === refused.size && counts.queued === 0 && counts.received === 0) break;
      }
      if (performance.now() - reported > 10_000) {
        reported = performance.now();
        say(`soak: waiting: ${missing} events not delivered yet, ${byOutcome.dead.size}/${refused.size} refused ones recorded dead, ${lines.delivery.retry ?? 0} retries so far`);
      }
      await sleep(500);
    }
    const settledAt = performance.now();
    const completeAt = missing === 0 ? origin.lastDeliveryAt : null;
    const settledS = Math.round((settledAt - sendEnd) / 1000);
    say(`soak: phase 1 settled ${settledS} s after the last webhook: ${missing} events missing, ledger ${JSON.stringify(counts)}`);

    // The dead letters as the ledger lists them, route by route.
    const listed = new Map();
    const listing = { failed: 0, truncated: false };
    for (const route of ROUTES) {
      const res = await admin(gateway, adminToken, `/admin/events?status=dead&source=${encodeURIComponent(route)}&limit=500`);
      if (res.status !== 200 || !Array.isArray(res.json?.events)) {
        listing.failed++;
        continue;
      }
      if (res.json.events.length >= 500) listing.truncated = true;
      for (const r of res.json.events) listed.set(`carehook:in/${r.source}|${r.id}`, r);
    }
    const listedWrong = [...listed].filter(([key, r]) => refused.get(key) !== r.lastStatus).length;
    const refusedNotListed = [...refused.keys()].filter((key) => !listed.has(key)).length;
    const deliveredBeforeFix = [...refused.keys()].filter((key) => origin.ids.get(key)?.delivered > 0).length;

    // Phase 2. The origin is fixed; every dead letter is replayed, until a call replays none.
    origin.refusing = false;
    const replay = { calls: 0, statuses: {}, replayed: 0, failed: 0 };
    const replayStart = performance.now();
    for (let i = 0; i < 50 && !aborted() && !gateway.exited; i++) {
      const res = await admin(gateway, adminToken, "/admin/replay?status=dead", "POST");
      replay.calls++;
      replay.statuses[res.status] = (replay.statuses[res.status] ?? 0) + 1;
      if (res.status !== 202) {
        await sleep(1000);
        continue;
      }
      replay.replayed += res.json?.replayed ?? 0;
      replay.failed += res.json?.failed ?? 0;
      if (!res.json?.replayed) break;
    }
    say(`soak: replayed ${replay.replayed} dead letters in ${replay.calls} calls (${replay.failed} failed)`);
    const replayEnd = performance.now() + replayDeadlineS * 1000;
    const all = [...expected];
    let replayDoneAt = null;
    while (performance.now() < replayEnd && !gateway.exited && !aborted()) {
      missing = all.length - delivered(all);
      if (missing === 0) {
        replayDoneAt ??= origin.lastDeliveryAt;
        counts = (await stats())?.counts ?? null;
        if (counts && counts.delivered === expected.size && counts.dead === 0 && counts.queued === 0 && counts.received === 0) break;
      }
      if (performance.now() - reported > 10_000) {
        reported = performance.now();
        say(`soak: waiting for the replays: ${missing} events not delivered yet`);
      }
      await sleep(500);
    }
    // Late arrivals: a few seconds for duplicates or dead letters to show.
    await sleep(Math.max(3000, (originTimeout + 2) * 1000));
    const ledgerStats = await stats();
    const runtimeAtEnd = gateway.runtimePids();

    // Every replayed event's record: delivered, replayed once, refused in generation 0 and delivered in 1.
    const records = { read: 0, failed: 0, wrong: 0, examples: [] };
    const refusedKeys = [...refused.keys()];
    for (let i = 0; i < refusedKeys.length && !aborted(); i += 8) {
      await Promise.all(refusedKeys.slice(i, i + 8).map(async (key) => {
        const [source, id] = [key.slice(0, key.indexOf("|")).replace(/^carehook:in\//, ""), key.slice(key.indexOf("|") + 1)];
        const res = await admin(gateway, adminToken, `/admin/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`);
        if (res.status !== 200 || !Array.isArray(res.json?.history)) return void records.failed++;
        records.read++;
        const h = res.json.history;
        const ok = res.json.status === "delivered" && res.json.replays === 1 &&
          h.some((a) => a.generation === 0 && a.outcome === "refused" && a.status === refused.get(key)) &&
          !h.some((a) => a.generation === 0 && a.outcome === "delivered") &&
          h.filter((a) => a.outcome === "delivered").length === 1 && h.at(-1)?.generation === 1 && h.at(-1)?.outcome === "delivered";
        if (!ok) {
          records.wrong++;
          if (records.examples.length < 5) records.examples.push({ status: res.json.status, replays: res.json.replays, history: h.map((a) => `${a.generation}/${a.attempt}:${a.status}:${a.outcome}`) });
        }
      }));
    }

    const ids = [...origin.ids];
    const deliveredKeys = ids.filter(([, s]) => s.delivered > 0).map(([key]) => key);
    const unexpected = deliveredKeys.filter((key) => !expected.has(key)).length;
    const twice = ids.filter(([, s]) => s.delivered > 1);
    const duplicates = twice.reduce((k, [, s]) => k + s.delivered - 1, 0);
    const refusedTwice = [...refused.keys()].filter((key) => origin.ids.get(key)?.refused !== 1).length;
    const sorted = ingest.latencies.slice().sort((a, b) => a - b);
    const inWorker = lines.ingestMs.slice().sort((a, b) => a - b);
    const batches = gateway.batches;
    const held = batches.filter((b) => b.ms >= originTimeout * 1000);
    const sumMs = (list) => list.reduce((k, b) => k + b.ms, 0);
    const sendS = (sendEnd - sendStart) / 1000;
    const deliveredLines = lines.delivery.delivered ?? 0;
    const byVendor = {}, byRoute = {};
    for (const [, s] of ids) {
      if (s.delivered === 0) continue;
      byVendor[s.vendor] = (byVendor[s.vendor] ?? 0) + 1;
      byRoute[s.route] = (byRoute[s.route] ?? 0) + 1;
    }
    const sameKeys = (map) => map.size === refused.size && [...refused.keys()].every((key) => map.get(key) === 1);
    const others = (map) => [...map.keys()].filter((key) => !refused.has(key)).length;
    const c = ledgerStats?.counts ?? {};
    const routeMismatch = ROUTES.filter((r) => (ledgerStats?.sources?.[r]?.delivered ?? -1) !== (byRoute[r] ?? 0));
    const refusalStatuses = {};
    for (const s of refused.values()) refusalStatuses[s] = (refusalStatuses[s] ?? 0) + 1;

    result = {
      when: new Date().toISOString(),
      aborted: aborted(),
      // The soak shares the machine: its 1-minute load average before and after.
      machine: { cpus: availableParallelism(), loadBefore: round(loadBefore, 2), loadAfter: round(loadavg()[0], 2) },
      params: { n, concurrency, outageS, retryBase, originTimeout, failRate, hangRate, faultCap, seed, deadlineS, dupRate, dupCopies, refuseRate, replayDeadlineS, maxAttempts: MAX_ATTEMPTS },
      ingest: {
        webhooks: n,
        requests: ingest.latencies.length,
        statuses: ingest.statuses,
        // The first request of each copy, and why a request had to be sent again.
        firstStatuses: ingest.firstStatuses,
        resent: ingest.resent,
        failures: ingest.failures,
        distinctEvents: expected.size,
        seconds: round(sendS, 2),
        perSecond: round(ingest.latencies.length / sendS),
        p50ms: round(percentile(sorted, 50)),
        p99ms: round(percentile(sorted, 99)),
        maxms: round(sorted.at(-1)),
        // The Worker's own time per queued webhook (its log lines), without the wait for a turn in workerd.
        workerP50ms: percentile(inWorker, 50),
        workerP99ms: percentile(inWorker, 99),
      },
      // Webhooks sent as several identical copies at once: each copy 200, exactly one not a duplicate.
      copies: { webhooks: copies.webhooks, requests: copies.requests, wrong: copies.bad, answersLost: copies.answersLost, examples: copies.examples },
      // The local queue runs one consumer batch at a time; a batch lasts as long as its slowest delivery.
      consumer: {
        batches: batches.length,
        meanBatchSize: round(batches.length ? batches.reduce((k, b) => k + b.size, 0) / batches.length : 0),
        busySeconds: round(sumMs(batches) / 1000),
        batchesHeldByTimeout: held.length,
        secondsHeldByTimeout: round(sumMs(held) / 1000),
      },
      origin: {
        requests: origin.requests,
        distinctDelivered: deliveredKeys.length,
        missing: all.filter((key) => !origin.ids.get(key)?.delivered).length,
        unexpected,
        deliveredTwice: twice.length,
        duplicates,
        duplicateExamples: twice.slice(0, 10).map(([key, s]) => ({ key, delivered: s.delivered, gatewayDeliveredLines: byOutcome.delivered.get(key) ?? 0 })),
        badSignatures: origin.badSignatures,
        mismatchedIds: origin.mismatchedIds,
        injected500: origin.injected500,
        injectedHangs: origin.injectedHangs,
        injectedRefusals: origin.injectedRefusals,
        followedRedirects: origin.strays,
        faultRate: round(origin.requests ? (origin.injected500 + origin.injectedHangs) / origin.requests : 0, 3),
        byVendor,
      },
      outage: { seconds: outageS, startS: round(since(origin.downAt), 1), endS: round(since(origin.upAt), 1) },
      delivery: {
        // From the first webhook sent to the last event delivered (the refused ones aside), and from the last sent.
        completeS: completeAt == null ? null : round((completeAt - sendStart) / 1000),
        afterLastIngestS: completeAt == null ? null : round((completeAt - sendEnd) / 1000),
        attemptsLogged: Object.values(lines.delivery).reduce((a, b) => a + b, 0),
        outcomes: lines.delivery,
        retries: lines.delivery.retry ?? 0,
        retries500: lines.retry500,
        retriesNoAnswer: lines.retryNoStatus,
        retriesRefusedDuringOutage: lines.retryNoStatusInOutage,
        maxAttempt: lines.maxAttempt,
      },
      deadLetters: {
        refused: refused.size,
        statuses: refusalStatuses,
        deadLetterLines: byOutcome.dead_letter.size,
        recordedDead: byOutcome.dead.size,
        others: others(byOutcome.dead_letter) + others(byOutcome.dead),
        listedBeforeReplay: listed.size,
        listedWrongStatus: listedWrong,
        refusedNotListed,
        listing,
        queueWarnings: gateway.warnings.length,
        phase1SettledS: settledS,
      },
      replay: {
        ...replay,
        // From the first replay call to the last replayed event delivered.
        deliveredS: replayDoneAt == null ? null : round((replayDoneAt - replayStart) / 1000),
        records,
      },
      ledger: { counts: ledgerStats?.counts ?? null, routesNotMatchingOrigin: routeMismatch, queueBacklog: ledgerStats?.queueBacklog },
      requestLog: { lines: lines.request, outcomes: lines.requestOutcomes },
      // wrangler dev's workerd processes when the gateway was ready and at the end: a change is a runtime restart.
      runtime: { atStart: runtimeAtStart, atEnd: runtimeAtEnd, changes: runtimeChanges },
    };
    const copiesSent = n + copies.requests - copies.webhooks;
    const workerFailures = Object.entries(ingest.failures).filter(([why]) => why.startsWith("worker")).reduce((k, [, x]) => k + x, 0);
    const unsettled = (lines.delivery.payload_missing ?? 0) + (lines.delivery.unreadable ?? 0) + (lines.delivery.dead_unreadable ?? 0);
    result.checks = [
      check("every copy of every webhook answered 200 (sent again after a failure, as vendors do)", (ingest.statuses[200] ?? 0) === copiesSent, `${ingest.statuses[200] ?? 0} of ${copiesSent}: ${JSON.stringify(ingest.statuses)}`),
      check("the Worker itself refused no ingest", workerFailures === 0, JSON.stringify(ingest.failures)),
      check("a distinct event per webhook, with the id carehook derives for its route", expected.size === n && ingest.idMismatch === 0 && ingest.duplicateIds === 0 && ingest.firstCopyDuplicate === 0, `${expected.size} distinct, ${ingest.idMismatch} not as expected, ${ingest.firstCopyDuplicate} single copies called duplicates`),
      check("concurrent identical copies: one accepted, every other copy a duplicate", copies.bad === 0 && (copies.webhooks > 0 || !dupRate), `${copies.bad} of ${copies.webhooks} groups wrong: ${copies.examples.join(" | ")}`),
      check("the request log: one queued line per event, one duplicate line per duplicate answer", lines.requestOutcomes.queued === n && (lines.requestOutcomes.duplicate ?? 0) >= ingest.duplicateAnswers && (lines.requestOutcomes.duplicate ?? 0) <= ingest.duplicateAnswers + ingest.lost, `${JSON.stringify(lines.requestOutcomes)} for ${ingest.duplicateAnswers} duplicate answers (${ingest.lost} answers lost)`),
      check("every refused event dead-lettered once, refused once, recorded dead in the ledger", sameKeys(byOutcome.dead_letter) && sameKeys(byOutcome.dead) && refusedTwice === 0 && (refused.size > 0 || !refuseRate), `${refused.size} refused, ${byOutcome.dead_letter.size} dead_letter lines, ${byOutcome.dead.size} dead lines, ${refusedTwice} not refused exactly once`),
      check("the ledger listed exactly the refused events as dead, with the origin's status", listed.size === refused.size && refusedNotListed === 0 && listedWrong === 0 && listing.failed === 0 && !listing.truncated, `${listed.size} listed, ${refusedNotListed} refused not listed, ${listedWrong} with another status, ${listing.failed} listings failed`),
      check("no other event dead-lettered", others(byOutcome.dead_letter) + others(byOutcome.dead) === 0 && unsettled === 0 && gateway.warnings.length === 0, `${others(byOutcome.dead_letter)} dead_letter and ${others(byOutcome.dead)} dead lines for other events, ${unsettled} unreadable or payload missing, ${gateway.warnings.length} queue warnings`),
      check("a redirect is never followed, a refused event never delivered before the fix", origin.strays === 0 && deliveredBeforeFix === 0, `${origin.strays} requests off /events, ${deliveredBeforeFix} delivered while refused`),
      check("every dead letter replayed once", replay.replayed === refused.size && replay.failed === 0 && (replay.statuses[202] ?? 0) === replay.calls, `${replay.replayed} replayed of ${refused.size}, ${replay.failed} failed, ${JSON.stringify(replay.statuses)}`),
      check("every replayed event's record: delivered once, in generation 1, after a refusal in 0", records.read === refused.size && records.wrong === 0, `${records.read} read, ${records.failed} failed, ${records.wrong} wrong: ${JSON.stringify(records.examples)}`),
      check("the origin received every event", result.origin.missing === 0, `${result.origin.missing} missing${aborted() ? " (stopped early)" : ""}`),
      check("the origin received no other event", unexpected === 0, `${unexpected} unexpected`),
      check("no event delivered twice", twice.length === 0, `${twice.length} delivered twice: ${JSON.stringify(result.origin.duplicateExamples)}`),
      check("every forwarded signature verified", origin.badSignatures === 0 && origin.mismatchedIds === 0, `${origin.badSignatures} bad, ${origin.mismatchedIds} with another id`),
      check("the ledger's counts match the origin's", c.delivered === deliveredKeys.length && c.dead === 0 && c.queued === 0 && c.received === 0 && routeMismatch.length === 0, `${JSON.stringify(c)} against ${deliveredKeys.length} delivered; routes off: ${routeMismatch.join(", ")}`),
      check("the faults happened (500s, timeouts, refused during the outage, refusals)", (origin.injected500 > 0 || !failRate) && (origin.injectedHangs > 0 || !hangRate) && (lines.retryNoStatusInOutage > 0 || !outageS) && (origin.injectedRefusals > 0 || !refuseRate), `${origin.injected500} × 500, ${origin.injectedHangs} hangs, ${lines.retryNoStatusInOutage} refused connections, ${origin.injectedRefusals} refusals`),
      check("a delivered log line per 2xx the origin answered", deliveredLines === origin.delivered200, `${deliveredLines} lines, ${origin.delivered200} answers`),
    ];
    result.ok = result.checks.every((x) => x.ok);
    return result;
  } finally {
    clearTimeout(outageTimer);
    clearInterval(runtimeTimer);
    await gateway?.stop();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
    // What was started, for a caller to check it is gone.
    if (result) result.processes = { gatewayPid: gateway.pid, gatewayUrl: gateway.url, originUrl: origin.url, dir };
  }
}

function check(name, ok, detail) {
  return { name, ok: Boolean(ok), detail };
}

/** The result as a table for a terminal. */
export function table(r) {
  const d = r.deadLetters, l = r.ledger.counts ?? {};
  const rows = [
    ["machine", `${r.machine.cpus} cores, load ${r.machine.loadBefore} before, ${r.machine.loadAfter} after`],
    ["webhooks sent", `${r.ingest.webhooks} distinct in ${r.ingest.requests} requests (${Object.entries(r.ingest.statuses).map(([s, k]) => `${k} × ${s}`).join(", ")})`],
    ["sent again", r.ingest.resent ? `${r.ingest.resent} requests (${Object.entries(r.ingest.failures).map(([w, k]) => `${k} × ${w}`).join(", ")})` : "none"],
    ["concurrent copies", `${r.copies.webhooks} webhooks sent as ${r.copies.requests} identical copies at once, ${r.copies.wrong} groups answered wrong`],
    ["ingest throughput", `${r.ingest.perSecond} req/s over ${r.ingest.seconds} s, concurrency ${r.params.concurrency}`],
    ["ingest latency", `p50 ${r.ingest.p50ms} ms, p99 ${r.ingest.p99ms} ms, max ${r.ingest.maxms} ms (in the Worker: p50 ${r.ingest.workerP50ms} ms, p99 ${r.ingest.workerP99ms} ms)`],
    ["origin faults", `${r.origin.injected500} × 500, ${r.origin.injectedHangs} hangs > ${r.params.originTimeout} s (${(r.origin.faultRate * 100).toFixed(1)}% of ${r.origin.requests} requests), down ${r.outage.seconds} s at ${r.outage.startS}–${r.outage.endS} s`],
    ["refused for good", `${d.refused} events (${Object.entries(d.statuses).map(([s, k]) => `${k} × ${s}`).join(", ")}): ${d.deadLetterLines} dead-lettered, ${d.recordedDead} recorded dead, ${d.listedBeforeReplay} listed; ${r.origin.followedRedirects} redirects followed`],
    ["replay", `${r.replay.replayed} replayed in ${r.replay.calls} calls (${r.replay.failed} failed), delivered ${r.replay.deliveredS ?? "–"} s after the first call; ${r.replay.records.read - r.replay.records.wrong}/${d.refused} records right`],
    ["delivered", `${r.origin.distinctDelivered} distinct events, ${r.origin.missing} missing, ${r.origin.deliveredTwice} delivered twice`],
    ["ledger", `${l.delivered} delivered, ${l.dead} dead, ${l.queued} queued, ${l.received} received`],
    ["delivery complete", r.delivery.completeS == null ? "no (timed out)" : `${r.delivery.completeS} s after the first webhook, ${r.delivery.afterLastIngestS} s after the last (refused events aside)`],
    ["consumer batches", `${r.consumer.batches} (mean ${r.consumer.meanBatchSize} messages), busy ${r.consumer.busySeconds} s, of which ${r.consumer.secondsHeldByTimeout} s in ${r.consumer.batchesHeldByTimeout} batches held by a timeout`],
    ["retries", `${r.delivery.retries} (${r.delivery.retries500} on 500, ${r.delivery.retriesNoAnswer} without an answer, ${r.delivery.retriesRefusedDuringOutage} of them in the outage), highest attempt ${r.delivery.maxAttempt}/${r.params.maxAttempts}`],
    ["signatures", `${r.origin.requests - r.origin.badSignatures}/${r.origin.requests} verified`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  out.push("");
  for (const c of r.checks) out.push(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name}${c.ok ? "" : `: ${c.detail}`}`);
  return out.join("\n");
}
