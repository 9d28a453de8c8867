// The ingest side of the Worker: every vendor's signed sample reaches the origin as a signed CloudEvent; refusals
// get their status and forward nothing; duplicates are forwarded once; a 300 KB payload travels through KV intact;
// a failed queue send answers 503; the logs carry no payload value and no secret.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import {
  carehook, checkLogs, config, sampleSources, signed, sleep, startGateway, startOrigin, waitFor, FORWARD_SECRET,
} from "./harness.mjs";

const samples = carehook.samples();
const { sources, secrets } = sampleSources();
const bodies = samples.map((s) => s.body);
const sent = []; // every request this file sends, for the log check
let origin, gateway;

async function send(path, init) {
  sent.push(init?.headers ?? {});
  return gateway.send(path, init);
}

before(async () => {
  origin = await startOrigin();
  gateway = await startGateway({ origin, sources, secrets });
});
after(async () => {
  await gateway?.close();
  await origin?.stop();
});

test("wrangler.toml: a source per vendor, no metrics, a date workerd supports, retries into a dead-letter queue", () => {
  assert.deepEqual(Object.values(config.vars.SOURCES).map((s) => s.vendor).sort(), carehook.vendors().sort());
  for (const s of Object.values(config.vars.SOURCES)) assert.match(s.secret, /^KEYS_[A-Z0-9_]+$/);
  assert.equal(config.send_metrics, false);
  assert.ok(config.compatibility_date <= "2026-04-26", config.compatibility_date);
  const [consumer] = config.queues.consumers;
  assert.ok(consumer.max_retries > 0);
  assert.ok(config.queues.producers.some((p) => p.binding === "DEAD_LETTERS" && p.queue === consumer.dead_letter_queue));
});

const forwardedOf = (id, vendor) => origin.requests.filter((r) => r.event?.id === id && (!vendor || r.event.vendor === vendor));

for (const s of samples) {
  test(`${s.vendor}: the signed sample reaches the origin as a signed CloudEvent`, async () => {
    const hook = signed(s.vendor);
    const before = origin.requests.length;
    const res = await send(hook.path, hook);
    // The acknowledgement the vendor expects (Fitbit: 204, no body).
    assert.equal(res.status, s.acceptedStatus, res.text);
    const ids = res.json ? res.json.ids ?? [res.json.id] : null;
    const got = await waitFor(() => {
      const mine = origin.requests.slice(before).filter((r) => r.event?.vendor === s.vendor && (!ids || ids.includes(r.event.id)));
      return mine.length >= (ids?.length ?? 1) && mine;
    }, 10_000, "the events at the origin");
    for (const g of got) {
      const event = new Webhook(FORWARD_SECRET).verify(g.body, g.headers);
      assert.equal(event.vendor, s.vendor);
      assert.equal(event.specversion, "1.0");
      assert.equal(g.headers["webhook-id"], event.id);
      assert.equal(g.headers["content-type"], "application/cloudevents+json");
      if (s.batches) {
        // Each event of a batch carries its own part of the body, byte for byte.
        const data = g.body.slice(g.body.indexOf(',"data":') + 8, -1);
        assert.ok(s.body.includes(data), "data is part of the vendor's body, byte for byte");
      } else {
        assert.ok(g.body.endsWith(`,"data":${s.body}}`), "data is the vendor's body, byte for byte");
      }
    }
  });

  test(`${s.vendor}: a tampered webhook is refused (401, or the vendor's own status) and nothing is forwarded`, async () => {
    const hook = signed(s.vendor);
    // A token sender signs nothing (s.signsBody is false): its proof is the token — MYCURE's in the URL, the others'
    // in a header — so the token is what is tampered with.
    const path = s.vendor === "mycure" ? hook.path.replace(/[^/]+$/, "tok_wrong_0000000000") : hook.path;
    const body = s.signsBody ? hook.body.replace(/.$/, " }") : hook.body;
    if (!s.signsBody && s.vendor !== "mycure") {
      const [name, value] = Object.entries(hook.headers).find(([, v]) => v.includes(s.signingKey));
      hook.headers = { ...hook.headers, [name]: value.replace(s.signingKey, `${s.signingKey.slice(0, -1)}X`) };
    }
    const before = origin.requests.length;
    const res = await send(path, { ...hook, body });
    assert.equal(res.status, s.unauthenticatedStatus, res.text);
    assert.match(res.json.error, /^(signature_mismatch|digest_mismatch|token_mismatch)$/);
    await sleep(200);
    assert.equal(origin.requests.length, before);
  });
}

