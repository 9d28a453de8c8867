// Node, Deno and Bun (ESM): the CommonJS build (dist/index.cjs, which reads the .wasm from disk and instantiates it
// synchronously), re-exported. import and require() then share one instance: one CarehookError class, one .wasm.
// dist/index.node.mjs loads it with require() and names each export (written by scripts/build-pkg from the build's
// own exports): `export * from` a CommonJS file would make Node scan the whole bundle for its names at every start.
export * from "./dist/index.node.mjs";
