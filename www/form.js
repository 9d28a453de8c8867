// Pure helpers for the inspector: reading a captured HTTP request, writing one back, a curl line, and JSON
// re-indentation that keeps every token's text. No DOM here, so Node can test it.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });
const REQUEST_LINE = /^([A-Za-z]+)[ \t]+(\S+)(?:[ \t]+HTTP\/\d(?:\.\d)?)?[ \t]*$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:(.*)$/;

/** The index where the blank line between head and body starts, and its length; [-1, 0] when there is none. */
function blankLine(bytes) {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return [i, 2];
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return [i, 3];
  }
  return [-1, 0];
}

/**
 * A captured request (request line, headers, blank line, body; CRLF or LF) as
 * `{ method, target, headers: [[name, value]], body: Uint8Array, notes: [string] }`.
 * The body is kept byte for byte; header values lose only the whitespace HTTP itself ignores around them.
 * Accepts text or bytes (bytes keep a body's CRLFs, which a text box turns into LFs).
 */
export function parseRaw(input) {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const notes = [];
  let start = 0;
  // Leading blank lines are not part of a request (RFC 9112 §2.2 lets a server skip them).
  while (bytes[start] === 10 || (bytes[start] === 13 && bytes[start + 1] === 10)) start += bytes[start] === 10 ? 1 : 2;
  const rest = bytes.subarray(start);
  const [at, len] = blankLine(rest);
  const head = decoder.decode(at < 0 ? rest : rest.subarray(0, at + 1));
  const body = at < 0 ? new Uint8Array(0) : rest.slice(at + len);
  const lines = head.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();

  const { method, target, headers, sawRequestLine } = readHead(lines, notes, true);
  if (!sawRequestLine && lines.length > 0) notes.push("no request line: assuming POST /");
  if (at < 0 && lines.length > 0) notes.push("no blank line after the headers: the body is empty");
  notes.push(...lengthNotes(headers, body));
  return { method, target, headers, body, notes };
}

/** Headers typed one per line (`Name: value`), as pairs; blank lines are skipped, others that are not headers reported. */
export function parseHeaders(text) {
  const notes = [];
  const { headers } = readHead(text.split("\n").map((l) => l.replace(/\r$/, "")), notes, false);
  return { headers, notes };
}

/** The request line (when `withRequestLine`) and header lines of a head; odd lines become notes. */
function readHead(lines, notes, withRequestLine) {
  let method = "POST";
  let target = "/";
  const headers = [];
  let sawRequestLine = false;
  lines.forEach((line, i) => {
    const request = withRequestLine && i === 0 ? REQUEST_LINE.exec(line) : null;
    if (request && !HEADER_LINE.test(line)) {
      [method, target] = [request[1].toUpperCase(), request[2]];
      sawRequestLine = true;
      return;
    }
    if (/^[ \t]/.test(line) && line.trim() !== "" && headers.length > 0) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value, joined by one space.
      headers[headers.length - 1][1] += " " + line.trim();
      notes.push(`line ${i + 1} continues the previous header (obsolete line folding): joined with one space`);
      return;
    }
    const pseudo = withRequestLine && /^:(method|path|authority|scheme)[ \t]*:[ \t]*(.*)$/i.exec(line);
    if (pseudo) {
      // HTTP/2 pseudo-headers, as browsers' developer tools show a request.
      const name = pseudo[1].toLowerCase();
      if (name === "method") method = pseudo[2].trim().toUpperCase();
      if (name === "path") target = pseudo[2].trim();
      sawRequestLine ||= name === "method" || name === "path";
      return;
    }
    const header = HEADER_LINE.exec(line);
    if (header) headers.push([header[1], header[2].replace(/^[ \t]+|[ \t]+$/g, "")]);
    else if (line.trim() !== "") notes.push(`line ${i + 1} is not a ${withRequestLine && i === 0 ? "request line or " : ""}header: ignored`);
  });
  return { method, target, headers, sawRequestLine };
}

