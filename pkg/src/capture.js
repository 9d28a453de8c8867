// A captured request, read from the forms people have one in, and written back as a curl command or raw HTTP.
// One reader for the CLI, the inspector and any program: a raw HTTP/1.1 request; a headers block with the body apart;
// a curl command; a HAR file or entry; browsers' developer tools' copied request headers; a JSON log line; any of
// them indented, quoted or fenced as pasted from Markdown or an e-mail. Runtime-neutral: standard JavaScript only.

const encoder = new TextEncoder();
const decoder = new TextDecoder(); // header text: a stray byte becomes U+FFFD; bodies are kept as bytes
const exact = new TextDecoder("utf-8", { fatal: true });

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const HEADER_LINE = new RegExp(`^(${TOKEN})[ \\t]*:(.*)$`);
const BARE_NAME = new RegExp(`^(:?${TOKEN}):?[ \\t]*$`);
const HEADERISH = new RegExp(`^:?${TOKEN}:([ \\t]|$)`);
const PSEUDO_LINE = /^:([a-z]+)[ \t]*:[ \t]*(.*)$/i;
const REQUEST_LINE = /^([A-Za-z]+)[ \t]+(\S+)(?:[ \t]+HTTP\/(\d(?:\.\d)?))?[ \t]*$/;
/** An absolute URL starts with its scheme: `/in/x?next=https://a.example/b` is a path whose query holds a URL. */
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const CURL = /^(?:\$[ \t]+)?(?:\S*\/)?curl(?:\.exe)?(?:[ \t]|\\?$)/;
// What a HAR or log line's request is made of, under the names loggers give them.
const METHOD_FIELDS = ["method", "httpMethod", "requestMethod", "verb"];
const URL_FIELDS = ["url", "originalUrl", "requestUrl", "uri", "target"];
const PATH_FIELDS = ["path", "rawPath", "pathname"];
const QUERY_FIELDS = ["query", "rawQueryString", "queryString", "querystring", "query_string", "search"];
const BODY_TEXT_FIELDS = ["body", "rawBody", "raw_body", "payload", "data"];
const BODY_BASE64_FIELDS = ["body_base64", "bodyBase64", "rawBodyBase64", "raw_body_base64"];
const NESTED_FIELDS = ["request", "req", "httpRequest", "http_request"];
const KNOWN_HEADERS = /^(content-type|content-length|host|user-agent|accept|authorization|signature|date)$/i;

/**
 * Reads a captured request. `input` is text or bytes (bytes keep a raw request's body exactly, CRLFs included).
 * Options: `body`, the body when it is kept apart (text or bytes; it replaces any in the capture); `entry`, which
 * request of a HAR file or log to read (0-based; default the first that is not a GET, HEAD or OPTIONS).
 * Returns `{ format, method, url, headers, body, bodyFile, entry, entries, notes }`: `url` is the target as sent (a
 * path and query, or an absolute URL), `method` and `url` are null when the capture does not hold them, `headers` are
 * `[name, value]` pairs in order (repeats kept), `body` is a Uint8Array or null when the capture holds none, `notes`
 * are `{ line, message }` for what was odd or left out (`line` 1-based, or null). Never throws for odd input.
 */
