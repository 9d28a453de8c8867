// The npm package in Chromium: its browser entry (fetching the .wasm, as a page would) runs every vector file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrowser, ROOT } from "./browser.mjs";
import { SHARED_CASES } from "../js/load.mjs";

let browser, dir;
before(async () => {
  // A folder of links to what the page reads (pkg/ and tests/vectors/ as they are), so the server sees nothing else
  // of the repository.
  dir = mkdtempSync(join(tmpdir(), "carehook-vectors-"));
  mkdirSync(join(dir, "tests", "www"), { recursive: true });
  symlinkSync(join(ROOT, "pkg"), join(dir, "pkg"));
  symlinkSync(join(ROOT, "tests", "vectors"), join(dir, "tests", "vectors"));
  symlinkSync(join(ROOT, "tests", "www", "vectors.html"), join(dir, "tests", "www", "vectors.html"));
  browser = await openBrowser(dir);
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("every vector passes through the browser entry in Chromium", async (t) => {
  const files = readdirSync(join(ROOT, "tests", "vectors")).filter((f) => f.endsWith(".json")).sort();
  assert.ok(files.length >= 1);
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const query = files.map((f) => `file=${encodeURIComponent(f)}`).join("&");
  const wasm = page.waitForResponse((r) => r.url().endsWith("/pkg/dist/carehook_bg.wasm"));
  await page.goto(`${browser.url}/tests/www/vectors.html?${query}`);
  assert.equal((await wasm).headers()["content-type"], "application/wasm");
  await page.waitForFunction(() => window.vectorResult !== undefined, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.vectorResult);
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(errors, []);
  assert.equal(result.files, files.length);
  t.diagnostic(`${result.total} cases from ${files.length} file(s)`);
  assert.ok(result.total >= SHARED_CASES, `only ${result.total} cases ran`);
  assert.deepEqual(result.failures, []);
  await page.close();
});
