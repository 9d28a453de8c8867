import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as esm from "../../pkg/index.node.mjs";
import { runAll } from "../vectors/run.mjs";
import { vectorDocs, SHARED_CASES } from "./load.mjs";

const cjs = createRequire(import.meta.url)("../../pkg/dist/index.cjs");

for (const [name, api] of [["ESM", esm], ["CommonJS", cjs]]) {
  test(`every vector passes through the package (${name})`, () => {
    const { total, failures } = runAll(api, vectorDocs());
    assert.ok(total >= SHARED_CASES, `only ${total} cases found`);
    assert.deepEqual(failures, []);
  });
}

test("the CommonJS and ESM entries share one .wasm and one API", () => {
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.deepEqual(cjs.vendors(), esm.vendors());
  // One instance: the ESM entry re-exports the CommonJS build, so an error from either is an instance of both.
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name);
  assert.throws(() => esm.verify({ vendor: "nope", keys: "k" }), cjs.CarehookError);
  assert.throws(() => cjs.verify({ vendor: "nope", keys: "k" }), esm.CarehookError);
});
