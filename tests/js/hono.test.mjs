// carehook/fetch in a real Hono app served by @hono/node-server on 127.0.0.1, reached with real HTTP requests:
// the Hono middleware, and webhookHandler as a Fetch API route handler.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createAdaptorServer } from "@hono/node-server";
import * as api from "../../pkg/index.node.mjs";
import { webhook, webhookHandler } from "../../pkg/src/fetch.js";
import { listen, post, tamper } from "./http.mjs";
import { FITBIT_CODE, drchronoCheck, fhirHandshake, metriportPing } from "./requests.mjs";

const NOW = 1763800000;
const STRIPE = api.samples().find((s) => s.vendor === "stripe");
let server, handlers; // the Hono middleware on every sample's path; webhookHandler on the same paths, apart
let last; // what the route or handler saw: an answer with the vendor's 204 carries no body
const handled = []; // the events webhookHandler's handler ran for, in order

before(async () => {
  const app = new Hono();
  const direct = new Hono();
  for (const s of api.samples()) {
    const mw = webhook({ vendor: s.vendor, keys: s.verifyKey, now: NOW, verificationCode: FITBIT_CODE });
    // The body stays readable after the middleware: the route reads it again.
    app.on(["GET", "POST"], s.path, mw, async (c) => {
      last = { event: c.get("webhook"), events: c.get("webhooks"), body: await c.req.text() };
      return c.json(last);
    });
    // webhookHandler: the handler runs once per event; nothing returned is the vendor's accepted status.
    const h = webhookHandler({ vendor: s.vendor, keys: s.verifyKey, now: NOW, verificationCode: FITBIT_CODE }, (event) => {
      handled.push(event);
    });
    direct.on(["GET", "POST"], s.path, (c) => h(c.req.raw));
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
  const FITBIT = api.samples().find((s) => s.vendor === "fitbit");
  let calls = 0;
  const stops = webhookHandler({ vendor: "fitbit", keys: FITBIT.verifyKey, now: NOW }, () => {
    calls++;
    return new Response("busy", { status: 503 });
  });
  app.post("/stops/fitbit", async (c) => {
    calls = 0;
    const res = await stops(c.req.raw);
    return new Response(await res.text(), { status: res.status, headers: { "x-calls": String(calls) } });
  });
  app.onError((err, c) => c.json({ thrown: err.message }, 500));
  server = await listen(createAdaptorServer({ fetch: app.fetch }));
  handlers = await listen(createAdaptorServer({ fetch: direct.fetch }));
});
after(() => Promise.all([server?.close(), handlers?.close()]));

const signed = (vendor, now = NOW) => api.signedSample(vendor, { now });
const expected = (vendor, s) =>
  api.verifyAll({ vendor, keys: s.verifyKey, path: s.path, headers: s.headers, body: new TextEncoder().encode(s.body), now: NOW });

test("every vendor's signed sample passes the middleware; the route sees every event and can still read the body", async () => {
  for (const { vendor, acceptedStatus } of api.samples()) {
    const s = signed(vendor);
    last = undefined;
    const res = await post(server.url + s.path, s.headers, s.body);
    assert.equal(res.status, acceptedStatus, `${vendor}: ${res.text}`);
    const want = expected(vendor, s);
    assert.deepEqual(last.events, want.events, vendor);
    assert.deepEqual(last.event, want.events.length === 1 ? want.events[0] : undefined, vendor);
    assert.equal(last.body, s.body, vendor);
    if (acceptedStatus === 204) assert.equal(res.text, "", `${vendor}: the route's 200 became the vendor's 204, without a body`);
    else assert.deepEqual(res.json, JSON.parse(JSON.stringify(last)), vendor);
  }
});

test("webhookHandler runs the handler once per event, in order, and answers the vendor's accepted status", async () => {
  for (const { vendor, acceptedStatus } of api.samples()) {
    const s = signed(vendor);
    handled.length = 0;
    const res = await post(handlers.url + s.path, s.headers, s.body);
    assert.deepEqual([res.status, res.text], [acceptedStatus, ""], vendor);
    assert.deepEqual(handled, expected(vendor, s).events, vendor);
  }
  const f = signed("fitbit");
  const stopped = await post(server.url + "/stops/fitbit", f.headers, f.body);
  assert.deepEqual([stopped.status, stopped.text, stopped.headers["x-calls"]], [503, "busy", "1"], "a failing answer stops the batch");
  const forged = await post(handlers.url + "/in/fitbit", f.headers, tamper(f.body));
  assert.deepEqual([forged.status, forged.json.error], [404, "signature_mismatch"], "Fitbit's forgery status");
});

test("handshakes and vendors' GET checks are answered by the middleware and by webhookHandler; nothing is emitted", async () => {
  for (const [name, base] of [["middleware", server.url], ["webhookHandler", handlers.url]]) {
    last = undefined;
    handled.length = 0;
    for (const h of [metriportPing(NOW), fhirHandshake(NOW)]) {
      const res = await post(base + h.path, h.headers, h.body);
      assert.deepEqual([res.status, res.text], [h.answer.status, h.answer.body], `${name} ${h.path}`);
    }
    const dr = drchronoCheck();
    const check = await post(base + dr.url, {}, undefined, { method: "GET" });
    assert.deepEqual([check.status, check.text], [dr.answer.status, dr.answer.body], name);
    const fitbit = await post(base + `/in/fitbit?verify=${FITBIT_CODE}`, {}, undefined, { method: "GET" });
    assert.deepEqual([fitbit.status, fitbit.text], [204, ""], name);
    const wrong = await post(base + "/in/fitbit?verify=nope", {}, undefined, { method: "GET" });
    assert.equal(wrong.status, 404, name);
    const other = await post(base + "/in/github", {}, undefined, { method: "GET" });
    assert.deepEqual([other.status, other.headers.allow, other.json.error], [405, "POST", "method_not_allowed"], name);
    assert.deepEqual([last, handled], [undefined, []], `${name}: neither the route nor the handler ran`);
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