test("a body over the limit gets 413, by its Content-Length and by the bytes read", async () => {
  const body = "x".repeat((1 << 20) + 1);
  const hook = signed("github");
  // The gateway answers before the body is in and closes the connection: a client still writing may see the reset
  // before the answer (TCP drops what it had not read). Such a reset is sent again; any answer is asserted.
  const oversized = async (init) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(hook.path, init);
      } catch (e) {
        if (e.code !== "ECONNRESET" && e.code !== "EPIPE") throw e;
        if (attempt === 5) throw e;
      }
    }
  };
  const declared = await oversized({ headers: hook.headers, body });
  assert.equal(declared.status, 413);
  assert.equal(declared.json.error, "body_too_large");
  const streamed = await oversized({ headers: hook.headers, body, chunked: true });
  assert.equal(streamed.status, 413);
  assert.equal(streamed.json.error, "body_too_large");
});

test("a malformed or missing header, or a body that is not JSON, gets 400", async () => {
  const hook = signed("standard");
  const bad = await send(hook.path, { ...hook, headers: { ...hook.headers, "webhook-timestamp": "yesterday" } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, "malformed_header");
  const { "webhook-id": _, ...headers } = hook.headers;
  const missing = await send(hook.path, { ...hook, headers });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error, "missing_header");
  const text = signed("github", { body: "not json" });
  const invalid = await send(text.path, text);
  assert.equal(invalid.status, 400);
  assert.equal(invalid.json.error, "invalid_payload");
});

test("routes: unknown source 404, wrong method 405, health check", async () => {
  const hook = signed("github");
  const unknown = await send("/in/nobody", hook);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error, "unknown_source");
  const get = await gateway.get("/in/github");
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, "POST");
  assert.equal((await gateway.get("/healthz")).status, 200);
  assert.equal((await send("/healthz", hook)).status, 405);
  assert.equal((await gateway.get("/elsewhere")).status, 404);
  sent.push({}, {}, {});
});

test("a duplicate delivery is acknowledged and forwarded once", async () => {
  const hook = signed("standard", { id: `msg_${randomUUID()}` });
  const first = await send(hook.path, hook);
  const second = await send(hook.path, hook);
  assert.deepEqual([first.status, second.status], [200, 200]);
  assert.deepEqual([first.json.duplicate, second.json.duplicate], [false, true]);
  await waitFor(() => forwardedOf(first.json.id).length === 1, 10_000, "the event");
  await sleep(500);
  assert.equal(forwardedOf(first.json.id).length, 1);
});

test("a 300 KB payload goes through KV and arrives byte-identical; its stored copy is deleted", async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => ({ row: i, note: `Größe ${i} — ünïcödé ✓`, code: `C${i}` }));
  const body = JSON.stringify({ type: "export.ready", data: { id: `exp_${randomUUID()}`, rows } });
  assert.ok(Buffer.byteLength(body) >= 300 * 1024, `${Buffer.byteLength(body)} bytes`);
  bodies.push(body);
  await origin.stop(); // held at the first attempt, so the stored payload can be seen
  try {
    const hook = signed("standard", { body, id: `msg_${randomUUID()}` });
    const res = await send(hook.path, hook);
    assert.equal(res.status, 200, res.text);
    const kv = await gateway.state();
    const stored = (await kv.list({ prefix: "payload:" })).keys;
    assert.equal(stored.length, 1, "the payload is stored in KV, not in the queue message");
    await origin.start();
    const got = await waitFor(() => forwardedOf(res.json.id).find((r) => r.status === 200), 15_000, "the event");
    assert.ok(got.body.endsWith(`,"data":${body}}`), "data arrives byte-identical");
    new Webhook(FORWARD_SECRET).verify(got.body, got.headers);
    await waitFor(async () => (await kv.list({ prefix: "payload:" })).keys.length === 0, 5_000, "the payload's deletion");
  } finally {
    await origin.start().catch(() => {});
  }
});

test("when the queue send fails: 503, and the id is not marked seen", async () => {
  const broken = await startGateway({ origin, sources, secrets, withoutQueue: true });
  try {
    const hook = signed("standard", { id: `msg_${randomUUID()}` });
    const res = await broken.send(hook.path, hook);
    assert.equal(res.status, 503);
    assert.equal(res.json.error, "unavailable");
    const again = await broken.send(hook.path, hook);
    assert.equal(again.status, 503, "a retry is not taken for a duplicate");
    assert.equal((await (await broken.state()).list({ prefix: "seen:" })).keys.length, 0);
  } finally {
    await broken.close();
  }
});

test("the logs: one structured line per request and delivery, no payload value, no secret", async () => {
  await sleep(300);
  const secretValues = [
    FORWARD_SECRET,
    ...samples.flatMap((s) => [s.signingKey, s.verifyKey]),
    ...sent.flatMap((h) => Object.entries(h).filter(([k]) => /signature|token/i.test(k)).map(([, v]) => v)),
  ];
  const lines = checkLogs(gateway.logs(), { bodies, secrets: secretValues });
  const requests = lines.filter((l) => l.kind === "request");
  assert.equal(requests.length, sent.length);
  const deliveries = lines.filter((l) => l.kind === "delivery");
  assert.equal(deliveries.filter((l) => l.outcome === "delivered").length, origin.delivered().length);
  for (const l of deliveries) assert.ok(l.id && l.type && l.vendor && l.source && l.attempt >= 1);
});
