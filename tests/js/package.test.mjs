// The package as users install it: `npm pack`, then `npm install <tarball>` (offline) into a project outside the
// repository; require() and import of every entry, the CLI from node_modules/.bin, and the TypeScript declarations
// checked with tsc against what was installed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG = join(ROOT, "pkg");
let tmp, app, packed;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: app, encoding: "utf8", timeout: 60000, ...opts });
  if (r.error) throw r.error;
  return r;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "carehook-pack-"));
  app = join(tmp, "app");
  mkdirSync(app);
  try {
    setUp();
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
});
after(() => tmp && rmSync(tmp, { recursive: true, force: true }));

function setUp() {
  const npm = (args, cwd) => execFileSync("npm", [...args, "--cache", join(tmp, "npm-cache"), "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", timeout: 120000 });
  [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", tmp], PKG));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, version: "1.0.0" }));
  npm(["install", "--offline", "--ignore-scripts", "--no-package-lock", join(tmp, packed.filename)], app);
}

test("the tarball holds the entries, adapters, CLI, declarations and .wasm, and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of [
    "package.json", "README.md", "index.node.mjs", "index.browser.mjs", "index.workerd.mjs", "index.d.ts",
    "express.d.ts", "fetch.d.ts", "src/api.js", "src/capture.js", "src/express.js", "src/fetch.js", "src/http.js", "bin/carehook.mjs",
    "dist/carehook.js", "dist/carehook_bg.wasm", "dist/index.cjs", "dist/express.cjs", "dist/fetch.cjs",
    "dist/index.d.cts", "dist/express.d.cts", "dist/fetch.d.cts",
  ]) assert.ok(files.includes(f), `missing ${f}`);
  assert.deepEqual(files.filter((f) => !/^(package\.json|README\.md|index\.|express\.d|fetch\.d|src\/|bin\/|dist\/)/.test(f)), []);
  assert.ok(!files.includes("src/node-cjs.js"), "build-only sources stay out");
  assert.equal(packed.entryCount, files.length);
});

test("require() works from outside the repository: every entry, one shared instance", () => {
  const code = `
    const c = require("carehook"), x = require("carehook/express"), f = require("carehook/fetch");
    const s = c.signedSample("github");
    const e = c.verify({ vendor: "github", keys: s.verifyKey, headers: s.headers, body: Buffer.from(s.body) });
    let shared = false;
    try { x.webhook({ vendor: "github", keys: [] }); } catch (err) { shared = err instanceof c.CarehookError && err.code === "invalid_key"; }
    console.log(JSON.stringify({ type: e.type, vendors: c.vendors().length, shared, fns: [typeof x.webhook, typeof f.webhookHandler, typeof c.readCapture, typeof c.toCurl],
      resolved: [require.resolve("carehook"), require.resolve("carehook/express")] }));`;
  const r = run(process.execPath, ["-e", code]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.type, out.vendors, out.shared, out.fns], ["github.issues.opened", 13, true, ["function", "function", "function", "function"]]);
  assert.deepEqual(out.resolved, [join(app, "node_modules/carehook/dist/index.cjs"), join(app, "node_modules/carehook/dist/express.cjs")]);
});

test("import works from outside the repository: every entry, one shared instance", () => {
  const code = `
    import * as c from "carehook"; import { webhook } from "carehook/express"; import { webhookHandler } from "carehook/fetch";
    const s = c.signedSample("stripe");
    const h = webhookHandler({ vendor: "stripe", keys: s.verifyKey }, (e) => new Response(e.type));
    const ok = await h(new Request("http://x" + s.path, { method: "POST", headers: s.headers, body: s.body }));
    const bad = await h(new Request("http://x" + s.path, { method: "POST", headers: s.headers, body: s.body + " " }));
    let shared = false;
    try { webhook({ vendor: "nope", keys: "k" }); } catch (err) { shared = err instanceof c.CarehookError; }
    // A capture read by the installed package gives the same request back.
    const cap = c.readCapture(c.toCurl({ url: "http://x" + s.path, headers: s.headers, body: s.body }));
    const again = await h(new Request(cap.url, { method: cap.method, headers: cap.headers, body: cap.body }));
    console.log(JSON.stringify({ ok: [ok.status, await ok.text()], bad: [bad.status, await bad.json()], shared,
      capture: [cap.format, again.status], resolved: [import.meta.resolve("carehook"), import.meta.resolve("carehook/fetch")] }));`;
  const r = run(process.execPath, ["--input-type=module", "-e", code]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ok, [200, "stripe.invoice.paid"]);
  assert.deepEqual(out.bad, [401, { error: "signature_mismatch", message: "no signature matches any configured key" }]);
  assert.equal(out.shared, true);
  assert.deepEqual(out.capture, ["curl", 200]);
  assert.ok(out.resolved[0].endsWith("/node_modules/carehook/index.node.mjs"), out.resolved[0]);
  assert.ok(out.resolved[1].endsWith("/node_modules/carehook/src/fetch.js"), out.resolved[1]);
});

test("the CLI runs from node_modules/.bin", () => {
  const r = run(join(app, "node_modules/.bin/carehook"), ["samples"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").length, 1 + 13);
  const v = run(join(app, "node_modules/.bin/carehook"), ["--version"]);
  assert.equal(v.stdout.trim(), packed.version);
});

test("the TypeScript declarations type-check as installed (ESM with Hono and Express usage; CommonJS without DOM types)", () => {
  for (const f of ["esm.mts", "cjs.cts"]) copyFileSync(fileURLToPath(new URL(`types/${f}`, import.meta.url)), join(app, f));
  symlinkSync(join(ROOT, "node_modules/hono"), join(app, "node_modules/hono"));
  const base = { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", types: [], skipLibCheck: false };
  writeFileSync(join(app, "tsconfig.esm.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022", "dom"] }, files: ["esm.mts"] }));
  writeFileSync(join(app, "tsconfig.cjs.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"] }, files: ["cjs.cts"] }));
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  for (const project of ["tsconfig.esm.json", "tsconfig.cjs.json"]) {
    const r = run(tsc, ["-p", project]);
    assert.equal(r.status, 0, `${project}:\n${r.stdout}${r.stderr}`);
  }
  // And tsc does report errors here: a wrong use must fail.
  writeFileSync(join(app, "wrong.mts"), `import { verify } from "carehook";\nconst n: number = verify({ vendor: "stripe" });\n`);
  writeFileSync(join(app, "tsconfig.wrong.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"] }, files: ["wrong.mts"] }));
  const wrong = run(tsc, ["-p", "tsconfig.wrong.json"]);
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stdout, /wrong\.mts.*error TS2322/);
});
