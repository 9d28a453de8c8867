#!/usr/bin/env node
// make run's local configuration: <dir>/config.env (git-ignored, yours) is created once, with the samples' keys, a
// random FORWARD_SECRET and a random ADMIN_TOKEN, and never written again. At each start this reads it exactly as
// wrangler dev will (wrangler's own loader), checks it, and writes what is derived from it:
//   <dir>/.run.env     ORIGIN_URL, and SOURCES merged (config.env's entries over wrangler.toml's; null removes one)
//   <dir>/admin-token  ADMIN_TOKEN, for `carehook gateway ... --token-file`
// Then prints shell assignments for scripts/run (eval'd): ORIGIN_URL, DEMO_ORIGIN, FORWARD_SECRET, NEXT_STEPS.
//   node scripts/local-config.mjs <dir> <gateway URL> <demo origin port>
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Verifier, samples, signedSample, verify } from "../pkg/index.node.mjs";

const [dir, gateway, originPort] = process.argv.slice(2);
if (!dir || !gateway || !/^\d+$/.test(originPort ?? "")) {
  console.error("usage: node scripts/local-config.mjs <dir> <gateway URL> <demo origin port>");
  process.exit(2);
}
const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const shown = (path) => (resolve(path).startsWith(ROOT + "/") ? relative(ROOT, resolve(path)) : resolve(path));
const configFile = join(dir, "config.env");
const tokenFile = join(dir, "admin-token");
const fail = (message) => {
  console.error(`run: ${shown(configFile)}: ${message}`);
  process.exit(2);
};
const secret = (file, text) => {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode otherwise
};

// A dotenv value wrangler reads back as it was: single-quoted (taken literally), on one line. JSON text has a ' only
// inside strings, where \u0027 means the same.
const envValue = (text) => `'${text.replaceAll("'", "\\u0027")}'`;

if (!existsSync(configFile)) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lines = [
    "# carehook's local configuration for `make run` (dotenv format, as wrangler's .dev.vars). Yours: scripts/run",
    "# created it once and never writes it again; restart make run after editing it. Keep it private (mode 600).",
    "#",
    "# Signs what the gateway forwards to ORIGIN_URL (Standard Webhooks: whsec_ + base64). Your origin verifies with it.",
    `FORWARD_SECRET=whsec_${randomBytes(32).toString("base64")}`,
    "# Turns on the admin API (Authorization: Bearer <token>); scripts/run copies it to admin-token for the CLI.",
    `ADMIN_TOKEN=${randomBytes(32).toString("base64url")}`,
    "",
    "# Where verified events go. Default: the demo origin make run starts on 127.0.0.1 (it prints each event).",
    "# ORIGIN_URL=http://127.0.0.1:3000/webhooks",
    "",
    "# Your own sources: a JSON object merged over [vars.SOURCES] in wrangler.toml (the same fields; null removes one),",
    "# single-quoted, on one or more lines. Each names the secret that holds its keys: add that secret below.",
    `# SOURCES='{"clinic": {"vendor": "elation", "secret": "KEYS_CLINIC"}, "github": null}'`,
    "# KEYS_CLINIC=<Elation's signing_pub_key>",
    "",
    "# Any other var of wrangler.toml can be overridden here too (RETRY_BASE_SECONDS, LEDGER_RETENTION_DAYS...).",
    "",
    "# Each source's keyring (one key per line, or a JSON array): the vendors' sample keys, which `carehook send` signs",
    "# for. Replace one with your real key to receive that vendor's webhooks.",
  ];
  for (const s of samples()) {
    const key = /^[\w+/=.:-]+$/.test(s.verifyKey) ? s.verifyKey : envValue(s.verifyKey);
    lines.push(`KEYS_${s.vendor.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${key}`);
  }
  secret(configFile, lines.join("\n") + "\n");
  console.error(`run: created ${shown(configFile)} (your local configuration: sources, keys, secrets)`);
}

// wrangler.toml and config.env exactly as `wrangler dev --env-file` reads them. wrangler's logger must not write to
// standard output, which scripts/run evaluates.
console.log = console.error;
const { unstable_readConfig, unstable_getVarsForDev } = await import("wrangler");
const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
const bindings = unstable_getVarsForDev(join(ROOT, "wrangler.toml"), [resolve(configFile)], config.vars, undefined, true);
const local = Object.fromEntries(Object.entries(bindings).filter(([, b]) => b.type === "secret_text").map(([k, b]) => [k, b.value]));

// The gateway reads it as a Standard Webhooks secret, decoded; so does the demo origin.
const forwardSecret = local.FORWARD_SECRET?.trim() ?? "";
try {
  if (!forwardSecret.startsWith("whsec_")) throw new Error();
  new Verifier({ vendor: "standard", keys: [forwardSecret] });
} catch {
  fail("FORWARD_SECRET must be whsec_ followed by base64");
}

