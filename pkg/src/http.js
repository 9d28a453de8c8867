// What the framework adapters share: the answers they give, read from the core. Runtime-neutral: standard JavaScript only.
import { httpStatus } from "#carehook";

/** The status for an error code: the core's one mapping (401, 400, 413 or 500), re-exported by the adapters. */
export { httpStatus };

/** The core's default body limit; adapters stop reading one byte past the limit and let the core refuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The JSON body of a refusal: the stable code and the short message (neither carries a secret or payload). */
export function refusalBody(err) {
  return JSON.stringify({ error: err.code, message: err.message });
}

/** The status to refuse with: the vendor's own for an unauthentic request (Fitbit: 404) when the source is known. */
export function refusalStatus(err, verifier) {
  return verifier ? verifier.httpStatus(err.code) : httpStatus(err.code);
}

/** A GET that is not the vendor's endpoint check: webhooks are POSTed. */
export const NOT_ALLOWED = {
  code: "method_not_allowed",
  message: "webhooks are POSTed here; a GET is answered only when it is the vendor's endpoint check",
};

/** `now` as the API takes it; a function is called per request (tests and replays pin the clock this way). */
export function clock(now) {
  return typeof now === "function" ? now() : now;
}

/** The body limit the core will apply for these options. */
export function bodyLimit(options) {
  const n = options?.maxBodyBytes;
  return Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_MAX_BODY_BYTES;
}
