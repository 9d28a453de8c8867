// carehook: verify healthcare webhooks and normalize them to CloudEvents 1.0.
// These declarations are self-contained: they need neither the DOM library nor @types/node.

// The vendors and error codes are the core's own: dist/facts.d.ts is generated from the built .wasm.
import type { ErrorCode, ErrorKind, ErrorStatus, Vendor } from "./dist/facts.js";
export type { ErrorCode, ErrorKind, ErrorStatus, Vendor };

/** The raw body as received. Bytes are safest; a string is encoded as UTF-8 and may not be what was signed. */
export type Body = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** A Fetch API `Headers` (or anything with its `forEach` and `get`). */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
  get(name: string): string | null;
}

/** Headers: a `Headers`, a plain object (Node's `req.headers`, arrays allowed), or `[name, value]` pairs. */
export type HeadersInit =
  | HeadersLike
  | Record<string, string | readonly string[] | number | undefined>
  | ReadonlyArray<readonly [string, string]>;

/** A Fetch API `Request` (or anything with the members carehook reads). */
export interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: HeadersLike;
  clone(): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Unix time in seconds, or a Date. */
export type Clock = number | Date;

/** Who the sender is and how strict to be: parsed once by `Verifier`. */
export interface SourceOptions {
  vendor: Vendor;
  /** The keyring: one secret, public key or URL token, or several (rotation); any one may match. */
  keys?: string | readonly string[];
  /** Same as `keys`. */
  key?: string | readonly string[];
  /** Seconds a signed timestamp may be old or in the future (default 300). */
  tolerance?: number;
  /** The path the sender signed, when requests reach this code on another path (Healthie, behind a proxy). */
  publicPath?: string;
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Largest signature header accepted, in bytes. */
  maxHeaderBytes?: number;
  /** Most signatures read from one header. */
  maxSignatures?: number;
  /** Sender addresses allowed (IPs or CIDR blocks); empty allows all. Needs `remoteIp`. */
  allowIps?: readonly string[];
  /** The CloudEvent `source` attribute (default `carehook:<vendor>`). */
  source?: string;
  /** Offset of zone-less vendor timestamps (ELMED), in minutes east of UTC (default 0: UTC). */
  utcOffsetMinutes?: number;
  /** The header a token sender puts its token in (`header-token`, `fhir`; default `authorization`). */
  tokenHeader?: string;
  /** What precedes the token in that header, compared without case (default `Bearer `; "" for none). */
  tokenPrefix?: string;
  /** The subscriber verification code Fitbit's `GET ?verify=` check must match (see `challenge`). */
  verificationCode?: string;
  /** The URL the sender posts to, when requests arrive on another (RFC 9421's `@target-uri`, `@authority`, ...). */
  publicUrl?: string;
  /** The `tag` an RFC 9421 signature must carry. */
  requiredTag?: string;
  /** Components an RFC 9421 signature must cover, lower case (`@method`, `content-type`, ...). */
  requiredComponents?: readonly string[];
  /** Whether an RFC 9421 signature must cover `content-digest` (default true: only then is the body authenticated). */
  requireContentDigest?: boolean;
}

/** One received request (a `Capture` from `readCapture` spreads into it). */
export interface RequestOptions {
  /** Default "POST". */
  method?: string | null;
  /** The full URL or the path with its query, as received. */
  url?: string | null;
  /** The path, when `url` is not given (default "/"). */
  path?: string;
  /** The query string, with or without "?", when `url` is not given. */
  query?: string;
  headers?: HeadersInit;
  body?: Body | null;
  /** The receiver's clock (default: now). */
  now?: Clock;
  /** The sender's address, checked against `allowIps`. */
  remoteIp?: string;
}

export interface VerifyOptions extends SourceOptions, RequestOptions {}

/** Without a `vendor`, `inspect` verifies nothing: it reports `unsupported_vendor` and the vendor the headers suggest. */
export interface InspectOptions extends Omit<SourceOptions, "vendor">, RequestOptions {
  vendor?: Vendor | "";
}