export function readCapture(input, options = {}) {
  if (options === null || typeof options !== "object") throw new TypeError("carehook: readCapture options must be an object");
  const notes = [];
  let bytes = bytesOf(input, "the capture");
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const src = unwrap(bytes, notes);
  const first = firstLine(src.text);
  let cap;
  if (first === null) cap = blank("headers");
  else if (CURL.test(first.text)) cap = readCurl(src, first, notes);
  else if (/^[{[]/.test(first.text)) cap = readJson(src, options, notes);
  else cap = readHead(src, notes, options.body !== undefined && options.body !== null);
  if (options.body !== undefined && options.body !== null) {
    const given = bytesOf(options.body, "options.body");
    if (cap.body && cap.body.length > 0 && !sameBytes(cap.body, given)) {
      notes.push(note(null, "the body given apart replaces the one in the capture"));
    }
    cap.body = given;
    cap.bodyFile = null;
  } else if (cap.missingBody) {
    notes.push(note(null, cap.missingBody));
  }
  if (cap.body) notes.push(...lengthNotes(cap.headers, cap.body));
  return {
    format: cap.format,
    method: cap.method,
    url: cap.url,
    headers: cap.headers,
    body: cap.body,
    bodyFile: cap.bodyFile ?? null,
    entry: cap.entry ?? null,
    entries: cap.entries ?? null,
    notes,
  };
}

function blank(format) {
  return { format, method: null, url: null, headers: [], body: null };
}

function note(line, message) {
  return { line, message };
}

function bytesOf(value, what) {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`carehook: ${what} must be text or bytes (string, Uint8Array, ArrayBuffer)`);
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts) {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Lines with their own line breaks, so a text can be cut and joined back unchanged. */
function splitLines(text) {
  const lines = [];
  const re = /\r?\n/g;
  let at = 0;
  for (let m; (m = re.exec(text)); at = re.lastIndex) lines.push({ text: text.slice(at, m.index), eol: m[0] });
  if (at < text.length || lines.length === 0) lines.push({ text: text.slice(at), eol: "" });
  return lines;
}

function firstLine(text) {
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) if (lines[i].text.trim() !== "") return { index: i, text: lines[i].text.trim() };
  return null;
}

// ---- pasted from Markdown or an e-mail --------------------------------------------------------------------------

/**
 * The capture inside what it was pasted in: a Markdown fence, e-mail quoting (`> `), indentation every line shares.
 * Returns `{ bytes, text, lineOffset }`; the input's own bytes when nothing was removed.
 */
function unwrap(bytes, notes) {
  const text = decoder.decode(bytes);
  let lines = splitLines(text);
  let offset = 0;
  let changed = false;
  const content = (l) => l.text.trim() !== "";
  const quoted = (l) => /^[ \t]*>/.test(l.text);
  // A capture that starts as one (a request line, curl, JSON, headers) is not looked into: its body may hold
  // fences or quoted lines of its own.
  const [a, b] = lines.filter(content).map((l) => l.text.trim());
  const starts = a !== undefined && (requestLine(a) !== null || CURL.test(a) || /^[{[]/.test(a) || PSEUDO_LINE.test(a) ||
    /^:[a-z]+:?$/i.test(a) || (HEADER_LINE.test(a) && b !== undefined && HEADER_LINE.test(b)));
  const open = starts ? -1 : lines.findIndex((l) => /^[ \t]*(`{3,}|~{3,})[^`]*$/.test(l.text));
  if (open >= 0) {
    const fence = /^[ \t]*(`{3,}|~{3,})/.exec(lines[open].text)[1];
    let close = lines.findIndex((l, i) => i > open && new RegExp(`^[ \\t]*${fence[0]}{${fence.length},}[ \\t]*$`).test(l.text));
    if (close < 0) close = lines.length;
    notes.push(note(open + 1, `read the fenced code block (lines ${open + 2}–${close})`));
    lines = lines.slice(open + 1, close);
    offset = open + 1;
    changed = true;
  }
  let reply = false;
  if (!changed && !starts && lines.filter((l) => content(l) && quoted(l)).length >= 2 && lines.some((l) => content(l) && !quoted(l))) {
    // An e-mail reply: the quoted lines are the capture, the words around them are not.
    const from = lines.findIndex(quoted);
    let to = lines.length - 1;
    while (!quoted(lines[to])) to--;
    if (lines.slice(from, to + 1).every((l) => !content(l) || quoted(l))) {
      notes.push(note(from + 1, `read the quoted lines (${from + 1}–${to + 1})`));
      lines = lines.slice(from, to + 1);
      offset = from;
      changed = reply = true;
    }
  }
  for (let depth = 0; lines.some(content) && lines.every((l) => !content(l) || quoted(l)); depth++) {
    lines = lines.map((l) => ({ ...l, text: l.text.replace(/^[ \t]*> ?/, "") }));
    if (depth === 0 && !reply) notes.push(note(offset + 1, "removed the e-mail quoting (>) before every line"));
    changed = true;
  }
  const indents = lines.filter(content).map((l) => /^[ \t]*/.exec(l.text)[0]);
  let common = indents[0] ?? "";
  for (const i of indents) while (!i.startsWith(common)) common = common.slice(0, -1);
  if (common !== "") {
    lines = lines.map((l) => ({ ...l, text: l.text.startsWith(common) ? l.text.slice(common.length) : l.text.trimStart() }));
    notes.push(note(offset + 1, `removed the indentation every line shares (${common.length} ${/\t/.test(common) ? "whitespace character" : "space"}${common.length === 1 ? "" : "s"})`));
    changed = true;
  }
  if (!changed) return { bytes, text, lineOffset: 0 };
  // What was pasted ends where the block ends: its last line break belongs to the fence or the message around it.
  while (lines.length > 0 && !content(lines.at(-1))) lines.pop();
  const inner = lines.map((l, i) => l.text + (i === lines.length - 1 ? "" : l.eol)).join("");
  return { bytes: encoder.encode(inner), text: inner, lineOffset: offset };
}

// ---- raw HTTP, a headers block, developer tools' copied headers -------------------------------------------------

/** A request line's [, method, target, version], or null: `POST /in/x HTTP/1.1`, or `POST /in/x` without a version. */
function requestLine(line) {
  const m = REQUEST_LINE.exec(line);
  return m && !HEADER_LINE.test(line) && (m[3] || /^[/*]/.test(m[2]) || ABSOLUTE.test(m[2])) ? m : null;
}

/** The index where the blank line between head and body starts, and its length; [-1, 0] when there is none. */
function blankLine(bytes) {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return [i, 2];
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return [i, 3];
  }
  return [-1, 0];
}

/** A request's head, and its body after a blank line. `apart`: the body is given apart, so this may be a head alone. */
function readHead(src, notes, apart) {
  const { bytes } = src;
  let start = 0;
  let skipped = 0;
  // Leading blank lines are not part of a request (RFC 9112 §2.2 lets a server skip them).
  for (;;) {
    let j = start;
    while (bytes[j] === 32 || bytes[j] === 9) j++;
    if (bytes[j] === 10) start = j + 1;
    else if (bytes[j] === 13 && bytes[j + 1] === 10) start = j + 2;
    else break;
    skipped++;
  }
  const rest = bytes.subarray(start);
  let [at, len] = blankLine(rest);
  if (apart && at >= 0) {
    // Headers typed with blank lines between them are still headers when the body is elsewhere.
    const after = decoder.decode(rest.subarray(at + len)).split(/\r?\n/).filter((l) => l.trim() !== "");
    if (after.every((l) => HEADER_LINE.test(l) || PSEUDO_LINE.test(l))) [at, len] = [-1, 0];
  }
  const headText = decoder.decode(at < 0 ? rest : rest.subarray(0, at + 1));
  const rawLines = headText.split("\n");
  const lines = rawLines.map((l) => l.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();
  const lineNo = (i) => src.lineOffset + skipped + i + 1;

  const cap = blank("headers");
  cap.body = at < 0 ? null : rest.slice(at + len);
  let version = null;
  let devtools = false;
  let sawRequestLine = false;
  let pending = null; // a header name alone on its line: its value is the next line (a copied headers panel)
  const pseudo = {};
  const add = (name, value) => {
    if (name.startsWith(":")) {
      pseudo[name.slice(1).toLowerCase()] = value; // HTTP/2 pseudo-headers, as developer tools show them
      devtools = true;
    } else {
      cap.headers.push([name, value]);
    }
  };
  const startsBody = (line) => /^[{[]/.test(line);
  const headerish = (line) => HEADERISH.test(line) || /^[ \t]/.test(line) || startsBody(line);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (pending !== null) {
      add(pending, line.trim());
      pending = null;
      continue;
    }
    if (i === 0) {
      const request = requestLine(line);
      if (request) {
        cap.method = request[1].toUpperCase();
        cap.url = request[2];
        version = request[3] ?? null;
        sawRequestLine = true;
        continue;
      }
    }
    if (line.trim() === "" || /^#(\s|$)/.test(line)) continue; // a blank line or a comment in a headers file
    if (/^[ \t]/.test(line) && cap.headers.length > 0) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value, joined by one space.
      cap.headers[cap.headers.length - 1][1] += " " + line.trim();
      notes.push(note(lineNo(i), "continues the previous header (obsolete line folding): joined with one space"));
      continue;
    }
    if (startsBody(line) && (cap.headers.length > 0 || sawRequestLine)) {
      // A body pasted right under the headers, without the blank line.
      cap.body = rest.slice(encoder.encode(rawLines.slice(0, i).map((l) => l + "\n").join("")).length);
      notes.push(note(lineNo(i), "the body starts here, with no blank line before it"));
      break;
    }
    const pseudoLine = PSEUDO_LINE.exec(line);
    if (pseudoLine) {
      add(":" + pseudoLine[1], pseudoLine[2].trim());
      continue;
    }
    const bare = BARE_NAME.exec(line);
    const next = lines[i + 1];
    const colon = line.trimEnd().endsWith(":");
    if (bare && (!colon || (next !== undefined && next.trim() !== "" && !headerish(next)))) {
      if (next === undefined || next.trim() === "") {
        add(bare[1], "");
        if (!colon) notes.push(note(lineNo(i), "a header name with no value"));
      } else {
        pending = bare[1]; // name and value on alternate lines
        devtools = true;
      }
      continue;
    }
    const header = HEADER_LINE.exec(line);
    if (header) add(header[1], header[2].replace(/^[ \t]+|[ \t]+$/g, ""));
    else notes.push(note(lineNo(i), `not a ${i === 0 && !sawRequestLine ? "request line or " : ""}header: ignored`));
  }
  if (pseudo.method) cap.method ??= pseudo.method.toUpperCase();
  if (pseudo.path) cap.url ??= pseudo.path;
  if (version !== null && Number(version) >= 2) devtools = true;
  cap.format = devtools ? "devtools" : sawRequestLine ? "http" : "headers";
  if (cap.body === null && cap.url !== null && !apart) {
    cap.missingBody = devtools
      ? "developer tools copy the headers only: paste the body after a blank line, or give it apart"
      : "no blank line after the headers: the capture has no body";
  } else if (cap.body !== null && cap.url === null) {
    notes.push(note(null, "no request line: the method and URL are not in the capture"));
  }
  return cap;
}

/** What the body's length says against Content-Length, when they disagree. */
function lengthNotes(headers, body) {
  const declared = headers.find(([n]) => n.toLowerCase() === "content-length");
  if (!declared || !/^\d+$/.test(declared[1])) return [];
  const want = Number(declared[1]);
  if (want === body.length) return [];
  const notes = [note(null, `the body is ${body.length} bytes but Content-Length says ${want}`)];
  const last = body.length - 1;
  if ((body.length === want + 1 && body[last] === 10) || (body.length === want + 2 && body[last] === 10 && body[last - 1] === 13)) {
    notes.push(note(null, "the body ends with a line break the sender did not send: remove it"));
  } else if (body.length + countLF(body) === want) {
    notes.push(note(null, "the sender's line breaks were probably CRLF, and a text box keeps only LF: load the request from a file to keep its exact bytes"));
  }
  return notes;
}

function countLF(bytes) {
  let n = 0;
  for (const b of bytes) if (b === 10) n++;
  return n;
}

// ---- curl -------------------------------------------------------------------------------------------------------

// curl's options that take an argument, besides those read below; the rest are flags.
const CURL_SHORT_ARG = new Set("XHdubAeFTowmxUEKrYyzcDCtPQ".split(""));
const CURL_SHORT_FLAGS = new Set("sSvikLfgNq#OJnGI0123456jlRBapZMVh".split(""));
const CURL_LONG_ARG = new Set([
  "output", "write-out", "max-time", "connect-timeout", "proxy", "proxy-user", "cert", "cacert", "capath", "key",
  "key-type", "cert-type", "pass", "ciphers", "range", "retry", "retry-delay", "retry-max-time", "limit-rate",
  "resolve", "connect-to", "interface", "max-redirs", "cookie-jar", "dump-header", "continue-at", "config", "trace",
  "trace-ascii", "stderr", "unix-socket", "abstract-unix-socket", "local-port", "dns-servers", "noproxy", "hsts",
  "alt-svc", "expect100-timeout", "keepalive-time", "max-filesize", "speed-limit", "speed-time", "time-cond", "proto",
  "proto-redir", "proto-default", "aws-sigv4", "variable", "netrc-file", "engine", "crlfile", "pinnedpubkey", "tls-max",
  "tlsuser", "tlspassword", "preproxy", "proxy-header", "socks4", "socks4a", "socks5", "socks5-hostname", "doh-url",
  "etag-save", "etag-compare", "output-dir", "create-file-mode", "happy-eyeballs-timeout-ms", "url-query", "form",
  "form-string", "upload-file", "quote", "ftp-port", "telnet-option", "request-target", "oauth2-bearer", "user",
  "user-agent", "referer", "cookie", "url", "header", "request", "data", "data-ascii", "data-binary", "data-raw",
  "data-urlencode", "json", "mail-from", "mail-rcpt", "sasl-authzid", "login-options", "service-name", "ech",
]);
const CURL_LONG_FLAGS = new Set([
  "silent", "show-error", "verbose", "include", "insecure", "location", "location-trusted", "fail", "fail-with-body",
  "fail-early", "globoff", "no-buffer", "compressed", "compressed-ssh", "http0.9", "http1.0", "http1.1", "http2",
  "http2-prior-knowledge", "http3", "http3-only", "ipv4", "ipv6", "raw", "tr-encoding", "no-keepalive", "path-as-is",
  "tlsv1", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3", "ssl", "ssl-reqd", "no-progress-meter", "progress-bar",
  "junk-session-cookies", "remote-name", "remote-name-all", "remote-header-name", "post301", "post302", "post303",
  "anyauth", "basic", "digest", "ntlm", "negotiate", "no-alpn", "no-npn", "disable", "styled-output",
  "no-styled-output", "xattr", "create-dirs", "get", "head", "no-sessionid", "no-clobber", "remove-on-error",
  "ssl-no-revoke", "ssl-revoke-best-effort", "tcp-nodelay", "tcp-fastopen", "parallel", "parallel-immediate",
  "append", "netrc", "netrc-optional", "ca-native", "proxy-insecure", "suppress-connect-headers", "retry-connrefused",
  "retry-all-errors", "skip-existing", "show-headers", "list-only", "no-progress-meter", "false-start", "sessionid",
  "keepalive", "buffer", "alpn", "npn",
]);
const CURL_LONG_OF = {
  X: "request", H: "header", d: "data", u: "user", A: "user-agent", e: "referer", b: "cookie", F: "form", T: "upload-file",
  G: "get", I: "head",
};

/**
 * Shell words from `text`, from line `first.index`, as far as the command goes: quoting ('', "", $'') and line
 * continuations as POSIX shells and bash read them. Each word is `{ bytes, line }`.
 */
function shellWords(text, from, lineOffset, notes) {
  const words = [];
  let line = lineOffset + from + 1;
  let i = 0;
  for (let l = 0; l < from; l++) i = text.indexOf("\n", i) + 1;
  let parts = null;
  let wordLine = line;
  const add = (s) => {
    if (parts === null) {
      parts = [];
      wordLine = line;
    }
    parts.push(typeof s === "string" ? encoder.encode(s) : s);
  };
  const end = () => {
    if (parts !== null) words.push({ bytes: concat(parts), line: wordLine });
    parts = null;
  };
  let stop = null;
  let variables = false;
  while (i < text.length && stop === null) {
    const c = text[i];
    if (c === "\\") {
      if (text.startsWith("\n", i + 1) || text.startsWith("\r\n", i + 1)) {
        i += text[i + 1] === "\r" ? 3 : 2;
        line++;
      } else if (i + 1 < text.length) {
        const cp = String.fromCodePoint(text.codePointAt(i + 1));
        add(cp);
        i += 1 + cp.length;
      } else {
        i++;
      }
    } else if (c === " " || c === "\t") {
      end();
      i++;
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      end();
      stop = { at: i, line };
    } else if (c === "#" && parts === null) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (";|&<>".includes(c)) {
      end();
      stop = { at: i, line, what: c };
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const quoted = text.slice(i + 1, close < 0 ? text.length : close);
      add(quoted);
      line += countNewlines(quoted);
      if (close < 0) notes.push(note(wordLine, "a quote (') is never closed: read to the end"));
      i = close < 0 ? text.length : close + 1;
    } else if (c === "$" && text[i + 1] === "'") {
      i = ansiC(text, i + 2, add, () => line++, notes, line);
    } else if (c === '"' || (c === "$" && text[i + 1] === '"')) {
      let j = i + (c === "$" ? 2 : 1);
      add("");
      const startLine = line;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && '$`"\\\n'.includes(text[j + 1] ?? "")) {
          if (text[j + 1] === "\n") line++;
          else add(text[j + 1]);
          j++;
        } else if (text[j] === "\\" && text[j + 1] === "\r" && text[j + 2] === "\n") {
          line++;
          j += 2;
        } else {
          if (text[j] === "\n") line++;
          if ((text[j] === "$" && /[A-Za-z_{(]/.test(text[j + 1] ?? "")) || text[j] === "`") variables = true;
          add(text[j]);
        }
      }
      if (j >= text.length) notes.push(note(startLine, 'a quote (") is never closed: read to the end'));
      i = j + 1;
    } else {
      if (c === "$" && /[A-Za-z_{(]/.test(text[i + 1] ?? "")) variables = true;
      if (c === "`") variables = true;
      add(c);
      i++;
    }
  }
  end();
  if (variables) notes.push(note(null, "the command uses shell variables or commands ($NAME, `...`): they are read as written, not expanded"));
  if (stop !== null) {
    const after = text.slice(stop.at).replace(/^[;|&<>]+/, "");
    if (stop.what || after.trim() !== "") {
      notes.push(note(stop.line, stop.what ? `the command goes on after "${stop.what}": only curl's own arguments are read` : "text after the curl command: ignored"));
    }
  }
  return words;
}

function countNewlines(s) {
  let n = 0;
  for (const ch of s) if (ch === "\n") n++;
  return n;
}

/** A bash `$'...'` string from `i` (after the opening quote); returns the index after the closing quote. */
function ansiC(text, i, add, newline, notes, line) {
  const SIMPLE = { n: 10, t: 9, r: 13, a: 7, b: 8, e: 27, E: 27, f: 12, v: 11, "\\": 92, "'": 39, '"': 34, "?": 63 };
  add("");
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === "'") return i + 1;
    if (c !== "\\") {
      if (c === "\n") newline();
      const cp = String.fromCodePoint(text.codePointAt(i));
      add(cp);
      i += cp.length - 1;
      continue;
    }
    const e = text[++i];
    let m;
    if (e in SIMPLE) add(new Uint8Array([SIMPLE[e]]));
    else if ((m = /^x([0-9A-Fa-f]{1,2})/.exec(text.slice(i, i + 3)))) {
      add(new Uint8Array([parseInt(m[1], 16)]));
      i += m[0].length - 1;
    } else if ((m = /^[0-7]{1,3}/.exec(text.slice(i, i + 3)))) {
      add(new Uint8Array([parseInt(m[0], 8) & 0xff]));
      i += m[0].length - 1;
    } else if ((m = /^(u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8})/.exec(text.slice(i, i + 9)))) {
      const cp = parseInt(m[0].slice(1), 16);
      add(cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd");
      i += m[0].length - 1;
    } else if (e === "c" && i + 1 < text.length) {
      add(new Uint8Array([text.charCodeAt(++i) & 0x1f]));
    } else if (e !== undefined) {
      add("\\" + e); // bash keeps an unknown escape as written
      if (e === "\n") newline();
    }
  }
  notes.push(note(line, "a $'...' quote is never closed: read to the end"));
  return i;
}

function readCurl(src, first, notes) {
  const words = shellWords(src.text, first.index, src.lineOffset, notes);
  const text = (w) => decoder.decode(w.bytes);
  if (words.length && text(words[0]) === "$") words.shift();
  words.shift(); // curl itself
  const cap = blank("curl");
  const urls = [];
  const data = []; // { bytes } or { file, binary }
  let method = null;
  let head = false;
  let get = false;
  let json = false;
  let upload = false;
  let target = null;
  let user = null;
  let optionsDone = false;
  const take = (i, name) => {
    if (i >= words.length) {
      notes.push(note(words[i - 1].line, `curl's ${name} needs an argument: ignored`));
      return null;
    }
    return words[i];
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const word = text(w);
    if (optionsDone || !word.startsWith("-") || word === "-") {
      urls.push(w);
      continue;
    }
    if (word === "--") {
      optionsDone = true;
      continue;
    }
    // Options as curl reads them: --long ARG, or short ones bundled (-sS, -XPOST, -sX POST).
    const opts = [];
    if (word.startsWith("--")) {
      let name = word.slice(2);
      if (name.startsWith("no-") && CURL_LONG_FLAGS.has(name.slice(3))) name = name.slice(3);
      if (CURL_LONG_ARG.has(name)) {
        const arg = take(++i, word);
        if (arg === null) break;
        opts.push([name, arg]);
      } else if (CURL_LONG_FLAGS.has(name)) {
        opts.push([name, null]);
      } else {
        notes.push(note(w.line, `curl option ${word} is not one carehook knows: ignored`));
      }
    } else {
      for (let k = 1; k < word.length; k++) {
        const ch = word[k];
        if (CURL_SHORT_ARG.has(ch)) {
          const attached = w.bytes.subarray(encoder.encode(word.slice(0, k + 1)).length);
          let arg = { bytes: attached, line: w.line };
          if (attached.length === 0) {
            arg = take(++i, "-" + ch);
            if (arg === null) break;
          }
          opts.push([CURL_LONG_OF[ch] ?? "-" + ch, arg]);
          break;
        }
        if (CURL_SHORT_FLAGS.has(ch)) opts.push([CURL_LONG_OF[ch] ?? "-" + ch, null]);
        else notes.push(note(w.line, `curl option -${ch} is not one carehook knows: ignored`));
      }
    }
    for (const [name, arg] of opts) {
      const value = arg && text(arg);
      const line = arg?.line ?? w.line;
      switch (name) {
        case "request":
          method = value;
          break;
        case "header":
          readCurlHeader(value, line, cap.headers, notes);
          break;
        case "data":
        case "data-ascii":
        case "data-binary":
        case "json":
          if (value.startsWith("@")) data.push({ file: value.slice(1), binary: name !== "data" && name !== "data-ascii", line });
          else data.push({ bytes: arg.bytes });
          if (name === "json") json = true;
          break;
        case "data-raw":
          data.push({ bytes: arg.bytes });
          break;
        case "data-urlencode":
          data.push(urlencoded(value, line, notes));
          break;
        case "url":
          urls.push(arg);
          break;
        case "get":
          get = true;
          break;
        case "head":
          head = true;
          break;
        case "user":
          user = { value, line };
          break;
        case "oauth2-bearer":
          cap.headers.push(["Authorization", `Bearer ${value}`]);
          break;
        case "user-agent":
          cap.headers.push(["User-Agent", value]);
          break;
        case "referer":
          cap.headers.push(["Referer", value.replace(/;auto$/, "")]);
          break;
        case "cookie":
          if (value.includes("=")) cap.headers.push(["Cookie", value]);
          else notes.push(note(line, "curl reads cookies from a file here (-b FILE): not read"));
          break;
        case "request-target":
          target = value;
          break;
        case "form":
        case "form-string":
          notes.push(note(line, "a multipart form (-F) is not read: the body is left out"));
          break;
        case "upload-file":
          upload = true;
          data.push({ file: value, binary: true, line });
          break;
        default:
        // Output, connection and TLS options: they change nothing in what is sent.
      }
    }
  }
  if (urls.length === 0) {
    notes.push(note(first.index + src.lineOffset + 1, "the curl command names no URL"));
  } else {
    if (urls.length > 1) notes.push(note(urls[1].line, "the curl command names more than one URL: the first is read"));
    let url = text(urls[0]);
    if (url.includes("#")) {
      url = url.slice(0, url.indexOf("#"));
      notes.push(note(urls[0].line, "curl does not send the URL's #fragment: left out"));
    }
    if (!ABSOLUTE.test(url)) url = "http://" + url; // curl's default scheme
    cap.url = url;
  }
  if (user !== null) {
    if (!user.value.includes(":")) notes.push(note(user.line, "-u names a user and no password: curl would ask for one"));
    if (!cap.headers.some(([n]) => n.toLowerCase() === "authorization")) cap.headers.push(["Authorization", `Basic ${base64(encoder.encode(user.value))}`]);
  }
  const contentType = cap.headers.some(([n]) => n.toLowerCase() === "content-type");
  const files = data.filter((d) => d.file !== undefined);
  if (files.length > 0) {
    const [f] = files;
    if (data.length > 1) notes.push(note(f.line, "the body is read from a file and more data besides: only the file is named"));
    cap.bodyFile = { path: f.file, binary: f.binary };
    cap.missingBody = f.file === "-"
      ? "curl reads the body from standard input: give the body apart"
      : `curl reads the body from the file ${f.file}${f.binary ? "" : ", leaving out its line breaks"}: give the body apart`;
  } else if (data.length > 0) {
    const joined = concat(data.flatMap((d, k) => (k ? [encoder.encode("&"), d.bytes] : [d.bytes])));
    if (get) {
      // -G: the data goes to the query string (before any fragment, which is not sent).
      cap.url = (cap.url ?? "") + (cap.url?.includes("?") ? "&" : "?") + decoder.decode(joined);
    } else {
      cap.body = joined;
    }
  }
  const sendsBody = !get && data.length > 0;
  if (sendsBody && !contentType) {
    const type = json ? "application/json" : "application/x-www-form-urlencoded";
    cap.headers.push(["Content-Type", type]);
    if (!json) notes.push(note(null, `curl sends Content-Type: ${type} with -d when no -H sets one: added`));
  }
  if (json && !cap.headers.some(([n]) => n.toLowerCase() === "accept")) cap.headers.push(["Accept", "application/json"]);
  if (cap.body !== null && !cap.headers.some(([n]) => n.toLowerCase() === "content-length")) {
    cap.headers.push(["Content-Length", String(cap.body.length)]); // curl always sends it with the data
  }
  cap.method = (method ?? (head ? "HEAD" : get ? "GET" : upload ? "PUT" : sendsBody ? "POST" : "GET")).toUpperCase();
  if (target !== null) {
    cap.url = target;
    notes.push(note(null, "--request-target names the target curl sends: it is read as the URL"));
  }
  if (cap.body === null && !cap.bodyFile) cap.body = new Uint8Array(0); // curl sends no body
  return cap;
}

function readCurlHeader(value, line, headers, notes) {
  if (value.startsWith("@")) {
    notes.push(note(line, `curl reads headers from the file ${value.slice(1)}: not read`));
    return;
  }
  const semi = new RegExp(`^(${TOKEN});[ \\t]*$`).exec(value);
  if (semi) {
    headers.push([semi[1], ""]); // "Name;" is how curl sends an empty header
    return;
  }
  const m = HEADER_LINE.exec(value);
  if (!m) {
    notes.push(note(line, `-H ${JSON.stringify(value.slice(0, 40))} is not "Name: value": ignored`));
    return;
  }
  const v = m[2].replace(/^[ \t]+|[ \t\r\n]+$/g, "");
  if (v === "") notes.push(note(line, `-H "${m[1]}:" stops curl sending its own ${m[1]} header; it sends none`));
  else headers.push([m[1], v]);
}

/** curl's --data-urlencode forms: content, =content, name=content (file forms are not read). */
function urlencoded(value, line, notes) {
  const m = /^([^=@]*)([=@])([\s\S]*)$/.exec(value);
  if (m && m[2] === "@") {
    notes.push(note(line, "--data-urlencode reads a file here: not read"));
    return { bytes: new Uint8Array(0) };
  }
  const [name, content] = m ? [m[1], m[3]] : ["", value];
  const enc = percentEncode(content);
  return { bytes: encoder.encode(name ? `${name}=${enc}` : enc) };
}

function percentEncode(s) {
  let out = "";
  for (const b of encoder.encode(s)) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function base64(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Bytes from base64 (or base64url), or null when it is not base64. */
function fromBase64(text) {
  const clean = String(text).replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  let bin;
  try {
    bin = atob(clean + "==".slice(0, (4 - (clean.length % 4)) % 4));
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---- HAR and JSON log lines -------------------------------------------------------------------------------------

function readJson(src, options, notes) {
  const found = []; // { request, line }
  let doc;
  let parsed = false;
  try {
    doc = JSON.parse(src.text);
    parsed = true;
  } catch {
    // One JSON document per line (a log), or not JSON at all.
  }
  if (parsed) {
    found.push(...requestsIn(doc, null));
    if (found.length === 0 && doc && doc.log && typeof doc.log === "object") {
      notes.push(note(null, "the HAR file holds no request"));
      return blank("har");
    }
    if (found.length === 0) {
      if (isHeaderObject(doc)) {
        const cap = blank("json");
        cap.headers = headerPairs(doc, null, notes);
        return cap;
      }
      const cap = blank("body");
      cap.body = src.bytes;
      notes.push(note(null, "this is JSON, but not a request: read as the body alone (no headers)"));
      return cap;
    }
  } else {
    const lines = splitLines(src.text);
    lines.forEach((l, i) => {
      const line = src.lineOffset + i + 1;
      if (l.text.trim() === "") return;
      let obj;
      try {
        obj = JSON.parse(l.text);
      } catch {
        notes.push(note(line, "not JSON: skipped"));
        return;
      }
      const reqs = requestsIn(obj, line);
      if (reqs.length === 0) notes.push(note(line, "not a request: skipped"));
      found.push(...reqs);
    });
    if (found.length === 0) return blank("json");
  }
  let index = options.entry;
  if (index !== undefined && index !== null) {
    if (!Number.isInteger(index) || index < 0 || index >= found.length) {
      notes.push(note(null, `there is no request ${index} (the capture holds ${found.length}, from 0): read the first`));
      index = 0;
    }
  } else {
    index = found.findIndex((f) => !/^(GET|HEAD|OPTIONS)$/i.test(f.request.method ?? ""));
    if (index < 0) index = 0;
  }
  const { request, line, har } = found[index];
  if (found.length > 1) {
    notes.push(note(line, `read request ${index} of ${found.length} (from 0)${options.entry === undefined || options.entry === null ? `, the first that is not a GET` : ""}: choose another with entry`));
  }
  const cap = har ? readHarRequest(request, line, notes) : readLogObject(request, line, notes);
  cap.entry = index;
  cap.entries = found.length;
  return cap;
}

/** The requests a JSON document holds: a HAR file's entries, a HAR entry or request, log objects, or arrays of them. */
function requestsIn(doc, line) {
  if (Array.isArray(doc)) return doc.flatMap((d) => requestsIn(d, line));
  if (!doc || typeof doc !== "object") return [];
  if (doc.log && Array.isArray(doc.log.entries)) return doc.log.entries.flatMap((e) => requestsIn(e, line));
  if (doc.request && isHarRequest(doc.request)) return [{ request: doc.request, line, har: true }];
  if (isHarRequest(doc)) return [{ request: doc, line, har: true }];
  const log = logRequest(doc);
  return log ? [{ request: log, line, har: false }] : [];
}

function isHarRequest(o) {
  return !!o && typeof o === "object" && typeof o.method === "string" && typeof o.url === "string" &&
    Array.isArray(o.headers) && o.headers.every((h) => h && typeof h.name === "string") &&
    ("httpVersion" in o || "postData" in o || "headersSize" in o || "cookies" in o || "queryString" in o);
}

/** A log object's request (the object itself, or one nested under `request`, `req`...), or null. */
function logRequest(o) {
  const has = (fields) => fields.some((f) => o[f] !== undefined && o[f] !== null);
  const headers = o.headers ?? o.rawHeaders ?? o.multiValueHeaders;
  if (headers && typeof headers === "object" && (has(METHOD_FIELDS) || has(URL_FIELDS) || has(PATH_FIELDS) || has(BODY_TEXT_FIELDS) || has(BODY_BASE64_FIELDS))) {
    return o;
  }
  for (const f of NESTED_FIELDS) {
    const inner = o[f];
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      const found = logRequest(inner);
      if (!found) continue;
      // A logger may keep the body beside the request it nests (pino-http's req, with the body at the top).
      const beside = {};
      for (const b of [...BODY_BASE64_FIELDS, ...BODY_TEXT_FIELDS, "isBase64Encoded"]) if (o[b] !== undefined) beside[b] = o[b];
      return { ...beside, ...found };
    }
  }
  return null;
}

function isHeaderObject(doc) {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return false;
  const keys = Object.keys(doc);
  const token = new RegExp(`^${TOKEN}$`);
  return keys.length > 0 &&
    keys.every((k) => token.test(k) && (typeof doc[k] === "string" || (Array.isArray(doc[k]) && doc[k].every((v) => typeof v === "string")))) &&
    keys.some((k) => k.includes("-") || KNOWN_HEADERS.test(k));
}

function readHarRequest(r, line, notes) {
  const cap = blank("har");
  cap.method = r.method.toUpperCase();
  cap.url = r.url;
  const pseudo = {};
  for (const h of r.headers) {
    const value = h.value === undefined || h.value === null ? "" : String(h.value);
    if (h.name.startsWith(":")) pseudo[h.name.slice(1).toLowerCase()] = value; // HTTP/2, as Chrome records it
    else cap.headers.push([h.name, value]);
  }
  if (!cap.url && pseudo.path) cap.url = pseudo.path;
  const post = r.postData;
  if (post && typeof post.text === "string") {
    const encoding = post.encoding ?? post._encoding;
    cap.body = encoding === "base64" ? fromBase64(post.text) : encoder.encode(post.text);
    if (cap.body === null) {
      cap.body = new Uint8Array(0);
      notes.push(note(line, "postData.text is marked base64 but is not: the body is left out"));
    }
  } else {
    cap.body = new Uint8Array(0);
    if (post && Array.isArray(post.params) && post.params.length > 0) {
      notes.push(note(line, "the HAR entry has form parameters but no postData.text: the body is left out"));
    }
  }
  if (Number.isInteger(r.bodySize) && r.bodySize > 0 && r.bodySize !== cap.body.length) {
    notes.push(note(line, `the HAR entry's bodySize is ${r.bodySize} but postData.text is ${cap.body.length} bytes`));
  }
  return cap;
}

function readLogObject(o, line, notes) {
  const cap = blank("json");
  const pick = (fields) => fields.map((f) => o[f]).find((v) => v !== undefined && v !== null);
  const method = pick(METHOD_FIELDS) ?? o.requestContext?.http?.method;
  if (typeof method === "string") cap.method = method.toUpperCase();
  const url = pick(URL_FIELDS);
  if (typeof url === "string") {
    cap.url = url;
  } else {
    const path = pick(PATH_FIELDS);
    if (typeof path === "string") {
      const query = pick(QUERY_FIELDS);
      if (typeof query === "string" && query.replace(/^\?/, "") !== "") cap.url = `${path}?${query.replace(/^\?/, "")}`;
      else {
        cap.url = path;
        if (query && typeof query === "object" && Object.keys(query).length > 0) {
          notes.push(note(line, "the query was logged parsed: it is left out (log the raw query string)"));
        }
      }
    }
  }
  const headers = o.rawHeaders ?? o.headers ?? o.multiValueHeaders;
  cap.headers = headerPairs(headers, line, notes);
  const b64 = pick(BODY_BASE64_FIELDS);
  const text = pick(BODY_TEXT_FIELDS);
  if (typeof b64 === "string" || (typeof text === "string" && o.isBase64Encoded === true)) {
    cap.body = fromBase64(b64 ?? text);
    if (cap.body === null) notes.push(note(line, "the body is marked base64 but is not: left out"));
  } else if (typeof text === "string") {
    cap.body = encoder.encode(text);
  } else if (text !== undefined) {
    cap.body = encoder.encode(JSON.stringify(text));
    notes.push(note(line, "the body was logged as parsed JSON and is written out again here: its bytes are not the ones sent, so a signature over them will not match (log the raw body)"));
  }
  return cap;
}

/** Headers as pairs from an object (arrays of values repeat a header), a list of pairs, or Node's flat rawHeaders. */
function headerPairs(headers, line, notes) {
  const out = [];
  if (!headers || typeof headers !== "object") return out;
  if (Array.isArray(headers)) {
    if (headers.every((h) => typeof h === "string")) {
      if (headers.length > 0 && headers.every((h) => HEADER_LINE.test(h))) {
        for (const h of headers) {
          const m = HEADER_LINE.exec(h);
          out.push([m[1], m[2].trim()]);
        }
      } else {
        for (let i = 0; i + 1 < headers.length; i += 2) out.push([headers[i], headers[i + 1]]); // Node's rawHeaders
      }
    } else {
      for (const h of headers) {
        if (Array.isArray(h) && h.length >= 2) out.push([String(h[0]), String(h[1])]);
        else if (h && typeof h === "object" && typeof h.name === "string") out.push([h.name, String(h.value ?? "")]);
        else notes.push(note(line, "a header that is neither [name, value] nor { name, value }: ignored"));
      }
    }
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
      else if (value !== undefined && value !== null) out.push([name, String(value)]);
    }
  }
  return out.filter(([n]) => !n.startsWith(":"));
}

// ---- writing a request back -------------------------------------------------------------------------------------

/** `[name, value]` pairs from a Headers, an object (array values repeat) or pairs. */
function pairsOf(headers) {
  if (!headers) return [];
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    const out = [];
    headers.forEach((v, k) => out.push([k, v]));
    return out;
  }
  if (Array.isArray(headers)) return headers.map(([k, v]) => [String(k), String(v)]);
  return Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, String(x)]) : v === undefined || v === null ? [] : [[k, String(v)]]));
}

