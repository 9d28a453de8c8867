#!/usr/bin/env node
// The demo origin for `make run`: receives the gateway's forwarded CloudEvents on 127.0.0.1, verifies their
// Standard Webhooks signature with carehook's npm package, and prints one line per event: id, type, vendor.
// Never the data.
//   FORWARD_SECRET=whsec_... node scripts/demo-origin.mjs [port]        (default 8790)
import { createServer } from "node:http";
import { verify } from "../pkg/index.node.mjs";

const port = Number(process.argv[2] ?? 8790);
const secret = process.env.FORWARD_SECRET;
if (!secret) {
  console.error("demo-origin: set FORWARD_SECRET (the gateway's forwarding secret)");
  process.exit(2);
}
const LIMIT = 16 << 20;

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > LIMIT) req.destroy();
    else chunks.push(c);
  });
  req.on("end", () => {
    const answer = (status, line) => {
      console.log(line);
      res.writeHead(status, { "content-type": "text/plain" }).end(`${status}\n`);
    };
    if (req.method !== "POST") return answer(405, `origin: ${req.method} ${req.url} refused (POST only)`);
    try {
      // The forwarded body is the CloudEvent; its Standard Webhooks signature proves it came from the gateway.
      verify({ vendor: "standard", keys: secret, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      answer(200, `origin: ${event.id}  ${event.type}  (${event.vendor})`);
    } catch (e) {
      answer(401, `origin: refused a delivery: ${e.code ?? "error"}: ${e.message}`);
    }
  });
});
server.listen(port, "127.0.0.1", () => console.log(`origin: listening on http://127.0.0.1:${port}/events`));
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
