// Source of dist/index.cjs (bundled by scripts/build-pkg): CommonJS for require(), same glue and API.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { initSync, installHostCrypto } from "../dist/carehook.js";
import { nodeCrypto } from "./host-node.js";

// eslint-disable-next-line no-undef
initSync({ module: readFileSync(join(__dirname, "carehook_bg.wasm")) });
// CAREHOOK_HOST_CRYPTO=0 keeps every primitive in the core (the tests run both ways and compare the answers).
if (process.env.CAREHOOK_HOST_CRYPTO !== "0") installHostCrypto(nodeCrypto);

export * from "./api.js";
