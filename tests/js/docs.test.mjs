import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

test("the README's envelope table and docs/events.md match what the package produces", () => {
  const out = execFileSync(process.execPath, ["scripts/gen-event-docs.mjs", "--check"], {
    cwd: new URL("../..", import.meta.url),
    encoding: "utf8",
  });
  assert.match(out, /up to date/);
});
