#!/usr/bin/env node
// carehook's command line: sample webhooks, signing, sending and verifying, and the gateway's ledger. Exit codes:
// 0 done; 1 refused (the webhook did not verify, or the receiver or gateway answered other than 2xx, or could not be
// reached); 2 usage error.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CarehookError, inspect, readCapture, samples, sign, toCurl, vendors, verifyAll } from "../index.node.mjs";
import { GatewayError, GatewayUsageError, STATUSES, eventsTable, gatewayClient, readToken, recordText, shown, statsTable } from "../src/gateway.js";

const USAGE = {
  main: `carehook: verify healthcare webhooks and normalize them to CloudEvents 1.0.

Usage:
  carehook samples [vendor] [--json]      list the vendors' sample webhooks, or print one body
  carehook sign <vendor> --key K --body FILE|- [--url U] [--curl]
  carehook send <vendor> <url> [--key K] [--body FILE|-]
  carehook verify <vendor> --key K --capture FILE [--body FILE|-] [--url U] [--now S]
  carehook gateway events|show|replay|stats [--url U] [--token-file FILE] [--json]
                                          the gateway's ledger: events, one event's attempts, replay, counts
  carehook help <command>                 details of one command

Keys may also come from the CAREHOOK_KEY environment variable (kept out of shell history and ps).
Exit codes: 0 done; 1 refused (did not verify, or the receiver or gateway answered other than 2xx, or could not
be reached); 2 usage error.
Vendors: ${vendors().join(", ")}`,
  samples: `Usage: carehook samples [vendor] [--json]

Without a vendor: one line per vendor with its sample path and demonstration signing key.
With a vendor: that sample's body, exactly (pipe it to a file for sign or verify).
  --json   every sample (or the one) as JSON: vendor, path, body, signingKey, verifyKey, headers`,
  sign: `Usage: carehook sign <vendor> --key K --body FILE|- [--url U] [--method M] [--now S] [--id ID] [--curl]

Prints the headers the vendor would send for the body, one "Name: value" per line.
  --key K      the signing key (secret, Ed25519 private key for elation, whsk_ for Standard Webhooks v1a);
               default: $CAREHOOK_KEY
  --body FILE  the body to sign, read as bytes; - reads standard input
  --url U      where it will be sent (the path and query are signed by some vendors); default: the sample's path
  --method M   default POST
  --now S      the signature's time: Unix seconds or an ISO 8601 date; default: now
  --id ID      the message id, for vendors that sign one (standard, svix)
  --curl       print a curl command that sends it instead (needs an absolute --url)`,
  send: `Usage: carehook send <vendor> <url> [--key K] [--body FILE|-] [--header "Name: value"]... [--now S]

Signs the vendor's sample body (or --body) and POSTs it to <url>, then prints the status and the response body.
  --key K        the signing key; default: $CAREHOOK_KEY, else the sample's demonstration key
  --body FILE    send this body instead of the sample (with content-type: application/json)
  --header H     an extra header, "Name: value"; repeatable
  --now S        the signature's time: Unix seconds or an ISO 8601 date; default: now
  --timeout S    seconds to wait for the answer; default 10
  --verbose      print the request's headers to standard error
Exit code 0 for a 2xx answer, 1 otherwise.`,
  verify: `Usage: carehook verify <vendor> --key K --capture FILE [--body FILE|-] [--url U] [--method M] [--now S] [--json]

Verifies a captured webhook. Prints the CloudEvent; for a request carrying several events or none (a Fitbit array,
a FHIR notification Bundle, a handshake) { "events": [...], "handshake": ... }; or the error code, message, hint and
diagnosis (exit 1).
  --key K        a verification key; repeat for a keyring; default: $CAREHOOK_KEY
  --capture FILE the captured request (- for standard input), in any form carehook reads: a raw HTTP request
                 (request line, headers, blank line, body), "Name: value" lines, a curl command, a HAR file or
                 entry, developer tools' copied request headers, a JSON log line; indented or quoted as pasted
  --headers FILE the same as --capture (its older name)
  --entry N      which request of a HAR file or log to read, from 0; default: the first that is not a GET
  --body FILE    the raw body, read as bytes (- for standard input); default: the captured request's, or the file
                 its curl command reads (--data-binary @FILE)
  --url U        the URL or path it was sent to; default: the captured request's target, else the sample's path
  --method M     default: the captured request's method, else POST
  --now S        the receiver's clock: Unix seconds or an ISO 8601 date; default: now
  --tolerance S  seconds a signed timestamp may be off; default 300
  --public-path P  the path the sender signed, if it differs from --url's
  --json         print the full inspection report as JSON (steps, diagnosis, event, and how the capture was
                 read) instead
Notes on the capture (lines that were not understood, a Content-Length that does not match the body) are printed
to standard error.`,
  gateway: `Usage: carehook gateway events|show|replay|stats [--url U] [--token-file FILE] [--json]

The gateway's ledger, through its admin API (on when the Worker's ADMIN_TOKEN secret is set).
  carehook gateway events [--status S] [--source R] [--limit N]   events, newest first, as a table
  carehook gateway show <route> <id>                              one event and every delivery attempt
  carehook gateway replay <route> <id>                            queue one dead event again (same id)
  carehook gateway replay --dead [--source R]                     queue every dead event (of one route) again
  carehook gateway stats                                          counts per status, per route and in total

  --url U            the gateway's base URL; default: $CAREHOOK_GATEWAY, else http://127.0.0.1:8787
  --token-file FILE  a file holding the admin token (trimmed); default: $CAREHOOK_ADMIN_TOKEN_FILE.
                     The token itself is never taken on the command line, and never printed.
  --status S         ${STATUSES.join(", ")}
  --source R         a route: the <source> of /in/<source>
  --limit N          at most N events, 1 to 500; default: the gateway's (50)
  --dead             replay every dead event
  --json             print the gateway's JSON answer instead of a table
  --timeout S        seconds to wait for the answer; default 30
  --insecure         allow http:// to a host other than this machine (the token would travel in clear text)
Ids are printed whole; one with spaces, quotes or control characters is shown in double quotes, escaped.
Exit code 0 done; 1 the gateway refused (401 wrong token, 404 no such event or route or admin API off, 409 not
dead, 410 payload expired, or another error), could not be reached, or a bulk replay left events behind;
2 usage error (including a missing or unreadable token file).`,
};

