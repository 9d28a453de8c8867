// A client for the carehook gateway's admin API (`/admin/...`, see the Worker's admin.rs) and the plain-text views
// the CLI prints. Node 18+ (fetch, AbortSignal.timeout). The token is only ever put in the Authorization header:
// it is never part of an error message, a URL or any output.
import { readFileSync } from "node:fs";

/** The statuses a ledger record can have, in the order the gateway counts them. */
export const STATUSES = ["received", "queued", "delivered", "dead"];

/** A problem with how the client is called (a missing or unreadable token file, a bad URL): the CLI's exit 2. */
export class GatewayUsageError extends Error {}

/**
 * The gateway did not answer 2xx, or could not be reached. `status` is the HTTP status (0 when there was no
 * answer), `code` the gateway's error code (`unauthorized`, `not_found`, `unknown_source`, `not_dead`,
 * `payload_expired`, ...), or `network`, `timeout`, `redirect`, `not_json`. `message` is one line, safe to print.
 */
export class GatewayError extends Error {
  constructor(message, { status, code }) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The admin token from a file: its content, trimmed. Never echoes the content, even when it is unusable. */
export function readToken(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new GatewayUsageError(`cannot read the token file ${path}: ${e.code ?? e.message}`);
  }
  const token = text.trim();
  if (token === "") throw new GatewayUsageError(`the token file ${path} is empty`);
  // Anything else cannot be a header value, and fetch's error would quote it.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new GatewayUsageError(`the token file ${path} must hold only the token: one line of printable ASCII, no spaces`);
  }
  return token;
}

function isLoopback(hostname) {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The gateway's base URL, checked: http(s), no credentials, query or fragment; clear-text http only to this machine. */
export function gatewayBase(url, { insecure = false } = {}) {
  let base;
  try {
    base = new URL(url);
  } catch {
    throw new GatewayUsageError(`--url needs an absolute http:// or https:// URL, got: ${shown(url)}`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new GatewayUsageError(`--url needs an http:// or https:// URL, got: ${shown(url)}`);
  }
  if (base.username || base.password) throw new GatewayUsageError("--url must not carry credentials: the token comes from --token-file");
  if (base.search || base.hash) throw new GatewayUsageError("--url is the gateway's base URL, without a query or fragment");
  if (base.protocol === "http:" && !isLoopback(base.hostname) && !insecure) {
    throw new GatewayUsageError(
      `refusing to send the admin token in clear text to ${base.host}: use https:// (or --insecure on a network you trust)`,
    );
  }
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return base;
}

/** One path segment: percent-encoded, so an id's `/`, `?`, `#`, `%` or spaces reach the gateway intact. */
function segment(value, what) {
  const text = String(value);
  if (text === "") throw new GatewayUsageError(`the ${what} is empty`);
  // URL parsers resolve "." and ".." (encoded or not) as dot segments: such an id has no address.
  if (text === "." || text === "..") throw new GatewayUsageError(`a ${what} of "${text}" cannot be addressed through the admin API`);
  return encodeURIComponent(text);
}

/**
 * A client for one gateway. Every method resolves to the gateway's JSON answer, or rejects with a GatewayError.
 * `timeout` is in seconds.
 */
export function gatewayClient({ url, token, timeout = 30, insecure = false }) {
  const base = gatewayBase(url, { insecure });
  const where = base.origin + base.pathname.replace(/\/$/, "");

  async function call(method, path, context = {}) {
    const target = new URL(path, base);
    let res;
    try {
      res = await fetch(target, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        redirect: "manual", // the token goes to --url and nowhere else
        signal: AbortSignal.timeout(timeout * 1000),
      });
    } catch (e) {
      const timedOut = e?.name === "TimeoutError" || e?.name === "AbortError";
      const why = timedOut ? `no answer within ${timeout}s` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? "failed");
      throw new GatewayError(`could not reach ${where}: ${clean(String(why))}`, { status: 0, code: timedOut ? "timeout" : "network" });
    }
    const text = await res.text().catch(() => "");
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {}
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get("location");
      throw new GatewayError(
        `${res.status} redirect from ${where}${to ? ` to ${shown(to)}` : ""}: not followed (the token is only sent to --url); pass the final URL`,
        { status: res.status, code: "redirect" },
      );
    }
    if (res.ok && body && typeof body === "object") return body;
    if (res.ok || !body || typeof body.error !== "string") {
      throw new GatewayError(`${res.status} from ${where}: not a carehook gateway admin answer (is --url the gateway?)`, {
        status: res.status,
        code: "not_json",
      });
    }
    throw new GatewayError(explain(res.status, body, { where, ...context }), { status: res.status, code: body.error });
  }

  return {
    url: where,
    /** GET /admin/events: `{ events: [...] }`, newest first. */
    events({ status, source, limit } = {}) {
      const q = new URLSearchParams();
      if (status !== undefined) q.set("status", status);
      if (source !== undefined) q.set("source", source);
      if (limit !== undefined) q.set("limit", String(limit));
      const query = q.toString() ? `?${q.toString().replaceAll("+", "%20")}` : "";
      return call("GET", `admin/events${query}`, { source });
    },
    /** GET /admin/events/<route>/<id>: the record with `generation`, `replayable` and `history`. */
    show(route, id) {
      return call("GET", `admin/events/${segment(route, "route")}/${segment(id, "id")}`, { route, id });
    },
    /** POST /admin/events/<route>/<id>/replay: `{ replayed: 1, source, id }`. */
    replay(route, id) {
      return call("POST", `admin/events/${segment(route, "route")}/${segment(id, "id")}/replay`, { route, id });
    },
    /** POST /admin/replay?status=dead[&source=]: `{ replayed, failed }`. */
    replayDead({ source } = {}) {
      const q = new URLSearchParams({ status: "dead" });
      if (source !== undefined) q.set("source", source);
      return call("POST", `admin/replay?${q.toString().replaceAll("+", "%20")}`, { source });
    },
    /** GET /admin/stats: `{ counts, sources, queueBacklog }`. */
    stats() {
      return call("GET", "admin/stats");
    },
  };
}

