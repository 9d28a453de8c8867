// The static server the inspector and the browser tests use: real HTTP on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../scripts/serve-static.mjs";
import { ROOT } from "./browser.mjs";

let dir, outside, server;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "carehook-static-"));
  outside = mkdtempSync(join(tmpdir(), "carehook-outside-"));
  mkdirSync(join(dir, "pkg"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>t</title>");
  writeFileSync(join(dir, "pkg", "a.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, "pkg", "a.mjs"), "export {};");
  writeFileSync(join(dir, "pkg", "b.js"), "export {};");
  writeFileSync(join(dir, ".env"), "SECRET=1");
  writeFileSync(join(outside, "secret.txt"), "outside");
  symlinkSync(join(outside, "secret.txt"), join(dir, "link.txt"));
  server = await serve(dir);
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** A raw request (the path is sent exactly as given, unlike fetch, which normalizes `..`). */
function get(path, method = "GET") {
  return new Promise((ok, fail) => {
    const req = request(`${server.url}/`, { method, path, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode, type: res.headers["content-type"], body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", fail);
    req.end();
  });
}

test("binds 127.0.0.1 on an ephemeral port", () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.port > 0);
});

test("serves files with the MIME types browsers need", async () => {
  const wasm = await get("/pkg/a.wasm");
  assert.equal(wasm.status, 200);
  assert.equal(wasm.type, "application/wasm");
  assert.equal(wasm.body.length, 8);
  assert.match((await get("/pkg/a.mjs")).type, /^text\/javascript/);
  assert.match((await get("/pkg/b.js")).type, /^text\/javascript/);
  const index = await get("/");
  assert.equal(index.status, 200);
  assert.match(index.type, /^text\/html/);
  assert.equal((await get("/index.html?x=1")).status, 200);
  const head = await get("/pkg/a.wasm", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test("refuses paths outside the folder, hidden files, symlinks out, and other methods", async () => {
  for (const path of ["/../secret.txt", "/pkg/../../secret.txt", "/%2e%2e/secret.txt", "/pkg/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%5csecret.txt", "/.env", "/link.txt", "/missing.html", "/%zz", "/pkg/a.wasm%00.html"]) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body.toString(), /outside|SECRET/, path);
  }
  assert.equal((await get("/index.html", "POST")).status, 405);
});

test("the command line prints its address and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [join(ROOT, "scripts", "serve-static.mjs"), dir, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    const line = await new Promise((ok, fail) => {
      child.stdout.once("data", (d) => ok(d.toString()));
      child.once("exit", () => fail(new Error("exited before listening")));
    });
    const m = /^listening (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(line);
    assert.ok(m, line);
    const res = await fetch(`${m[1]}/pkg/a.wasm`);
    assert.equal(res.headers.get("content-type"), "application/wasm");
    const exited = new Promise((ok) => child.once("exit", (code) => ok(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