class Usage extends Error {}

const COMMON = { help: { type: "boolean", short: "h" } };
const SPECS = {
  samples: { json: { type: "boolean" } },
  sign: {
    key: { type: "string" },
    body: { type: "string" },
    url: { type: "string" },
    method: { type: "string" },
    now: { type: "string" },
    id: { type: "string" },
    curl: { type: "boolean" },
  },
  send: {
    key: { type: "string" },
    body: { type: "string" },
    header: { type: "string", multiple: true },
    now: { type: "string" },
    timeout: { type: "string" },
    verbose: { type: "boolean", short: "v" },
  },
  verify: {
    key: { type: "string", multiple: true },
    capture: { type: "string" },
    headers: { type: "string" },
    entry: { type: "string" },
    body: { type: "string" },
    url: { type: "string" },
    method: { type: "string" },
    now: { type: "string" },
    tolerance: { type: "string" },
    "public-path": { type: "string" },
    json: { type: "boolean" },
  },
  gateway: {
    url: { type: "string" },
    "token-file": { type: "string" },
    json: { type: "boolean" },
    timeout: { type: "string" },
    insecure: { type: "boolean" },
    status: { type: "string" },
    source: { type: "string" },
    limit: { type: "string" },
    dead: { type: "boolean" },
  },
};
const RUN = { samples: cmdSamples, sign: cmdSign, send: cmdSend, verify: cmdVerify, gateway: cmdGateway };

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") return print(USAGE.main);
  if (command === "--version" || command === "-V") return print(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
  if (command === "help") {
    const topic = rest[0] ?? "main";
    if (!USAGE[topic]) throw new Usage(`no such command: ${topic}`);
    return print(USAGE[topic]);
  }
  if (!RUN[command]) throw new Usage(`no such command: ${command} (try carehook --help)`);
  if (command === "gateway" && rest.some((a) => a === "--token" || a.startsWith("--token="))) {
    // Checked before parsing, so the value is in no message: it would be in ps and the shell's history.
    throw new Usage("the admin token is never taken on the command line: put it in a file and pass --token-file FILE");
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON, ...SPECS[command] }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Usage(`${e.message}\n\n${USAGE[command]}`);
  }
  if (parsed.values.help) return print(USAGE[command]);
  return RUN[command](parsed.positionals, parsed.values);
}

