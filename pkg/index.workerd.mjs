// Cloudflare Workers (workerd) and other runtimes that import .wasm as a compiled WebAssembly.Module.
import module from "./dist/carehook_bg.wasm";
import { initSync } from "./dist/carehook.js";

initSync({ module });

export * from "./src/api.js";
