// What a user downloads and pays at startup: the .wasm (raw, gzip), the installed package, and cold start in Node.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The .wasm the package ships: bytes raw and gzip -9. */
export function wasmSize(pkgDir) {
  const bytes = readFileSync(join(pkgDir, "dist", "carehook_bg.wasm"));
  return { rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

function treeBytes(dir) {
  let total = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const t = treeBytes(p);
      total += t.bytes;
      files += t.files;
    } else if (e.isFile()) {
      total += statSync(p).size;
      files++;
    }
  }
  return { bytes: total, files };
}

/** `npm pack` the package, install the tarball into an empty project offline, and measure node_modules/carehook. */
export function installSize(pkgDir) {
  const tmp = mkdtempSync(join(tmpdir(), "carehook-install-"));
  try {
    const npmEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
    const packed = JSON.parse(execFileSync("npm", ["pack", pkgDir, "--json", "--pack-destination", tmp], { env: npmEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    const tarball = join(tmp, packed[0].filename);
    const project = join(tmp, "project");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "install-probe", private: true }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", tarball], {
      cwd: project,
      env: npmEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const installed = treeBytes(join(project, "node_modules", "carehook"));
    // Anything else in node_modules would be a dependency the package pulls in.
    const others = readdirSync(join(project, "node_modules")).filter((n) => n !== "carehook" && !n.startsWith("."));
    return { tarballBytes: statSync(tarball).size, installedBytes: installed.bytes, installedFiles: installed.files, dependencies: others.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function nodeWallMs(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${r.stderr.slice(0, 300)}`);
  return { ms, stdout: r.stdout };
}

/**
 * Cold start, each in a fresh process (no code cache): the .wasm compile + instantiate time inside the process, and
 * the wall time of `node -e "import(pkg)"` against `node -e ""`, alternated, median of `runs`.
 */
export function coldStart(pkgDir, runs) {
  const glue = new URL(`file://${join(pkgDir, "dist", "carehook.js")}`).href;
  const wasmPath = join(pkgDir, "dist", "carehook_bg.wasm");
  const entry = new URL(`file://${join(pkgDir, "index.node.mjs")}`).href;
  const probe = `
    const { readFileSync } = await import("node:fs");
    const { initSync, vendors } = await import(${JSON.stringify(glue)});
    const bytes = readFileSync(${JSON.stringify(wasmPath)});
    const t0 = performance.now();
    const m = new WebAssembly.Module(bytes);
    const t1 = performance.now();
    initSync({ module: m });
    const t2 = performance.now();
    if (vendors().length < 4) throw new Error("the module did not instantiate");
    console.log(JSON.stringify({ compile: t1 - t0, instantiate: t2 - t1 }));`;
  const importCode = `import(${JSON.stringify(entry)}).then((m) => { if (m.vendors().length < 4) process.exit(3); })`;
  const inProcess = [];
  const empty = [];
  const withImport = [];
  nodeWallMs(["-e", ""]); // page the node binary in before timing
  for (let i = 0; i < runs; i++) {
    inProcess.push(JSON.parse(nodeWallMs(["--input-type=module", "-e", probe]).stdout));
    if (i % 2) {
      empty.push(nodeWallMs(["-e", ""]).ms);
      withImport.push(nodeWallMs(["-e", importCode]).ms);
    } else {
      withImport.push(nodeWallMs(["-e", importCode]).ms);
      empty.push(nodeWallMs(["-e", ""]).ms);
    }
  }
  const compile = median(inProcess.map((x) => x.compile));
  const instantiate = median(inProcess.map((x) => x.instantiate));
  const emptyMs = median(empty);
  const importMs = median(withImport);
  return {
    runs,
    compileMs: compile,
    instantiateMs: instantiate,
    compileInstantiateMs: median(inProcess.map((x) => x.compile + x.instantiate)),
    nodeEmptyMs: emptyMs,
    nodeImportMs: importMs,
    importDeltaMs: importMs - emptyMs,
  };
}
