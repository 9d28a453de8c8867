// Source of dist/index.cjs (bundled by scripts/build-pkg): CommonJS for require(), same glue and API.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "../dist/carehook.js";

// eslint-disable-next-line no-undef
initSync({ module: readFileSync(join(__dirname, "carehook_bg.wasm")) });

export * from "./api.js";
