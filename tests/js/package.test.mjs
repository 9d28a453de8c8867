// The package as users install it: `npm pack`, then `npm install <tarball>` (offline) into a project outside the
// repository; require() and import of every entry (one instance, one CarehookError class for both), the CLI from
// node_modules/.bin, the license, and the TypeScript declarations checked with tsc against what was installed and
// against what the installed core says (every vendor, error code and status).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as api from "../../pkg/index.node.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG = join(ROOT, "pkg");
const VENDORS = api.vendors().length;
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

test("the tarball holds the entries, adapters, CLI, declarations, .wasm and license, and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of [
    "package.json", "README.md", "LICENSE", "index.node.mjs", "index.browser.mjs", "index.workerd.mjs", "index.d.ts",
    "express.d.ts", "fetch.d.ts", "src/api.js", "src/capture.js", "src/express.js", "src/fetch.js", "src/http.js", "bin/carehook.mjs",
    "dist/carehook.js", "dist/carehook_bg.wasm", "dist/index.cjs", "dist/express.cjs", "dist/fetch.cjs",
    "dist/index.d.cts", "dist/express.d.cts", "dist/fetch.d.cts", "dist/facts.js", "dist/facts.d.ts", "dist/facts.d.cts",
  ]) assert.ok(files.includes(f), `missing ${f}`);
  assert.deepEqual(files.filter((f) => !/^(package\.json|README\.md|LICENSE|index\.|express\.d|fetch\.d|src\/|bin\/|dist\/)/.test(f)), []);
  for (const f of ["src/node-cjs.js", "src/gen-facts.mjs"]) assert.ok(!files.includes(f), `build-only ${f} stays out`);
  assert.equal(packed.entryCount, files.length);
});

test("the installed package carries the repository's Apache-2.0 license", () => {
  const installed = readFileSync(join(app, "node_modules/carehook/LICENSE"), "utf8");
  assert.equal(installed, readFileSync(join(ROOT, "LICENSE"), "utf8"));
  assert.match(installed, /^\s*Apache License\s+Version 2\.0, January 2004/);
  assert.match(installed, /END OF TERMS AND CONDITIONS/, "the full text, not a notice");
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/carehook/package.json"), "utf8"));
  assert.equal(manifest.license, "Apache-2.0");
});

