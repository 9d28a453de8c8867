// The hostile-input table (tests/hostile.json, exported from tests/hostile.rs) through the npm package: every case
// gives its error code, and no input throws anything but a CarehookError or breaks the wasm instance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as carehook from "../../pkg/index.node.mjs";
import { check } from "../vectors/run.mjs";

const doc = JSON.parse(readFileSync(new URL("../hostile.json", import.meta.url), "utf8"));

/** A generator as bytes: a string (UTF-8), {base64}, {repeat, times} or {concat: [...]}. */
function expand(g) {
  if (typeof g === "string") return Buffer.from(g, "utf8");
  if (g.base64 !== undefined) return Buffer.from(g.base64, "base64");
  if (g.repeat !== undefined) return Buffer.from(g.repeat.repeat(g.times), "utf8");
  return Buffer.concat(g.concat.map(expand));
}

/** The case in the vector format that tests/vectors/run.mjs reads. */
function concrete(c) {
  const body = expand(c.body);
  const text = new TextDecoder("utf-8", { fatal: true });
  let asText;
  try {
    asText = text.decode(body);
  } catch {
    asText = undefined;
  }
  const out = { ...c, headers: c.headers.map(([n, v]) => [n, expand(v).toString("utf8")]) };
  delete out.body;
  if (asText !== undefined && Buffer.from(asText, "utf8").equals(body)) out.body = asText;
  else out.body_base64 = body.toString("base64");
  return out;
}

test(`every hostile case gives its error code through the package (${doc.cases.length} cases)`, () => {
  assert.ok(doc.cases.length >= 60);
  const failures = [];
  for (const c of doc.cases) {
    const start = performance.now();
    const why = check(carehook, concrete(c));
    const ms = performance.now() - start;
    if (why) failures.push(`${c.name}: ${why}`);
    if (ms > 10_000) failures.push(`${c.name}: took ${Math.round(ms)} ms`);
  }
  assert.deepEqual(failures, []);
  // The instance still works after all of it.
  const [s] = carehook.samples();
  assert.equal(typeof s.vendor, "string");
});
