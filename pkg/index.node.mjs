// Node, Deno and Bun (ESM): the .wasm is read from disk and instantiated synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "./dist/carehook.js";

initSync({ module: readFileSync(new URL("./dist/carehook_bg.wasm", import.meta.url)) });

export * from "./src/api.js";
