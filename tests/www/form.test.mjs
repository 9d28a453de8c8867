// The inspector's request reader and writers (www/request.js), in Node; the page uses the same module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  curlLine, formatRaw, fromLocalInput, keyNotes, parseHeaders, parseRaw, reindent, splitKeys, toLocalInput,
} from "../../www/request.js";

const text = (bytes) => new TextDecoder().decode(bytes);

test("reads a captured request with CRLF or LF, keeping the body's bytes", () => {
  for (const eol of ["\r\n", "\n"]) {
    const raw = `POST /in/healthie?a=1 HTTP/1.1${eol}Host: x${eol}Content-Type:  application/json ${eol}X-Empty:${eol}${eol}{"a": 1}\r\n`;
    const r = parseRaw(raw);
    assert.equal(r.method, "POST");
    assert.equal(r.target, "/in/healthie?a=1");
    assert.deepEqual(r.headers, [["Host", "x"], ["Content-Type", "application/json"], ["X-Empty", ""]]);
    assert.equal(text(r.body), '{"a": 1}\r\n');
  }
});

test("a body's blank lines and CRLFs stay in the body; bytes in, bytes out", () => {
  const bytes = new TextEncoder().encode("PUT / HTTP/1.1\r\nContent-Length: 9\r\n\r\na\r\n\r\nb\r\nc");
  const r = parseRaw(bytes);
  assert.equal(r.method, "PUT");
  assert.equal(text(r.body), "a\r\n\r\nb\r\nc");
  assert.deepEqual(r.notes, []);
});

test("notes what does not add up instead of fixing it", () => {
  const trailing = parseRaw("POST / HTTP/1.1\nContent-Length: 2\n\n{}\n");
  assert.equal(text(trailing.body), "{}\n");
  assert.match(trailing.notes.join("|"), /3 bytes but Content-Length says 2.*line break the sender did not send/);
  const crlf = parseRaw("POST / HTTP/1.1\nContent-Length: 9\n\n{\n\"a\"\n}");
  assert.match(crlf.notes.join("|"), /probably CRLF/);
  const odd = parseRaw("POST / HTTP/1.1\nnot a header\nA: b\n  folded\n\nx");
  assert.deepEqual(odd.headers, [["A", "b folded"]]);
  assert.match(odd.notes.join("|"), /line 2 is not a header.*line 4 continues/);
  const headless = parseRaw("Stripe-Signature: t=1,v1=aa\n\n{}");
  assert.equal(headless.method, "POST");
  assert.equal(headless.target, "/");
  assert.match(headless.notes.join("|"), /no request line/);
});

test("HTTP/2 pseudo-headers as developer tools show them", () => {
  const r = parseRaw(":method: POST\n:path: /in/github\n:authority: hooks.example.com\nx-hub-signature-256: sha256=00\n\n{}");
  assert.equal(r.target, "/in/github");
  assert.deepEqual(r.headers, [["x-hub-signature-256", "sha256=00"]]);
  assert.deepEqual(r.notes, []);
});

test("headers typed alone, and a request written back", () => {
  const h = parseHeaders("A: 1\r\n\r\nB: two words\n");
  assert.deepEqual(h.headers, [["A", "1"], ["B", "two words"]]);
  const req = { method: "POST", target: "/x", headers: h.headers, body: '{"b":2}' };
  const again = parseRaw(formatRaw(req));
  assert.deepEqual([again.method, again.target, again.headers, text(again.body)], ["POST", "/x", h.headers, '{"b":2}']);
});

test("the curl line survives a real shell: quotes, newlines and dollars arrive intact", () => {
  const body = `{"name": "O'Brien", "note": "$HOME \`id\` \\n"}\nsecond line`;
  const line = curlLine({ url: "http://127.0.0.1:1/in/x", headers: [["X-Sig", "v1,a b'c"], ["Content-Length", "9"]], body });
  assert.doesNotMatch(line, /Content-Length/);
  // Replace curl by a shell function that prints its arguments, and let bash parse the line.
  const args = execFileSync("bash", ["-c", `curl() { printf '%s\\0' "$@"; }; ${line}`]).toString().split("\0").slice(0, -1);
  assert.deepEqual(args, ["-sS", "-X", "POST", "http://127.0.0.1:1/in/x", "-H", "X-Sig: v1,a b'c", "--data-binary", body]);
});

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
