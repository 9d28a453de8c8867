// The command line, spawned as users run it: samples, sign → verify, send to a real server on 127.0.0.1, exit codes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as api from "../../pkg/index.node.mjs";
import { listen, tamper } from "./http.mjs";

const CLI = fileURLToPath(new URL("../../pkg/bin/carehook.mjs", import.meta.url));
const SAMPLES = Object.fromEntries(api.samples().map((s) => [s.vendor, s]));
let tmp, server;
const captures = [];

/** Runs the CLI; resolves to { code, stdout, stderr }. Bounded: killed after 15 s. */
function cli(args, { input, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const { CAREHOOK_KEY: _, ...base } = process.env;
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ["pipe", "pipe", "pipe"] });
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

const file = (name, content) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "carehook-cli-"));
  // A receiver that keeps each request exactly as received and verifies it with the package.
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const head = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) head.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      captures.push(Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n"), body]));
      const vendor = req.url.split("/")[2];
      const pairs = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      let status = 200, answer;
      try {
        answer = { type: api.verify({ vendor, keys: SAMPLES[vendor].verifyKey, url: req.url, headers: pairs, body }).type };
      } catch (e) {
        status = 401;
        answer = { error: e.code };
      }
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  server = await listen(receiver);
});
after(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("samples lists every vendor, and prints one vendor's body exactly", async () => {
  const list = await cli(["samples"]);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/));
  assert.deepEqual(rows.map((r) => r[0]), api.vendors());
  assert.deepEqual(rows.map((r) => r[1]), api.vendors().map((v) => SAMPLES[v].path));
  const one = await cli(["samples", "healthie"]);
  assert.deepEqual([one.code, one.stdout], [0, SAMPLES.healthie.body]);
  const json = await cli(["samples", "--json"]);
  assert.deepEqual(JSON.parse(json.stdout), api.samples());
});

test("sign's headers verify with verify, for every vendor", async () => {
  const now = String(Math.floor(Date.now() / 1000));
  await Promise.all(api.vendors().map(async (vendor) => {
    const s = SAMPLES[vendor];
    const body = file(`${vendor}.json`, s.body);
    const signed = await cli(["sign", vendor, "--key", s.signingKey, "--body", body, "--url", s.path, "--now", now]);
    assert.equal(signed.code, 0, `${vendor}: ${signed.stderr}`);
    const headers = file(`${vendor}.headers`, signed.stdout + s.headers.map(([k, v]) => `${k}: ${v}\n`).join(""));
    const ok = await cli(["verify", vendor, "--key", s.verifyKey, "--headers", headers, "--body", body, "--url", s.path, "--now", now]);
    assert.equal(ok.code, 0, `${vendor}: ${ok.stderr}`);
    const printed = JSON.parse(ok.stdout);
    const want = api.verifyAll({ vendor, keys: s.verifyKey, path: s.path, headers: api.signedSample(vendor, { now: Number(now) }).headers, body: s.body, now: Number(now) });
    // One event is printed as itself; a batch (or a handshake) as { events, handshake }.
    const events = want.events.length === 1 && !want.handshake ? [printed] : printed.events;
    assert.deepEqual(events.map((e) => [e.id, e.type, e.vendor]), want.events.map((e) => [e.id, e.type, vendor]), vendor);
    if (want.events.length !== 1) assert.deepEqual(printed, want, vendor);
    if (!s.signsBody) return; // a token sender (MYCURE's URL, a header token): nothing in the body is signed
    const tampered = file(`${vendor}.tampered`, tamper(s.body));
    const bad = await cli(["verify", vendor, "--key", s.verifyKey, "--headers", headers, "--body", tampered, "--url", s.path, "--now", now]);
    assert.equal(bad.code, 1, vendor);
    assert.match(bad.stderr, /^error: (signature|digest)_mismatch\n/, vendor);
  }));
});

test("verify with a wrong key: exit 1, the code, message and hint; --json gives the report", async () => {
  const s = SAMPLES.stripe;
  const body = file("stripe-body.json", s.body);
  const signed = await cli(["sign", "stripe", "--key", s.signingKey, "--body", "-", "--now", "1763800000"], { input: s.body });
  const headers = file("stripe.headers", signed.stdout);
  const args = ["verify", "stripe", "--headers", headers, "--body", body, "--now", "1763800000"];
  const bad = await cli([...args, "--key", "whsec_not_the_key"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: signature_mismatch\nno signature matches any configured key\nhint: /);
  assert.ok(!bad.stderr.includes("whsec_not_the_key") && !bad.stdout.includes("whsec_not_the_key"), "the key is not echoed");
  const fromEnv = await cli(args, { env: { CAREHOOK_KEY: s.verifyKey } });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  const report = await cli([...args, "--key", "whsec_not_the_key", "--json"]);
  assert.equal(report.code, 1);
  const r = JSON.parse(report.stdout);
  assert.deepEqual([r.ok, r.error.code, r.steps.length > 0], [false, "signature_mismatch", true]);
  const late = await cli(["verify", "stripe", "--key", s.verifyKey, "--headers", headers, "--body", body, "--now", "1763809999"]);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /^error: timestamp_out_of_tolerance\n/);
  const keyring = await cli([...args, "--key", "whsec_old", "--key", s.verifyKey]);
  assert.equal(keyring.code, 0, "any key of a repeated --key may match");
});

