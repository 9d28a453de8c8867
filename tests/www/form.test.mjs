// The inspector's pure helpers (www/form.js), in Node; the page uses the same module. Reading and writing captured
// requests is the package's readCapture, toHttp and toCurl (tests/js/capture.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fromLocalInput, joinParts, keyNotes, markdownReport, reindent, signedString, signedTime, splitKeys, splitTarget, testVector,
  toLocalInput,
} from "../../www/form.js";

test("JSON re-indented keeps every token's text", () => {
  const src = '{"id":12345678901234567890,"f":1.50,"s":"a,b:{\\"c\\"}","e":[],"o":{},"n":[1,{"x":null}]}';
  const out = reindent(src);
  assert.match(out, /"id": 12345678901234567890,/);
  assert.match(out, /"f": 1.50,/);
  assert.match(out, /"s": "a,b:\{\\"c\\"\}",/);
  assert.match(out, /"e": \[\],\n  "o": \{\},/);
  assert.deepEqual(JSON.parse(out), JSON.parse(src));
  assert.equal(reindent('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
});

test("keys are split by line and never trimmed; what a reader cannot see is named", () => {
  assert.deepEqual(splitKeys(""), []);
  assert.deepEqual(splitKeys("a \n b\n"), ["a ", " b"]);
  assert.deepEqual(splitKeys("a\n\nb"), ["a", "", "b"]);
  assert.deepEqual(keyNotes("whsec_abc"), []);
  assert.deepEqual(keyNotes(""), ["empty"]);
  assert.deepEqual(keyNotes("abc "), ["ends with whitespace"]);
  assert.deepEqual(keyNotes("\tabc"), ["starts with whitespace"]);
  assert.match(keyNotes("ab\u200bc").join(), /invisible/);
  assert.match(keyNotes('"abc"').join(), /quotes/);
});

test("the clock fields read and write UTC", () => {
  assert.equal(toLocalInput(1763800000), "2025-11-22T08:26:40");
  assert.equal(fromLocalInput("2025-11-22T08:26:40"), 1763800000);
  assert.equal(fromLocalInput("2025-11-22T08:26"), 1763800000 - 40);
  assert.equal(fromLocalInput(""), null);
});

test("a target splits as sent, absolute or not, nothing decoded", () => {
  assert.deepEqual(splitTarget("/in/x?a=%20b&c"), { path: "/in/x", query: "a=%20b&c" });
  assert.deepEqual(splitTarget("https://h.example:8443/in/x/../y?q=1#f"), { path: "/in/x/../y", query: "q=1" });
  assert.deepEqual(splitTarget("https://h.example"), { path: "/", query: "" });
  assert.deepEqual(splitTarget("/"), { path: "/", query: "" });
});

test("the signed time comes from the timestamp check, else from the diagnosis", () => {
  assert.equal(signedTime({ steps: [{ check: "timestamp format", ok: true, detail: "Unix time 1763800000" }] }), 1763800000);
  assert.equal(signedTime({ steps: [], diagnosis: ["the signature is valid: it was signed 16 min ago (2025-11-22T08:26:40Z); check it"] }), 1763800000);
  assert.equal(signedTime({ steps: [{ check: "body size", ok: true, detail: "12 bytes" }], diagnosis: [] }), null);
});

const bytes = (s) => new TextEncoder().encode(s);

test("the signed string: chosen by the checks the report made, never holding a key", () => {
  const std = {
    vendor: "fasten", verified: false,
    steps: ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => ({ check: `header ${h}`, ok: true, detail: "present" })),
  };
  const headers = [["Webhook-Id", "msg_1"], ["webhook-timestamp", "1763800000"], ["webhook-signature", "v1,abc"]];
  const s = signedString({ report: std, method: "POST", url: "/in/fasten", headers, body: bytes('{"a":1}') });
  assert.equal(s.scheme, "Standard Webhooks");
  assert.equal(joinParts(s.forms[0]), 'msg_1.1763800000.{"a":1}');
  const stripe = { vendor: "terra", verified: true, steps: [{ check: "header terra-signature", ok: true, detail: "" }, { check: "signature format", ok: true, detail: "t= and 1 v1= signature(s)" }] };
  const t = signedString({ report: stripe, url: "/", headers: [["terra-signature", "t=1763800000, v1=ab"]], body: bytes("{}") });
  assert.equal(joinParts(t.forms[0]), "1763800000.{}");
  const healthie = { vendor: "healthie", verified: true, steps: [{ check: "signed string", ok: true, detail: "" }, { check: "signature", ok: true, detail: "matches key #1 (message form 2)" }] };
  const h = signedString({ report: healthie, method: "POST", url: "https://x.example/in/h?z=1", headers: [["content-digest", "SHA-256=abc="]], body: bytes("{}"), publicPath: "/pub" });
  assert.deepEqual(h.forms.map(joinParts), ["post /pub z=1 abc application/json 2"]);
  healthie.steps[1].detail = "none matched";
  assert.deepEqual(signedString({ report: healthie, method: "POST", url: "/in/h", headers: [["content-digest", "SHA-256=abc="]], body: bytes("{}") }).forms.map(joinParts),
    ["post /in/h  abc= application/json 2", "post /in/h  abc application/json 2"]);
  // A body-only HMAC, a token, no vendor: nothing the page could show without the key.
  assert.equal(signedString({ report: { vendor: "github", steps: [{ check: "header x-hub-signature-256", ok: true, detail: "" }] }, url: "/", headers: [], body: bytes("") }), null);
  assert.equal(signedString({ report: { vendor: null, steps: [] }, url: "/", headers, body: bytes("") }), null);
});

test("a case as a test vector hides the keys (and a token in the request) unless asked", () => {
  const base = {
    vendor: "header-token", keys: ["tok_0123456789abcdef"], method: "POST", url: "/in/h/tok_0123456789abcdef",
    headers: [["authorization", "Bearer tok_0123456789abcdef"]], body: bytes("{}"), now: 1763800000, tolerance: 300,
    report: { ok: true, verified: true }, events: [{ type: "t.x", id: "1", vendor: "header-token", data: {} }], handshake: null,
  };
  const hidden = testVector({ ...base, includeKeys: false });
  assert.ok(!JSON.stringify(hidden).includes("tok_0123456789abcdef"));
  assert.deepEqual(hidden.keys, ["REPLACE_WITH_KEY_1"]);
  assert.equal(hidden.headers.authorization, "Bearer REPLACE_WITH_KEY_1");
  assert.deepEqual(hidden.expect, { ok: true, event: { vendor: "header-token", type: "t.x", id: "1" } });
  const shown = testVector({ ...base, includeKeys: true, tolerance: 60, headers: [["a", "1"], ["A", "2"]], body: new Uint8Array([0xff]) });
  assert.deepEqual(shown.keys, base.keys);
  assert.deepEqual(shown.headers, [["a", "1"], ["A", "2"]], "a repeated header keeps the pairs");
  assert.equal(shown.body_base64, "/w==");
  assert.deepEqual(shown.options, { tolerance: 60 });
  const failed = testVector({ ...base, includeKeys: false, report: { ok: false, verified: true, error: { code: "invalid_payload" } }, events: [] });
  assert.deepEqual(failed.expect, { ok: false, error: "invalid_payload", verified: true });
});

test("a Markdown report holds no key and no payload unless asked", () => {
  const args = {
    title: "✗ The signature does not match", cause: ["the body changed"], fix: "use the raw bytes", vendorName: "Stripe",
    report: { ok: false, error: { code: "signature_mismatch", message: "no | match" }, steps: [{ check: "signature", ok: false, detail: "none" }] },
    request: { method: "POST", url: "/in/s", headers: [["x-token", "Bearer secret-token-1"]], body: bytes('{"patient":"Ada"}') },
    formatName: "a raw HTTP request", now: 1763800000, tolerance: 300, keys: ["secret-token-1"], includeBody: false,
    events: [], handshake: null, signed: null, status: 401,
  };
  const md = markdownReport(args);
  assert.ok(md.startsWith("## carehook inspector: The signature does not match\n"));
  assert.match(md, /`signature_mismatch` \(HTTP 401\)/);
  assert.match(md, /no \\\| match/);
  assert.match(md, /Bearer ‹key #1›/);
  assert.ok(!md.includes("secret-token-1") && !md.includes("Ada"));
  const full = markdownReport({ ...args, includeBody: true });
  assert.ok(full.includes('{"patient":"Ada"}') && !full.includes("secret-token-1"));
});
