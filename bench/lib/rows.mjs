// The timed rows: each is a list of contenders doing the same job on the same request. carehook is always the
// first contender, the package's public API with a reused `Verifier` and the body as bytes.

import { deepStrictEqual } from "node:assert/strict";
import { verify as cryptoVerify, createHash, webcrypto } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import Stripe from "stripe";
import { verify as octokitVerify } from "@octokit/webhooks-methods";
import * as ed from "@noble/ed25519";
import nacl from "tweetnacl";
import { bodyText, transportHeaders } from "./bodies.mjs";
import { bodyId as derivedId, ed25519PublicKey, pipelines, standardV1 } from "./baselines.mjs";

// @noble/ed25519 v3 has no hash of its own: its README sets `hashes.sha512`; node:crypto's SHA-512 is used here.
ed.hashes.sha512 = (m) => new Uint8Array(createHash("sha512").update(m).digest());

const STANDARD_KEY = "whsec_Y2FyZWhvb2stZGVtby1zdGFuZGFyZC1zZWNyZXQ=";
const STRIPE_KEY = "whsec_stripe_demo_secret_0123456789";
const GITHUB_KEY = "github-demo-secret";

/** The same bytes with one flipped: every verifier must refuse it. */
function tamper(bytes) {
  const out = Buffer.from(bytes);
  const i = out.length >> 1;
  out[i] = out[i] === 0x78 ? 0x79 : 0x78;
  return out;
}

/**
 * A carehook contender: `verifier.verify(req)` must return the expected event id on every call. Its `data` is read
 * (parsed from the body on first read), as the peers parse the payload, unless `method` is "attributes".
 */
function carehook(name, verifier, req, expectId, tamperedReq, method = "verify") {
  let verified = 0;
  const op =
    method === "verify" || method === "attributes"
      ? () => {
          const ev = verifier.verify(req);
          if (ev.id !== expectId) throw new Error("carehook returned another event");
          if (method === "verify" && (typeof ev.data !== "object" || ev.data === null)) throw new Error("carehook returned no data");
          verified++;
        }
      : () => {
          // verifyToJSON: the envelope text; the id is checked without parsing.
          if (!verifier.verifyToJSON(req).includes(`"id":"${expectId}"`)) throw new Error("carehook returned another event");
          verified++;
        };
  return { name, carehook: true, op, reject: () => verifier.verify(tamperedReq), verifiedCount: () => verified };
}

function check(ok, what) {
  if (!ok) throw new Error(`${what} did not verify`);
}

function signedRequest(api, vendor, key, text, path, extra = {}) {
  const body = Buffer.from(text);
  const signed = api.sign({ vendor, key, body, path, ...extra });
  const headers = { ...transportHeaders(body.length), ...signed };
  return { body, headers };
}

function standardRow(api, size) {
  const text = bodyText("standard", size);
  const id = "msg_2ZP1bench00000000000000001";
  const { body, headers } = signedRequest(api, "standard", STANDARD_KEY, text, "/in/standard", { id });
  const bytes = new Uint8Array(body);
  const req = { method: "POST", path: "/in/standard", headers, body: bytes };
  const bad = { ...req, body: new Uint8Array(tamper(body)) };
  const verifier = new api.Verifier({ vendor: "standard", keys: STANDARD_KEY });
  const swh = new StandardWebhook(STANDARD_KEY);
  const svix = new SvixWebhook(STANDARD_KEY);
  const svixHeaders = { ...transportHeaders(body.length) };
  svixHeaders["svix-id"] = headers["webhook-id"];
  svixHeaders["svix-timestamp"] = headers["webhook-timestamp"];
  svixHeaders["svix-signature"] = headers["webhook-signature"];
  const baseline = standardV1(STANDARD_KEY);
  const contenders = [
    carehook("carehook", verifier, req, id, bad),
    { name: "standardwebhooks", op: () => check(swh.verify(body, headers).type === "patient.updated", "standardwebhooks"), reject: () => swh.verify(tamper(body), headers) },
    { name: "svix", op: () => check(svix.verify(body, svixHeaders).type === "patient.updated", "svix"), reject: () => svix.verify(tamper(body), svixHeaders) },
    { name: "node:crypto + JSON.parse (hand-written)", op: () => check(baseline(headers, body).type === "patient.updated", "baseline"), reject: () => baseline(headers, tamper(body)) },
  ];
  // From 16 KiB the package parses `data` when it is first read: this contender routes on the envelope alone.
  if (size >= 16384) contenders.push(carehook("carehook, data not read", verifier, req, id, bad, "attributes"));
  if (size <= 1024) contenders.push(carehook("carehook .verifyToJSON()", verifier, req, id, bad, "verifyToJSON"));
  return contenders;
}

