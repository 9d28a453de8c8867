// The inspector's form helpers (www/form.js), in Node; the page uses the same module. Reading and writing captured
// requests is the package's readCapture, toHttp and toCurl (tests/js/capture.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromLocalInput, keyNotes, reindent, splitKeys, toLocalInput } from "../../www/form.js";

test("JSON re-indented keeps every token's text", () => {
  const src = '{"id":12345678901234567890,"f":1.50,"s":"a,b:{\\"c\\"}","e":[],"o":{},"n":[1,{"x":null}]}';
  const out = reindent(src);
  assert.match(out, /"id": 12345678901234567890,/);
  assert.match(out, /"f": 1.50,/);
  assert.match(out, /"s": "a,b:\{\\"c\\"\}",/);
  assert.match(out, /"e": \[\],\n  "o": \{\},/);
  assert.deepEqual(JSON.parse(out), JSON.parse(src));
  assert.equal(reindent('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
});

test("keys are split by line and never trimmed; what a reader cannot see is named", () => {
  assert.deepEqual(splitKeys(""), []);
  assert.deepEqual(splitKeys("a \n b\n"), ["a ", " b"]);
  assert.deepEqual(splitKeys("a\n\nb"), ["a", "", "b"]);
  assert.deepEqual(keyNotes("whsec_abc"), []);
  assert.deepEqual(keyNotes(""), ["empty"]);
  assert.deepEqual(keyNotes("abc "), ["ends with whitespace"]);
  assert.deepEqual(keyNotes("\tabc"), ["starts with whitespace"]);
  assert.match(keyNotes("ab\u200bc").join(), /invisible/);
  assert.match(keyNotes('"abc"').join(), /quotes/);
});

test("the clock fields read and write UTC", () => {
  assert.equal(toLocalInput(1763800000), "2025-11-22T08:26:40");
  assert.equal(fromLocalInput("2025-11-22T08:26:40"), 1763800000);
  assert.equal(fromLocalInput("2025-11-22T08:26"), 1763800000 - 40);
  assert.equal(fromLocalInput(""), null);
});
