// The soak: the real built Worker under `wrangler dev --local`, a fault-injecting origin, and a load of signed
// webhooks from every vendor. Used by scripts/soak (10,000 webhooks, tests/soak/run.mjs) and by the small suite in
// tests/soak/soak.test.mjs. Everything listens on 127.0.0.1, every wait is bounded, every process is stopped by PID.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
    console.log(JSON.stringify({ queues: c.queues, compatibility_date: c.compatibility_date }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`could not read wrangler.toml: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
})();
const EVENTS_QUEUE = config.queues.producers.find((p) => p.binding === "EVENTS").queue;
const consumer = config.queues.consumers.find((c) => c.queue === EVENTS_QUEUE);
export const DEAD_QUEUE = consumer.dead_letter_queue;
/** Attempts the queue allows an event before it moves it to the dead-letter queue. */
export const MAX_ATTEMPTS = (consumer.max_retries ?? 3) + 1;

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
 * records it by id, and injects faults: `failRate` of requests get a 500, `hangRate` get no answer for `hangMs`
 * (longer than the gateway's timeout, then the socket is closed), and `down()` takes it off the network entirely
 * (connections refused) until `up()`. `faultCap` bounds the faults one event id can be given (see run()).
 */
export async function startFaultOrigin({ secret, failRate, hangRate, hangMs, faultCap, seed, port = 0 }) {
  const webhook = new Webhook(secret);
  const random = rng(seed);
  const hangs = new Set();
  const origin = {
    ids: new Map(), // id → { requests, faults, delivered, vendor }
    requests: 0,
    badSignatures: 0,
    mismatchedIds: 0,
    injected500: 0,
    injectedHangs: 0,
    delivered200: 0,
    downAt: null,
    upAt: null,
    lastDeliveryAt: null,
    onDelivered: () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
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
      const id = req.headers["webhook-id"];
      if (event.id !== id || event.specversion !== "1.0") origin.mismatchedIds++;
      let seen = origin.ids.get(id);
      if (!seen) origin.ids.set(id, (seen = { requests: 0, faults: 0, delivered: 0, vendor: event.vendor }));
      seen.requests++;
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
      origin.onDelivered(id);
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
 * The gateway: `wrangler dev --local` on 127.0.0.1 with the repository's wrangler.toml, overridden by `--var` for
 * the origin, the first retry delay and the origin timeout, and a second Worker that consumes the dead-letter queue
 * (local queues drop what is sent to a queue without a consumer) and logs one line per letter: id, source, status.
 * It runs a copy of wrangler.toml and build/ in `dir`: wrangler dev reloads when they change, and a reload empties
 * the local queues, so a rebuild elsewhere during a run must not reach it. Keys and the forwarding secret go in an
 * env file in `dir` (mode 600), not on the command line.
 * `onLine(line, atMs)` receives each structured log line as it is printed.
 */
export async function startGateway({ dir, originUrl, secret, retryBase, originTimeout, onLine, lifetimeS, logFile }) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const env = [`FORWARD_SECRET=${secret}`];
  for (const s of carehook.samples()) env.push(`KEYS_${s.vendor.toUpperCase()}=${s.verifyKey}`);
  writeFileSync(join(dir, "env"), env.join("\n") + "\n", { mode: 0o600 });
  copyFileSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "build"), join(dir, "build"), { recursive: true });
  const observer = join(dir, "dead-letter-observer.mjs");
  copyFileSync(fileURLToPath(new URL("dead-letter-observer.mjs", import.meta.url)), observer);
  writeFileSync(
    join(dir, "observer.toml"),
    [
      `name = "carehook-soak-dead-letters"`,
      `main = ${JSON.stringify(observer)}`,
      `compatibility_date = ${JSON.stringify(config.compatibility_date)}`,
      `send_metrics = false`,
      `workers_dev = false`,
      `[[queues.consumers]]`,
      `queue = ${JSON.stringify(DEAD_QUEUE)}`,
      `max_batch_size = 10`,
      `max_batch_timeout = 1`,
    ].join("\n") + "\n",
  );
  const args = [
    // A hard bound on the gateway's life, should this process die without stopping it.
    "--signal=INT", "--kill-after=10", String(lifetimeS),
    join(ROOT, "node_modules/.bin/wrangler"), "dev",
    "-c", join(dir, "wrangler.toml"), "-c", join(dir, "observer.toml"),
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
      const brace = text.indexOf("{");
      if (text.startsWith("[carehook") && brace > 0) {
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
const SAMPLES = carehook.samples();

/**
 * Webhook `seq` of run `run`: vendor `seq mod 13`, its sample with the fields that identify the event changed, so
 * every request carries a distinct event, signed `now`. Returns what to send and the event id carehook's library
 * derives for it (the gateway must answer with the same).
 */
export function webhook(seq, run, now) {
  const s = SAMPLES[seq % SAMPLES.length];
  const b = JSON.parse(s.body);
  const tag = `${run}_${seq}`;
  let signId, delivery;
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
      throw new Error(`no soak variant for the vendor ${s.vendor}`);
  }
  const body = JSON.stringify(b);
  const headers = { ...Object.fromEntries(s.headers), ...carehook.sign({ vendor: s.vendor, key: s.signingKey, body, path: s.path, now, id: signId }) };
  if (delivery) headers["x-github-delivery"] = delivery;
  const event = carehook.verify({ vendor: s.vendor, keys: s.verifyKey, method: "POST", path: s.path, headers, body, now });
  return { vendor: s.vendor, path: s.path, headers, body, id: event.id };
}

/** One POST over a keep-alive agent; resolves to { status, json, ms } (status 0 when no answer came). */
function post(agent, base, { path, headers, body }) {
  const bytes = Buffer.from(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(new URL(path, base), {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": bytes.length },
      timeout: 30_000,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        let json = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {}
        resolve({ status: res.statusCode, json, ms: performance.now() - started });
      });
      res.on("error", () => resolve({ status: 0, json: null, ms: performance.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", () => resolve({ status: 0, json: null, ms: performance.now() - started }));
    req.end(bytes);
  });
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const round = (x, digits = 1) => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * The whole soak. Options (all required but `log`): n, concurrency, outageS, retryBase, originTimeout, failRate,
 * hangRate, faultCap, seed, deadlineS (how long to wait for the last delivery once every webhook is sent),
 * log(text) for progress, logFile (keep the gateway's output there), signal (an AbortSignal: stop early, clean up).
 * Resolves to the result: figures and checks.
 *
 * Faults per event id are capped at `faultCap`: with at most `outageAttempts()` attempts lost to the outage, an event
 * then fails at most `faultCap + outageAttempts` attempts, fewer than the queue's MAX_ATTEMPTS, so a correct gateway
 * never dead-letters one and any dead letter is a real fault of the gateway.
 */
export async function run(opts) {
  const { n, concurrency, outageS, retryBase, originTimeout, failRate, hangRate, faultCap, seed, deadlineS } = opts;
  const say = opts.log ?? (() => {});
  const worstFailures = faultCap + outageAttempts(outageS, retryBase);
  if (worstFailures >= MAX_ATTEMPTS) {
    say(`soak: warning: faultCap ${faultCap} + ${outageAttempts(outageS, retryBase)} attempts lost to the outage reach the queue's ${MAX_ATTEMPTS}: events can run out of retries and be dead-lettered`);
  }
  const dir = mkdtempSync(join(tmpdir(), "carehook-soak-"));
  const secret = "whsec_" + randomBytes(32).toString("base64");
  const runTag = randomBytes(4).toString("hex");
  const lines = { ingestMs: [], request: 0, requestOutcomes: {}, delivery: {}, retryNoStatus: 0, retryNoStatusInOutage: 0, retry500: 0, maxAttempt: 0, deadLetters: [] };
  const expected = new Set();
  let origin, gateway, outageTimer, result;
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
      } else if (line.kind === "dead_letter_observed") {
        lines.deadLetters.push({ id: line.id, source: line.source, origin_status: line.origin_status });
      }
    };
    const lifetimeS = Math.ceil(120 + n / 20 + outageS + deadlineS);
    gateway = await startGateway({ dir, originUrl: origin.url, secret, retryBase, originTimeout, onLine, lifetimeS, logFile: opts.logFile });
    const ready = performance.now();
    say(`soak: gateway ${gateway.url} (pid ${gateway.pid}) ready in ${((ready - t0) / 1000).toFixed(1)} s; origin ${origin.url}`);

    // Send: `concurrency` requests in flight; the outage starts when half have been sent.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const ingest = { statuses: {}, latencies: [], idMismatch: 0, duplicateIds: 0 };
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
    const sendStart = performance.now();
    let progressAt = sendStart;
    const worker = async () => {
      for (;;) {
        const seq = next++;
        if (seq >= n || opts.signal?.aborted) return;
        if (seq === Math.floor(n / 2) && !outage) startOutage();
        const hook = webhook(seq, runTag, Math.floor(Date.now() / 1000));
        const res = await post(agent, gateway.url, hook);
        ingest.statuses[res.status] = (ingest.statuses[res.status] ?? 0) + 1;
        ingest.latencies.push(res.ms);
        if (res.status !== 200) continue;
        if (res.json?.id !== hook.id) ingest.idMismatch++;
        if (expected.has(hook.id)) ingest.duplicateIds++;
        expected.add(hook.id);
        if (performance.now() - progressAt > 10_000) {
          progressAt = performance.now();
          say(`soak: sent ${ingest.latencies.length}/${n}, origin has ${countDelivered()} ids`);
        }
      }
    };
    const countDelivered = () => {
      let k = 0;
      for (const [id, s] of origin.ids) if (s.delivered > 0 && expected.has(id)) k++;
      return k;
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const sendEnd = performance.now();
    agent.destroy();
    say(`soak: sent ${n} webhooks in ${((sendEnd - sendStart) / 1000).toFixed(1)} s`);
    const aborted = new Promise((resolve) => opts.signal?.addEventListener("abort", resolve, { once: true }));
    if (outage) await Promise.race([outage, aborted]);

    // Wait, bounded, until the origin has every id the gateway acknowledged.
    const waitEnd = performance.now() + deadlineS * 1000;
    let missing = expected.size - countDelivered();
    let reported = performance.now();
    while (missing > 0 && performance.now() < waitEnd && !gateway.exited && !opts.signal?.aborted) {
      await sleep(250);
      missing = expected.size - countDelivered();
      if (performance.now() - reported > 10_000) {
        reported = performance.now();
        say(`soak: waiting: ${missing} ids not delivered yet, ${lines.delivery.retry ?? 0} retries so far`);
      }
    }
    const completeAt = missing === 0 ? origin.lastDeliveryAt : null;
    const waitedS = Math.round((performance.now() - (waitEnd - deadlineS * 1000)) / 1000);
    // Late arrivals: a few seconds for duplicates or dead letters to show.
    await sleep(Math.max(3000, (originTimeout + 2) * 1000));

    const ids = [...origin.ids];
    const deliveredIds = ids.filter(([, s]) => s.delivered > 0).map(([id]) => id);
    const unexpected = deliveredIds.filter((id) => !expected.has(id)).length;
    const duplicates = ids.reduce((k, [, s]) => k + Math.max(0, s.delivered - 1), 0);
    const sorted = ingest.latencies.slice().sort((a, b) => a - b);
    const inWorker = lines.ingestMs.slice().sort((a, b) => a - b);
    const batches = gateway.batches;
    const held = batches.filter((b) => b.ms >= originTimeout * 1000);
    const sumMs = (list) => list.reduce((k, b) => k + b.ms, 0);
    const sendS = (sendEnd - sendStart) / 1000;
    const dlqLogged = (lines.delivery.dead_letter ?? 0) + (lines.delivery.payload_missing ?? 0) + (lines.delivery.unreadable ?? 0);
    const deliveredLines = lines.delivery.delivered ?? 0;
    const byVendor = {};
    for (const [, s] of ids) if (s.delivered > 0) byVendor[s.vendor] = (byVendor[s.vendor] ?? 0) + 1;

    result = {
      when: new Date().toISOString(),
      aborted: Boolean(opts.signal?.aborted),
      // The soak shares the machine: its 1-minute load average before and after.
      machine: { cpus: availableParallelism(), loadBefore: round(loadBefore, 2), loadAfter: round(loadavg()[0], 2) },
      params: { n, concurrency, outageS, retryBase, originTimeout, failRate, hangRate, faultCap, seed, deadlineS, maxAttempts: MAX_ATTEMPTS },
      ingest: {
        requests: ingest.latencies.length,
        statuses: ingest.statuses,
        distinctIds: expected.size,
        seconds: round(sendS, 2),
        perSecond: round(ingest.latencies.length / sendS),
        p50ms: round(percentile(sorted, 50)),
        p99ms: round(percentile(sorted, 99)),
        maxms: round(sorted.at(-1)),
        // The Worker's own time per queued webhook (its log lines), without the wait for a turn in workerd.
        workerP50ms: percentile(inWorker, 50),
        workerP99ms: percentile(inWorker, 99),
      },
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
        distinctIdsDelivered: deliveredIds.length,
        missing: [...expected].filter((id) => !origin.ids.get(id)?.delivered).length,
        unexpected,
        duplicates,
        badSignatures: origin.badSignatures,
        mismatchedIds: origin.mismatchedIds,
        injected500: origin.injected500,
        injectedHangs: origin.injectedHangs,
        faultRate: round(origin.requests ? (origin.injected500 + origin.injectedHangs) / origin.requests : 0, 3),
        byVendor,
      },
      outage: { seconds: outageS, startS: round(since(origin.downAt), 1), endS: round(since(origin.upAt), 1) },
      delivery: {
        // From the first webhook sent to the last event delivered, and from the last webhook sent.
        completeS: completeAt == null ? null : round((completeAt - sendStart) / 1000),
        afterLastIngestS: completeAt == null ? null : round((completeAt - sendEnd) / 1000),
        attemptsLogged: Object.values(lines.delivery).reduce((a, b) => a + b, 0),
        outcomes: lines.delivery,
        retries: (lines.delivery.retry ?? 0),
        retries500: lines.retry500,
        retriesNoAnswer: lines.retryNoStatus,
        retriesRefusedDuringOutage: lines.retryNoStatusInOutage,
        maxAttempt: lines.maxAttempt,
      },
      deadLetters: { observed: lines.deadLetters.length, logged: dlqLogged, queueWarnings: gateway.warnings.length, ids: lines.deadLetters.slice(0, 20).map((l) => l.id) },
      requestLog: { lines: lines.request, outcomes: lines.requestOutcomes },
    };
    result.checks = [
      check("every ingest answered 200", (ingest.statuses[200] ?? 0) === n, JSON.stringify(ingest.statuses)),
      check("a distinct event id per webhook, as the gateway derived it", expected.size === n && ingest.idMismatch === 0 && ingest.duplicateIds === 0, `${expected.size} distinct, ${ingest.idMismatch} not as expected`),
      check("the origin received every id", result.origin.missing === 0, `${result.origin.missing} missing after waiting ${waitedS} s${opts.signal?.aborted ? " (stopped early)" : ""}`),
      check("the origin received no other id", unexpected === 0, `${unexpected} unexpected`),
      check("every forwarded signature verified", origin.badSignatures === 0 && origin.mismatchedIds === 0, `${origin.badSignatures} bad, ${origin.mismatchedIds} with another id`),
      check("the dead-letter queue is empty", lines.deadLetters.length === 0 && dlqLogged === 0 && gateway.warnings.length === 0, `${lines.deadLetters.length} letters observed, ${dlqLogged} logged, ${gateway.warnings.length} queue warnings`),
      check("the faults happened (500s, timeouts, refused during the outage)", (origin.injected500 > 0 || !failRate) && (origin.injectedHangs > 0 || !hangRate) && (lines.retryNoStatusInOutage > 0 || !outageS), `${origin.injected500} × 500, ${origin.injectedHangs} hangs, ${lines.retryNoStatusInOutage} refused`),
      // An answer the gateway gave up on (its timeout) is a duplicate at the origin; a "delivered" line without a 2xx
      // behind it would be a lie.
      check("a delivery log line per 2xx the origin answered", deliveredLines <= origin.delivered200 && origin.delivered200 - deliveredLines <= duplicates, `${deliveredLines} lines, ${origin.delivered200} answers, ${duplicates} duplicates`),
    ];
    result.ok = result.checks.every((c) => c.ok);
    return result;
  } finally {
    clearTimeout(outageTimer);
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
  const rows = [
    ["machine", `${r.machine.cpus} cores, load ${r.machine.loadBefore} before, ${r.machine.loadAfter} after`],
    ["webhooks sent", `${r.ingest.requests} (${Object.entries(r.ingest.statuses).map(([s, k]) => `${k} × ${s}`).join(", ")})`],
    ["ingest throughput", `${r.ingest.perSecond} req/s over ${r.ingest.seconds} s, concurrency ${r.params.concurrency}`],
    ["ingest latency", `p50 ${r.ingest.p50ms} ms, p99 ${r.ingest.p99ms} ms, max ${r.ingest.maxms} ms (in the Worker: p50 ${r.ingest.workerP50ms} ms, p99 ${r.ingest.workerP99ms} ms)`],
    ["origin faults", `${r.origin.injected500} × 500, ${r.origin.injectedHangs} hangs > ${r.params.originTimeout} s (${(r.origin.faultRate * 100).toFixed(1)}% of ${r.origin.requests} requests), down ${r.outage.seconds} s at ${r.outage.startS}–${r.outage.endS} s`],
    ["delivered", `${r.origin.distinctIdsDelivered} distinct ids, ${r.origin.missing} missing, ${r.origin.duplicates} duplicates`],
    ["delivery complete", r.delivery.completeS == null ? "no (timed out)" : `${r.delivery.completeS} s after the first webhook, ${r.delivery.afterLastIngestS} s after the last`],
    ["consumer batches", `${r.consumer.batches} (mean ${r.consumer.meanBatchSize} messages), busy ${r.consumer.busySeconds} s, of which ${r.consumer.secondsHeldByTimeout} s in ${r.consumer.batchesHeldByTimeout} batches held by a timeout`],
    ["retries", `${r.delivery.retries} (${r.delivery.retries500} on 500, ${r.delivery.retriesNoAnswer} without an answer, ${r.delivery.retriesRefusedDuringOutage} of them in the outage), highest attempt ${r.delivery.maxAttempt}/${r.params.maxAttempts}`],
    ["signatures", `${r.origin.requests - r.origin.badSignatures}/${r.origin.requests} verified`],
    ["dead letters", `${r.deadLetters.observed} observed, ${r.deadLetters.logged} logged`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  out.push("");
  for (const c of r.checks) out.push(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name}${c.ok ? "" : `: ${c.detail}`}`);
  return out.join("\n");
}
