// Pure helpers for the inspector's form: JSON re-indentation that keeps every token's text, keys, the clock. No DOM
// here, so Node can test it. Reading and writing requests is the package's (readCapture, toHttp, toCurl).

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
