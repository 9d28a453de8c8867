// The soak, small: 300 signed webhooks from every vendor through the real Worker under wrangler dev, 10% of them
// sent as 3–5 identical copies at once, while the origin answers 500 to 30% of deliveries, lets some run past the
// gateway's 1 s timeout, is down for 5 s, and refuses 3% of the events for good (a 4xx or a redirect) until it is
// fixed; then every dead letter is replayed through the admin API. `make soak` is the same run with 10,000 webhooks
// and a 30 s outage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { run, VENDORS } from "./lib.mjs";

test("300 webhooks with concurrent copies, faults and refusals, then a replay of every dead letter: each event delivered exactly once", { timeout: 170_000 }, async () => {
  const result = await run({
    n: 300,
    concurrency: 16,
    outageS: 5,
    retryBase: 1,
    originTimeout: 1,
    failRate: 0.3,
    hangRate: 0.02,
    // At most 2 injected faults per event: with the outage's attempts, an event needs at most 6 attempts (63 s of
    // backoff at worst, about 35 s typically), and the queue allows 11.
    faultCap: 2,
    seed: 20260426,
    deadlineS: 90,
    dupRate: 0.1,
    dupCopies: [3, 5],
    refuseRate: 0.03,
    replayDeadlineS: 40,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify({ ingest: result.ingest, copies: result.copies, origin: result.origin, delivery: result.delivery, deadLetters: result.deadLetters, replay: result.replay, ledger: result.ledger, runtime: result.runtime }));
  for (const c of result.checks) assert.ok(c.ok, `${c.name}: ${c.detail}`);

  assert.equal(result.ingest.webhooks, 300);
  assert.equal(result.ingest.statuses[200], 300 + result.copies.requests - result.copies.webhooks, "every copy was answered 200");
  assert.ok(result.copies.webhooks >= 15 && result.copies.requests >= 3 * result.copies.webhooks, "a share of webhooks was sent as concurrent copies");
  assert.ok(result.deadLetters.refused >= 3, "some events were refused for good");
  assert.ok(Object.keys(result.deadLetters.statuses).some((s) => s < 400), "a redirect was among the refusals");
  assert.equal(result.replay.replayed, result.deadLetters.refused);
  assert.equal(result.origin.distinctDelivered, 300);
  assert.equal(result.origin.missing, 0);
  assert.equal(result.origin.deliveredTwice, 0);
  assert.deepEqual(Object.keys(result.origin.byVendor).sort(), [...new Set(VENDORS)].sort(), "every vendor's events were delivered");
  assert.deepEqual(result.ledger.counts, { received: 0, queued: 0, delivered: 300, dead: 0 });
  assert.ok(result.delivery.retries >= result.origin.injected500 + result.origin.injectedHangs, "every fault was retried");
  assert.ok(result.delivery.maxAttempt < result.params.maxAttempts);

  // Everything it started is gone: the temp dir, the gateway's process and port, the origin's port.
  const { gatewayPid, gatewayUrl, originUrl, dir } = result.processes;
  assert.equal(existsSync(dir), false);
  assert.throws(() => process.kill(gatewayPid, 0), { code: "ESRCH" });
  for (const url of [gatewayUrl, originUrl]) {
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2000) }), `${url} still answers`);
  }
});
