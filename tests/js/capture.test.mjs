// The captured-request reader (pkg/src/capture.js), which the CLI and the inspector share: every fixture format read
// and verified by the package and by the CLI alike; curl lines written and read back, through a real shell and a
// real curl; the forms and mistakes people paste.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as carehook from "../../pkg/index.node.mjs";
import { readCapture, toCurl, toHttp } from "../../pkg/index.node.mjs";
import { shellQuote } from "../../pkg/src/capture.js";
import { listen } from "./http.mjs";

const FIXTURES = fileURLToPath(new URL("../fixtures/capture/", import.meta.url));
const { now: NOW, fixtures } = JSON.parse(readFileSync(join(FIXTURES, "fixtures.json"), "utf8"));
const CLI = fileURLToPath(new URL("../../pkg/bin/carehook.mjs", import.meta.url));
const FORMATS = ["http", "headers", "curl", "har", "devtools", "json"];
const encode = (s) => new TextEncoder().encode(s);
const text = (bytes) => new TextDecoder().decode(bytes);
const bytesOf = (name) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const pathOf = (vendor) => carehook.samples().find((s) => s.vendor === vendor).path;
let tmp;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "carehook-capture-"));
});
after(() => tmp && rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI; resolves to { code, stdout, stderr }. Bounded: killed after 15 s. */
function cli(args, { input, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const { CAREHOOK_KEY: _, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out = [], err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(input);
  });
}

function read(f) {
  return readCapture(bytesOf(f.file), { body: f.body ? bytesOf(f.body) : undefined });
}

function verifyFixture(f, cap = read(f)) {
  return carehook.verify({ vendor: f.vendor, keys: f.key, ...cap, url: cap.url ?? pathOf(f.vendor), now: NOW });
}

// ---- the fixtures -----------------------------------------------------------------------------------------------

test("there is a fixture for every format, each a signed webhook of its own vendor", () => {
  assert.deepEqual([...new Set(fixtures.map((f) => f.format))].sort(), [...FORMATS].sort());
  assert.ok(fixtures.length >= 12, `${fixtures.length} fixtures`);
  assert.ok(new Set(fixtures.map((f) => f.vendor)).size >= 12, "one vendor each, nearly");
  const wrapped = fixtures.filter((f) => /^(markdown|email|indented)-/.test(f.file)).map((f) => f.file);
  assert.equal(wrapped.length, 3, "fenced, quoted and indented pastes");
});

for (const f of fixtures) {
  test(`fixture ${f.file}: read as ${f.format} and verified by the package`, () => {
    const cap = read(f);
    assert.equal(cap.format, f.format);
    assert.equal(cap.method, f.method);
    assert.equal(cap.url, f.url);
    assert.ok(cap.headers.length >= 3, JSON.stringify(cap.headers));
    assert.ok(cap.headers.every(([n]) => !n.startsWith(":")), "pseudo-headers are not headers");
    assert.ok(cap.body instanceof Uint8Array && cap.body.length > 0);
    for (const n of cap.notes) assert.ok(n.line === null || Number.isInteger(n.line), JSON.stringify(n));
    const event = verifyFixture(f, cap);
    assert.deepEqual({ id: event.id, type: event.type }, f.event);
    assert.equal(event.vendor, f.vendor);
    // A changed body does not verify: the reader gave the signed bytes, not some other reading of them.
    if (f.vendor !== "mycure") {
      const body = cap.body.slice();
      body[body.indexOf(0x3a)] = 0x20; // the first ":" of the JSON becomes a space
      assert.throws(() => verifyFixture(f, { ...cap, body }), (e) => /^(signature|digest)_mismatch$/.test(e.code), f.file);
    }
  });
}

test("every fixture read by the CLI gives the package's event", async () => {
  await Promise.all(fixtures.map(async (f) => {
    const args = ["verify", f.vendor, "--key", f.key, "--capture", join(FIXTURES, f.file), "--now", String(NOW)];
    if (f.body) args.push("--body", join(FIXTURES, f.body));
    if (f.url === null) args.push("--url", pathOf(f.vendor));
    const res = await cli(args);
    assert.equal(res.code, 0, `${f.file}: ${res.stderr}`);
    assert.deepEqual(JSON.parse(res.stdout), verifyFixture(f), f.file);
    // --json says how the capture was read.
    const json = await cli([...args, "--json"]);
    assert.equal(json.code, 0, f.file);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual([report.capture.format, report.capture.method, report.capture.url], [f.format, f.method, f.url], f.file);
  }));
});

test("the CLI reads a capture from standard input, and the old --headers name still works", async () => {
  const f = fixtures.find((x) => x.format === "curl");
  const viaStdin = await cli(["verify", f.vendor, "--key", f.key, "--capture", "-", "--now", String(NOW)], { input: bytesOf(f.file) });
  assert.equal(viaStdin.code, 0, viaStdin.stderr);
  const old = await cli(["verify", f.vendor, "--key", f.key, "--headers", join(FIXTURES, f.file), "--now", String(NOW)]);
  assert.equal(old.code, 0, old.stderr);
  assert.deepEqual(JSON.parse(old.stdout), JSON.parse(viaStdin.stdout));
  const both = await cli(["verify", f.vendor, "--key", f.key, "--headers", "a", "--capture", "b"]);
  assert.equal(both.code, 2);
});

test("a HAR file: the first request that is not a GET, or the one asked for", async () => {
  const f = fixtures.find((x) => x.format === "har");
  const cap = read(f);
  assert.deepEqual([cap.entry, cap.entries], [1, 3]);
  assert.match(cap.notes.map((n) => n.message).join("|"), /read request 1 of 3/);
  const first = readCapture(bytesOf(f.file), { entry: 0 });
  assert.deepEqual([first.method, first.url, first.entry, first.body.length], ["GET", "https://hooks.example.com/health", 0, 0]);
  const missing = readCapture(bytesOf(f.file), { entry: 7 });
  assert.match(missing.notes.map((n) => n.message).join("|"), /there is no request 7/);
  // One entry alone, as devtools' "Copy as HAR" gives it, reads the same.
  const entry = JSON.parse(text(bytesOf(f.file))).log.entries[1];
  const alone = readCapture(JSON.stringify(entry));
  assert.deepEqual([alone.format, alone.headers, alone.body], ["har", cap.headers, cap.body]);
  const byCli = await cli(["verify", f.vendor, "--key", f.key, "--capture", join(FIXTURES, f.file), "--entry", "0", "--now", String(NOW)]);
  assert.equal(byCli.code, 1, "the GET entry is not the webhook");
  assert.match(byCli.stderr, /^error: missing_header\n/);
  const bad = await cli(["verify", f.vendor, "--key", f.key, "--capture", join(FIXTURES, f.file), "--entry", "x"]);
  assert.equal(bad.code, 2);
});

// ---- curl lines, written and read back --------------------------------------------------------------------------

const TRICKY = [
  '{"name": "O\'Brien", "note": "$HOME `id` \\n"}\nsecond line',
  "@/etc/passwd",
  "@-",
  "tab\there, CR\r\nand a bell \u0007",
  "!history !! and \\backslashes\\",
  "unicode: é ü 漢字 🙂 \u2028",
  "",
  "-d",
  "--data-binary @secret",
];

test("toCurl → readCapture gives the same request back, for every vendor's signed sample, and the same verdict", () => {
  for (const vendor of carehook.vendors()) {
    const s = carehook.signedSample(vendor, { now: NOW, id: "msg_roundtrip" });
    const url = `https://hooks.example.com${s.path}?next=https://a.example/b`;
    const headers = { ...s.headers, ...carehook.sign({ vendor, key: carehook.samples().find((x) => x.vendor === vendor).signingKey, body: s.body, url, now: NOW, id: "msg_roundtrip" }) };
    const request = { method: "POST", url, headers: Object.entries(headers), body: encode(s.body) };
    const back = readCapture(toCurl(request));
    assert.equal(back.format, "curl");
    assert.deepEqual([back.method, back.url, back.body], ["POST", url, request.body], vendor);
    // The headers as given (less the two curl computes), then what curl adds: its Content-Length, a Content-Type.
    const want = request.headers.filter(([n]) => !/^(content-length|host)$/i.test(n));
    assert.deepEqual(back.headers.slice(0, want.length), want, vendor);
    const added = back.headers.slice(want.length);
    assert.deepEqual(added.at(-1), ["Content-Length", String(request.body.length)], vendor);
    assert.ok(added.slice(0, -1).every(([n]) => n === "Content-Type"), vendor);
    const direct = carehook.inspect({ vendor, keys: s.verifyKey, ...request, now: NOW });
    const read = carehook.inspect({ vendor, keys: s.verifyKey, ...back, now: NOW });
    assert.deepEqual([read.ok, read.error?.code, read.event], [direct.ok, direct.error?.code, direct.event], vendor);
    if (!/^(junction|fasten|terra|header-token|drchrono)$/.test(vendor)) assert.equal(read.ok, true, vendor);
  }
});

test("curl lines survive a real shell byte for byte, and readCapture reads them as bash does", () => {
  const bodies = [...TRICKY.map(encode), new Uint8Array([0x7b, 0xff, 0xfe, 0x0a, 0x80, 0x7d])];
  for (const body of bodies) {
    const line = toCurl({ method: "POST", url: "http://127.0.0.1:1/in/x?next=https://a.example/b", headers: [["X-Sig", "v1,a b'c"], ["X-Empty", ""], ["Content-Length", "9"]], body });
    assert.doesNotMatch(line, /Content-Length/);
    // Replace curl by a shell function that prints its arguments, and let bash parse the line.
    const args = execFileSync("bash", ["-c", `curl() { printf '%s\\0' "$@"; }; ${line}`]);
    const words = [];
    for (let at = 0, i; (i = args.indexOf(0, at)) >= 0; at = i + 1) words.push(args.subarray(at, i));
    assert.deepEqual(words.slice(0, -1).map(text), ["-sS", "-X", "POST", "http://127.0.0.1:1/in/x?next=https://a.example/b", "-H", "X-Sig: v1,a b'c", "-H", "X-Empty;", "--data-raw"]);
    assert.deepEqual(new Uint8Array(words.at(-1)), body, line);
    const back = readCapture(line);
    assert.deepEqual(back.body, body, line);
    assert.deepEqual(back.headers.slice(0, 2), [["X-Sig", "v1,a b'c"], ["X-Empty", ""]]);
    assert.equal(back.bodyFile, null);
  }
  assert.throws(() => toCurl({ url: "http://x/", body: "a\0b" }), /NUL/);
  assert.throws(() => toCurl({ url: "/in/x", body: "" }), /absolute URL/);
  assert.equal(toCurl({ url: "/in/x?next=https://a.example/b", body: "" }, { base: "http://127.0.0.1:8787/" }).split(" ")[4],
    "'http://127.0.0.1:8787/in/x?next=https://a.example/b'");
});

test("a real curl sends exactly the body: one starting with @ is sent as text, never read from a file", async () => {
  writeFileSync(join(tmp, "secret"), "the contents of a file");
  const received = [];
  const server = await listen(createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url, headers: req.headers, body: new Uint8Array(Buffer.concat(chunks)) });
      res.writeHead(200).end();
    });
  }));
  try {
    for (const body of [...TRICKY.map(encode), encode("@secret"), new Uint8Array([0xff, 0x40, 0x0a])]) {
      const line = toCurl({ method: "POST", url: `${server.url}/in/x?next=https://a.example/b`, headers: [["Content-Type", "application/json"]], body });
      await promisify(execFile)("bash", ["-c", line], { cwd: tmp, timeout: 10_000 });
      const got = received.at(-1);
      assert.deepEqual(got.body, body, line);
      assert.equal(got.url, "/in/x?next=https://a.example/b");
      assert.equal(got.headers["content-length"], String(body.length));
    }
  } finally {
    await server.close();
  }
});

