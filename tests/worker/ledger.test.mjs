// The gateway's invariants, against the built Worker in workerd with its ledger Durable Objects and queues, and a
// real origin on 127.0.0.1: exactly one queued copy under concurrent identical requests; identity unique per route
// and per Medplum delete; a repeat after the window is a new event; a redirecting origin dead-letters (never
// "delivered") and a replay delivers once more; a failed queue send never blocks the retry; the admin API is
// authenticated and shows metadata only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { Webhook } from "standardwebhooks";
import { ADMIN_TOKEN, carehook, leaves, sampleSources, signed, sleep, startGateway, startOrigin, waitFor, FORWARD_SECRET } from "./harness.mjs";

const base = sampleSources();
// Two routes of one vendor, a Healthie route with a one-second repeat window, and a route with one shard.
const sources = {
  ...base.sources,
  "healthie-b": { ...base.sources.healthie, publicPath: "/in/healthie" },
  "healthie-quick": { ...base.sources.healthie, publicPath: "/in/healthie", repeatWindowSeconds: 1 },
  "standard-one": { ...base.sources.standard, shards: 1 },
};
const secrets = base.secrets;
const bodies = [];
let origin, gateway;

before(async () => {
  origin = await startOrigin();
  gateway = await startGateway({ origin, sources, secrets, maxRetries: 2 });
});
after(async () => {
  await gateway?.close();
  await origin?.stop();
});

const deliveredOf = (pred) => origin.delivered().filter((r) => pred(r.event));
const standardHook = (note, id = `msg_${randomUUID()}`) => {
  const body = JSON.stringify({ type: "lab.result", data: { id: `lab_${randomUUID()}`, note, patient: `Zoë ${randomUUID()}` } });
  bodies.push(body);
  return { id, ...signed("standard", { body, id }) };
};

test("12 concurrent identical requests: one is queued, the others are duplicates, one delivery (6 rounds)", async () => {
  for (let round = 0; round < 6; round++) {
    const hook = standardHook(`round ${round}`);
    const answers = await Promise.all(Array.from({ length: 12 }, () => gateway.send(hook.path, hook)));
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(200), answers.map((a) => a.text).join("\n"));
    assert.equal(answers.filter((a) => a.json.duplicate === false).length, 1, "exactly one copy is queued");
    assert.ok(answers.every((a) => a.json.id === hook.id));
    await waitFor(() => deliveredOf((e) => e.id === hook.id).length === 1, 10_000, "the delivery");
  }
  await sleep(800);
  const ids = new Set(origin.delivered().map((r) => r.event.id));
  assert.equal(origin.delivered().length, ids.size, "no event delivered twice");
});

