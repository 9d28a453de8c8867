// `carehook gateway ...`, spawned as an operator runs it, against the real built Worker in workerd (its ledger
// Durable Objects, queues and admin API) and a real origin on 127.0.0.1: the events table, --json, one event's
// history, replay (one, and every dead one) delivering exactly once more, stats, and refusals (401, 404, 409, 410,
// no answer, admin API off) as one clear line with a non-zero exit. The token is read from a file and never printed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, sampleSources, signed, sleep, startGateway, startOrigin, waitFor } from "./harness.mjs";

const CLI = fileURLToPath(new URL("../../pkg/bin/carehook.mjs", import.meta.url));
const { sources, secrets } = sampleSources();
const WRONG_TOKEN = "carehook-wrong-admin-token-9876543210";
let origin, gateway, url, tmp, tokenFile, wrongTokenFile;
const outputs = []; // every CLI run's stdout and stderr, checked for the token at the end

const ok = { id: `msg_cli_ok_${randomUUID()}` };
const dead = { id: `msg_cli_dead_${randomUUID()}` };
const spaced = { id: `m ${randomUUID().slice(0, 8)} — Zoë` }; // an id with spaces and non-ASCII (Metriport)
const medplum = {}; // an id with slashes: Patient/<uuid>/_history/3

/** Runs the CLI; resolves to { code, stdout, stderr }. Bounded: killed after 30 s. */
function cli(args, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const { CAREHOOK_GATEWAY: _g, CAREHOOK_ADMIN_TOKEN_FILE: _t, ...base } = process.env;
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out = [], err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const result = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      outputs.push(result.stdout, result.stderr);
      resolve(result);
    });
  });
}
/** `carehook gateway <args> --url <gateway> --token-file <file>`. */
const gw = (args, { token = tokenFile, env } = {}) => cli(["gateway", ...args, "--url", url, "--token-file", token], { env });

/** A table's rows as { column: cell }: cells are two or more spaces apart (ids and headers have single spaces at most). */
function parseTable(text) {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header.split(/ {2,}/);
  return {
    names,
    rows: lines.map((line) => {
      const cells = line.trim().split(/ {2,}/);
      assert.equal(cells.length, names.length, `a row with ${cells.length} cells: ${line}`);
      return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
    }),
  };
}

/** `show`'s fields as { name: value }, checking that every value starts in one column; and its history table. */
function parseRecord(text) {
  const [fields, history] = text.split("\n\nhistory:\n");
  const lines = fields.split("\n").map((l) => /^([a-z]+(?: [a-z]+)?) {2,}(.*)$/.exec(l));
  assert.ok(lines.every(Boolean), fields);
  assert.equal(new Set(lines.map((m) => m[0].length - m[2].length)).size, 1, `aligned:\n${fields}`);
  return { field: Object.fromEntries(lines.map((m) => [m[1], m[2]])), history: parseTable(history).rows, historyNames: parseTable(history).names };
}