/** What the body's length says against Content-Length, when they disagree. */
export function lengthNotes(headers, body) {
  const declared = headers.find(([n]) => n.toLowerCase() === "content-length");
  if (!declared || !/^\d+$/.test(declared[1])) return [];
  const want = Number(declared[1]);
  if (want === body.length) return [];
  const notes = [`the body is ${body.length} bytes but Content-Length says ${want}`];
  const last = body.length - 1;
  if (body.length === want + 1 && body[last] === 10) notes.push("the body ends with a line break the sender did not send: remove it");
  else if (body.length === want + 2 && body[last] === 10 && body[last - 1] === 13) notes.push("the body ends with a line break the sender did not send: remove it");
  else if (body.length + countLF(body) === want) notes.push("the sender's line breaks were probably CRLF, and a text box keeps only LF: load the request from a file to keep its exact bytes");
  return notes;
}

function countLF(bytes) {
  let n = 0;
  for (const b of bytes) if (b === 10) n++;
  return n;
}

/** A request as text, the way it is captured: request line, headers, blank line, body. */
export function formatRaw({ method = "POST", target = "/", headers = [], body = "" }) {
  const text = typeof body === "string" ? body : decoder.decode(body);
  return `${method} ${target} HTTP/1.1\n${headers.map(([n, v]) => `${n}: ${v}\n`).join("")}\n${text}`;
}

/** Headers one per line. */
export function formatHeaders(headers) {
  return headers.map(([n, v]) => `${n}: ${v}`).join("\n");
}

/** A word quoted for a POSIX shell. */
export function shellQuote(s) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// curl computes these itself from what it sends; passing them again can only make them wrong.
const CURL_OWN = new Set(["content-length", "host"]);

/** A curl command that sends this request. */
export function curlLine({ method = "POST", url, headers = [], body = "" }) {
  const parts = ["curl", "-sS", "-X", method, shellQuote(url)];
  for (const [n, v] of headers) if (!CURL_OWN.has(n.toLowerCase())) parts.push("-H", shellQuote(`${n}: ${v}`));
  parts.push("--data-binary", shellQuote(body));
  return parts.join(" ");
}

/** JSON text re-indented by two spaces. Tokens keep their exact text (large integers stay exact). */
export function reindent(json) {
  let out = "";
  let depth = 0;
  let inString = false;
  const pad = () => "\n" + "  ".repeat(depth);
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += json[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      let j = i + 1;
      while (/\s/.test(json[j] ?? "")) j++;
      if (json[j] === close) {
        out += ch + close;
        i = j;
      } else {
        depth++;
        out += ch + pad();
      }
    } else if (ch === "}" || ch === "]") {
      depth--;
      out += pad() + ch;
    } else if (ch === ",") {
      out += "," + pad();
    } else if (ch === ":") {
      out += ": ";
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

/** What a key holds that a reader cannot see: each note is a short phrase; none means nothing odd. */
export function keyNotes(key) {
  const notes = [];
  if (key.length === 0) return ["empty"];
  if (/^\s/.test(key)) notes.push("starts with whitespace");
  if (/\s$/.test(key)) notes.push("ends with whitespace");
  if (/[\u00a0\u200b-\u200d\u2060\ufeff]/.test(key)) notes.push("contains an invisible character (no-break or zero-width space)");
  if (/^(["'`]).*\1$/.test(key)) notes.push("is wrapped in quotes");
  if (/\S\s+\S/.test(key.trim()) && !notes.length) notes.push("contains a space");
  return notes;
}

/** The keyring typed one key per line. Only the final line break is dropped; every other byte is kept. */
export function splitKeys(text) {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Unix seconds ↔ the value of an `<input type="datetime-local">` read as UTC. */
export function toLocalInput(seconds) {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

export function fromLocalInput(value) {
  const ms = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(value) ? value : value + "Z");
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}