// SOURCES: wrangler.toml's table, with config.env's entries over it.
const sources = { ...config.vars.SOURCES };
if (local.SOURCES !== undefined) {
  let mine;
  try {
    mine = JSON.parse(local.SOURCES);
  } catch (e) {
    fail(`SOURCES is not JSON (${e.message}); write it in single quotes: SOURCES='{"name": {...}}'`);
  }
  if (!mine || typeof mine !== "object" || Array.isArray(mine)) fail("SOURCES must be a JSON object: {\"<route>\": {...}}");
  for (const [name, entry] of Object.entries(mine)) {
    if (entry === null) delete sources[name];
    else sources[name] = entry;
  }
}
if (Object.keys(sources).length === 0) fail("no source is left: SOURCES removes every one");
const keyring = (text) => {
  const t = text.trim();
  return t.startsWith("[") ? JSON.parse(t) : t.split("\n").map((l) => l.trim()).filter(Boolean);
};
const routes = {};
for (const [name, entry] of Object.entries(sources)) {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) fail(`SOURCES.${name} is not an object`);
  if (typeof entry.secret !== "string" || !entry.secret) fail(`SOURCES.${name}.secret must name the secret that holds its keys`);
  const text = bindings[entry.secret]?.value;
  if (typeof text !== "string") fail(`source ${name} reads its keys from ${entry.secret}, which is not set here`);
  let keys;
  try {
    keys = keyring(text);
  } catch {
    fail(`${entry.secret} (the keys of source ${name}) is neither key lines nor a JSON array`);
  }
  // The core's checks of the route's vendor, keys and options: now, rather than at the route's first request.
  const { secret: _, shards: __, repeatWindowSeconds: ___, ...options } = entry;
  try {
    new Verifier({ ...options, keys, source: options.source ?? `carehook:in/${name}` });
  } catch (e) {
    fail(`source ${name}: ${e.code ?? "invalid"}: ${e.message}`);
  }
  routes[name] = { vendor: entry.vendor, keys };
}

const originUrl = local.ORIGIN_URL?.trim() || `http://127.0.0.1:${originPort}/events`;
let origin;
try {
  origin = new URL(originUrl);
} catch {
  fail(`ORIGIN_URL is not a URL: ${originUrl}`);
}
if (origin.protocol !== "http:" && origin.protocol !== "https:") fail("ORIGIN_URL must be http:// or https://");
const demoOrigin =
  origin.protocol === "http:" && ["127.0.0.1", "localhost"].includes(origin.hostname) && origin.port === originPort;

const derived = [`# Written by scripts/run at each start from ${shown(configFile)}: edit that file, not this one.`];
derived.push(`ORIGIN_URL=${envValue(origin.href)}`);
if (local.SOURCES !== undefined) derived.push(`SOURCES=${envValue(JSON.stringify(sources))}`);
secret(join(dir, ".run.env"), derived.join("\n") + "\n");
const token = local.ADMIN_TOKEN?.trim();
if (token) secret(tokenFile, token + "\n");
else rmSync(tokenFile, { force: true });

// What to do next: send the samples whose keys are still in place, then look at the ledger.
const cli = "node pkg/bin/carehook.mjs";
const out = [];
const sampleRoutes = samples().filter((s) => routes[s.vendor]?.vendor === s.vendor && routes[s.vendor].keys.includes(s.verifyKey));
const others = Object.keys(routes).filter((r) => !sampleRoutes.some((s) => s.vendor === r));
if (sampleRoutes.length) {
  const where = demoOrigin ? "the demo origin prints each event it receives" : `each event is forwarded to ${origin.href}`;
  out.push(`Send a signed sample webhook (from another terminal); ${where}:`);
  for (const s of sampleRoutes) out.push(`  ${cli} send ${s.vendor} ${gateway}${s.path}`);
  out.push('Send one twice to see the dedupe: 200 with "duplicate":true, and nothing forwarded the second time. The ledger');
  out.push(`is kept across restarts (${shown(join(dir, "state"))}): a sample sent in an earlier run is a duplicate already.`);
}
if (others.length) out.push(`Your sources: ${others.map((r) => `POST ${gateway}/in/${r}`).join(", ")}`);
out.push("");
if (token) {
  const auth = `--url ${gateway} --token-file ${shown(tokenFile)}`;
  const example = sampleRoutes.find((s) => s.vendor === "elation") ?? sampleRoutes[0];
  let id = "<id>";
  if (example) {
    const s = signedSample(example.vendor);
    id = verify({ vendor: s.vendor, keys: [s.verifyKey], url: s.path, headers: s.headers, body: s.body, source: `carehook:in/${s.vendor}` }).id;
    if (!/^[\w.:\-]+$/.test(id)) id = `'${id.replaceAll("'", "'\\''")}'`;
  }
  out.push("The ledger (every event, its status and delivery attempts), through the admin API:");
  out.push(`  ${cli} gateway events ${auth}`);
  out.push(`  ${cli} gateway show ${example?.vendor ?? "<route>"} ${id} ${auth}`);
  out.push(`  ${cli} gateway events --status dead ${auth}`);
  out.push(`  ${cli} gateway replay --dead ${auth}`);
  out.push(`  ${cli} gateway stats ${auth}`);
} else {
  out.push(`The admin API is off: set ADMIN_TOKEN in ${shown(configFile)} to list and replay events.`);
}

const sh = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;
process.stdout.write(
  [
    `ORIGIN_URL=${sh(origin.href)}`,
    `DEMO_ORIGIN=${demoOrigin ? 1 : 0}`,
    `FORWARD_SECRET=${sh(forwardSecret)}`,
    `NEXT_STEPS=${sh(out.join("\n"))}`,
  ].join("\n") + "\n",
);