test("a curl body read from a file is named, not invented; the CLI reads the file as curl would", async () => {
  const f = fixtures.find((x) => x.vendor === "github");
  const sig = readCapture(bytesOf(f.file)).headers;
  const line = toCurl({ method: "POST", url: "https://hooks.example.com/in/github", headers: sig }, { bodyFile: join(FIXTURES, f.body) });
  assert.match(line, / --data-binary @\S+headers-github\.json$/);
  const cap = readCapture(line);
  assert.equal(cap.body, null);
  assert.deepEqual(cap.bodyFile, { path: join(FIXTURES, f.body), binary: true });
  assert.match(cap.notes.map((n) => n.message).join("|"), /reads the body from the file .*headers-github\.json: give the body apart/);
  writeFileSync(join(tmp, "github.sh"), line);
  const ok = await cli(["verify", "github", "--key", f.key, "--capture", join(tmp, "github.sh"), "--now", String(NOW)]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), verifyFixture(f));
  // -d @FILE: curl leaves the file's line breaks out, and so does the CLI.
  writeFileSync(join(tmp, "body-lines.json"), text(bytesOf(f.body)).replace(/,/g, ",\n"));
  writeFileSync(join(tmp, "github-d.sh"), line.replace(/--data-binary \S+$/, "-d @body-lines.json"));
  const d = await cli(["verify", "github", "--key", f.key, "--capture", "github-d.sh"], { cwd: tmp });
  assert.equal(d.code, 0, d.stderr);
  const stdin = readCapture("curl https://x/in/github --data-binary @-");
  assert.deepEqual(stdin.bodyFile, { path: "-", binary: true });
  const none = await cli(["verify", "github", "--key", f.key, "--capture", "-"], { input: "curl https://x/in/github --data-binary @-" });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /verify needs --body FILE .*\n(note: .*\n)*note: curl reads the body from standard input/);
});