test("import and require() share one instance: one CarehookError class, whichever entry threw", () => {
  const code = `
    import { createRequire } from "node:module";
    const require = createRequire(import.meta.url);
    const esm = await import("carehook"), cjs = require("carehook");
    const esmExpress = await import("carehook/express"), cjsFetch = require("carehook/fetch");
    const thrown = [];
    for (const make of [() => esmExpress.webhook({ vendor: "stripe", keys: [] }), () => cjsFetch.webhook({ vendor: "stripe", keys: [] }),
                        () => esm.verify({ vendor: "nope", keys: "k" }), () => cjs.verify({ vendor: "nope", keys: "k" })]) {
      try { make(); } catch (e) { thrown.push(e instanceof esm.CarehookError && e instanceof cjs.CarehookError); }
    }
    console.log(JSON.stringify({ same: cjs.CarehookError === esm.CarehookError, verifier: cjs.Verifier === esm.Verifier,
      keys: Object.keys(esm).sort().join() === Object.keys(cjs).sort().join(), thrown }));`;
  const r = run(process.execPath, ["--input-type=module", "-e", code]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, verifier: true, keys: true, thrown: [true, true, true, true] });
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
  assert.deepEqual([out.type, out.vendors, out.shared, out.fns], ["github.issues.opened", VENDORS, true, ["function", "function", "function", "function"]]);
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

/** A runtime's binary: $CAREHOOK_<NAME> or on the PATH; undefined when this machine has none. */
function runtime(name) {
  const given = process.env[`CAREHOOK_${name.toUpperCase()}`];
  if (given) return given;
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

for (const [name, args] of [["deno", ["run", "--allow-read", "--allow-env"]], ["bun", []]]) {
  const bin = runtime(name);
  test(`${name} runs the installed package through its entry: one instance, batches, a vendor's statuses`, { skip: bin ? false : `no ${name} here (set CAREHOOK_${name.toUpperCase()})` }, () => {
    writeFileSync(join(app, `${name}.mjs`), `
      import * as c from "carehook";
      import { webhookHandler } from "carehook/fetch";
      import { createRequire } from "node:module";
      const cjs = createRequire(import.meta.url)("carehook");
      const s = c.signedSample("fitbit");
      const h = webhookHandler({ vendor: "fitbit", keys: s.verifyKey }, () => {});
      const ok = await h(new Request("http://x" + s.path, { method: "POST", headers: s.headers, body: s.body }));
      const bad = await h(new Request("http://x" + s.path, { method: "POST", headers: s.headers, body: s.body + " " }));
      let shared = false;
      try { cjs.verify({ vendor: "nope", keys: "k" }); } catch (e) { shared = e instanceof c.CarehookError; }
      console.log(JSON.stringify({ vendors: c.vendors().length, ok: ok.status, bad: bad.status, shared }));`);
    const r = run(bin, [...args, `${name}.mjs`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").at(-1)), { vendors: VENDORS, ok: 204, bad: 404, shared: true });
  });
}

test("the CLI runs from node_modules/.bin", () => {
  const r = run(join(app, "node_modules/.bin/carehook"), ["samples"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").length, 1 + VENDORS);
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
  // The declared unions are exactly what the installed core says: each Record must name every member, and no other.
  const core = run(process.execPath, ["--input-type=module", "-e", `
    import { readFileSync } from "node:fs";
    const glue = await import("./node_modules/carehook/dist/carehook.js");
    glue.initSync({ module: readFileSync("node_modules/carehook/dist/carehook_bg.wasm") });
    const codes = glue.errorCodes();
    console.log(JSON.stringify({ vendors: glue.vendors(), codes, statuses: codes.map((c) => glue.httpStatus(c)), kinds: codes.map((c) => glue.errorKind(c)) }));`]);
  assert.equal(core.status, 0, core.stderr);
  const facts = JSON.parse(core.stdout);
  assert.ok(facts.vendors.length === VENDORS && facts.codes.length === api.errorCodes.length);
  const record = (type, keys) => `const every${type}: Record<${type}, true> = { ${[...new Set(keys)].map((k) => `${JSON.stringify(k)}: true`).join(", ")} };`;
  writeFileSync(join(app, "facts.mts"), [
    `import type { ErrorCode, ErrorKind, ErrorStatus, Vendor } from "carehook";`,
    record("Vendor", facts.vendors), record("ErrorCode", facts.codes), record("ErrorStatus", facts.statuses), record("ErrorKind", facts.kinds),
    `import { errorCodes, vendors } from "carehook";`,
    `const listed: readonly ErrorCode[] = errorCodes; const named: Vendor[] = vendors();`,
  ].join("\n") + "\n");
  writeFileSync(join(app, "facts.cts"), [
    `import carehook = require("carehook");`,
    record("Vendor", facts.vendors).replace("Record<Vendor", "Record<carehook.Vendor"),
    record("ErrorCode", facts.codes).replace("Record<ErrorCode", "Record<carehook.ErrorCode"),
  ].join("\n") + "\n");
  writeFileSync(join(app, "tsconfig.facts.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"] }, files: ["facts.mts", "facts.cts"] }));
  const agree = run(tsc, ["-p", "tsconfig.facts.json"]);
  assert.equal(agree.status, 0, `the declarations and the core disagree:\n${agree.stdout}${agree.stderr}`);
  // And a union that lost a member, or gained one, does fail there.
  writeFileSync(join(app, "facts-wrong.mts"), record("Vendor", [...facts.vendors.slice(1), "acme"]).replace(/^/, `import type { Vendor } from "carehook";\n`) + "\n");
  writeFileSync(join(app, "tsconfig.facts-wrong.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"] }, files: ["facts-wrong.mts"] }));
  const disagree = run(tsc, ["-p", "tsconfig.facts-wrong.json"]);
  assert.notEqual(disagree.status, 0);
  assert.match(disagree.stdout, /facts-wrong\.mts.*error TS/);

  // And tsc does report errors here: a wrong use must fail.
  writeFileSync(join(app, "wrong.mts"), `import { verify } from "carehook";\nconst n: number = verify({ vendor: "stripe" });\n`);
  writeFileSync(join(app, "tsconfig.wrong.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"] }, files: ["wrong.mts"] }));
  const wrong = run(tsc, ["-p", "tsconfig.wrong.json"]);
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stdout, /wrong\.mts.*error TS2322/);
});
