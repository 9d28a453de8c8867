// Browsers and bundlers: the .wasm is fetched next to this file and instantiated before the module resolves.
import init from "./dist/carehook.js";

await init({ module_or_path: new URL("./dist/carehook_bg.wasm", import.meta.url) });

export * from "./src/api.js";
