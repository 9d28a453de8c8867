// node:crypto as the core's host crypto (src/host.rs, pkg/src/host-node.js): the package's Node entry installs it;
// CAREHOOK_HOST_CRYPTO=0 keeps every primitive in the core. Every answer must be the same either way: all vectors
// (Wycheproof's Ed25519 cases among them, tests/vectors/ed25519.json), and long bodies for every vendor whose
// check hashes the body, where the host computes the HMAC or SHA-256.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const nodeCrypto = require("node:crypto");
const api = require("../../pkg/dist/index.cjs");
const HERE = fileURLToPath(new URL(".", import.meta.url));

/** Each vendor whose check hashes the body, with its sample padded to `size` bytes (a JSON object still). */
function longRequests(size) {
  const now = 1763800000;
  return api
    .samples()
    .filter((s) => s.signsBody && !s.batches)
    .map((s) => {
      const parsed = JSON.parse(s.body);
      const pad = Math.max(0, size - s.body.length);
      const body = Buffer.from(JSON.stringify({ ...parsed, padding: "x".repeat(pad) }));
      const headers = { ...Object.fromEntries(s.headers), ...api.sign({ vendor: s.vendor, key: s.signingKey, body, path: s.path, now }) };
      return { vendor: s.vendor, keys: s.verifyKey, method: "POST", path: s.path, headers, body: body.toString("base64"), now };
    });
}

/** The answers of a fresh process with the host crypto on or off: the vector failures and each long request's envelope. */
function answers(hostCrypto, requests) {
  const script = `
    const api = require(${JSON.stringify(require.resolve("../../pkg/dist/index.cjs"))});
    import(${JSON.stringify(new URL("../vectors/run.mjs", import.meta.url).href)}).then(async ({ runAll }) => {
      const { vectorDocs } = await import(${JSON.stringify(new URL("./load.mjs", import.meta.url).href)});
      const { total, failures } = runAll(api, vectorDocs());
      const requests = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const out = requests.map((r) => {
        const opts = { ...r, body: Buffer.from(r.body, "base64") };
        try { return new api.Verifier(opts).verifyToJSON(opts); } catch (e) { return "error " + e.code; }
      });
      process.stdout.write(JSON.stringify({ total, failures, out }));
    });`;
  const env = { ...process.env, CAREHOOK_HOST_CRYPTO: hostCrypto ? "1" : "0" };
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { input: JSON.stringify(requests), env, cwd: HERE, maxBuffer: 64 << 20 }));
}

test("every vector and every long body get the same answer with node:crypto as the host and without it", () => {
  const requests = [...longRequests(4096), ...longRequests(70000)];
  assert.ok(requests.length >= 8, `only ${requests.length} hashing vendors`);
  const on = answers(true, requests);
  const off = answers(false, requests);
  assert.deepEqual(on.failures, []);
  assert.deepEqual(off.failures, []);
  assert.ok(on.total > 500 && on.total === off.total, `${on.total} / ${off.total} vector cases`);
  for (const [i, r] of requests.entries()) {
    assert.ok(on.out[i].startsWith("{"), `${r.vendor} ${r.body.length}: ${on.out[i].slice(0, 80)}`);
    assert.equal(on.out[i], off.out[i], `${r.vendor}: the envelopes differ`);
  }
});

test("the Node entry hands long HMAC and SHA-256 inputs and ordinary Ed25519 signatures to node:crypto", (t) => {
  // The bundle calls node:crypto through its module object, so counting wrappers see each call.
  const counts = { createHmac: 0, createHash: 0, verify: 0 };
  for (const name of Object.keys(counts)) {
    const original = nodeCrypto[name];
    nodeCrypto[name] = (...args) => {
      counts[name]++;
      return original(...args);
    };
    t.after(() => {
      nodeCrypto[name] = original;
    });
  }
  const verify = (r) => new api.Verifier(r).verify({ ...r, body: Buffer.from(r.body, "base64") });
  const long = longRequests(8192);
  const byVendor = Object.fromEntries(long.map((r) => [r.vendor, r]));
  verify(byVendor.github);
  assert.ok(counts.createHmac >= 1, "GitHub's HMAC over 8 KiB");
  assert.ok(counts.createHash >= 1, "GitHub's derived id: SHA-256 over 8 KiB");
  const before = counts.createHmac;
  const short = longRequests(0).find((r) => r.vendor === "github");
  verify(short);
  assert.equal(counts.createHmac, before, "a short body stays in the core");
  verify(byVendor.elation);
  assert.equal(counts.verify, 1, "an ordinary Ed25519 signature goes to node:crypto");
});

test("the Node entry loads node:crypto only when the core first hands it work, not at import", () => {
  // A fresh process reading its script from stdin (`node -e` has node:crypto loaded before the script runs).
  const script = `
    const loaded = () => process.moduleLoadList.includes("NativeModule crypto");
    const before = loaded();
    const api = require(${JSON.stringify(require.resolve("../../pkg/dist/index.cjs"))});
    const afterImport = loaded();
    const run = (vendor) => {
      const s = api.signedSample(vendor);
      return new api.Verifier({ vendor, keys: s.verifyKey }).verify({ path: s.path, headers: s.headers, body: Buffer.from(s.body) }).id;
    };
    const elmed = run("elmed");
    const afterShortHmac = loaded();
    const elation = run("elation");
    process.stdout.write(JSON.stringify({ before, afterImport, afterShortHmac, afterEd25519: loaded(), ids: [elmed, elation] }));`;
  const out = JSON.parse(execFileSync(process.execPath, ["-"], { input: script, cwd: HERE }).toString());
  assert.equal(out.before, false, "the probe sees node:crypto as not loaded at first");
  assert.equal(out.afterImport, false, "require() of the package loaded node:crypto");
  assert.equal(out.afterShortHmac, false, "a short HMAC (computed in the core) loaded node:crypto");
  assert.equal(out.afterEd25519, true, "an Ed25519 signature is handed to node:crypto, which is then loaded");
  assert.ok(out.ids.every((id) => typeof id === "string" && id.length > 0), JSON.stringify(out.ids));
});