test("send reaches a server on 127.0.0.1, which verifies it; its capture verifies with verify", async () => {
  for (const vendor of ["elation", "healthie", "standard", "stripe", "github", "mycure"]) {
    const s = SAMPLES[vendor];
    const before = captures.length;
    const sent = await cli(["send", vendor, server.url + s.path]);
    assert.equal(sent.code, 0, `${vendor}: ${sent.stdout} ${sent.stderr}`);
    const [status, answer] = sent.stdout.split("\n");
    assert.equal(status, "HTTP 200 OK", vendor);
    const { verifyKey, ...request } = api.signedSample(vendor);
    assert.equal(JSON.parse(answer).type, api.verify({ ...request, keys: verifyKey }).type);
    assert.equal(captures.length, before + 1);
    const capture = file(`${vendor}.http`, captures.at(-1));
    const ok = await cli(["verify", vendor, "--key", s.verifyKey, "--headers", capture]);
    assert.equal(ok.code, 0, `${vendor}: a raw captured request verifies: ${ok.stderr}`);
  }
});

test("send with the wrong key or another body: the receiver's refusal, exit 1", async () => {
  const s = SAMPLES.github;
  const wrong = await cli(["send", "github", server.url + s.path, "--key", "not-the-secret"]);
  assert.equal(wrong.code, 1);
  assert.deepEqual(wrong.stdout.split("\n").slice(0, 2), ["HTTP 401 Unauthorized", '{"error":"signature_mismatch"}']);
  const own = await cli(["send", "github", server.url + s.path, "--body", file("own.json", '{"action":"opened","issue":{"number":1}}')]);
  assert.equal(own.code, 0, own.stdout + own.stderr);
});

test("send to a port nobody listens on: exit 1 with the reason", async () => {
  const probe = await listen(createServer());
  const url = probe.url;
  await probe.close();
  const res = await cli(["send", "stripe", url + "/in/stripe", "--timeout", "5"]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^error: could not reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
});

test("sign --curl prints a command that carries the signed headers and the body", async () => {
  const s = SAMPLES.stripe;
  const res = await cli(["sign", "stripe", "--key", s.signingKey, "--body", file("c.json", s.body), "--url", "http://127.0.0.1:8787/in/stripe", "--curl", "--now", "1763800000"]);
  assert.equal(res.code, 0, res.stderr);
  const headers = api.sign({ vendor: "stripe", key: s.signingKey, body: s.body, path: "/in/stripe", now: 1763800000 });
  assert.ok(res.stdout.startsWith("curl -sS -X POST http://127.0.0.1:8787/in/stripe "));
  assert.ok(res.stdout.includes(`-H 'stripe-signature: ${headers["stripe-signature"]}'`), res.stdout);
  assert.ok(res.stdout.includes(`--data-binary @${join(tmp, "c.json")}`));
  const noUrl = await cli(["sign", "stripe", "--key", s.signingKey, "--body", file("c.json", s.body), "--curl"]);
  assert.equal(noUrl.code, 2);
});

test("--help for every command; usage errors exit 2", async () => {
  for (const cmd of ["samples", "sign", "send", "verify"]) {
    const h = await cli([cmd, "--help"]);
    assert.equal(h.code, 0);
    assert.ok(h.stdout.startsWith(`Usage: carehook ${cmd}`), cmd);
  }
  const main = await cli(["--help"]);
  assert.match(main.stdout, /Exit codes: 0 done; 1 refused/);
  for (const args of [["frobnicate"], ["sign", "stripe"], ["verify", "nosuchvendor", "--key", "k", "--headers", "x"], ["sign", "stripe", "--bogus"], ["verify", "stripe", "--key", "k", "--headers", join(tmp, "missing")]]) {
    const res = await cli(args);
    assert.equal(res.code, 2, args.join(" "));
    assert.match(res.stderr, /^carehook: /);
  }
});