// curl computes these itself from what it sends; passing them again can only make them wrong.
const CURL_OWN = new Set(["content-length", "host"]);

/**
 * A curl command that sends `request` (`{ method, url, headers, body }`) as it was captured. The body goes inline
 * with --data-raw, which never reads a file, quoted so that bash and zsh pass every byte (`$'...'` for control
 * characters and bytes that are not UTF-8); `options.bodyFile` names a file curl reads instead (--data-binary @FILE).
 * A relative `url` needs `options.base` (`http://127.0.0.1:8787`). Content-Length and Host are left to curl.
 */
export function toCurl(request, options = {}) {
  if (!request || typeof request !== "object") throw new TypeError("carehook: toCurl needs a request object");
  let url = String(request.url ?? "/");
  if (!ABSOLUTE.test(url)) {
    if (options.base === undefined || options.base === null) throw new TypeError("carehook: toCurl needs an absolute URL, or options.base for a path");
    url = String(options.base).replace(/\/+$/, "") + (url.startsWith("/") ? "" : "/") + url;
  }
  const parts = ["curl", "-sS", "-X", shellQuote(String(request.method ?? "POST").toUpperCase()), shellQuote(url)];
  for (const [name, value] of pairsOf(request.headers)) {
    if (CURL_OWN.has(name.toLowerCase()) || name.startsWith(":")) continue;
    parts.push("-H", shellQuote(value === "" ? `${name};` : `${name}: ${value}`));
  }
  if (options.bodyFile !== undefined && options.bodyFile !== null) parts.push("--data-binary", shellQuote(`@${options.bodyFile}`));
  else if (request.body !== undefined && request.body !== null) parts.push("--data-raw", shellQuote(request.body));
  return parts.join(" ");
}