function cmdSamples([vendor, ...extra], opts) {
  if (extra.length) throw new Usage(USAGE.samples);
  const all = samples();
  if (vendor === undefined) {
    if (opts.json) return print(JSON.stringify(all, null, 2));
    const width = Math.max(...all.map((s) => s.vendor.length));
    const pathWidth = Math.max(...all.map((s) => s.path.length));
    print(`${"VENDOR".padEnd(width)}  ${"PATH".padEnd(pathWidth)}  DEMO SIGNING KEY`);
    for (const s of all) print(`${s.vendor.padEnd(width)}  ${s.path.padEnd(pathWidth)}  ${s.signingKey}`);
    return 0;
  }
  const s = sampleOf(vendor);
  if (opts.json) return print(JSON.stringify(s, null, 2));
  process.stdout.write(s.body);
  return 0;
}

function cmdSign([vendor, ...extra], opts) {
  if (vendor === undefined || extra.length) throw new Usage(USAGE.sign);
  const sample = sampleOf(vendor);
  const key = keyOf(opts.key, "sign");
  if (opts.body === undefined) throw new Usage(`sign needs --body FILE (or - for standard input)\n\n${USAGE.sign}`);
  const body = readInput(opts.body);
  if (opts.curl && !isAbsolute(opts.url)) throw new Usage("--curl needs an absolute --url (http://... or https://...)");
  const url = opts.url ?? sample.path;
  const method = opts.method ?? "POST";
  const headers = sign({ vendor, key, body, method, url, now: timeOf(opts.now), id: opts.id });
  if (!opts.curl) {
    for (const [name, value] of Object.entries(headers)) print(`${name}: ${value}`);
    return 0;
  }
  // A body from a file stays there (curl reads its exact bytes); one from standard input goes inline.
  const request = { method, url, headers: withContentType(headers), body: opts.body === "-" ? body : undefined };
  try {
    print(toCurl(request, { bodyFile: opts.body === "-" ? undefined : opts.body }));
  } catch (e) {
    throw new Usage(`${e.message.replace(/^carehook: /, "")}: pass --body FILE instead of standard input`);
  }
  return 0;
}

async function cmdSend([vendor, url, ...extra], opts) {
  if (vendor === undefined || url === undefined || extra.length) throw new Usage(USAGE.send);
  const sample = sampleOf(vendor);
  if (!isAbsolute(url)) throw new Usage(`send needs an absolute URL (http://... or https://...), got: ${url}`);
  const key = opts.key ?? process.env.CAREHOOK_KEY ?? sample.signingKey;
  const own = opts.body !== undefined;
  const body = own ? readInput(opts.body) : new TextEncoder().encode(sample.body);
  const target = new URL(url);
  const signed = sign({ vendor, key, body, url: target.pathname + target.search, now: timeOf(opts.now) });
  const headers = { ...(own ? {} : Object.fromEntries(sample.headers)), ...withContentType(signed) };
  for (const h of opts.header ?? []) {
    const read = readCapture(h);
    if (read.format !== "headers" || read.headers.length !== 1 || read.notes.length > 0) throw new Usage(`--header needs "Name: value", got: ${h}`);
    const [[name, value]] = read.headers;
    headers[name.toLowerCase()] = value;
  }
  delete headers["content-length"]; // fetch sends the true length
  const timeout = opts.timeout === undefined ? 10 : Number(opts.timeout);
  if (!(timeout > 0)) throw new Usage("--timeout needs a positive number of seconds");
  if (opts.verbose) {
    process.stderr.write(`POST ${target.href}\n`);
    for (const [name, value] of Object.entries(headers)) process.stderr.write(`${name}: ${value}\n`);
  }
  let res;
  try {
    res = await fetch(target, { method: "POST", headers, body, signal: AbortSignal.timeout(timeout * 1000), redirect: "manual" });
  } catch (e) {
    const why = e?.name === "TimeoutError" ? `no answer within ${timeout}s` : (e?.cause?.code ?? e?.message ?? "failed");
    process.stderr.write(`error: could not reach ${target.origin}: ${why}\n`);
    return 1;
  }
  print(`HTTP ${res.status}${res.statusText ? " " + res.statusText : ""}`);
  const text = await res.text();
  if (text) print(text.endsWith("\n") ? text.slice(0, -1) : text);
  return res.ok ? 0 : 1;
}

