// Every shared vector (tests/vectors/*.json) through the Worker's ingest: the expected HTTP status for each error
// code, and for each valid case a forwarded CloudEvent that carries the expected attributes and verifies with the
// official `standardwebhooks` library. The vectors' `now` is the clock the test starts workerd with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { optionsOf } from "../vectors/run.mjs";
import { atClock, carehook, startGateway, startOrigin, waitFor, sleep, FORWARD_SECRET } from "./harness.mjs";

const STATUS = {
  signature_mismatch: 401, token_mismatch: 401, timestamp_out_of_tolerance: 401, digest_mismatch: 401,
  missing_header: 400, malformed_header: 400, invalid_payload: 400,
  body_too_large: 413,
  invalid_key: 500, unsupported_vendor: 500, // the source's configuration is at fault
};

const dir = new URL("../vectors/", import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .flatMap((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")).cases ?? []);

// One source per case: its keyring, and the path the vendor signed (the case's URL path, or its public_path).
const sources = {}, secrets = {};
cases.forEach((c, i) => {
  const url = new URL(c.url, "https://hooks.example.com");
  sources[`v${i}`] = {
    vendor: c.vendor,
    secret: `KEYS_V${i}`,
    publicPath: c.public_path ?? url.pathname,
    // The vectors' ids are computed for the package's default source.
    source: `carehook:${c.vendor}`,
    ...(c.options ?? {}),
  };
  secrets[`KEYS_V${i}`] = JSON.stringify(c.keys);
});

/** The gateway path for case `i`: MYCURE's token travels as the last path segment, the query as sent. */
function pathOf(c, i) {
  const url = new URL(c.url, "https://hooks.example.com");
  const token = c.vendor === "mycure" ? "/" + url.pathname.split("/").pop() : "";
  return `/in/v${i}${token}${url.search}`;
}

/**
 * The headers as the Worker receives them. A header sent twice reaches a Worker as one value joined with ", " (the
 * Fetch API's rule, applied by Cloudflare's edge; Miniflare's local entry refuses repeated lines), so a case that
 * repeats one is sent joined.
 */
function headersOf(c) {
  const headers = {};
  for (const [k, v] of Array.isArray(c.headers) ? c.headers : Object.entries(c.headers)) {
    const name = k.toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${v}` : v;
  }
  return headers;
}
const repeatsHeader = (c) => Array.isArray(c.headers) && new Set(c.headers.map(([k]) => k.toLowerCase())).size < c.headers.length;

function requestOf(c) {
  const headers = headersOf(c);
  delete headers["content-length"]; // recomputed from the bytes sent
  if (c.remote_ip) headers["cf-connecting-ip"] = c.remote_ip;
  const body = c.body_base64 !== undefined ? Buffer.from(c.body_base64, "base64") : c.body ?? "";
  return { method: c.method ?? "POST", headers, body };
}

/** What the Worker must answer: the case's own expectation, except where HTTP transport changes the request. */
const sampleOf = (vendor) => carehook.samples().find((s) => s.vendor === vendor);

function expectationOf(c) {
  // The gateway takes POST only: a case about a signed method gets 405 before any verification.
  if ((c.method ?? "POST") !== "POST") return { ok: false, error: "method_not_allowed", status: 405 };
  if (repeatsHeader(c)) {
    // The core's verdict on what actually arrives: the joined value.
    const report = carehook.inspect({ ...optionsOf(c), headers: headersOf(c) });
    return report.ok ? { ok: true, events: [{}], accepted: 200 } : { ok: false, error: report.error.code, status: STATUS[report.error.code] };
  }
  const s = sampleOf(c.vendor);
  const status = (code) => (STATUS[code] === 401 && s ? s.unauthenticatedStatus : STATUS[code]);
  if (c.expect.handshake) return { ok: false, handshake: c.expect.handshake };
  if (c.expect.ok) return { ok: true, events: c.expect.events ?? [c.expect.event ?? {}], accepted: s?.acceptedStatus ?? 200 };
  return { ok: false, error: c.expect.error, status: status(c.expect.error) };
}

let origin, gateway;
before(async () => {
  origin = await startOrigin();
  gateway = await startGateway({ origin, sources, secrets });
});
after(async () => {
  await gateway?.close();
  await origin?.stop();
});

test(`${cases.length} shared vectors through the Worker`, async (t) => {
  assert.ok(cases.length >= 54, `found ${cases.length} vectors`);
  const byNow = new Map();
  cases.forEach((c, i) => byNow.set(c.now, [...(byNow.get(c.now) ?? []), [c, i]]));
  let forwarded = 0;
  for (const [now, group] of byNow) {
    await gateway.setClock(now);
    for (const [c, i] of group) {
      await t.test(c.name, async () => {
        const want = expectationOf(c);
        const res = await gateway.send(pathOf(c, i), requestOf(c));
        const answer = res.json;
        if (want.handshake) {
          assert.equal(res.status, want.handshake.status);
          assert.equal(res.text, want.handshake.body, "answered, not forwarded");
          return;
        }
        if (!want.ok) {
          assert.equal(res.status, want.status, `status for ${want.error}: ${res.text}`);
          assert.equal(answer.error, want.error);
          assert.ok(answer.message.length > 0);
          return;
        }
        assert.equal(res.status, want.accepted, res.text);
        const n = want.events.length;
        forwarded += n;
        const got = await waitFor(() => origin.requests.length === forwarded && origin.requests.slice(-n), 10_000, "the events");
        const events = got.map((g) => {
          // Forwarded under the test clock: checked at that time.
          const event = atClock(Number(g.headers["webhook-timestamp"]), () => new Webhook(FORWARD_SECRET).verify(g.body, g.headers));
          assert.equal(g.headers["content-type"], "application/cloudevents+json");
          assert.equal(g.headers["webhook-id"], event.id);
          return event;
        });
        if (n === 1 && answer) assert.equal(events[0].id, answer.id);
        // Deliveries of one batch may arrive in any order: match each expected event by its id when it has one.
        for (const [i, w] of want.events.entries()) {
          const event = (w.id && events.find((e) => e.id === w.id)) || events[i];
          for (const [k, v] of Object.entries(w)) assert.equal(event[k], v, `event.${k}`);
        }
      });
    }
  }
  await sleep(300); // nothing refused may arrive late
  assert.equal(origin.requests.length, forwarded);
  assert.equal(forwarded, cases.map(expectationOf).filter((w) => w.ok).reduce((n, w) => n + w.events.length, 0));
});
