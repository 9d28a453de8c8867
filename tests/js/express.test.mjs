// carehook/express in a real Express app on 127.0.0.1, reached with real HTTP requests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import express from "express";
import * as api from "../../pkg/index.node.mjs";
import { webhook, httpStatus } from "../../pkg/src/express.js";
import { listen, post, tamper } from "./http.mjs";

const NOW = 1763800000;
const STRIPE = api.samples().find((s) => s.vendor === "stripe");
const stripeOptions = { vendor: "stripe", keys: STRIPE.verifyKey, now: () => NOW };
let server;

const seen = (req, res) => res.json({ event: req.webhook, bodyBytes: req.body.length });

before(async () => {
  const app = express();
  app.set("trust proxy", "loopback"); // req.ip is X-Forwarded-For when the peer is loopback (it always is here)
  for (const s of api.samples()) app.post(s.path, webhook({ vendor: s.vendor, keys: s.verifyKey, now: NOW }), seen);
  app.post("/raw/stripe", express.raw({ type: "*/*" }), webhook(stripeOptions), seen);
  app.post("/parsed/stripe", express.json(), webhook(stripeOptions), seen);
  app.post("/small/stripe", webhook({ ...stripeOptions, maxBodyBytes: 64 }), seen);
  app.post("/allow/stripe", webhook({ ...stripeOptions, allowIps: ["127.0.0.1/32"] }), seen);
  app.post("/deny/stripe", webhook({ ...stripeOptions, allowIps: ["10.0.0.0/8"] }), seen);
  app.post("/tenant/:vendor", webhook((req) => ({ vendor: req.params.vendor, keys: STRIPE.verifyKey, now: NOW })), seen);
  // Errors reach Express's error handling (not a response made by the middleware); keep them out of the test log.
  app.use((err, req, res, _next) => res.status(500).json({ thrown: err.message }));
  server = await listen(createServer(app));
});
after(() => server?.close());

function signed(vendor, now = NOW) {
  const s = api.signedSample(vendor, { now });
  return { ...s, headers: { ...s.headers } };
}

test("every vendor's signed sample passes, and the handler sees the CloudEvent verify() returns", async () => {
  for (const vendor of api.vendors()) {
    const s = signed(vendor);
    const res = await post(server.url + s.path, s.headers, s.body);
    assert.equal(res.status, 200, `${vendor}: ${res.text}`);
    const want = api.verify({ vendor, keys: s.verifyKey, path: s.path, headers: s.headers, body: new TextEncoder().encode(s.body), now: NOW });
    assert.deepEqual(res.json.event, want, vendor);
    assert.equal(res.json.bodyBytes, Buffer.byteLength(s.body), `${vendor}: req.body holds the raw bytes`);
  }
});

test("a tampered body is refused with 401 and the code", async () => {
  for (const vendor of ["elation", "stripe", "healthie", "github", "standard"]) {
    const s = signed(vendor);
    const res = await post(server.url + s.path, s.headers, tamper(s.body));
    assert.equal(res.status, 401, vendor);
    const want = vendor === "healthie" ? "digest_mismatch" : "signature_mismatch";
    assert.deepEqual(Object.keys(res.json).sort(), ["error", "message"]);
    assert.equal(res.json.error, want, vendor);
    assert.ok(res.json.message.length > 0);
    assert.ok(!res.text.includes(s.verifyKey), "the key never appears in an answer");
  }
});

test("an old timestamp is 401; a missing or malformed header and an unusable payload are 400", async () => {
  const s = signed("stripe");
  const { "stripe-signature": _, ...unsigned } = s.headers;
  let res = await post(server.url + s.path, unsigned, s.body);
  assert.deepEqual([res.status, res.json.error], [400, "missing_header"]);

  const old = signed("stripe", NOW - 3600);
  res = await post(server.url + old.path, old.headers, old.body);
  assert.deepEqual([res.status, res.json.error], [401, "timestamp_out_of_tolerance"]);

  res = await post(server.url + s.path, { ...s.headers, "stripe-signature": "not a signature" }, s.body);
  assert.deepEqual([res.status, res.json.error], [400, "malformed_header"]);

  const junk = "not json at all";
  const headers = api.sign({ vendor: "stripe", key: STRIPE.signingKey, body: junk, path: s.path, now: NOW });
  res = await post(server.url + s.path, headers, junk);
  assert.deepEqual([res.status, res.json.error], [400, "invalid_payload"]);
});

