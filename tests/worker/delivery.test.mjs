// The consumer side of the Worker: retries with backoff while the origin is down or failing, exactly one delivery
// per event id, and the dead-letter queue for events the origin refuses (or that outlive their retries).
// Retry delays are 1 s, 2 s, 4 s here (RETRY_BASE_SECONDS=1), with 3 retries.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { checkLogs, carehook, logLines, sampleSources, signed, sleep, startGateway, startOrigin, waitFor, FORWARD_SECRET } from "./harness.mjs";

const { sources, secrets } = sampleSources();
const bodies = [];
let origin, gateway;

before(async () => {
  origin = await startOrigin();
  gateway = await startGateway({ origin, sources, secrets, maxRetries: 3 });
});
after(async () => {
  await gateway?.close();
  await origin?.stop();
});

/** Sends a fresh Standard Webhooks event (its own body; `id` or a new one, which becomes the event id). */
async function ingest(note, id = `msg_${randomUUID()}`) {
  const body = JSON.stringify({ type: "lab.result", data: { id: `lab_${randomUUID()}`, note } });
  bodies.push(body);
  const hook = signed("standard", { body, id });
  const res = await gateway.send(hook.path, hook);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.id, id);
  return id;
}
const attemptsOf = (id) => origin.requests.filter((r) => r.event?.id === id);
const deliveredOf = (id) => attemptsOf(id).filter((r) => r.status >= 200 && r.status < 300);

test("origin down for a while, then back: every event is delivered, once", async () => {
  await origin.stop();
  const ids = [];
  try {
    for (let i = 0; i < 5; i++) ids.push(await ingest(`down ${i}`));
    await sleep(1500);
  } finally {
    await origin.start();
  }
  await waitFor(() => ids.every((id) => deliveredOf(id).length === 1), 15_000, "every event");
  await sleep(500);
  for (const id of ids) assert.equal(deliveredOf(id).length, 1);
  for (const id of ids) new Webhook(FORWARD_SECRET).verify(deliveredOf(id)[0].body, deliveredOf(id)[0].headers);
});

test("500, 429 and 408, then 200: retried, and delivered exactly once", async () => {
  const failing = new Map([[1, 500], [2, 429], [3, 408]]);
  const [a, b] = [`msg_${randomUUID()}`, `msg_${randomUUID()}`];
  origin.respond = (event, attempt) => (event?.id === a || event?.id === b ? failing.get(attempt) ?? 200 : 200);
  try {
    await ingest("flaky a", a);
    await ingest("flaky b", b);
    // Attempts at about 0 s, 1 s, 3 s and 7 s.
    await waitFor(() => deliveredOf(a).length && deliveredOf(b).length, 20_000, "both events");
    await sleep(1500);
    for (const id of [a, b]) {
      assert.deepEqual(attemptsOf(id).map((r) => r.status), [500, 429, 408, 200]);
      assert.equal(deliveredOf(id).length, 1);
    }
  } finally {
    origin.respond = () => 200;
  }
});

test("a permanent 4xx sends the event to the dead-letter queue after one attempt; the ledger records it", async () => {
  const id = `msg_${randomUUID()}`;
  origin.respond = (event) => (event?.id === id ? 422 : 200);
  try {
    await ingest("refused", id);
    const letter = await waitFor(async () => (await gateway.deadLetters()).find((l) => l.id === id), 10_000, "the dead letter");
    assert.equal(letter.lastStatus, 422);
    assert.equal(letter.source, "standard");
    assert.equal(letter.attempts, 1);
    const record = await gateway.admin(`/admin/events/standard/${id}`);
    assert.equal(record.json.replayable, true, "the letter keeps the CloudEvent for a replay");
    await sleep(1500);
    assert.equal(attemptsOf(id).length, 1, "a 4xx is not retried");
  } finally {
    origin.respond = () => 200;
  }
});

test("an origin that keeps failing: the queue moves the event to the dead-letter queue after max_retries", async () => {
  const id = `msg_${randomUUID()}`;
  origin.respond = (event) => (event?.id === id ? 503 : 200);
  try {
    await ingest("always failing", id);
    const letter = await waitFor(async () => (await gateway.deadLetters()).find((l) => l.id === id), 20_000, "the dead letter");
    assert.equal(attemptsOf(id).length, 4, "the first attempt and 3 retries");
    assert.equal(letter.attempts, 4);
    assert.equal(letter.lastStatus, 503);
  } finally {
    origin.respond = () => 200;
  }
});

test("a queue message the gateway did not write is moved to the dead-letter queue, never forwarded", async () => {
  const foreign = { hello: `from elsewhere ${randomUUID()}` };
  const before = origin.requests.length;
  await gateway.enqueue(foreign);
  await waitFor(() => /"outcome":"dead_unreadable"/.test(gateway.logs()), 10_000, "the dead letter");
  assert.equal(origin.requests.length, before, "nothing is forwarded");
});

