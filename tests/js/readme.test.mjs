// pkg/README.md stays true: every JavaScript example parses, the error table lists every code with the status the
// adapters answer, and the CLI section names every command the CLI has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorCodes } from "../../pkg/index.node.mjs";
import { httpStatus } from "../../pkg/src/fetch.js";

const README = readFileSync(new URL("../../pkg/README.md", import.meta.url), "utf8");

test("every JavaScript example in the package README parses", () => {
  const blocks = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
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