test("sign --curl prints a line readCapture reads back, and its body verifies", async () => {
  for (const vendor of ["elation", "healthie", "standard", "mycure"]) {
    const s = carehook.samples().find((x) => x.vendor === vendor);
    const url = `https://hooks.example.com${s.path}?next=https://a.example/b`;
    const res = await cli(["sign", vendor, "--key", s.signingKey, "--body", "-", "--url", url, "--now", String(NOW), "--id", "msg_1", "--curl"], { input: s.body });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, / --data-raw /);
    const cap = readCapture(res.stdout);
    assert.deepEqual([cap.format, cap.url, text(cap.body)], ["curl", url, s.body]);
    assert.equal(carehook.verify({ vendor, keys: s.verifyKey, ...cap, now: NOW }).vendor, vendor);
  }
  const at = await cli(["sign", "github", "--key", "k", "--body", "-", "--url", "http://127.0.0.1:1/in/github", "--curl"], { input: "@/etc/passwd" });
  assert.equal(at.code, 0, at.stderr);
  assert.match(at.stdout, /--data-raw @\/etc\/passwd\n$/);
  assert.deepEqual([readCapture(at.stdout).bodyFile, text(readCapture(at.stdout).body)], [null, "@/etc/passwd"]);
  const nul = await cli(["sign", "github", "--key", "k", "--body", "-", "--url", "http://127.0.0.1:1/in/github", "--curl"], { input: "a\0b" });
  assert.equal(nul.code, 2);
  assert.match(nul.stderr, /NUL.*--body FILE/);
});

