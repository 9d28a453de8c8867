// carehook: verify healthcare webhooks and normalize them to CloudEvents 1.0.
// These declarations are self-contained: they need neither the DOM library nor @types/node.

/** Every vendor carehook verifies. */
export type Vendor =
  | "elation"
  | "elmed"
  | "healthie"
  | "mycure"
  | "standard"
  | "svix"
  | "stripe"
  | "akute"
  | "github"
  | "athenahealth"
  | "medplum"
  | "metriport"
  | "photon";

/** The stable reason a webhook was refused. */
export type ErrorCode =
  | "missing_header"
  | "malformed_header"
  | "invalid_key"
  | "signature_mismatch"
  | "timestamp_out_of_tolerance"
  | "digest_mismatch"
  | "token_mismatch"
  | "body_too_large"
  | "invalid_payload"
  | "unsupported_vendor";

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

/** `inspect` detects the vendor from the headers when it is left out. */
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

/** What `inspect` found. */
export interface Report {
  vendor: Vendor | null;
  /** Whether the vendor was detected from the headers rather than given. */
  detected: boolean;
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
  event: CloudEvent | null;
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

/** A source whose keys are parsed once: verify many requests with it. Throws `CarehookError` for a bad key or vendor. */
export declare class Verifier {
  constructor(options: SourceOptions);
  readonly vendor: Vendor;
  /** The CloudEvent, or throws `CarehookError`. */
  verify<T = unknown>(request: RequestOptions): CloudEvent<T>;
  /** The CloudEvent as JSON text, exactly as serialized (numbers keep their text). */
  verifyToJSON(request: RequestOptions): string;
  /** Verifies a Fetch API Request without consuming its body. */
  verifyRequest<T = unknown>(request: RequestLike, extra?: RequestOptions): Promise<CloudEvent<T>>;
}

/** Verifies one webhook: its CloudEvent, or throws `CarehookError`. */
export declare function verify<T = unknown>(options: VerifyOptions): CloudEvent<T>;

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
