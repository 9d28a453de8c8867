// The inspector is served by esbuild's own static server (scripts/run, and every browser test): real HTTP on
// 127.0.0.1, the .wasm as application/wasm so browsers stream-compile it, and nothing but www/ itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWww, ROOT, serve } from "./browser.mjs";

let dir, server;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "carehook-static-"));
  mkdirSync(join(dir, "pkg"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>t</title>");
  writeFileSync(join(dir, "pkg", "a.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, "pkg", "a.mjs"), "export {};");
  writeFileSync(join(dir, "pkg", "b.js"), "export {};");
  writeFileSync(join(dir, "style.css"), "p{}");
  server = await serve(dir);
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request (the path is sent exactly as given, unlike fetch, which normalizes `..`). */
function get(base, path, method = "GET") {
  return new Promise((ok, fail) => {
    const req = request(`${base}/`, { method, path, timeout: 5000 }, (res) => {
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
  const wasm = await get(server.url, "/pkg/a.wasm");
  assert.equal(wasm.status, 200);
  assert.equal(wasm.type, "application/wasm");
  assert.equal(wasm.body.length, 8);
  assert.match((await get(server.url, "/pkg/a.mjs")).type, /^text\/javascript/);
  assert.match((await get(server.url, "/pkg/b.js")).type, /^text\/javascript/);
  assert.match((await get(server.url, "/style.css")).type, /^text\/css/);
  const index = await get(server.url, "/");
  assert.equal(index.status, 200);
  assert.match(index.type, /^text\/html/);
  assert.equal((await get(server.url, "/index.html?x=1")).status, 200);
  const head = await get(server.url, "/pkg/a.wasm", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test("nothing outside the folder is served", async () => {
  for (const path of ["/../package.json", "/pkg/../../package.json", "/%2e%2e/package.json", "/missing.html"]) {
    const res = await get(server.url, path);
    assert.equal(res.status, 404, path);
  }
});

test("www/ holds no hidden file and no link: esbuild would serve either, so nothing else can be reached", () => {
  buildWww();
  const odd = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (name.startsWith(".") || st.isSymbolicLink()) odd.push(p.slice(ROOT.length));
      else if (st.isDirectory()) walk(p);
    }
  };
  walk(join(ROOT, "www"));
  assert.deepEqual(odd, []);
});

/** A free port on 127.0.0.1. */
const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

test("make run's command serves www/ as application/wasm, stops on Ctrl-C, and stops when run exits", async () => {
  const line = readFileSync(join(ROOT, "scripts", "run"), "utf8").split("\n").find((l) => /esbuild .*--servedir=www/.test(l));
  assert.ok(line, "scripts/run starts esbuild's server");
  buildWww();
  for (const how of ["SIGINT", "exit"]) {
    const port = await freePort();
    // The line as scripts/run has it, in a bash that prints the server's PID, then waits (or exits at once).
    const script = `cd "${ROOT}"; WWW_PORT=${port}; ${line}\necho "$!"; ${how === "exit" ? "sleep 1.5" : 'wait "$!"'}`;
    const shell = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
    const killer = setTimeout(() => shell.kill("SIGKILL"), 20_000);
    try {
      const pid = Number(await new Promise((ok) => shell.stdout.once("data", (d) => ok(String(d).trim()))));
      assert.ok(pid > 0);
      let res;
      for (let i = 0; i < 50 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/pkg/dist/carehook_bg.wasm`).catch(() => null);
        if (!res) await new Promise((ok) => setTimeout(ok, 100));
      }
      assert.ok(res, "the server answered");
      assert.equal(res.headers.get("content-type"), "application/wasm");
      assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /http-equiv="Content-Security-Policy"/);
      const started = Date.now();
      if (how === "SIGINT") process.kill(pid, "SIGINT");
      let alive = true;
      while (alive && Date.now() - started < 6000) {
        await new Promise((ok) => setTimeout(ok, 100));
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
      }
      assert.equal(alive, false, `esbuild still running ${how === "SIGINT" ? "after SIGINT" : "after its shell exited"}`);
      assert.ok(Date.now() - started < (how === "SIGINT" ? 1000 : 5000), `${how}: stopped after ${Date.now() - started} ms`);
    } finally {
      clearTimeout(killer);
      if (shell.exitCode === null) shell.kill("SIGKILL");
    }
  }
});