async function ed25519Row(api) {
  const sample = api.samples().find((s) => s.vendor === "elation");
  const text = bodyText("elation", 1024);
  const { body, headers } = signedRequest(api, "elation", sample.signingKey, text, "/in/elation");
  const bytes = new Uint8Array(body);
  const req = { method: "POST", path: "/in/elation", headers, body: bytes };
  const verifier = new api.Verifier({ vendor: "elation", keys: sample.verifyKey });
  const pubRaw = new Uint8Array(Buffer.from(sample.verifyKey, "base64"));
  const nodeKey = ed25519PublicKey(sample.verifyKey);
  const webKey = await webcrypto.subtle.importKey("raw", pubRaw, { name: "Ed25519" }, false, ["verify"]);
  const sigOf = () => Buffer.from(headers["el8-ed25519-signature"], "base64");
  const bad = tamper(body);
  return [
    carehook("carehook", verifier, req, "019a6f4e-8c2d-7a10-b3e4-5f6a7b8c9d0e", { ...req, body: new Uint8Array(bad) }),
    { name: "node:crypto verify", op: () => check(cryptoVerify(null, body, nodeKey, sigOf()), "node:crypto"), reject: () => cryptoVerify(null, bad, nodeKey, sigOf()) },
    {
      name: "WebCrypto subtle.verify",
      async: true,
      op: async () => check(await webcrypto.subtle.verify("Ed25519", webKey, sigOf(), body), "WebCrypto"),
      reject: () => webcrypto.subtle.verify("Ed25519", webKey, sigOf(), bad),
    },
    { name: "@noble/ed25519", op: () => check(ed.verify(new Uint8Array(sigOf()), bytes, pubRaw), "@noble/ed25519"), reject: () => ed.verify(new Uint8Array(sigOf()), new Uint8Array(bad), pubRaw) },
    { name: "tweetnacl", op: () => check(nacl.sign.detached.verify(bytes, new Uint8Array(sigOf()), pubRaw), "tweetnacl"), reject: () => nacl.sign.detached.verify(new Uint8Array(bad), new Uint8Array(sigOf()), pubRaw) },
  ];
}

function stripeRow(api) {
  const text = bodyText("stripe", 1024);
  const { body, headers } = signedRequest(api, "stripe", STRIPE_KEY, text, "/in/stripe");
  const req = { method: "POST", path: "/in/stripe", headers, body: new Uint8Array(body) };
  const verifier = new api.Verifier({ vendor: "stripe", keys: STRIPE_KEY });
  const stripe = new Stripe("sk_test_carehook_bench");
  const sig = headers["stripe-signature"];
  return [
    carehook("carehook", verifier, req, "evt_1QdemoInvoicePaid", { ...req, body: new Uint8Array(tamper(body)) }),
    {
      name: "stripe webhooks.constructEvent",
      op: () => check(stripe.webhooks.constructEvent(body, sig, STRIPE_KEY).id === "evt_1QdemoInvoicePaid", "stripe"),
      reject: () => stripe.webhooks.constructEvent(tamper(body), sig, STRIPE_KEY),
    },
  ];
}

