// The READMEs stay true: every JavaScript example in pkg/README.md parses, the root README's Express example runs
// against the package, the error table lists every code with the status the adapters answer, the vendor table
// every vendor, and the CLI section names every command the CLI has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { errorCodes, vendors } from "../../pkg/index.node.mjs";
import { httpStatus } from "../../pkg/src/fetch.js";

const README = readFileSync(new URL("../../pkg/README.md", import.meta.url), "utf8");
const ROOT_README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const jsBlocks = (text) => [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the root README's JavaScript example runs: the webhook is queued, a forgery answered with httpStatus", () => {
  const blocks = jsBlocks(ROOT_README);
  assert.equal(blocks.length, 1);
  const tmp = mkdtempSync(join(tmpdir(), "carehook-readme-root-"));
  try {
    mkdirSync(join(tmp, "node_modules"));
    symlinkSync(fileURLToPath(new URL("../../pkg", import.meta.url)), join(tmp, "node_modules", "carehook"));
    writeFileSync(join(tmp, "example.mjs"), blocks[0]);
    // What the example takes from its surroundings: an Express app, express.raw(), a queue.
    writeFileSync(join(tmp, "run.mjs"), `
      import { signedSample } from "carehook";
      const routes = [];
      globalThis.app = { post: (path, ...handlers) => routes.push({ path, handlers }) };
      globalThis.express = { raw: () => (req, res, next) => next() };
      globalThis.queue = [];
      const s = signedSample("elation");
      process.env.ELATION_PUBLIC_KEY = s.verifyKey;
      await import("./example.mjs");
      const send = (body) => {
        const req = { originalUrl: s.path, headers: s.headers, body: Buffer.from(body) };
        const res = { status(c) { this.code = c; return this; }, sendStatus(c) { this.code = c; }, json(v) { this.sent = v; } };
        const [first, ...rest] = routes[0].handlers;
        first(req, res, () => rest.forEach((h) => h(req, res)));
        return [res.code, res.sent ?? null];
      };
      console.log(JSON.stringify({ path: routes[0].path, ok: send(s.body), forged: send(s.body.replace("a", "b")),
        queued: queue.map((e) => e.type) }));`);
    const r = spawnSync(process.execPath, [join(tmp, "run.mjs")], { encoding: "utf8", cwd: tmp });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      path: "/in/elation",
      ok: [200, null],
      forged: [httpStatus("signature_mismatch"), { error: "signature_mismatch" }],
      queued: ["elation.patients.saved"],
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("the package README's vendor table names every vendor", () => {
  const table = README.slice(0, README.indexOf("\n\n", README.indexOf("| vendor id |")));
  for (const v of vendors()) assert.match(table, new RegExp(`\`${v}\``), v);
});

test("every JavaScript example in the package README parses", () => {
  const blocks = jsBlocks(README);
  assert.ok(blocks.length >= 8, `only ${blocks.length} examples`);
  const tmp = mkdtempSync(join(tmpdir(), "carehook-readme-"));
  try {
    blocks.forEach((code, i) => {
      const file = join(tmp, `example${i}.${/^const .*= require\(/m.test(code) ? "cjs" : "mjs"}`);
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
      assert.equal(r.status, 0, `example ${i + 1}:\n${code}\n${r.stderr}`);
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("the README's error table lists every code with the adapters' status", () => {
  const rows = [...README.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(rows.map(([c]) => c).sort(), [...errorCodes].sort());
  for (const [code, status] of rows) assert.equal(status, httpStatus(code), code);
});

test("the README's command line section covers every command", () => {
  for (const cmd of ["samples", "sign", "send", "verify"]) assert.match(README, new RegExp(`npx carehook ${cmd}\\b`));
  assert.match(README, /Exit codes: \*\*0\*\* done; \*\*1\*\* refused/);
});