test("two routes of one vendor, one body: two deliveries with distinct source + id and webhook-id", async () => {
  const body = JSON.stringify({ resource_id: randomUUID(), resource_id_type: "Appointment", event_type: "appointment.created", changed_fields: [] });
  bodies.push(body);
  const hook = signed("healthie", { body });
  const a = await gateway.send("/in/healthie", hook);
  const b = await gateway.send("/in/healthie-b", hook);
  assert.deepEqual([a.status, b.status, a.json.duplicate, b.json.duplicate], [200, 200, false, false], a.text + b.text);
  assert.notEqual(a.json.id, b.json.id, "a content-derived id names the route");
  const got = await waitFor(() => {
    const d = deliveredOf((e) => e.id === a.json.id || e.id === b.json.id);
    return d.length === 2 && d;
  }, 10_000, "both deliveries");
  assert.deepEqual(got.map((r) => r.event.source).sort(), ["carehook:in/healthie", "carehook:in/healthie-b"]);
  assert.notEqual(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
});

test("two Medplum deletes of different resources: two deliveries, each with its subject", async () => {
  const refs = [`Patient/${randomUUID()}`, `Observation/${randomUUID()}`];
  const answers = [];
  for (const ref of refs) {
    const hook = signed("medplum", { body: "{}" });
    const headers = { ...hook.headers, "x-medplum-interaction": "delete", "x-medplum-deleted-resource": ref };
    answers.push(await gateway.send(hook.path, { headers, body: "{}" }));
  }
  assert.deepEqual(answers.map((a) => [a.status, a.json.duplicate]), [[200, false], [200, false]]);
  const got = await waitFor(() => {
    const d = refs.map((ref) => deliveredOf((e) => e.subject === ref)[0]);
    return d.every(Boolean) && d;
  }, 10_000, "both deletes");
  assert.deepEqual(got.map((r) => r.event.action), ["deleted", "deleted"]);
  assert.deepEqual(got.map((r) => r.event.type), [`medplum.${refs[0].split("/")[0]}.delete`, `medplum.${refs[1].split("/")[0]}.delete`]);
});

test("a byte-identical Healthie repeat: a retry inside the window, a new event after it", async () => {
  const body = JSON.stringify({ resource_id: randomUUID(), resource_id_type: "Appointment", event_type: "appointment.updated", changed_fields: ["participants"] });
  bodies.push(body);
  const hook = signed("healthie", { body });
  const first = await gateway.send("/in/healthie-quick", hook);
  const retry = await gateway.send("/in/healthie-quick", hook);
  assert.deepEqual([first.json.duplicate, retry.json.duplicate], [false, true]);
  assert.equal(retry.json.id, first.json.id);
  await sleep(1300); // past the one-second window
  const repeat = await gateway.send("/in/healthie-quick", hook);
  assert.equal(repeat.status, 200, repeat.text);
  assert.equal(repeat.json.duplicate, false, "a genuine repeat is a new event");
  assert.equal(repeat.json.id, `${first.json.id}~2`);
  const again = await gateway.send("/in/healthie-quick", hook);
  assert.deepEqual([again.json.duplicate, again.json.id], [true, repeat.json.id], "the repeat's own retry collapses into it");
  await waitFor(() => deliveredOf((e) => e.id.startsWith(first.json.id)).length === 2, 10_000, "two deliveries");
  await sleep(500);
  assert.equal(deliveredOf((e) => e.id.startsWith(first.json.id)).length, 2);
});

test("an origin that redirects: dead letter (never delivered, Location never followed), then a replay delivers once", async () => {
  let elsewhere = 0;
  const trap = http.createServer((req, res) => {
    elsewhere++;
    res.end("taken");
  });
  await new Promise((r) => trap.listen(0, "127.0.0.1", r));
  const redirected = [];
  const hooks = [standardHook("redirected 302"), standardHook("redirected 307")];
  const codes = new Map([[hooks[0].id, 302], [hooks[1].id, 307]]);
  origin.respond = (event) => {
    if (!codes.has(event?.id)) return 200;
    redirected.push(event.id);
    return codes.get(event.id);
  };
  origin.location = `http://127.0.0.1:${trap.address().port}/stolen`;
  try {
    for (const hook of hooks) assert.equal((await gateway.send(hook.path, hook)).status, 200);
    const dead = await waitFor(async () => {
      const letters = await gateway.deadLetters("standard");
      return hooks.every((h) => letters.some((l) => l.id === h.id)) && letters;
    }, 10_000, "both dead letters");
    for (const hook of hooks) {
      const letter = dead.find((l) => l.id === hook.id);
      assert.equal(letter.status, "dead");
      assert.equal(letter.lastStatus, codes.get(hook.id));
      assert.equal(letter.attempts, 1, "a redirect is not retried");
      assert.equal(letter.source, "standard");
    }
    await sleep(500);
    assert.equal(elsewhere, 0, "the Location was never followed");
    assert.equal(deliveredOf((e) => codes.has(e.id)).length, 0, "never delivered");

    // The origin is fixed: replay one by id, the other with the bulk replay.
    origin.respond = () => 200;
    const one = await gateway.admin(`/admin/events/standard/${encodeURIComponent(hooks[0].id)}/replay`, { method: "POST" });
    assert.equal(one.status, 202, one.text);
    const again = await gateway.admin(`/admin/events/standard/${encodeURIComponent(hooks[0].id)}/replay`, { method: "POST" });
    assert.equal(again.status, 409, "a replayed event is no longer dead");
    const bulk = await gateway.admin("/admin/replay?status=dead&source=standard", { method: "POST" });
    assert.equal(bulk.status, 202, bulk.text);
    assert.ok(bulk.json.replayed >= 1);
    await waitFor(() => hooks.every((h) => deliveredOf((e) => e.id === h.id).length === 1), 10_000, "the replays");
    await sleep(800);
    for (const hook of hooks) {
      const got = deliveredOf((e) => e.id === hook.id);
      assert.equal(got.length, 1, "delivered exactly once more");
      assert.equal(got[0].headers["webhook-id"], hook.id, "the same id, so the origin can dedupe");
      new Webhook(FORWARD_SECRET).verify(got[0].body, got[0].headers);
      const record = await gateway.admin(`/admin/events/standard/${encodeURIComponent(hook.id)}`);
      assert.equal(record.status, 200);
      assert.equal(record.json.status, "delivered");
      assert.equal(record.json.replays, 1);
      assert.deepEqual(record.json.history.map((a) => [a.generation, a.status, a.outcome]), [
        [0, codes.get(hook.id), "refused"],
        [1, 200, "delivered"],
      ]);
    }
  } finally {
    origin.respond = () => 200;
    delete origin.location;
    trap.close();
  }
});

test("a failed queue send answers 503, keeps nothing, and the vendor's retry is queued and delivered once", async () => {
  const hook = standardHook("queue outage");
  await gateway.setVars({}, { queue: false });
  try {
    const res = await gateway.send(hook.path, hook);
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.error, "unavailable");
    assert.equal((await gateway.send(hook.path, hook)).status, 503, "still not a duplicate");
  } finally {
    await gateway.setVars({});
  }
  const retry = await gateway.send(hook.path, hook);
  assert.deepEqual([retry.status, retry.json.duplicate], [200, false], retry.text);
  await waitFor(() => deliveredOf((e) => e.id === hook.id).length === 1, 10_000, "the delivery");
  await sleep(500);
  assert.equal(deliveredOf((e) => e.id === hook.id).length, 1);
});

