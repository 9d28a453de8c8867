// Test helpers for real HTTP on 127.0.0.1: start a server on a free port, send exact bytes and headers.
import { request } from "node:http";
import net from "node:net";

/** A free TCP port on 127.0.0.1, for processes that must be told their port (wrangler dev, an origin). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Listens on 127.0.0.1 (a free port); returns { url, close }. Connections are closed with the server. */
export async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * POSTs `body` with exactly these headers (an array value sends the header once per element). Resolves to
 * { status, headers, text, json } ; rejects after `timeoutMs`.
 */
export function post(url, headers, body, { method = "POST", timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A copy of `body` (a string) with one byte changed, keeping it valid JSON text when possible. */
export function tamper(body) {
  const i = body.search(/[a-z]/);
  const c = body[i] === "a" ? "b" : "a";
  return body.slice(0, i) + c + body.slice(i + 1);
}