const deliveries = (id) => origin.delivered().filter((r) => r.event?.id === id).length;
const requestsFor = (id) => origin.requests.filter((r) => r.event?.id === id).length;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "carehook-cli-gateway-"));
  tokenFile = join(tmp, "admin-token");
  writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`, { mode: 0o600 }); // trailing newline, as `echo` writes it
  wrongTokenFile = join(tmp, "wrong-token");
  writeFileSync(wrongTokenFile, WRONG_TOKEN, { mode: 0o600 });
  origin = await startOrigin();
  origin.respond = (event) => (event?.id === dead.id ? 422 : 200);
  gateway = await startGateway({ origin, sources, secrets, maxRetries: 1 });
  url = (await gateway.mf.ready).origin;

  for (const [hook, note] of [[ok, "delivered"], [dead, "refused by the origin"]]) {
    const body = JSON.stringify({ type: "lab.result", data: { id: `lab_${randomUUID()}`, note } });
    const res = await gateway.send("/in/standard", signed("standard", { body, id: hook.id }));
    assert.deepEqual([res.status, res.json?.id], [200, hook.id], res.text);
  }
  const metriport = signed("metriport", {
    body: JSON.stringify({ meta: { messageId: spaced.id, when: new Date().toISOString(), type: "medical.document-download" }, patients: [] }),
  });
  const m = await gateway.send(metriport.path, metriport);
  assert.deepEqual([m.status, m.json?.id], [200, spaced.id], m.text);
  const mp = await gateway.send("/in/medplum", signed("medplum"));
  assert.equal(mp.status, 200, mp.text);
  medplum.id = mp.json.id;
  assert.ok(medplum.id.includes("/"), medplum.id);

  await waitFor(() => [ok, spaced, medplum].every((h) => deliveries(h.id) === 1), 15_000, "three deliveries");
  await waitFor(async () => (await gateway.deadLetters("standard")).some((l) => l.id === dead.id), 15_000, "the dead letter");
  await sleep(300);
});

after(async () => {
  await gateway?.close();
  await origin?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("events: an aligned table of every event with its status, source, id, type, attempts, last status, received", async () => {
  const res = await gw(["events"]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stderr, "");
  const t = parseTable(res.stdout);
  assert.deepEqual(t.names, ["STATUS", "SOURCE", "ID", "TYPE", "ATTEMPTS", "LAST STATUS", "RECEIVED"]);
  assert.equal(t.rows.length, 4, res.stdout);
  const row = (id) => t.rows.find((r) => r.ID === id);
  assert.deepEqual(row(ok.id), { ...row(ok.id), STATUS: "delivered", SOURCE: "standard", TYPE: "standard.lab.result", ATTEMPTS: "1", "LAST STATUS": "200" });
  assert.deepEqual(row(dead.id), { ...row(dead.id), STATUS: "dead", SOURCE: "standard", ATTEMPTS: "1", "LAST STATUS": "422" });
  assert.deepEqual(row(medplum.id), { ...row(medplum.id), STATUS: "delivered", SOURCE: "medplum", TYPE: "medplum.Patient.update" });
  // An id with spaces is shown whole, in quotes, so the columns stay unambiguous.
  assert.deepEqual(row(JSON.stringify(spaced.id)), { ...row(JSON.stringify(spaced.id)), STATUS: "delivered", SOURCE: "metriport" });
  for (const r of t.rows) assert.match(r.RECEIVED, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // Aligned: every row's id and type start under their headers (the columns before them are ASCII).
  const lines = res.stdout.trimEnd().split("\n");
  for (const name of ["SOURCE", "ID", "TYPE"]) {
    const at = lines[0].indexOf(name);
    for (const line of lines.slice(1)) assert.match(line.slice(at - 2, at + 1), /^ {2}\S$/, `${name} in: ${line}`);
  }
  for (const id of [ok.id, dead.id, medplum.id]) assert.ok(res.stdout.includes(` ${id} `), `the whole id ${id}`);

  const deadOnly = await gw(["events", "--status", "dead"]);
  assert.equal(deadOnly.code, 0, deadOnly.stderr);
  assert.deepEqual(parseTable(deadOnly.stdout).rows.map((r) => [r.STATUS, r.ID]), [["dead", dead.id]]);
  const standard = await gw(["events", "--source", "standard"]);
  assert.deepEqual(parseTable(standard.stdout).rows.map((r) => r.ID).sort(), [dead.id, ok.id].sort());
  const one = await gw(["events", "--limit", "1"]);
  assert.equal(one.code, 0);
  assert.equal(parseTable(one.stdout).rows.length, 1);
  assert.match(one.stderr, /the limit; --limit up to 500 shows more/);
  const none = await gw(["events", "--source", "github"]);
  assert.deepEqual([none.code, none.stdout], [0, "no events\n"]);
});

test("events --json prints the gateway's answer, which parses to what the admin API says", async () => {
  const res = await gw(["events", "--json"]);
  assert.equal(res.code, 0, res.stderr);
  const mine = JSON.parse(res.stdout);
  const api = await gateway.admin("/admin/events");
  assert.deepEqual(mine, api.json);
  assert.deepEqual(mine.events.map((e) => e.id).sort(), [ok.id, dead.id, spaced.id, medplum.id].sort());
  const filtered = JSON.parse((await gw(["events", "--json", "--status", "delivered", "--source", "standard"])).stdout);
  assert.deepEqual(filtered.events.map((e) => [e.id, e.status]), [[ok.id, "delivered"]]);
});

test("show prints the record and its delivery history; ids with slashes and spaces are found", async () => {
  const res = await gw(["show", "standard", dead.id]);
  assert.equal(res.code, 0, res.stderr);
  const { field, history, historyNames } = parseRecord(res.stdout);
  assert.deepEqual(
    [field.source, field.id, field.status, field.attempts, field["last status"], field.replays, field.generation, field.replayable],
    ["standard", dead.id, "dead", "1", "422", "0", "0", "yes"],
  );
  assert.deepEqual(historyNames, ["GENERATION", "ATTEMPT", "AT", "STATUS", "OUTCOME"]);
  assert.deepEqual(history.map((a) => [a.GENERATION, a.ATTEMPT, a.STATUS, a.OUTCOME]), [["0", "1", "422", "refused"]]);
  assert.match(history[0].AT, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const slashes = await gw(["show", "medplum", medplum.id]);
  assert.equal(slashes.code, 0, slashes.stderr);
  const viaSlashes = parseRecord(slashes.stdout).field;
  assert.deepEqual([viaSlashes.id, viaSlashes.status, viaSlashes.replayable], [medplum.id, "delivered", "no"]);
  const spaces = await gw(["show", "metriport", spaced.id]);
  assert.equal(spaces.code, 0, spaces.stderr);
  assert.equal(parseRecord(spaces.stdout).field.id, JSON.stringify(spaced.id), "whole, in quotes");

  const json = await gw(["show", "standard", dead.id, "--json"]);
  assert.deepEqual(JSON.parse(json.stdout), (await gateway.admin(`/admin/events/standard/${encodeURIComponent(dead.id)}`)).json);
});

test("show and replay of what does not exist: exit 1, one line naming the 404", async () => {
  const missing = await gw(["show", "standard", "msg_nobody"]);
  assert.deepEqual([missing.code, missing.stdout], [1, ""]);
  assert.match(missing.stderr, /^error: 404 not_found: no event standard msg_nobody \(.*\)\n$/);
  const route = await gw(["replay", "nowhere", "msg_x"]);
  assert.equal(route.code, 1);
  assert.match(route.stderr, /^error: 404 unknown_source: no source is configured as nowhere on the gateway\n$/);
  const source = await gw(["events", "--source", "nowhere"]);
  assert.equal(source.code, 1);
  assert.match(source.stderr, /^error: 404 unknown_source: .*nowhere/);
});

test("replay of a dead event after the origin is fixed: exactly one more delivery; a second replay is 409", async () => {
  const notDead = await gw(["replay", "standard", ok.id]);
  assert.deepEqual([notDead.code, notDead.stdout], [1, ""]);
  assert.match(notDead.stderr, new RegExp(`^error: 409 not_dead: standard ${ok.id} is not dead; only a dead event can be replayed\\n$`));

  assert.equal(deliveries(dead.id), 0, "the origin refused it");
  const refusals = requestsFor(dead.id);
  origin.respond = () => 200;
  const res = await gw(["replay", "standard", dead.id]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, `replayed standard ${dead.id}: queued again under the same id\n`);
  await waitFor(() => deliveries(dead.id) === 1, 15_000, "the replay's delivery");
  await sleep(800);
  assert.equal(deliveries(dead.id), 1, "delivered exactly once");
  assert.equal(requestsFor(dead.id), refusals + 1, "one more request at the origin, no other");
  assert.equal(deliveries(ok.id), 1, "nothing else was delivered again");

  const after = await gw(["show", "standard", dead.id]);
  const { field, history } = parseRecord(after.stdout);
  assert.deepEqual([field.status, field.replays, field.generation, field.replayable], ["delivered", "1", "1", "no"]);
  assert.deepEqual(history.map((a) => [a.GENERATION, a.STATUS, a.OUTCOME]), [["0", "422", "refused"], ["1", "200", "delivered"]]);
  const again = await gw(["replay", "standard", dead.id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: 409 not_dead: /);
  const json = await gw(["replay", "standard", dead.id, "--json"]);
  assert.equal(json.code, 1, "--json does not hide a refusal");
});

test("replay --dead: every dead letter of a route once more; none left is not an error", async () => {
  const second = { id: `msg_cli_dead2_${randomUUID()}` };
  origin.respond = (event) => (event?.id === second.id ? 422 : 200);
  const body = JSON.stringify({ type: "lab.result", data: { id: `lab_${randomUUID()}`, note: "bulk" } });
  assert.equal((await gateway.send("/in/standard", signed("standard", { body, id: second.id }))).status, 200);
  await waitFor(async () => (await gateway.deadLetters("standard")).some((l) => l.id === second.id), 15_000, "the second dead letter");
  const listed = parseTable((await gw(["events", "--status", "dead"])).stdout).rows;
  assert.deepEqual(listed.map((r) => r.ID), [second.id]);

  origin.respond = () => 200;
  const res = await gw(["replay", "--dead", "--source", "standard"]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, "replayed 1 dead event of standard; 0 failed\n");
  await waitFor(() => deliveries(second.id) === 1, 15_000, "the bulk replay's delivery");
  await sleep(800);
  assert.equal(deliveries(second.id), 1);
  assert.equal(deliveries(dead.id), 1, "the event replayed before is not delivered again");

  const nothing = await gw(["replay", "--dead"]);
  assert.deepEqual([nothing.code, nothing.stdout], [0, "no dead events to replay\n"]);
  const json = await gw(["replay", "--dead", "--json"]);
  assert.deepEqual([json.code, JSON.parse(json.stdout)], [0, { replayed: 0, failed: 0 }]);
});

test("stats: the counts per route and in total match the admin API and the origin", async () => {
  const res = await gw(["stats"]);
  assert.equal(res.code, 0, res.stderr);
  const [tableText, backlog] = [res.stdout.trimEnd().split("\n").slice(0, -1).join("\n"), res.stdout.trimEnd().split("\n").at(-1)];
  const t = parseTable(tableText);
  assert.deepEqual(t.names, ["SOURCE", "RECEIVED", "QUEUED", "DELIVERED", "DEAD"]);
  const api = (await gateway.admin("/admin/stats")).json;
  const counts = (r) => ({ received: Number(r.RECEIVED), queued: Number(r.QUEUED), delivered: Number(r.DELIVERED), dead: Number(r.DEAD) });
  const total = t.rows.at(-1);
  assert.equal(total.SOURCE, "total");
  assert.deepEqual(counts(total), api.counts);
  assert.deepEqual(api.counts, { received: 0, queued: 0, delivered: 5, dead: 0 });
  assert.equal(api.counts.delivered, new Set(origin.deliveredIds()).size, "one delivered record per event the origin took");
  assert.deepEqual(t.rows.slice(0, -1).map((r) => r.SOURCE), Object.keys(api.sources).sort());
  for (const r of t.rows.slice(0, -1)) assert.deepEqual(counts(r), api.sources[r.SOURCE], r.SOURCE);
  assert.deepEqual(counts(t.rows.find((r) => r.SOURCE === "standard")), { received: 0, queued: 0, delivered: 3, dead: 0 });
  assert.match(backlog, /^queue backlog: not reported/);
  const json = await gw(["stats", "--json"]);
  assert.deepEqual(JSON.parse(json.stdout), api);
});

test("the URL and token file may come from the environment", async () => {
  const res = await cli(["gateway", "stats", "--json"], { env: { CAREHOOK_GATEWAY: url, CAREHOOK_ADMIN_TOKEN_FILE: tokenFile } });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).counts.delivered, 5);
});

test("a wrong token file: exit 1 and one line saying 401 unauthorized; neither token is printed", async () => {
  for (const args of [["events"], ["show", "standard", ok.id], ["replay", "standard", ok.id], ["replay", "--dead"], ["stats", "--json"]]) {
    const res = await gw(args, { token: wrongTokenFile });
    assert.equal(res.code, 1, args.join(" "));
    assert.equal(res.stdout, "");
    assert.match(res.stderr, /^error: 401 unauthorized: the gateway refused the admin token .*; token file: .*wrong-token\n$/);
    assert.ok(!res.stderr.includes(WRONG_TOKEN) && !res.stderr.includes(ADMIN_TOKEN));
  }
  assert.equal(deliveries(ok.id), 1, "nothing was replayed");
});

test("no token file, an unusable one, or a token on the command line: exit 2 before any request", async () => {
  const none = await cli(["gateway", "stats", "--url", url]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^carehook: gateway needs --token-file FILE/);
  const missing = await gw(["stats"], { token: join(tmp, "no-such-file") });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^carehook: cannot read the token file .*no-such-file: ENOENT\n$/);
  const emptyFile = join(tmp, "empty");
  writeFileSync(emptyFile, "\n");
  assert.match((await gw(["stats"], { token: emptyFile })).stderr, /^carehook: the token file .* is empty\n$/);
  const twoLines = join(tmp, "two-lines");
  writeFileSync(twoLines, `${ADMIN_TOKEN}\nsecond-line-secret\n`);
  const multi = await gw(["stats"], { token: twoLines });
  assert.equal(multi.code, 2);
  assert.match(multi.stderr, /^carehook: the token file .* must hold only the token/);
  assert.ok(!multi.stderr.includes("second-line-secret"));
  for (const args of [["--token", ADMIN_TOKEN], [`--token=${ADMIN_TOKEN}`]]) {
    const res = await cli(["gateway", "stats", "--url", url, ...args]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^carehook: the admin token is never taken on the command line/);
  }
  for (const args of [["nonsense"], ["show", "standard"], ["replay"], ["replay", "standard", "x", "--dead"], ["stats", "--status", "dead"], ["events", "--status", "lost"], ["events", "--limit", "0"]]) {
    const res = await gw(args);
    assert.equal(res.code, 2, args.join(" "));
    assert.match(res.stderr, /^carehook: /, args.join(" "));
  }
  const remote = await cli(["gateway", "stats", "--url", "http://gateway.example", "--token-file", tokenFile]);
  assert.equal(remote.code, 2);
  assert.match(remote.stderr, /refusing to send the admin token in clear text to gateway\.example/);
});

test("no gateway listening, and a gateway without the admin API: exit 1, one line", async () => {
  const probe = http.createServer();
  await new Promise((r) => probe.listen(0, "127.0.0.1", r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const down = await cli(["gateway", "stats", "--url", `http://127.0.0.1:${port}`, "--token-file", tokenFile, "--timeout", "5"]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^error: could not reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);

  const closed = await startGateway({ origin, sources, secrets, adminToken: null });
  try {
    const off = await cli(["gateway", "events", "--url", (await closed.mf.ready).origin, "--token-file", tokenFile]);
    assert.equal(off.code, 1);
    assert.match(off.stderr, /^error: 404 not_found: no admin API at http:\/\/127\.0\.0\.1:\d+ \(it is off unless the Worker's ADMIN_TOKEN secret is set\)\n$/);
  } finally {
    await closed.close();
  }
});