test("curl's own rules: data joined with &, -G, -u, --json, -XPOST, a prompt, unknown options noted by line", () => {
  const c = readCapture("$ curl -sSX post 'localhost:8787/in/x?next=https://a.example/b#frag' -d a=1 --data-urlencode 'q=a b&c' -u user:pw \\\n  --frobnicate -H 'X-A;' -H 'Host:'");
  assert.equal(c.method, "POST");
  assert.equal(c.url, "http://localhost:8787/in/x?next=https://a.example/b", "no scheme: http://; the fragment is not sent");
  assert.equal(text(c.body), "a=1&q=a%20b%26c");
  assert.deepEqual(c.headers, [["X-A", ""], ["Authorization", "Basic dXNlcjpwdw=="], ["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", "15"]]);
  const notes = c.notes.map((n) => `${n.line}: ${n.message}`).join("|");
  assert.match(notes, /2: curl option --frobnicate is not one carehook knows/);
  assert.match(notes, /2: -H "Host:" stops curl sending its own Host header/);
  assert.match(notes, /#fragment/);
  const g = readCapture("curl -G https://x/in/y?a=1 -d b=2");
  assert.deepEqual([g.method, g.url, g.body.length], ["GET", "https://x/in/y?a=1&b=2", 0]);
  const j = readCapture(`curl --json '{"a":1}' https://x/in/y`);
  assert.deepEqual(j.headers, [["Content-Type", "application/json"], ["Accept", "application/json"], ["Content-Length", "7"]]);
  const x = readCapture(`curl -XPUT "https://x/in/\${ROUTE}" --data-binary "a\\"b"; echo done`);
  assert.deepEqual([x.method, x.url, text(x.body)], ["PUT", "https://x/in/${ROUTE}", 'a"b']);
  assert.match(x.notes.map((n) => n.message).join("|"), /shell variables.*not expanded.*\|.*goes on after ";"/);
});

// ---- the other forms, and what does not add up -------------------------------------------------------------------

test("a raw request with CRLF or LF keeps the body's bytes; a target whose query holds a URL stays whole", () => {
  for (const eol of ["\r\n", "\n"]) {
    const raw = `POST /in/healthie?next=https://a.example/b HTTP/1.1${eol}Host: x${eol}Content-Type:  application/json ${eol}X-Empty:${eol}${eol}{"a": 1}\r\n`;
    const r = readCapture(raw);
    assert.deepEqual([r.format, r.method, r.url], ["http", "POST", "/in/healthie?next=https://a.example/b"]);
    assert.deepEqual(r.headers, [["Host", "x"], ["Content-Type", "application/json"], ["X-Empty", ""]]);
    assert.equal(text(r.body), '{"a": 1}\r\n');
  }
  const bytes = encode("PUT / HTTP/1.1\r\nContent-Length: 9\r\n\r\na\r\n\r\nb\r\nc");
  const r = readCapture(bytes);
  assert.deepEqual([r.method, text(r.body), r.notes], ["PUT", "a\r\n\r\nb\r\nc", []]);
  const notUtf8 = readCapture(new Uint8Array([...encode("POST / HTTP/1.1\n\n"), 0xff, 0x00, 0x0d]));
  assert.deepEqual(notUtf8.body, new Uint8Array([0xff, 0x00, 0x0d]));
});

test("a MYCURE token and a Healthie signature over a query that holds a URL", () => {
  const m = carehook.samples().find((s) => s.vendor === "mycure");
  const target = `${m.path}?next=https://a.example/b`;
  for (const capture of [toHttp({ url: target, headers: m.headers, body: m.body }), toCurl({ url: target, headers: m.headers, body: m.body }, { base: "https://h.example" })]) {
    const cap = readCapture(capture);
    assert.ok(cap.url.endsWith(target), cap.url);
    assert.equal(carehook.verify({ vendor: "mycure", keys: m.verifyKey, ...cap }).vendor, "mycure");
  }
  const h = carehook.samples().find((s) => s.vendor === "healthie");
  const path = "/in/healthie?next=https://a.example/b";
  const signed = carehook.sign({ vendor: "healthie", key: h.signingKey, body: h.body, url: path, now: NOW });
  const cap = readCapture(toHttp({ url: path, headers: Object.entries(signed), body: h.body }));
  assert.equal(cap.url, path);
  assert.equal(carehook.verify({ vendor: "healthie", keys: h.verifyKey, ...cap, now: NOW }).vendor, "healthie");
  assert.throws(() => carehook.verify({ vendor: "healthie", keys: h.verifyKey, ...cap, url: "/in/healthie?next=https:", now: NOW }), /./);
});

test("notes say what does not add up instead of fixing it", () => {
  const messages = (r) => r.notes.map((n) => (n.line === null ? "" : `${n.line}: `) + n.message).join("|");
  const trailing = readCapture("POST / HTTP/1.1\nContent-Length: 2\n\n{}\n");
  assert.equal(text(trailing.body), "{}\n");
  assert.match(messages(trailing), /3 bytes but Content-Length says 2.*line break the sender did not send/);
  assert.match(messages(readCapture("POST / HTTP/1.1\nContent-Length: 9\n\n{\n\"a\"\n}")), /probably CRLF/);
  const odd = readCapture("POST / HTTP/1.1\nnot a header\nA: b\n  folded\n\nx");
  assert.deepEqual(odd.headers, [["A", "b folded"]]);
  assert.match(messages(odd), /2: not a header: ignored.*4: continues the previous header/);
  const headless = readCapture("Stripe-Signature: t=1,v1=aa\n\n{}");
  assert.deepEqual([headless.format, headless.method, headless.url], ["headers", null, null]);
  assert.match(messages(headless), /no request line/);
  const noBody = readCapture("POST /in/x HTTP/1.1\nA: b");
  assert.equal(noBody.body, null);
  assert.match(messages(noBody), /no blank line after the headers/);
  const glued = readCapture("POST /in/x HTTP/1.1\nA: b\n{\"a\": 1}\n\n{}");
  assert.deepEqual([glued.headers, text(glued.body)], [[["A", "b"]], '{"a": 1}\n\n{}']);
  assert.match(messages(glued), /3: the body starts here, with no blank line/);
  const parsedBody = readCapture(JSON.stringify({ method: "POST", url: "/in/x", headers: { a: "1" }, body: { b: 2 } }));
  assert.match(messages(parsedBody), /logged as parsed JSON/);
});

test("developer tools: HTTP/2 pseudo-headers, names and values on alternate lines, an HTTP/2 request line", () => {
  const h2 = readCapture(":method: POST\n:path: /in/github?next=https://a.example/b\n:authority: hooks.example.com\nx-hub-signature-256: sha256=00\n\n{}");
  assert.deepEqual([h2.format, h2.method, h2.url, h2.headers, h2.notes], ["devtools", "POST", "/in/github?next=https://a.example/b", [["x-hub-signature-256", "sha256=00"]], []]);
  const panel = readCapture(":method\nPOST\n:path\n/in/x\ncontent-type:\napplication/json\nx-url\nhttps://a.example/b\n\n{}");
  assert.deepEqual([panel.format, panel.method, panel.url], ["devtools", "POST", "/in/x"]);
  assert.deepEqual(panel.headers, [["content-type", "application/json"], ["x-url", "https://a.example/b"]]);
  const firefox = readCapture("POST /in/svix HTTP/2\nHost: h\nsvix-id: 1");
  assert.deepEqual([firefox.format, firefox.body], ["devtools", null]);
  assert.match(firefox.notes[0].message, /copy the headers only/);
  assert.deepEqual(readCapture("POST /in/svix HTTP/2\nHost: h", { body: "{}" }).notes, []);
});

test("headers and body apart: blank lines between headers, a JSON object of headers; the body given wins", () => {
  const h = readCapture("A: 1\r\n\r\nB: two words\n", { body: '{"b":2}' });
  assert.deepEqual([h.format, h.headers, text(h.body), h.notes], ["headers", [["A", "1"], ["B", "two words"]], '{"b":2}', []]);
  const again = readCapture(toHttp({ method: "POST", url: "/x", headers: h.headers, body: h.body }));
  assert.deepEqual([again.method, again.url, again.headers, text(again.body)], ["POST", "/x", h.headers, '{"b":2}']);
  const commented = readCapture("# copied from the proxy's log\nA: 1\n", { body: "" });
  assert.deepEqual([commented.headers, commented.notes], [[["A", "1"]], []]);
  const obj = readCapture('{"content-type": "application/json", "x-hub-signature-256": ["sha256=1", "sha256=2"]}', { body: "{}" });
  assert.deepEqual([obj.format, obj.headers], ["json", [["content-type", "application/json"], ["x-hub-signature-256", "sha256=1"], ["x-hub-signature-256", "sha256=2"]]]);
  const replaced = readCapture("POST / HTTP/1.1\nA: b\n\nold", { body: "new" });
  assert.deepEqual([text(replaced.body), replaced.notes.map((n) => n.message)], ["new", ["the body given apart replaces the one in the capture"]]);
  const alone = readCapture('{"resource_id":"1","event_type":"x"}');
  assert.deepEqual([alone.format, alone.headers, text(alone.body)], ["body", [], '{"resource_id":"1","event_type":"x"}']);
});

test("JSON logs: Node's rawHeaders, a Lambda event in base64, a request nested with its body beside it", () => {
  const raw = readCapture(JSON.stringify({ req: { method: "POST", url: "/in/x", rawHeaders: ["X-Sig", "a", "X-Sig", "b"] }, body: "{}" }));
  assert.deepEqual([raw.format, raw.headers, text(raw.body)], ["json", [["X-Sig", "a"], ["X-Sig", "b"]], "{}"]);
  const lambda = readCapture(JSON.stringify({ requestContext: { http: { method: "POST" } }, rawPath: "/in/x", rawQueryString: "next=https://a.example/b", headers: { "x-a": "1" }, body: btoa("{\"a\":1}"), isBase64Encoded: true }));
  assert.deepEqual([lambda.method, lambda.url, text(lambda.body)], ["POST", "/in/x?next=https://a.example/b", '{"a":1}']);
  const broken = readCapture(JSON.stringify({ method: "POST", url: "/in/x", headers: { a: "1" }, body_base64: "not base64!" }));
  assert.deepEqual([broken.body, broken.notes.map((n) => n.message)], [null, ["the body is marked base64 but is not: left out"]]);
});

test("odd input never throws: random bytes, every cut of every fixture", () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = encode(" \t\r\n\\'\"$`:;{}[]<>@#-=&|curlHTTP/1.1POST:method\u00e9");
  for (let i = 0; i < 300; i++) {
    const bytes = new Uint8Array(Math.floor(rnd() * 200)).map(() => (rnd() < 0.8 ? alphabet[Math.floor(rnd() * alphabet.length)] : Math.floor(rnd() * 256)));
    const r = readCapture(bytes);
    assert.ok(Array.isArray(r.headers) && Array.isArray(r.notes));
  }
  for (const f of fixtures) {
    const bytes = bytesOf(f.file);
    for (let cut = 0; cut < bytes.length; cut += 7) {
      const r = readCapture(bytes.subarray(0, cut));
      assert.ok(FORMATS.includes(r.format) || r.format === "body", r.format);
      for (const n of r.notes) assert.ok(n.line === null || (Number.isInteger(n.line) && n.line >= 1), `${f.file}@${cut}: ${JSON.stringify(n)}`);
    }
  }
  assert.throws(() => readCapture(42), TypeError);
});

test("shellQuote: bare words stay bare, others are quoted so a POSIX shell gives them back", () => {
  assert.equal(shellQuote("https://x/in/y"), "https://x/in/y");
  assert.equal(shellQuote("=x"), "'=x'");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote("a\tb"), "$'a\\tb'");
  assert.equal(shellQuote(new Uint8Array([0xff])), "$'\\xff'");
});
