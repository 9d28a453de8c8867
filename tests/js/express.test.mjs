// carehook/express in a real Express app on 127.0.0.1, reached with real HTTP requests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import express from "express";
import * as api from "../../pkg/index.node.mjs";
import { webhook, httpStatus } from "../../pkg/src/express.js";
import { listen, post, tamper } from "./http.mjs";
import { FITBIT_CODE, drchronoCheck, fhirHandshake, metriportPing } from "./requests.mjs";

const NOW = 1763800000;
const STRIPE = api.samples().find((s) => s.vendor === "stripe");
const stripeOptions = { vendor: "stripe", keys: STRIPE.verifyKey, now: () => NOW };
let server;
let last; // what the route saw, kept here too: an answer with the vendor's 204 carries no body

const seen = (req, res) => {
  last = { event: req.webhook, events: req.webhooks, bodyBytes: req.body.length, status: res.statusCode };
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(last)); // no status of its own: the middleware preset the vendor's
};

before(async () => {
  const app = express();
  app.set("trust proxy", "loopback"); // req.ip is X-Forwarded-For when the peer is loopback (it always is here)
  for (const s of api.samples()) {
    const mw = webhook({ vendor: s.vendor, keys: s.verifyKey, now: NOW, verificationCode: FITBIT_CODE });
    app.post(s.path, mw, seen);
    app.get(s.path, mw, seen); // vendors' own GET checks
  }
  app.post("/raw/stripe", express.raw({ type: "*/*" }), webhook(stripeOptions), seen);
  app.post("/parsed/stripe", express.json(), webhook(stripeOptions), seen);
  app.post("/small/stripe", webhook({ ...stripeOptions, maxBodyBytes: 64 }), seen);
  app.post("/allow/stripe", webhook({ ...stripeOptions, allowIps: ["127.0.0.1/32"] }), seen);
  app.post("/deny/stripe", webhook({ ...stripeOptions, allowIps: ["10.0.0.0/8"] }), seen);
  app.post("/tenant/:vendor", webhook((req) => ({ vendor: req.params.vendor, keys: STRIPE.verifyKey, now: NOW })), seen);
  app.post("/unset/stripe", webhook(() => ({ vendor: "stripe", keys: process.env.CAREHOOK_TEST_UNSET_VARIABLE })), seen);
  // Errors reach Express's error handling (not a response made by the middleware); keep them out of the test log.
  app.use((err, req, res, _next) => res.status(500).json({ thrown: err.message }));
  server = await listen(createServer(app));
});
after(() => server?.close());

function signed(vendor, now = NOW) {
  const s = api.signedSample(vendor, { now });
  return { ...s, headers: { ...s.headers } };
}

test("every vendor's signed sample passes with its accepted status; the route sees every event verifyAll returns", async () => {
  const samples = api.samples();
  assert.equal(samples.length, api.vendors().length);
  for (const { vendor, acceptedStatus } of samples) {
    const s = signed(vendor);
    last = undefined;
    const res = await post(server.url + s.path, s.headers, s.body);
    assert.equal(res.status, acceptedStatus, `${vendor}: ${res.text}`);
    const want = api.verifyAll({ vendor, keys: s.verifyKey, path: s.path, headers: s.headers, body: new TextEncoder().encode(s.body), now: NOW });
    assert.equal(want.handshake, null, `${vendor}: a sample is a webhook, not an endpoint check`);
    assert.ok(want.events.length >= 1, vendor);
    assert.deepEqual(last.events, want.events, vendor);
    assert.deepEqual(last.event, want.events.length === 1 ? want.events[0] : undefined, `${vendor}: req.webhook only for one event`);
    assert.equal(last.bodyBytes, Buffer.byteLength(s.body), `${vendor}: req.body holds the raw bytes`);
    if (acceptedStatus !== 204) assert.deepEqual(res.json, JSON.parse(JSON.stringify(last)), vendor);
  }
});

