// carehook/fetch in a real Hono app served by @hono/node-server on 127.0.0.1, reached with real HTTP requests:
// the Hono middleware, and webhookHandler as a Fetch API route handler.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createAdaptorServer } from "@hono/node-server";
import * as api from "../../pkg/index.node.mjs";
import { webhook, webhookHandler } from "../../pkg/src/fetch.js";
import { listen, post, tamper } from "./http.mjs";

const NOW = 1763800000;
const STRIPE = api.samples().find((s) => s.vendor === "stripe");
let server;

before(async () => {
  const app = new Hono();
  for (const s of api.samples()) {
    // The body stays readable after the middleware: the route reads it again.
    app.post(s.path, webhook({ vendor: s.vendor, keys: s.verifyKey, now: NOW }), async (c) =>
      c.json({ event: c.get("webhook"), body: await c.req.text() }),
    );
  }
  app.post("/env/:vendor", webhook((c) => ({ vendor: c.req.param("vendor"), keys: STRIPE.verifyKey, now: NOW })), (c) =>
    c.json({ event: c.get("webhook") }),
  );
  const handler = webhookHandler({ vendor: "stripe", keys: STRIPE.verifyKey, now: () => NOW }, async (event, request) => {
    return Response.json({ event, body: await request.text() }, { headers: { "x-handled": "1" } });
  });
  app.post("/handler/stripe", (c) => handler(c.req.raw));
  const empty = webhookHandler({ vendor: "stripe", keys: STRIPE.verifyKey, now: NOW, maxBodyBytes: 4096 }, () => {});
  app.post("/empty/stripe", (c) => empty(c.req.raw));
  app.onError((err, c) => c.json({ thrown: err.message }, 500));
  server = await listen(createAdaptorServer({ fetch: app.fetch }));
});
after(() => server?.close());

const signed = (vendor, now = NOW) => api.signedSample(vendor, { now });

test("every vendor's signed sample passes the middleware; the route sees the event and can still read the body", async () => {
  for (const vendor of api.vendors()) {
    const s = signed(vendor);
    const res = await post(server.url + s.path, s.headers, s.body);
    assert.equal(res.status, 200, `${vendor}: ${res.text}`);
    const want = api.verify({ vendor, keys: s.verifyKey, path: s.path, headers: s.headers, body: new TextEncoder().encode(s.body), now: NOW });
    assert.deepEqual(res.json.event, want, vendor);
    assert.equal(res.json.body, s.body, vendor);
  }
});

test("the middleware refuses a tampered body (401), a malformed header (400) and an unusable payload (400)", async () => {
  for (const vendor of ["elation", "stripe", "healthie", "svix", "medplum"]) {
    const s = signed(vendor);
    const res = await post(server.url + s.path, s.headers, tamper(s.body));
    assert.equal(res.status, 401, vendor);
    assert.deepEqual(res.json, { error: vendor === "healthie" ? "digest_mismatch" : "signature_mismatch", message: res.json.message });
    assert.equal(res.headers["cache-control"], "no-store");
  }
  const s = signed("stripe");
  let res = await post(server.url + s.path, { ...s.headers, "stripe-signature": "t=x,v1=zz" }, s.body);
  assert.deepEqual([res.status, res.json.error], [400, "malformed_header"]);
  const junk = "[1, 2";
  const headers = api.sign({ vendor: "stripe", key: STRIPE.signingKey, body: junk, path: s.path, now: NOW });
  res = await post(server.url + s.path, headers, junk);
  assert.deepEqual([res.status, res.json.error], [400, "invalid_payload"]);
  const m = signed("mycure");
  res = await post(server.url + m.path.replace(/[^/]+$/, "tok_wrong_but_long_enough"), m.headers, m.body);
  assert.equal(res.status, 404, "a different token is a different route");
});

test("middleware options may come from the context", async () => {
  const s = signed("stripe");
  const ok = await post(server.url + "/env/stripe", s.headers, s.body);
  assert.equal(ok.status, 200, ok.text);
  const bad = await post(server.url + "/env/unknown", s.headers, s.body);
  assert.deepEqual([bad.status, bad.json.error], [500, "unsupported_vendor"]);
});

test("webhookHandler: the handler's Response for a verified webhook, a refusal otherwise", async () => {
  const s = signed("stripe");
  const res = await post(server.url + "/handler/stripe", s.headers, s.body);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers["x-handled"], "1");
  assert.equal(res.json.event.id, "evt_1QdemoInvoicePaid");
  assert.equal(res.json.body, s.body, "the Request stays readable in the handler");
  const bad = await post(server.url + "/handler/stripe", s.headers, tamper(s.body));
  assert.deepEqual([bad.status, bad.json.error], [401, "signature_mismatch"]);
  assert.equal(bad.headers["x-handled"], undefined, "the handler does not run for a refused webhook");
  const old = signed("stripe", NOW + 301);
  const late = await post(server.url + "/handler/stripe", old.headers, old.body);
  assert.deepEqual([late.status, late.json.error], [401, "timestamp_out_of_tolerance"]);
});

test("webhookHandler: nothing returned is an empty 200; a body past maxBodyBytes is 413 without reading it all", async () => {
  const s = signed("stripe");
  const res = await post(server.url + "/empty/stripe", s.headers, s.body);
  assert.deepEqual([res.status, res.text], [200, ""]);
  const big = await post(server.url + "/empty/stripe", s.headers, "x".repeat(1024 * 1024));
  assert.deepEqual([big.status, big.json.error], [413, "body_too_large"]);
});
