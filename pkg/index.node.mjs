// Node, Deno and Bun (ESM): the CommonJS build (dist/index.cjs, which reads the .wasm from disk and instantiates it
// synchronously), re-exported. import and require() then share one instance: one CarehookError class, one .wasm.
export * from "./dist/index.cjs";