test("two copies of one message in one batch: delivered once", async () => {
  const id = `msg_${randomUUID()}`;
  const event = JSON.stringify({ specversion: "1.0", id, source: "carehook:in/standard", type: "lab.result", datacontenttype: "application/json", data: { n: 1 } });
  const message = { source: "standard", id, vendor: "standard", type: "lab.result", gen: 0, event };
  await gateway.enqueueBatch([message, message]);
  await waitFor(() => origin.delivered().some((r) => r.event?.id === id), 10_000, "the delivery");
  await sleep(1500);
  assert.equal(origin.requests.filter((r) => r.event?.id === id).length, 1, "one POST to the origin");
  assert.match(gateway.logs(), /"outcome":"duplicate_in_batch"/);
});

test("a copy of a message arriving while the first is still being delivered waits, and is not delivered again", async () => {
  // Two consumer invocations with one generation at once: the first POST is held open at the origin while a copy
  // of its message (as a queue's redelivery) reaches the consumer in another batch. The ledger's check has
  // leased the generation to the first delivery, so the copy is retried later, and then found delivered.
  const own = await startOrigin();
  const { sources, secrets } = sampleSources();
  // The origin's timeout well above the test's waits: the held POST must still be in flight when the copy comes.
  const gw = await startGateway({ origin: own, sources, secrets, batchTimeout: 1, vars: { ORIGIN_TIMEOUT_SECONDS: "60" } });
  const id = `msg_${randomUUID()}`;
  let release;
  const held = new Promise((r) => (release = r));
  let first = null;
  own.respond = (ev) => {
    if (ev?.id !== id) return 200;
    first ??= ev;
    return held.then(() => 200);
  };
  try {
    const hook = signed("standard", { body: JSON.stringify({ type: "lab.result", data: { note: "leased" } }), id });
    assert.equal((await gw.send(hook.path, hook)).status, 200);
    await waitFor(() => own.arrived.includes(id), 10_000, "the first POST");
    // The copy in a full batch (the queue hands a full batch to a consumer at once, even while one is running).
    const copy = { source: "standard", id, vendor: "standard", type: first.type, gen: 0, event: JSON.stringify(first) };
    const others = Array.from({ length: 9 }, () => {
      const other = `msg_${randomUUID()}`;
      const event = JSON.stringify({ ...first, id: other });
      return { source: "standard", id: other, vendor: "standard", type: first.type, gen: 0, event };
    });
    await gw.enqueueBatch([copy, ...others]);
    const outcomes = () => logLines(gw.logs()).filter((l) => l.kind === "delivery" && l.id === id).map((l) => l.outcome);
    // The copy's batch is checked (or, were it not leased, POSTed a second time) while the first POST is held.
    await waitFor(() => outcomes().includes("in_flight") || own.arrived.filter((a) => a === id).length > 1, 10_000, "the copy's batch");
    release();
    await waitFor(() => own.delivered().some((r) => r.event?.id === id), 10_000, "the delivery");
    // The copy is retried (RETRY_BASE_SECONDS 1): when it comes back, the generation is delivered and it is acked.
    await waitFor(() => outcomes().includes("already_settled") || outcomes().filter((o) => o === "delivered").length > 1, 15_000, "the copy settled");
    assert.equal(own.requests.filter((r) => r.event?.id === id).length, 1, "one POST to the origin");
    // The copy may be told in_flight more than once on a slow machine; it is delivered by neither of its tries.
    const seen = outcomes();
    assert.equal(seen.filter((o) => o === "delivered").length, 1, seen.join(" "));
    assert.ok(seen.includes("in_flight") && seen.at(-1) === "already_settled", seen.join(" "));
    assert.equal((await gw.admin(`/admin/events/standard/${encodeURIComponent(id)}`)).json.status, "delivered");
  } finally {
    release();
    await gw.close();
    await own.stop();
  }
});

test("the logs: a line per delivery attempt with its outcome, no payload value, no secret", async () => {
  const secretValues = [FORWARD_SECRET, ...carehook.samples().flatMap((s) => [s.signingKey, s.verifyKey])];
  const lines = checkLogs(gateway.logs(), { bodies, secrets: secretValues });
  const deliveries = lines.filter((l) => l.kind === "delivery");
  const byOutcome = (o) => deliveries.filter((l) => l.outcome === o).length;
  assert.equal(byOutcome("delivered"), origin.delivered().length);
  assert.ok(byOutcome("retry") >= 5 + 6 + 3, "the retries are logged");
  assert.equal(byOutcome("dead_letter"), 1);
  assert.equal(byOutcome("unreadable"), 1);
  for (const l of deliveries.filter((l) => l.outcome === "retry")) assert.ok(l.retry_in_s >= 1);
});