/** A verified webhook as a CloudEvents 1.0 envelope (JSON structured mode), with carehook's extension attributes. */
export interface CloudEvent<T = unknown> {
  specversion: "1.0";
  /** The vendor's event id, or one derived from the raw body when the vendor sends none. */
  id: string;
  /** `carehook:<vendor>` unless configured. */
  source: string;
  /** `<vendor>.<resource>.<action>`, e.g. "elation.patients.saved". */
  type: string;
  /** `<ResourceType>/<id>` when both are known. */
  subject?: string;
  /** RFC 3339. */
  time: string;
  datacontenttype: string;
  /** Extension: the vendor. */
  vendor: Vendor;
  /** Extension: the FHIR-style resource type, e.g. "Patient". */
  resourcetype?: string;
  /** Extension: the resource id, as text. */
  resourceid?: string;
  /** Extension: what happened, e.g. "saved", "created", "deleted". */
  action?: string;
  /** Extension: where to fetch the resource, when the vendor sends a URL instead of data. */
  resourceurl?: string;
  /** The vendor's body, parsed. */
  data: T;
}

/** A webhook carehook refused. */
export declare class CarehookError extends Error {
  constructor(init: { code: ErrorCode; message: string; hint?: string | null; verified?: boolean });
  readonly name: "CarehookError";
  /** Stable; switch on this, not on the message. */
  code: ErrorCode;
  /** What to try next, when there is something useful to say. */
  hint: string | null;
  /** Whether the signature itself was good (only `invalid_payload` refuses a verified webhook). */
  verified: boolean;
}

/** One check made by `inspect`. Details name headers and sizes, never secrets or payload. */
export interface Step {
  check: string;
  ok: boolean;
  detail: string;
}

/** The answer a vendor's endpoint check expects instead of an event: its status and JSON body ("" for none). */
export interface Handshake {
  status: number;
  body: string;
}

/** Every event of a verified request, and the answer it expects when it is a handshake (then emit nothing). */
export interface Verified<T = unknown> {
  /** One for most vendors; several for a batch (a Fitbit array, a FHIR notification Bundle); none for a handshake. */
  events: CloudEvent<T>[];
  /** Metriport's ping (answered `{"pong": ...}`), a FHIR handshake or heartbeat; null for an ordinary webhook. */
  handshake: Handshake | null;
}

/** What `inspect` found. */
export interface Report {
  /** The configured vendor; null when none (or an unknown one) was configured. */
  vendor: Vendor | null;
  /** Whether the headers look like a vendor's while none was configured (see `suggested`). */
  detected: boolean;
  /** The vendor the headers look like, when none was configured: configure it to verify (the request never picks). */
  suggested: Vendor | null;
  ok: boolean;
  /** Whether the signature (or token) itself was good. */
  verified: boolean;
  steps: Step[];
  /** The 1-based keyring entry that matched. */
  matched_key: number | null;
  /** `invalid_options` when the options themselves could not be used. */
  error: { code: ErrorCode | "invalid_options"; message: string; hint: string | null } | null;
  /** Findings from trying common mistakes (a trimmed key, a re-encoded body, ...). */
  diagnosis: string[];
  /** The event (the first, when the request carries several). */
  event: CloudEvent | null;
  /** Every event the request carries. */
  events: CloudEvent[];
  /** The answer a handshake expects, when the request is one. */
  handshake: Handshake | null;
}

/** What to sign, as the vendor would. */
export interface SignOptions {
  vendor: Vendor;
  /** The signing key: the shared secret, an Ed25519 private key (Elation) or `whsk_` key (Standard Webhooks v1a). */
  key: string;
  body: Body;
  method?: string;
  url?: string;
  path?: string;
  query?: string;
  /** The signature's timestamp (default: now). */
  now?: Clock;
  /** The message id, for schemes that sign one (Standard Webhooks, Svix). */
  id?: string;
}