function cmdVerify([vendor, ...extra], opts) {
  if (vendor === undefined || extra.length) throw new Usage(USAGE.verify);
  const sample = sampleOf(vendor);
  const keys = opts.key ?? (process.env.CAREHOOK_KEY === undefined ? undefined : [process.env.CAREHOOK_KEY]);
  if (!keys) throw new Usage(`verify needs --key K (or $CAREHOOK_KEY)\n\n${USAGE.verify}`);
  if (opts.capture !== undefined && opts.headers !== undefined) throw new Usage("give --capture or --headers, not both (they are the same option)");
  const file = opts.capture ?? opts.headers;
  if (file === undefined) throw new Usage(`verify needs --capture FILE\n\n${USAGE.verify}`);
  if (opts.entry !== undefined && !/^\d+$/.test(opts.entry)) throw new Usage("--entry needs a whole number (0 for the first request)");
  const given = opts.body === undefined ? undefined : readInput(opts.body);
  const captured = readCapture(readInput(file), { body: given, entry: opts.entry === undefined ? undefined : Number(opts.entry) });
  let body = captured.body;
  if (body === null && captured.bodyFile && captured.bodyFile.path !== "-") {
    // The file the curl command sends, as curl reads it: -d leaves out line breaks, --data-binary keeps every byte.
    body = readInput(captured.bodyFile.path);
    if (!captured.bodyFile.binary) body = body.filter((b) => b !== 10 && b !== 13 && b !== 0);
    captured.notes = captured.notes.filter((n) => !n.message.startsWith("curl reads the body from the file"));
  }
  if (body === null) throw new Usage(`verify needs --body FILE (the capture holds no body)${captured.notes.length ? `\n${noteLines(captured.notes)}` : ""}`);
  const options = {
    vendor,
    keys,
    method: opts.method ?? captured.method ?? "POST",
    url: opts.url ?? captured.url ?? sample.path,
    headers: captured.headers,
    body,
    now: timeOf(opts.now),
    tolerance: opts.tolerance === undefined ? undefined : numberOf(opts.tolerance, "--tolerance"),
    publicPath: opts["public-path"],
  };
  const read = { format: captured.format, method: captured.method, url: captured.url, entry: captured.entry, entries: captured.entries, notes: captured.notes };
  if (opts.json) {
    const report = inspect(options);
    print(JSON.stringify({ ...report, capture: read }, null, 2));
    return report.ok ? 0 : 1;
  }
  const notes = captured.notes.length ? noteLines(captured.notes) + "\n" : "";
  try {
    const { events, handshake } = verifyAll(options);
    print(JSON.stringify(events.length === 1 && !handshake ? events[0] : { events, handshake }, null, 2));
    process.stderr.write(notes);
    return 0;
  } catch (e) {
    if (!(e instanceof CarehookError)) throw e;
    const report = inspect(options);
    const lines = [`error: ${e.code}`, e.message];
    if (e.hint) lines.push(`hint: ${e.hint}`);
    for (const d of report.diagnosis ?? []) lines.push(`diagnosis: ${d}`);
    process.stderr.write(lines.join("\n") + "\n" + notes);
    return 1;
  }
}

function noteLines(notes) {
  return notes.map((n) => `note: ${n.line === null ? "" : `line ${n.line}: `}${n.message}`).join("\n");
}

const GATEWAY_OPTIONS = { events: ["status", "source", "limit"], show: [], replay: ["dead", "source"], stats: [] };
const GATEWAY_COMMON = ["url", "token-file", "json", "timeout", "insecure", "help"];

