// How the framework adapters answer a refused webhook. Runtime-neutral: standard JavaScript only.

/** The core's default body limit; adapters stop reading one byte past the limit and let the core refuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const STATUS = {
  missing_header: 400,
  malformed_header: 400,
  invalid_key: 500,
  signature_mismatch: 401,
  timestamp_out_of_tolerance: 401,
  digest_mismatch: 401,
  token_mismatch: 401,
  body_too_large: 413,
  invalid_payload: 400,
  unsupported_vendor: 500,
};

/**
 * The HTTP status for an error code (as the Worker answers): 401 when the sender is not authenticated (a bad signature,
 * token, timestamp or digest), 400 when the request cannot be read (a header missing or malformed, a payload not the
 * vendor's), 413 for an oversized body, 500 for a server misconfiguration.
 */
export function httpStatus(code) {
  return STATUS[code] ?? 500;
}

/** The JSON body of a refusal: the stable code and the short message (neither carries a secret or payload). */
export function refusalBody(err) {
  return JSON.stringify({ error: err.code, message: err.message });
}

/** `now` as the API takes it; a function is called per request (tests and replays pin the clock this way). */
export function clock(now) {
  return typeof now === "function" ? now() : now;
}

/** The body limit the core will apply for these options. */
export function bodyLimit(options) {
  const n = options?.maxBodyBytes;
  return Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_MAX_BODY_BYTES;
}