test("Metriport's ping is answered with its pong and emits no event", async () => {
  const ping = `p-${randomUUID()}`;
  const body = JSON.stringify({ ping, meta: { type: "ping", messageId: `m-${randomUUID()}`, when: new Date().toISOString() } });
  const before = origin.requests.length;
  const hook = signed("metriport", { body });
  const res = await gateway.send(hook.path, hook);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { pong: ping });
  const forged = await gateway.send(hook.path, { ...hook, headers: { ...hook.headers, "x-metriport-signature": "0".repeat(64) } });
  assert.equal(forged.status, 401, "an unsigned ping gets no pong");
  await sleep(400);
  assert.equal(origin.requests.length, before);
});

test("DrChrono's GET ?msg= setup check is answered with the HMAC of the token; other GETs are 405", async () => {
  const before = origin.requests.length;
  const s = carehook.samples().find((x) => x.vendor === "drchrono");
  const res = await gateway.get("/in/drchrono?msg=abc123");
  assert.equal(res.status, 200, res.text);
  const { createHmac } = await import("node:crypto");
  assert.deepEqual(res.json, { secret_token: createHmac("sha256", s.verifyKey).update("abc123").digest("hex") });
  assert.equal((await gateway.get("/in/drchrono")).status, 405);
  assert.equal((await gateway.get("/in/github?msg=abc123")).status, 405);
  await sleep(300);
  assert.equal(origin.requests.length, before, "nothing emitted");
});

