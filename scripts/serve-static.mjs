#!/usr/bin/env node
// A static file server for the inspector and the browser tests: 127.0.0.1 only, GET/HEAD only, no dotfiles,
// nothing outside the served folder, and MIME types that let browsers stream-compile the .wasm.
//   node scripts/serve-static.mjs <dir> <port>
//   import { serve } from "./serve-static.mjs"; const { url, close } = await serve(dir);
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

const HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "cross-origin-resource-policy": "same-origin",
};

/** The file a URL path names inside `root`, or null when it is outside it, hidden, or malformed. */
async function resolvePath(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split("?")[0].split("#")[0]);
  } catch {
    return null;
  }
  if (path.includes("\0") || !path.startsWith("/")) return null;
  const segments = path.split("/").filter(Boolean);
  if (segments.some((s) => s.startsWith(".") || s.includes("\\"))) return null; // also refuses `..`
  let file = resolve(root, ...segments);
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const real = await realpath(file); // a symlink must not lead out of the folder
    if (!real.startsWith(root + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function answer(res, status, text) {
  res.writeHead(status, { ...HEADERS, "content-type": "text/plain; charset=utf-8" });
  res.end(text + "\n");
}

/** Serves `dir` on 127.0.0.1 (`port` 0 picks a free one); resolves to `{ url, port, close }`. */
export async function serve(dir, port = 0) {
  const root = await realpath(resolve(dir));
  const server = createServer(async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return answer(res, 405, "method not allowed");
    }
    const file = await resolvePath(root, req.url ?? "/");
    if (!file) return answer(res, 404, "not found");
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const { size } = await stat(file);
    res.writeHead(200, { ...HEADERS, "content-type": type, "content-length": size });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", ok);
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, port] = process.argv.slice(2);
  if (!dir || (port !== undefined && !/^\d+$/.test(port))) {
    console.error("usage: node scripts/serve-static.mjs <dir> <port>");
    process.exit(2);
  }
  const { url, close } = await serve(dir, Number(port ?? 0));
  console.log(`listening ${url}`);
  const stop = () => close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