async function cmdGateway([sub, ...args], opts) {
  if (sub === undefined) throw new Usage("gateway needs a command: events, show, replay or stats (carehook gateway --help)");
  if (!GATEWAY_OPTIONS[sub]) throw new Usage(`no such gateway command: ${sub} (events, show, replay or stats)`);
  for (const name of Object.keys(opts)) {
    if (!GATEWAY_COMMON.includes(name) && !GATEWAY_OPTIONS[sub].includes(name)) throw new Usage(`gateway ${sub} takes no --${name}`);
  }
  const wanted = { events: 0, show: 2, stats: 0, replay: opts.dead ? 0 : 2 }[sub];
  if (args.length !== wanted) {
    const shape = {
      events: "gateway events takes no argument: filter with --status, --source and --limit",
      show: "gateway show needs <route> <id>",
      stats: "gateway stats takes no argument",
      replay: opts.dead ? "gateway replay --dead takes no <route> <id>: pick a route with --source" : "gateway replay needs <route> <id>, or --dead",
    }[sub];
    throw new Usage(`${shape} (carehook gateway --help)`);
  }
  if (sub === "replay" && opts.source !== undefined && !opts.dead) throw new Usage("gateway replay takes --source only with --dead");
  if (opts.status !== undefined && !STATUSES.includes(opts.status)) throw new Usage(`--status is one of ${STATUSES.join(", ")}, got: ${opts.status}`);
  if (opts.limit !== undefined && !(/^\d+$/.test(opts.limit) && Number(opts.limit) >= 1 && Number(opts.limit) <= 500)) {
    throw new Usage("--limit needs a whole number from 1 to 500");
  }
  const timeout = opts.timeout === undefined ? 30 : Number(opts.timeout);
  if (!(timeout > 0)) throw new Usage("--timeout needs a positive number of seconds");
  const tokenFile = opts["token-file"] ?? (process.env.CAREHOOK_ADMIN_TOKEN_FILE || undefined);
  if (tokenFile === undefined) throw new Usage("gateway needs --token-file FILE (or $CAREHOOK_ADMIN_TOKEN_FILE): a file holding the admin token");
  const url = opts.url ?? (process.env.CAREHOOK_GATEWAY || "http://127.0.0.1:8787");
  let client, answer;
  try {
    client = gatewayClient({ url, token: readToken(tokenFile), timeout, insecure: opts.insecure });
    if (sub === "events") answer = await client.events({ status: opts.status, source: opts.source, limit: opts.limit });
    else if (sub === "show") answer = await client.show(args[0], args[1]);
    else if (sub === "replay") answer = opts.dead ? await client.replayDead({ source: opts.source }) : await client.replay(args[0], args[1]);
    else answer = await client.stats();
  } catch (e) {
    if (e instanceof GatewayUsageError) throw new Usage(e.message);
    if (!(e instanceof GatewayError)) throw e;
    process.stderr.write(`error: ${e.message}${e.status === 401 ? `; token file: ${tokenFile}` : ""}\n`);
    return 1;
  }
  const bulkFailed = sub === "replay" && opts.dead && answer.failed > 0;
  if (opts.json) {
    print(JSON.stringify(answer, null, 2));
    return bulkFailed ? 1 : 0;
  }
  if (sub === "events") {
    const events = answer.events ?? [];
    print(eventsTable(events));
    const limit = opts.limit === undefined ? 50 : Number(opts.limit);
    if (events.length >= limit) process.stderr.write(`(${events.length} events: the limit; --limit up to 500 shows more)\n`);
  } else if (sub === "show") {
    print(recordText(answer));
  } else if (sub === "stats") {
    print(statsTable(answer));
  } else if (!opts.dead) {
    print(`replayed ${shown(answer.source ?? args[0])} ${shown(answer.id ?? args[1])}: queued again under the same id`);
  } else {
    const scope = opts.source === undefined ? "" : ` of ${shown(opts.source)}`;
    print(answer.replayed === 0 && !bulkFailed ? `no dead events${scope} to replay` : `replayed ${answer.replayed} dead event${answer.replayed === 1 ? "" : "s"}${scope}; ${answer.failed} failed`);
    if (bulkFailed) process.stderr.write(`error: ${answer.failed} could not be queued again; run the replay again\n`);
  }
  return bulkFailed ? 1 : 0;
}

function sampleOf(vendor) {
  const s = samples().find((x) => x.vendor === vendor);
  if (!s) throw new Usage(`unknown vendor: ${vendor}\nvendors: ${vendors().join(", ")}`);
  return s;
}

function keyOf(key, command) {
  const k = key ?? process.env.CAREHOOK_KEY;
  if (k === undefined) throw new Usage(`${command} needs --key K (or $CAREHOOK_KEY)\n\n${USAGE[command]}`);
  return k;
}

function readInput(path) {
  try {
    return new Uint8Array(readFileSync(path === "-" ? 0 : path));
  } catch (e) {
    throw new Usage(`cannot read ${path === "-" ? "standard input" : path}: ${e.code ?? e.message}`);
  }
}

function timeOf(text) {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Usage(`--now needs Unix seconds or an ISO 8601 date, got: ${text}`);
  return Math.floor(ms / 1000);
}

function numberOf(text, flag) {
  if (!/^\d+$/.test(text)) throw new Usage(`${flag} needs a whole number of seconds`);
  return Number(text);
}

function withContentType(headers) {
  const has = Object.keys(headers).some((k) => k.toLowerCase() === "content-type");
  return has ? headers : { "content-type": "application/json", ...headers };
}

function isAbsolute(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

function print(text) {
  process.stdout.write(text + "\n");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code ?? 0;
  },
  (e) => {
    if (e instanceof Usage) {
      process.stderr.write(`carehook: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof CarehookError) {
      process.stderr.write(`error: ${e.code}\n${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`carehook: ${e?.message ?? e}\n`);
      process.exitCode = 2;
    }
  },
);