/** One line for a refusal, from the gateway's `{ error, message }` and what was asked. */
function explain(status, body, { where, route, id, source }) {
  const code = shown(body.error);
  const message = typeof body.message === "string" ? clean(body.message).slice(0, 300) : "";
  const event = route !== undefined ? `${shown(route)} ${shown(id)}` : "";
  const head = `${status} ${code}`;
  switch (status === 404 && body.error === "not_found" && !/^no event/.test(message) ? "admin_off" : body.error) {
    case "unauthorized":
      return `${head}: the gateway refused the admin token (it must equal the Worker's ADMIN_TOKEN secret)`;
    case "admin_off":
      return `${head}: no admin API at ${where} (it is off unless the Worker's ADMIN_TOKEN secret is set)`;
    case "not_found":
      return `${head}: no event ${event} (route, then id, as \`carehook gateway events\` lists them)`;
    case "unknown_source":
      return `${head}: no source is configured as ${shown(route ?? source ?? "")} on the gateway`;
    case "not_dead":
      return `${head}: ${event} is not dead; only a dead event can be replayed`;
    case "payload_expired":
      return `${head}: the payload of ${event} is past the retention window; it can no longer be replayed`;
    default:
      return `${head}${message ? `: ${message}` : ""}`;
  }
}

/**
 * Text from the gateway (ids come from vendors' payloads), made safe for a terminal and unambiguous in a table: as
 * is when it has no whitespace, control or format characters and no quote; else in double quotes with those
 * characters escaped. Never shortened.
 */
export function shown(value) {
  const text = value === null || value === undefined ? "-" : String(value);
  if (text !== "" && !/[\s\p{C}"\\]/u.test(text)) return text;
  const escaped = text.replace(/[\p{C}"\\]|[^\S ]/gu, (c) => {
    if (c === '"' || c === "\\") return `\\${c}`;
    return `\\u{${c.codePointAt(0).toString(16)}}`;
  });
  return `"${escaped}"`;
}

/** Text for a one-line message: control and format characters escaped, nothing quoted. */
function clean(text) {
  return text.replace(/\p{C}/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
}

/** Columns a string takes in a terminal: combining marks none, East Asian wide characters and emoji two. */
function width(text) {
  let n = 0;
  for (const c of text) {
    if (/\p{M}/u.test(c)) continue;
    const cp = c.codePointAt(0);
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
    n += wide ? 2 : 1;
  }
  return n;
}

/** Aligned columns, two spaces apart; `right` names the columns (by index) aligned right. No trailing spaces. */
export function table(header, rows, { right = [] } = {}) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => width(r[i]))));
  return all
    .map((r) =>
      r
        .map((c, i) => {
          const pad = " ".repeat(widths[i] - width(c));
          return right.includes(i) ? pad + c : i === r.length - 1 ? c : c + pad;
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const dash = (v) => (v === null || v === undefined ? "-" : String(v));

/** The events list as a table: STATUS SOURCE ID TYPE ATTEMPTS LAST STATUS RECEIVED. */
export function eventsTable(events) {
  if (events.length === 0) return "no events";
  const rows = events.map((e) => [shown(e.status), shown(e.source), shown(e.id), shown(e.type), dash(e.attempts), dash(e.lastStatus), shown(e.receivedAt)]);
  return table(["STATUS", "SOURCE", "ID", "TYPE", "ATTEMPTS", "LAST STATUS", "RECEIVED"], rows, { right: [4, 5] });
}

/** One record: its fields, then every delivery attempt. */
export function recordText(r) {
  const fields = [
    ["source", shown(r.source)],
    ["id", shown(r.id)],
    ["vendor", shown(r.vendor)],
    ["type", shown(r.type)],
    ["status", shown(r.status)],
    ["attempts", dash(r.attempts)],
    ["last status", dash(r.lastStatus)],
    ["received", shown(r.receivedAt)],
    ["updated", shown(r.updatedAt)],
    ["replays", dash(r.replays)],
    ["generation", dash(r.generation)],
    ["replayable", r.replayable ? "yes" : "no"],
  ];
  const head = table(["", ""], fields).split("\n").slice(1).join("\n");
  const history = r.history ?? [];
  const attempts = history.length
    ? table(
        ["GENERATION", "ATTEMPT", "AT", "STATUS", "OUTCOME"],
        history.map((a) => [dash(a.generation), dash(a.attempt), shown(a.at), dash(a.status), shown(a.outcome)]),
        { right: [0, 1, 3] },
      )
    : "no delivery attempt yet";
  return `${head}\n\nhistory:\n${attempts}`;
}

/** Counts per route and in total, and the queue backlog. */
export function statsTable(stats) {
  const row = (name, counts) => [name, ...STATUSES.map((s) => dash(counts?.[s] ?? 0))];
  const sources = Object.entries(stats.sources ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = [...sources.map(([name, c]) => row(shown(name), c)), row("total", stats.counts)];
  const backlog = stats.queueBacklog === null || stats.queueBacklog === undefined
    ? "queue backlog: not reported to the Worker (the Cloudflare dashboard shows it)"
    : `queue backlog: ${dash(stats.queueBacklog)}`;
  return `${table(["SOURCE", ...STATUSES.map((s) => s.toUpperCase())], rows, { right: [1, 2, 3, 4] })}\n${backlog}`;
}