function githubRow(api) {
  const text = bodyText("github", 1024);
  const { body, headers } = signedRequest(api, "github", GITHUB_KEY, text, "/in/github");
  headers["x-github-event"] = "issues";
  headers["x-github-delivery"] = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  const req = { method: "POST", path: "/in/github", headers, body: new Uint8Array(body) };
  const verifier = new api.Verifier({ vendor: "github", keys: GITHUB_KEY });
  const sig = headers["x-hub-signature-256"];
  const bad = tamper(body).toString();
  // Only the body is signed, so carehook's event id for GitHub is the body's digest, not X-GitHub-Delivery.
  // No event id is signed: carehook derives it from the CloudEvent source and the body.
  const bodyId = derivedId(body, "carehook:github");
  return [
    carehook("carehook", verifier, req, bodyId, { ...req, body: new Uint8Array(tamper(body)) }),
    {
      name: "@octokit/webhooks-methods verify",
      async: true,
      op: async () => check(await octokitVerify(GITHUB_KEY, text, sig), "@octokit/webhooks-methods"),
      reject: () => octokitVerify(GITHUB_KEY, bad, sig),
    },
  ];
}

function pipelineRow(api, vendor, now) {
  const s = api.signedSample(vendor, { now });
  const body = Buffer.from(s.body);
  const headers = { ...transportHeaders(body.length), ...s.headers };
  const req = { method: "POST", path: s.path, headers, body: new Uint8Array(body), now };
  const verifier = new api.Verifier({ vendor, keys: s.verifyKey });
  const expected = verifier.verify(req);
  const baseline = pipelines[vendor](s.verifyKey);
  const breq = { method: "POST", path: s.path, headers, body, now };
  // The baseline must build the very envelope carehook returns, or the comparison is not like for like.
  deepStrictEqual(baseline(breq), expected, `${vendor}: the node:crypto baseline's envelope differs from carehook's`);
  const bad = vendor === "mycure" ? { ...req, path: `${s.path.slice(0, -1)}0` } : { ...req, body: new Uint8Array(tamper(body)) };
  const bbad = vendor === "mycure" ? { ...breq, path: bad.path } : { ...breq, body: tamper(body) };
  return [
    carehook("carehook", verifier, req, expected.id, bad),
    { name: "node:crypto + JSON.parse", op: () => check(baseline(breq).id === expected.id, "baseline"), reject: () => baseline(bbad) },
  ];
}

/** Every timed row: { id, title, what, build: async () => contenders }. */
export function rows(api) {
  const now = Math.floor(Date.now() / 1000);
  return [
    { id: "v1-1k", title: "Standard Webhooks v1, 1 KB", what: "verify (+ JSON.parse where the library does it)", build: () => standardRow(api, 1024) },
    { id: "v1-64k", title: "Standard Webhooks v1, 64 KB", what: "verify (+ JSON.parse where the library does it)", build: () => standardRow(api, 65536) },
    { id: "ed25519-1k", title: "Ed25519 (Elation), 1 KB", what: "base64 signature → Ed25519 verify; carehook also parses and normalizes", build: () => ed25519Row(api) },
    { id: "stripe-1k", title: "Stripe, 1 KB", what: "verify + parse", build: () => stripeRow(api) },
    { id: "github-1k", title: "GitHub, 1 KB", what: "verify (octokit: verify only, async)", build: () => githubRow(api) },
    ...["elation", "elmed", "healthie", "github", "mycure"].map((v) => ({
      id: `pipeline-${v}`,
      title: `Full pipeline: ${v} (its sample, ${Buffer.byteLength(api.samples().find((s) => s.vendor === v).body)} B)`,
      what: "verify + parse + CloudEvent envelope",
      build: () => pipelineRow(api, v, now),
    })),
  ];
}

