// Browser test helpers: the inspector's files, a static server on 127.0.0.1, and headless Chromium.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve-static.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SHOTS = join(ROOT, "target", "screenshots");

const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

/** Copies the current package build into www/pkg (rebuilding it first when the Rust sources are newer). */
export function buildWww() {
  execFileSync(join(ROOT, "scripts", "build-www"), { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
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