test("an id that is no valid header value is forwarded under a stable digest webhook-id", async () => {
  const body = JSON.stringify({ meta: { messageId: "m 0001 — Zoë", when: new Date().toISOString(), type: "medical.document-download" }, patients: [] });
  const hook = signed("metriport", { body });
  const res = await gateway.send(hook.path, hook);
  assert.equal(res.status, 200, res.text);
  const got = await waitFor(() => deliveredOf((e) => e.id === "m 0001 — Zoë")[0], 10_000, "the delivery");
  assert.match(got.headers["webhook-id"], /^sha256:[0-9a-f]{32}$/);
  new Webhook(FORWARD_SECRET).verify(got.body, got.headers);
});

test("configuration errors name no binding to the sender", async () => {
  const broken = await startGateway({ origin, sources: { ...sources, missing: { vendor: "github", secret: "KEYS_NOT_SET" } }, secrets });
  try {
    const hook = signed("github");
    const res = await broken.send("/in/missing", hook);
    assert.equal(res.status, 500);
    assert.equal(res.json.error, "config_error");
    assert.ok(!res.text.includes("KEYS_NOT_SET"), res.text);
    assert.ok(broken.logs().includes("KEYS_NOT_SET"), "the log says which secret");
  } finally {
    await broken.close();
  }
});

