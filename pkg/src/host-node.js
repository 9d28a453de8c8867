// node:crypto for the core (Node, and Deno and Bun through their node:crypto): HMAC-SHA256 and SHA-256 of long
// messages and, on Node itself (OpenSSL), Ed25519 verification of the signatures the core hands over (src/host.rs
// says which, and why the answers cannot differ there). Comparisons stay in the core, in constant time.
import { Buffer } from "node:buffer";
import process from "node:process";

/**
 * node:crypto, loaded when the core first hands it work rather than at import: loading it is a measurable part of
 * the package's cold start (about 4 ms of `require` in Node 20 on this repository's machine), and a receiver whose
 * messages stay short and unsigned by Ed25519 never needs it. Calls go through the module object, so a wrapper
 * installed on it sees them. A runtime without either loader throws here, and the core then computes the answer
 * itself (src/host.rs).
 */
let crypto;
function nodeCryptoModule() {
  // eslint-disable-next-line no-undef
  crypto ??= typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("node:crypto") : require("node:crypto");
  return crypto;
}

/** Public keys as KeyObjects, made once per key (a source's keyring is small and lives as long as the process). */
const publicKeys = new Map();
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

function publicKey(raw) {
  // A view of the bytes (no copy), read as a 32-character key.
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("latin1");
  let key = publicKeys.get(id);
  if (key === undefined) {
    if (publicKeys.size >= 1024) publicKeys.clear();
    key = nodeCryptoModule().createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(raw)]), format: "der", type: "spki" });
    publicKeys.set(id, key);
  }
  return key;
}

/** Node proper: its node:crypto is OpenSSL. Deno and Bun implement node:crypto themselves. */
const openssl = typeof globalThis.Deno === "undefined" && typeof globalThis.Bun === "undefined" && Boolean(process.versions.openssl);

const hashing = {
  hmacSha256(key, msg, out) {
    out.set(nodeCryptoModule().createHmac("sha256", key).update(msg).digest());
  },
  sha256(msg, out) {
    out.set(nodeCryptoModule().createHash("sha256").update(msg).digest());
  },
};

export const nodeCrypto = openssl
  ? {
      ...hashing,
      ed25519Verify(key, msg, sig) {
        return nodeCryptoModule().verify(null, msg, publicKey(key), sig);
      },
    }
  : hashing;