test("a batch (Fitbit's array): every event in req.webhooks, req.webhook unset, answered 204; a forgery is 404", async () => {
  const s = signed("fitbit");
  last = undefined;
  const res = await post(server.url + s.path, s.headers, s.body);
  assert.deepEqual([res.status, res.text], [204, ""]);
  assert.equal(last.events.length, JSON.parse(s.body).length);
  assert.ok(last.events.length > 1, "the sample is a batch");
  assert.equal(last.event, undefined);
  assert.deepEqual(last.events.map((e) => e.type), JSON.parse(s.body).map((n) => `fitbit.${n.collectionType}`));
  const bad = await post(server.url + s.path, s.headers, tamper(s.body));
  assert.deepEqual([bad.status, bad.json.error], [404, "signature_mismatch"]);
  const unsigned = await post(server.url + s.path, {}, s.body);
  assert.deepEqual([unsigned.status, unsigned.json.error], [400, "missing_header"], "a missing header is unreadable, not unauthentic");
});

test("a handshake is answered by the middleware as the vendor expects; the route does not run", async () => {
  for (const h of [metriportPing(NOW), fhirHandshake(NOW)]) {
    last = undefined;
    const res = await post(server.url + h.path, h.headers, h.body);
    assert.deepEqual([res.status, res.text], [h.answer.status, h.answer.body], h.path);
    if (h.answer.body) assert.equal(res.headers["content-type"], "application/json");
    assert.equal(last, undefined, `${h.path}: nothing is emitted for an endpoint check`);
  }
  const ping = metriportPing(NOW);
  const forged = await post(server.url + ping.path, ping.headers, tamper(ping.body));
  assert.deepEqual([forged.status, forged.json.error], [401, "signature_mismatch"], "a handshake is verified first");
});

test("vendors' GET endpoint checks are answered (DrChrono ?msg=, Fitbit ?verify= 204/404); any other GET is 405", async () => {
  last = undefined;
  const dr = drchronoCheck();
  const res = await post(server.url + dr.url, {}, undefined, { method: "GET" });
  assert.deepEqual([res.status, res.text], [dr.answer.status, dr.answer.body]);
  const fitbit = await post(server.url + `/in/fitbit?verify=${FITBIT_CODE}`, {}, undefined, { method: "GET" });
  assert.deepEqual([fitbit.status, fitbit.text], [204, ""]);
  const wrong = await post(server.url + "/in/fitbit?verify=not-the-code", {}, undefined, { method: "GET" });
  assert.deepEqual([wrong.status, wrong.text], [404, ""]);
  const other = await post(server.url + "/in/stripe?msg=x", {}, undefined, { method: "GET" });
  assert.deepEqual([other.status, other.headers.allow, other.json.error], [405, "POST", "method_not_allowed"]);
  assert.equal(last, undefined, "the route never runs for a GET");
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
  const unset = await post(server.url + "/unset/stripe", s.headers, s.body);
  assert.deepEqual([unset.status, unset.json.error], [500, "invalid_key"], "a key from an unset variable");
});

test("options given as an object are checked when the middleware is made", () => {
  assert.throws(() => webhook({ vendor: "stripe", keys: [] }), (e) => e instanceof api.CarehookError && e.code === "invalid_key");
  assert.throws(() => webhook({ vendor: "nope", keys: "k" }), (e) => e.code === "unsupported_vendor");
  assert.throws(() => webhook({ vendor: "stripe", keys: [undefined] }), (e) => e instanceof api.CarehookError && e.code === "invalid_key" && /not set/.test(e.hint));
  assert.throws(() => webhook({ vendor: "stripe", keys: "whsec_x", tolerence: 60 }), (e) => e instanceof TypeError && /unknown field `tolerence`/.test(e.message));
});

test("every error code maps to the core's status for its kind", () => {
  const byKind = { unauthenticated: 401, unreadable: 400, too_large: 413, misconfigured: 500 };
  for (const code of api.errorCodes) {
    assert.equal(httpStatus(code), byKind[api.errorKind(code)], code);
    assert.equal(httpStatus(code), api.httpStatus(code), `${code}: one mapping`);
  }
  assert.equal(httpStatus("no_such_code"), 500);
});