test("admin: 404 without ADMIN_TOKEN, 401 without or with a wrong token", async () => {
  const closed = await startGateway({ origin, sources, secrets, adminToken: null });
  try {
    assert.equal((await closed.admin("/admin/stats", { token: "anything" })).status, 404);
  } finally {
    await closed.close();
  }
  for (const token of [null, "wrong", ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`]) {
    const res = await gateway.admin("/admin/events", { token });
    assert.equal(res.status, 401, `token ${token}`);
    assert.equal(res.headers["www-authenticate"], "Bearer");
  }
  assert.equal((await gateway.admin("/admin/events?status=lost")).status, 400);
  assert.equal((await gateway.admin("/admin/events?source=nobody")).status, 404);
  assert.equal((await gateway.admin("/admin/replay?status=queued", { method: "POST" })).status, 400);
  assert.equal((await gateway.admin("/admin/events/standard/nope")).status, 404);
});

test("admin: the ledger's records and stats are metadata only, and its counts match the origin's", async () => {
  await sleep(500);
  const all = await gateway.admin("/admin/events?limit=500");
  assert.equal(all.status, 200);
  const records = all.json.events;
  assert.ok(records.length > 10);
  for (const r of records) {
    assert.deepEqual(Object.keys(r).sort(), ["attempts", "id", "lastStatus", "receivedAt", "replays", "source", "status", "type", "updatedAt", "vendor"]);
    assert.ok(["received", "queued", "delivered", "dead"].includes(r.status));
    assert.match(r.receivedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  const delivered = await gateway.admin("/admin/events?status=delivered&limit=500");
  const deliveredIds = new Set(origin.delivered().map((r) => `${r.event.source}|${r.event.id}`));
  assert.equal(delivered.json.events.length, deliveredIds.size, "one delivered record per distinct delivered event");
  const stats = await gateway.admin("/admin/stats");
  assert.equal(stats.status, 200);
  assert.equal(stats.json.counts.delivered, deliveredIds.size);
  assert.equal(stats.json.counts.dead, 0);
  assert.equal(Object.values(stats.json.sources).reduce((n, s) => n + s.delivered, 0), deliveredIds.size);
  const one = await gateway.admin("/admin/events?source=standard-one&limit=1");
  assert.equal(one.status, 200);

  // No payload value and no header value appears in any admin answer.
  const answers = [all.text, delivered.text, stats.text];
  for (const r of records.slice(0, 40)) answers.push((await gateway.admin(`/admin/events/${encodeURIComponent(r.source)}/${encodeURIComponent(r.id)}`)).text);
  const text = answers.join("\n");
  let checked = 0;
  for (const body of bodies) {
    for (const v of leaves(JSON.parse(body))) {
      if (String(v).length < 6 || records.some((r) => r.id === v || r.type.endsWith(v))) continue;
      checked++;
      assert.ok(!text.includes(v), `a payload value (${v.length} characters) is in an admin answer`);
    }
  }
  assert.ok(checked > 20);
  for (const s of [FORWARD_SECRET, ADMIN_TOKEN, ...carehook.samples().flatMap((s) => [s.signingKey, s.verifyKey])]) {
    assert.ok(!text.includes(s), "a secret is in an admin answer");
  }
  assert.ok(!/webhook-signature|v1,/.test(text), "no header value");
});

test("raising a route's shards: events already in the ledger keep their shard: found by id, replayed, and recorded where they live", async () => {
  const hooks = [1, 2, 3, 4].map((n) => {
    const h = standardHook(`before the shard change ${n}`);
    return { ...h, path: "/in/standard-one" };
  });
  const ids = new Set(hooks.map((h) => h.id));
  origin.respond = (event) => (ids.has(event?.id) ? 400 : 200);
  try {
    for (const hook of hooks) assert.equal((await gateway.send(hook.path, hook)).status, 200);
    await waitFor(async () => {
      const letters = await gateway.deadLetters("standard-one");
      return hooks.every((h) => letters.some((l) => l.id === h.id));
    }, 10_000, "the dead letters on the one shard");
    // One shard becomes eight: most of these ids now hash to another shard than the one holding their record.
    await gateway.setVars({ SOURCES: { ...sources, "standard-one": { ...sources["standard-one"], shards: 8 } } });
    origin.respond = () => 200;
    for (const hook of hooks) {
      const record = await gateway.admin(`/admin/events/standard-one/${encodeURIComponent(hook.id)}`);
      assert.equal(record.status, 200, "found by id in the shard that holds it");
      assert.equal(record.json.status, "dead");
    }
    const one = await gateway.admin(`/admin/events/standard-one/${encodeURIComponent(hooks[0].id)}/replay`, { method: "POST" });
    assert.equal(one.status, 202, one.text);
    const bulk = await gateway.admin("/admin/replay?status=dead&source=standard-one", { method: "POST" });
    assert.equal(bulk.status, 202, bulk.text);
    assert.equal(bulk.json.replayed, hooks.length - 1);
    await waitFor(() => hooks.every((h) => deliveredOf((e) => e.id === h.id).length === 1), 10_000, "the replays");
    await waitFor(async () => {
      const res = await gateway.admin("/admin/events?source=standard-one&status=delivered&limit=500");
      return hooks.every((h) => res.json.events.some((e) => e.id === h.id));
    }, 10_000, "every replay recorded as delivered in the shard that holds it");
    const queued = await gateway.admin("/admin/events?source=standard-one&status=queued&limit=500");
    assert.deepEqual(queued.json.events.filter((e) => ids.has(e.id)), [], "no record left queued");
    await sleep(800);
    for (const hook of hooks) assert.equal(deliveredOf((e) => e.id === hook.id).length, 1, "delivered exactly once");
  } finally {
    origin.respond = () => 200;
    await gateway.setVars({});
  }
});

test("raising a route's shards with previousShards: a vendor's retry of an event accepted before the change is still a duplicate (vendor ids and content-derived ids)", async () => {
  const grown = (shards, previousShards) => ({
    ...sources,
    "standard-grow": { ...sources.standard, shards, ...(previousShards ? { previousShards } : {}) },
    "healthie-grow": { ...sources.healthie, publicPath: "/in/healthie", shards, ...(previousShards ? { previousShards } : {}) },
    "healthie-grow-window": { ...sources.healthie, publicPath: "/in/healthie", repeatWindowSeconds: 5, shards, ...(previousShards ? { previousShards } : {}) },
  });
  const healthieHook = () => {
    const body = JSON.stringify({ resource_id: randomUUID(), resource_id_type: "Patient", event_type: "patient.updated", changed_fields: ["email"] });
    bodies.push(body);
    return { ...signed("healthie", { body }), path: "/in/healthie-grow" };
  };
  try {
    await gateway.setVars({ SOURCES: grown(1) });
    // Healthie sends no event id: its id is derived from the content, and its repeat counter lives in the shard.
    const hooks = [
      ...Array.from({ length: 6 }, (_, n) => ({ ...standardHook(`before growing ${n}`), path: "/in/standard-grow" })),
      ...Array.from({ length: 6 }, healthieHook),
    ];
    const first = [];
    for (const hook of hooks) {
      const res = await gateway.send(hook.path, hook);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.duplicate, false);
      first.push(res.json.id);
    }
    // A genuine repeat after the window is a new event (`<id>~2`): its retry after the change must find that
    // counter, not start a new one at the bare id. Three of them, so that at least one moves shard (7 in 8 do).
    const repeated = Array.from({ length: 3 }, () => ({ ...healthieHook(), path: "/in/healthie-grow-window" }));
    const once = [];
    for (const hook of repeated) once.push((await gateway.send(hook.path, hook)).json.id);
    await sleep(5500);
    for (const [i, hook] of repeated.entries()) {
      const twice = await gateway.send(hook.path, hook);
      assert.equal(twice.json.duplicate, false, twice.text);
      assert.equal(twice.json.id, `${once[i]}~2`);
      hooks.push(hook);
      first.push(twice.json.id);
    }
    await waitFor(() => [...once, ...first].every((id) => deliveredOf((e) => e.id === id).length === 1), 10_000, "the deliveries before the change");
    // One shard becomes eight: seven in eight ids now hash to a shard that has never seen them.
    await gateway.setVars({ SOURCES: grown(8, [1]) });
    for (const [i, hook] of hooks.entries()) {
      const res = await gateway.send(hook.path, hook);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, first[i], "the retry names the same event");
      assert.equal(res.json.duplicate, true, `the retry of ${hook.path} #${i} was queued again`);
    }
    // A new event after the change is accepted on its new shard, and its own retry is a duplicate there.
    const fresh = { ...standardHook("after growing"), path: "/in/standard-grow" };
    const a = await gateway.send(fresh.path, fresh);
    const b = await gateway.send(fresh.path, fresh);
    assert.deepEqual([a.json.duplicate, b.json.duplicate], [false, true]);
    await waitFor(() => deliveredOf((e) => e.id === fresh.id).length === 1, 10_000, "the new event's delivery");
    await sleep(1000);
    for (const id of [...once, ...first, fresh.id]) assert.equal(deliveredOf((e) => e.id === id).length, 1, `${id} delivered once`);
    // Eight shards back to one: the records on shards 1–7 are still listed, found by id, and deduplicate retries.
    await gateway.setVars({ SOURCES: { ...grown(1), "standard-grow": { ...grown(1)["standard-grow"], previousShards: [8, 1] } } });
    const standardIds = [...first.slice(0, 6), fresh.id];
    const listed = await gateway.admin("/admin/events?source=standard-grow&limit=500");
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(standardIds.filter((id) => !listed.json.events.some((e) => e.id === id)), [], "every record listed");
    for (const id of standardIds) {
      const record = await gateway.admin(`/admin/events/standard-grow/${encodeURIComponent(id)}`);
      assert.equal(record.json?.status, "delivered", `${id}: ${record.text}`);
    }
    const again = await gateway.send(fresh.path, fresh);
    assert.equal(again.json.duplicate, true, again.text);
    // A bad list is the route's configuration error, named in the log only.
    await gateway.setVars({ SOURCES: { ...grown(8), "standard-grow": { ...grown(8)["standard-grow"], previousShards: [0] } } });
    const bad = await gateway.send(fresh.path, fresh);
    assert.equal(bad.status, 500, bad.text);
    assert.equal(bad.json.error, "config_error");
    assert.ok(gateway.logs().includes("previousShards"), "the log names the field");
  } finally {
    await gateway.setVars({});
  }
});