test("replay of a dead letter whose payload is past retention: exit 1, one line naming the 410", async () => {
  const old = { id: `msg_cli_expired_${randomUUID()}` };
  origin.respond = (event) => (event?.id === old.id ? 422 : 200);
  const body = JSON.stringify({ type: "lab.result", data: { id: `lab_${randomUUID()}`, note: "expired" } });
  assert.equal((await gateway.send("/in/standard", signed("standard", { body, id: old.id }))).status, 200);
  await waitFor(async () => (await gateway.deadLetters("standard")).some((l) => l.id === old.id), 15_000, "the dead letter");
  // 15 days on, with records kept 30 days: the record is still listed, its payload (kept 14 days) is gone.
  await gateway.setVars({ LEDGER_RETENTION_DAYS: "30" }, { at: Math.floor(Date.now() / 1000) + 15 * 86_400 });
  url = (await gateway.mf.ready).origin; // a restart may listen on another port
  origin.respond = () => 200;
  const res = await gw(["replay", "standard", old.id]);
  assert.deepEqual([res.code, res.stdout], [1, ""]);
  assert.match(res.stderr, new RegExp(`^error: 410 payload_expired: the payload of standard ${old.id} is past the retention window; it can no longer be replayed\\n$`));
  const shown = parseRecord((await gw(["show", "standard", old.id])).stdout).field;
  assert.deepEqual([shown.status, shown.replayable], ["dead", "no"]);
  await sleep(300);
  assert.equal(deliveries(old.id), 0);
});

test("the admin token never appears in anything the CLI printed", () => {
  assert.ok(outputs.length > 40, `${outputs.length / 2} runs checked`);
  for (const text of outputs) {
    assert.ok(!text.includes(ADMIN_TOKEN), "the admin token was printed");
    assert.ok(!text.includes(WRONG_TOKEN), "the wrong token was printed");
  }
});

test("carehook gateway --help and carehook --help describe the commands", async () => {
  const help = await cli(["gateway", "--help"]);
  assert.equal(help.code, 0);
  assert.ok(help.stdout.startsWith("Usage: carehook gateway events|show|replay|stats"));
  for (const word of ["--token-file", "--url", "--json", "--status", "--source", "--limit", "--dead", "CAREHOOK_GATEWAY", "CAREHOOK_ADMIN_TOKEN_FILE"]) {
    assert.ok(help.stdout.includes(word), word);
  }
  assert.equal((await cli(["help", "gateway"])).stdout, help.stdout);
  assert.match((await cli(["--help"])).stdout, /carehook gateway events\|show\|replay\|stats/);
});
