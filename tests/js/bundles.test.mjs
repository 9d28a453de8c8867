// The package as bundlers see it. esbuild resolves "carehook" through package.json exports with the workerd and
// browser conditions; the workerd bundle runs in workerd (Miniflare): every vector, and a webhook endpoint made with
// carehook/fetch. Neither bundle may reference Node built-ins. (The browser bundle runs in the Chromium suite.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import * as api from "../../pkg/index.node.mjs";
import { vectorDocs, SHARED_CASES } from "./load.mjs";
import { tamper } from "./http.mjs";

const PKG = fileURLToPath(new URL("../../pkg", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
let tmp, mf, workerJs, browserJs;

/** Bundles `entry` the way an application's build would, with "carehook" installed in node_modules. */
async function bundle(entry, outdir, extra) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    outdir,
    nodePaths: [join(tmp, "node_modules")],
    logLevel: "silent",
    metafile: true,
    ...extra,
  });
  const out = resolve(Object.keys(result.metafile.outputs).find((f) => f.endsWith(".js")));
  return { text: readFileSync(out, "utf8"), path: out, meta: result.metafile };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "carehook-bundles-"));
  try {
    await setUp();
  } catch (e) {
    await cleanUp();
    throw e;
  }
});
after(cleanUp);

async function cleanUp() {
  await mf?.dispose();
  mf = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

async function setUp() {
  mkdirSync(join(tmp, "node_modules"));
  symlinkSync(PKG, join(tmp, "node_modules", "carehook"));
  const worker = await bundle(fixture("worker.mjs"), join(tmp, "worker"), {
    platform: "neutral",
    conditions: ["workerd", "worker"],
    loader: { ".wasm": "copy" }, // kept as a module import: workerd compiles it (no fetch, no eval)
  });
  workerJs = worker;
  browserJs = await bundle(fixture("browser.mjs"), join(tmp, "browser"), { platform: "browser", conditions: ["browser"] });
  const keys = Object.fromEntries(api.samples().map((s) => [s.vendor, s.verifyKey]));
  mf = new Miniflare({
    modules: true,
    scriptPath: worker.path,
    modulesRoot: dirname(worker.path),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    bindings: { KEYS: keys },
    cf: false,
  });
  await mf.ready;
}

/** The code with string literals and comments removed: what is left are references. */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
}

function assertNoNode({ text, meta }, name) {
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.some((f) => f.endsWith("pkg/src/api.js")), `${name}: the package is bundled`);
  assert.ok(!inputs.some((f) => /index\.node\.mjs|index\.cjs|node-cjs/.test(f)), `${name}: a Node entry was picked`);
  for (const out of Object.values(meta.outputs)) {
    for (const imp of out.imports ?? []) assert.ok(imp.path.endsWith(".wasm"), `${name} imports ${imp.path}`);
  }
  const refs = code(text);
  assert.match(refs, /\bnew TextEncoder\b/, `${name}: the scan sees code`);
  assert.doesNotMatch(text, /\bfrom\s*["']node:|require\(\s*["']node:|import\(\s*["']node:/, `${name}: node: import`);
  assert.doesNotMatch(refs, /\bBuffer\b/, `${name}: Buffer reference`);
  assert.doesNotMatch(refs, /\bprocess\b/, `${name}: process reference`);
  assert.doesNotMatch(refs, /\brequire\s*\(/, `${name}: require call`);
  assert.doesNotMatch(refs, /\b__dirname\b|\b__filename\b/, `${name}: CommonJS paths`);
}

test("the workerd bundle uses the workerd entry and no Node built-ins", () => {
  assertNoNode(workerJs, "workerd");
  assert.ok(Object.keys(workerJs.meta.inputs).some((f) => f.endsWith("pkg/index.workerd.mjs")));
  assert.match(workerJs.text, /import \w+ from "\.\/carehook_bg-\w+\.wasm"/, "the .wasm is imported as a module");
});

test("the browser bundle uses the browser entry, keeps the .wasm initialization, and no Node built-ins", () => {
  assertNoNode(browserJs, "browser");
  assert.ok(Object.keys(browserJs.meta.inputs).some((f) => f.endsWith("pkg/index.browser.mjs")));
  // The entry's top-level initialization must survive tree shaking (the entries are declared as having side effects).
  assert.match(browserJs.text, /await __wbg_init\(\{ module_or_path: new URL\("\.\/dist\/carehook_bg\.wasm", import\.meta\.url\) \}\)/);
  assert.ok(browserJs.text.indexOf("await __wbg_init(") < browserJs.text.indexOf("signedSample(\"stripe\")"), "initialized before use");
});

test("every vector passes through the package in workerd", async () => {
  const res = await mf.dispatchFetch("http://localhost/vectors", { method: "POST", body: JSON.stringify(vectorDocs()) });
  assert.equal(res.status, 200, await res.clone().text());
  const { total, failures } = await res.json();
  assert.ok(total >= SHARED_CASES, `only ${total} cases ran`);
  assert.deepEqual(failures, []);
});

test("a carehook/fetch endpoint in workerd: every vendor's signed sample passes, tampered ones are refused", async () => {
  for (const { vendor, signsBody, unauthenticatedStatus } of api.samples()) {
    const s = api.signedSample(vendor);
    const url = `http://localhost${s.path}`;
    const res = await mf.dispatchFetch(url, { method: "POST", headers: s.headers, body: s.body });
    const got = await res.json();
    assert.equal(res.status, 200, `${vendor}: ${JSON.stringify(got)}`);
    const want = api.verifyAll({ vendor, keys: s.verifyKey, url, headers: s.headers, body: new TextEncoder().encode(s.body) });
    assert.deepEqual(got, want.events.map((e) => ({ id: e.id, type: e.type, vendor, stillReadable: true })), vendor);
    if (!signsBody) continue; // a token sender (MYCURE's URL, a header token): the body is not authenticated
    const bad = await mf.dispatchFetch(url, { method: "POST", headers: s.headers, body: tamper(s.body) });
    assert.equal(bad.status, unauthenticatedStatus, vendor);
    assert.match((await bad.json()).error, /^(signature|digest)_mismatch$/);
  }
  const unknown = await mf.dispatchFetch("http://localhost/in/nosuch", { method: "POST", body: "{}" });
  assert.deepEqual([unknown.status, (await unknown.json()).error], [500, "unsupported_vendor"]);
});