/** A realistic webhook for one vendor, with demonstration keys. */
export interface Sample {
  vendor: Vendor;
  path: string;
  body: string;
  signingKey: string;
  verifyKey: string;
  /** Headers the vendor sends besides the signature. */
  headers: Array<[string, string]>;
  /** Whether the vendor's check authenticates the body: false for token senders (MYCURE, header tokens). */
  signsBody: boolean;
  /** Whether one request may carry several events, or none (FHIR, Fitbit): receive them with `verifyAll`. */
  batches: boolean;
  /** The HTTP status that acknowledges a webhook to this vendor (Fitbit: 204), and the one refusing a forgery. */
  acceptedStatus: number;
  unauthenticatedStatus: number;
}

/** A sample signed for a given time, ready to send. */
export interface SignedSample {
  vendor: Vendor;
  method: "POST";
  path: string;
  headers: Record<string, string>;
  body: string;
  verifyKey: string;
}

/** Every error code, in a fixed order. */
export declare const errorCodes: readonly ErrorCode[];

/** Every vendor identifier. */
export declare function vendors(): Vendor[];

/**
 * A source whose keys are parsed once: verify many requests with it. Throws `CarehookError` for a bad key or vendor
 * (`invalid_key` with a hint for a key that is undefined: an environment variable that is not set), and a TypeError
 * for an option the core does not know.
 */
export declare class Verifier {
  constructor(options: SourceOptions);
  readonly vendor: Vendor;
  /** The status that acknowledges a webhook to this vendor: 200 for most, 204 for Fitbit. */
  readonly acceptedStatus: number;
  /** The status refusing a request that is not authentic: 401 for most, 404 for Fitbit. */
  readonly unauthenticatedStatus: number;
  /** The status to refuse this vendor's request with: `httpStatus(code)`, or `unauthenticatedStatus` for an unauthentic one. */
  httpStatus(code: ErrorCode): number;
  /**
   * The CloudEvent, or throws `CarehookError`. A request carrying no event (a handshake) or several (a batch) is
   * refused with `invalid_payload`, so none is dropped: use `verifyAll` for vendors that batch (`Sample.batches`).
   */
  verify<T = unknown>(request: RequestOptions): CloudEvent<T>;
  /** Every event of the request, and the answer a handshake expects; throws `CarehookError`. */
  verifyAll<T = unknown>(request: RequestOptions): Verified<T>;
  /** The answer to the vendor's own endpoint check (DrChrono's `GET ?msg=`, Fitbit's `GET ?verify=`), or null. */
  challenge(request: RequestOptions): Handshake | null;
  /** The CloudEvent as JSON text, exactly as serialized (numbers keep their text). */
  verifyToJSON(request: RequestOptions): string;
  /** Verifies a Fetch API Request without consuming its body. */
  verifyRequest<T = unknown>(request: RequestLike, extra?: RequestOptions): Promise<CloudEvent<T>>;
}

/** Verifies one webhook: its CloudEvent, or throws `CarehookError` (`invalid_payload` for a batch or a handshake). */
export declare function verify<T = unknown>(options: VerifyOptions): CloudEvent<T>;

/** Verifies one webhook: every event it carries, and the answer a handshake expects; throws `CarehookError`. */
export declare function verifyAll<T = unknown>(options: VerifyOptions): Verified<T>;

/** The answer to a vendor's own endpoint check (`GET ?msg=`, `GET ?verify=`), or null when the request is not one. */
export declare function challenge(options: VerifyOptions): Handshake | null;

/** The HTTP status for an error code, from the core's one mapping: 401, 400, 413 or 500 (500 for an unknown code). */
export declare function httpStatus(code: ErrorCode | string): ErrorStatus;

/** What kind of refusal a code is; null for a code carehook does not know. */
export declare function errorKind(code: ErrorCode | string): ErrorKind | null;

/** Verifies a Fetch API Request (Workers, Deno, Bun, Next.js, Hono); the Request stays readable. */
export declare function verifyRequest<T = unknown>(
  request: RequestLike,
  options: VerifyOptions,
): Promise<CloudEvent<T>>;

