// Test helpers for Node: the vector files, and the package under test.
import { readFileSync, readdirSync } from "node:fs";

const dir = new URL("../vectors/", import.meta.url);

/** Every vector document under tests/vectors/. */
export function vectorDocs() {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")));
}

export const SHARED_CASES = 54;
