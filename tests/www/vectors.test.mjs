// The npm package in Chromium: its browser entry (fetching the .wasm, as a page would) runs every vector file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openBrowser, ROOT } from "./browser.mjs";
import { SHARED_CASES } from "../js/load.mjs";

let browser;
before(async () => {
  browser = await openBrowser(ROOT); // the repository root, so the page imports pkg/ and tests/vectors/ as they are
});
after(() => browser?.close());

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
