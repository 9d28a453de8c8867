// Browser test helpers: the inspector's files, esbuild's static server on 127.0.0.1 (the command `make run` starts),
// and headless Chromium.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SHOTS = join(ROOT, "target", "screenshots");
export const ESBUILD = join(ROOT, "node_modules", ".bin", "esbuild");

const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

/** Copies the current package build into www/pkg (rebuilding it first when the Rust sources are newer). */
export function buildWww() {
  execFileSync(join(ROOT, "scripts", "build-www"), { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * Serves `dir` with esbuild's own server on 127.0.0.1 (`port` 0: a free one), as scripts/run does; resolves to
 * `{ url, port, pid, close }`. esbuild serves while its standard input stays open, so closing it stops the server;
 * a server still running 5 s later is killed by its PID.
 */
export async function serve(dir, port = 0) {
  const child = spawn(ESBUILD, [`--servedir=${dir}`, `--serve=127.0.0.1:${port}`], { stdio: ["pipe", "ignore", "pipe"] });
  let log = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`esbuild did not start: ${log}`)), 10_000);
    child.stderr.on("data", (d) => {
      log = (log + d).slice(-4000); // esbuild logs each request here: read it all, keep the end
      const m = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`esbuild exited (${code}): ${log}`));
    });
  });
  const exited = new Promise((ok) => (child.exitCode !== null ? ok() : child.once("exit", () => ok())));
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    close: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.exitCode === null && process.kill(child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Serves `dir` and opens a fresh Chromium profile; `close()` stops both and removes the profile. */
export async function openBrowser(dir, { width = 1280, height = 900 } = {}) {
  const server = await serve(dir);
  const profile = mkdtempSync(join(tmpdir(), "carehook-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
      headless: true,
      args: ARGS,
      viewport: { width, height },
      timeout: 30_000,
    });
  } catch (e) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(10_000);
  mkdirSync(SHOTS, { recursive: true });
  return {
    url: server.url,
    context,
    close: async () => {
      await context.close().catch(() => {});
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** axe-core's source, to evaluate in a page (its Content-Security-Policy refuses an injected script tag). */
export const AXE_SOURCE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");

/**
 * Runs axe-core in the page (loaded once, through the DevTools protocol: no request is made) on the whole document;
 * resolves to its violations as short lines, `rule: target (summary)`.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary?.split("\n").slice(1).join(" ").trim()})`) }));
  });
  return result.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n}`));
}