test("repeated signature headers reach the core separately (not joined by Node)", async () => {
  const s = signed("stripe");
  const other = signed("stripe", NOW - 1).headers["stripe-signature"];
  const res = await post(server.url + s.path, { ...s.headers, "stripe-signature": [s.headers["stripe-signature"], other] }, s.body);
  assert.deepEqual([res.status, res.json.error], [400, "malformed_header"]);
  // The same header twice is accepted by the core; joined into one value ("t=..,v1=.., t=..,v1=..") it would not be.
  const same = s.headers["stripe-signature"];
  const twice = await post(server.url + s.path, { ...s.headers, "stripe-signature": [same, same] }, s.body);
  assert.equal(twice.status, 200, twice.text);
});

test("express.raw() before the middleware is used as the raw body", async () => {
  const s = signed("stripe");
  const res = await post(server.url + "/raw/stripe", s.headers, s.body);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.event.id, api.verify({ ...stripeOptions, now: NOW, headers: s.headers, body: s.body, url: "/raw/stripe" }).id);
  const bad = await post(server.url + "/raw/stripe", s.headers, tamper(s.body));
  assert.deepEqual([bad.status, bad.json.error], [401, "signature_mismatch"]);
});

test("a body parsed before the middleware is a programming error passed to next(), not a refusal", async () => {
  const s = signed("stripe");
  const res = await post(server.url + "/parsed/stripe", s.headers, s.body);
  assert.equal(res.status, 500);
  assert.match(res.json.thrown, /before express\.json\(\)/);
});

test("an oversized body is refused with 413 without reading it all", async () => {
  const s = signed("stripe");
  let res = await post(server.url + "/small/stripe", s.headers, s.body);
  assert.deepEqual([res.status, res.json.error], [413, "body_too_large"]);
  const huge = "x".repeat(3 * 1024 * 1024);
  res = await post(server.url + s.path, s.headers, huge);
  assert.deepEqual([res.status, res.json.error], [413, "body_too_large"]);
  assert.equal(res.headers.connection, "close");
});

test("allowIps sees the sender's address (req.ip)", async () => {
  const s = signed("stripe");
  const ok = await post(server.url + "/allow/stripe", s.headers, s.body);
  assert.equal(ok.status, 200, ok.text);
  const denied = await post(server.url + "/deny/stripe", s.headers, s.body);
  assert.deepEqual([denied.status, denied.json.error], [401, "token_mismatch"]);
  // Behind a trusted proxy, req.ip is the forwarded address; an IPv4-mapped IPv6 form is read as IPv4.
  const mapped = await post(server.url + "/deny/stripe", { ...s.headers, "x-forwarded-for": "::ffff:10.1.2.3" }, s.body);
  assert.equal(mapped.status, 200, mapped.text);
  const outside = await post(server.url + "/allow/stripe", { ...s.headers, "x-forwarded-for": "::ffff:10.1.2.3" }, s.body);
  assert.deepEqual([outside.status, outside.json.error], [401, "token_mismatch"]);
});

test("options may be chosen per request; an unusable vendor is a 500 with its code", async () => {
  const s = signed("stripe");
  const ok = await post(server.url + "/tenant/stripe", s.headers, s.body);
  assert.equal(ok.status, 200, ok.text);
  const bad = await post(server.url + "/tenant/nosuchvendor", s.headers, s.body);
  assert.deepEqual([bad.status, bad.json.error], [500, "unsupported_vendor"]);
});

test("options given as an object are checked when the middleware is made", () => {
  assert.throws(() => webhook({ vendor: "stripe", keys: [] }), (e) => e instanceof api.CarehookError && e.code === "invalid_key");
  assert.throws(() => webhook({ vendor: "nope", keys: "k" }), (e) => e.code === "unsupported_vendor");
});

test("every error code maps to a status", () => {
  const got = Object.fromEntries(api.errorCodes.map((c) => [c, httpStatus(c)]));
  assert.deepEqual(got, {
    missing_header: 400, malformed_header: 400, invalid_key: 500, signature_mismatch: 401,
    timestamp_out_of_tolerance: 401, digest_mismatch: 401, token_mismatch: 401, body_too_large: 413,
    invalid_payload: 400, unsupported_vendor: 500,
  });
});