/** A step-by-step report of one verification. Never throws. */
export declare function inspect(options: InspectOptions): Report;

/** The headers the vendor would send for this body. */
export declare function sign(options: SignOptions): Record<string, string>;

/** The verification key for a signing key (an Ed25519 public key, or the same secret). */
export declare function verifyKey(vendor: Vendor, signingKey: string): string;

/** A realistic example for every vendor. */
export declare function samples(): Sample[];

/** One vendor's sample, signed at `now` (default: now). */
export declare function signedSample(vendor: Vendor, options?: { now?: Clock; id?: string }): SignedSample;

/** The vendor whose signature header is present, or null. */
export declare function detectVendor(headers: HeadersInit): Vendor | null;

/** Headers flattened to `name\0value\0...`, the form the WebAssembly module reads. */
export declare function flattenHeaders(headers: HeadersInit | null | undefined): string;

/** The forms `readCapture` reads. `body`: JSON that is not a request, read as the body alone. */
export type CaptureFormat = "http" | "headers" | "curl" | "har" | "devtools" | "json" | "body";

/** Something odd in a capture, or left out of it: `line` is 1-based in the text read, or null. */
export interface CaptureNote {
  line: number | null;
  message: string;
}

/** A captured request as `readCapture` read it. Spread it into `verify` or `inspect` options. */
export interface Capture {
  /** What it was read as: a raw HTTP request, headers, a curl command, a HAR entry, developer tools' copy... */
  format: CaptureFormat;
  /** Upper case; null when the capture does not say (a headers block). */
  method: string | null;
  /** The target as sent: a path and query, or an absolute URL; null when the capture does not say. */
  url: string | null;
  /** In order, repeated headers kept; HTTP/2 pseudo-headers are read into `method` and `url` instead. */
  headers: Array<[string, string]>;
  /** The body's exact bytes; null when the capture holds none (a headers block, a curl command reading a file). */
  body: Uint8Array | null;
  /** The file a curl command reads the body from (`-` for standard input); `binary` false for `-d @FILE`, which curl reads without its line breaks. */
  bodyFile: { path: string; binary: boolean } | null;
  /** Which request of a HAR file or log was read (from 0), and how many it holds; null for other forms. */
  entry: number | null;
  entries: number | null;
  notes: CaptureNote[];
}

export interface ReadCaptureOptions {
  /** The body, when it is kept apart from the headers (it replaces any body in the capture). */
  body?: Body | null;
  /** Which request of a HAR file or a log to read, from 0 (default: the first that is not a GET, HEAD or OPTIONS). */
  entry?: number | null;
}

/** A request to write back: what `readCapture` returns, or your own. */
export interface CapturedRequest {
  method?: string | null;
  url?: string | null;
  headers?: HeadersInit;
  body?: Body | null;
}

/**
 * Reads a captured request: raw HTTP/1.1 (CRLF or LF), a headers block (the body given apart), a curl command, a HAR
 * file or entry, browsers' developer tools' copied request headers, a JSON log line; indented, e-mail quoted or in
 * a Markdown fence. Bytes keep a raw request's body exactly. Never throws for odd input: what it cannot read is in
 * `notes`.
 */
export declare function readCapture(input: string | Uint8Array | ArrayBuffer | ArrayBufferView, options?: ReadCaptureOptions): Capture;

/**
 * A curl command that sends the request: the body inline with `--data-raw` (never read from a file, even when it
 * starts with `@`), quoted for bash and zsh (`$'...'` for control characters and bytes that are not UTF-8), or read
 * from `bodyFile` with `--data-binary @FILE`. A relative `url` needs `base`. Throws for a body with a NUL byte.
 */
export declare function toCurl(request: CapturedRequest, options?: { base?: string; bodyFile?: string }): string;

/** The request as raw HTTP/1.1 text (LF line breaks unless `eol` is "\r\n"). */
export declare function toHttp(request: CapturedRequest, options?: { eol?: "\n" | "\r\n" }): string;