/**
 * A word for a POSIX shell (text or bytes): bare when that is safe, in single quotes, or as bash/zsh `$'...'` when it
 * holds control characters other than a line break, or bytes that are not UTF-8. A NUL cannot be an argument at all.
 */
export function shellQuote(word) {
  const bytes = bytesOf(word, "a shell word");
  let text = null;
  try {
    text = exact.decode(bytes);
  } catch {
    // not UTF-8: written byte by byte below
  }
  if (bytes.includes(0)) throw new TypeError("carehook: a NUL byte cannot be passed on a command line (put the body in a file)");
  if (text !== null && /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/.test(text)) return text;
  if (text !== null && !/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    let ch = null;
    if (len > 1) {
      try {
        ch = exact.decode(bytes.subarray(i, i + len));
      } catch {
        ch = null;
      }
    }
    if (ch !== null && !/[\x80-\x9f]/.test(ch)) {
      out += ch;
      i += len - 1;
    } else if (b === 10) out += "\\n";
    else if (b === 13) out += "\\r";
    else if (b === 9) out += "\\t";
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x27) out += "\\'";
    else if (b === 0x21) out += "\\x21"; // "!": no history expansion in an interactive shell
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out + "'";
}

/**
 * A request as raw HTTP/1.1 text: request line, headers, blank line, body (decoded as UTF-8). Line breaks are LF
 * unless `options.eol` is "\r\n".
 */
export function toHttp(request, options = {}) {
  const eol = options.eol ?? "\n";
  const body = request.body === undefined || request.body === null ? "" : typeof request.body === "string" ? request.body : decoder.decode(bytesOf(request.body, "the body"));
  const head = [`${String(request.method ?? "POST").toUpperCase()} ${request.url ?? "/"} HTTP/1.1`, ...pairsOf(request.headers).map(([n, v]) => `${n}: ${v}`)];
  return head.map((l) => l + eol).join("") + eol + body;
}
