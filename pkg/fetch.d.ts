// carehook/fetch: webhook endpoints for Fetch API runtimes and frameworks. Uses the global Request and Response
// types (the DOM library, @types/node or a runtime's own types provide them).
import type { Clock, CloudEvent, ErrorCode, ErrorStatus, SourceOptions } from "./index.js";

export interface FetchWebhookOptions extends SourceOptions {
  /** The receiver's clock (default: now); a function is called per request. */
  now?: Clock | (() => Clock);
  /** The sender's address for `allowIps`, e.g. `(req) => req.headers.get("cf-connecting-ip")` on Cloudflare. */
  remoteIp?: string | ((request: Request, ...rest: any[]) => string | null | undefined);
}

/**
 * What a handler may return: a Response, nothing (an empty answer with the vendor's accepted status: 200, Fitbit 204),
 * or a value sent as JSON with 200.
 */
export type HandlerResult = Response | void | null | undefined | object;

/**
 * `(request, ...rest) => Promise<Response>`: a Worker's `fetch`, a Next.js route handler, a Deno or Bun server.
 * `handler` runs for each event of a verified webhook: once for most vendors, once per event, in order, for a batch
 * (a Fitbit array, a FHIR notification Bundle), where a Response that is not 2xx stops there and answers, else the
 * last call's result answers. A handshake, a batch of none and a vendor's `GET` endpoint check are answered without
 * the handler. `options` may be a function of the same arguments (e.g. a Worker's `env`); an object is checked at
 * once and throws `CarehookError` if unusable.
 */
export declare function webhookHandler<Rest extends unknown[] = any[], T = unknown>(
  options: FetchWebhookOptions | ((request: Request, ...rest: Rest) => FetchWebhookOptions | Promise<FetchWebhookOptions>),
  handler: (event: CloudEvent<T>, request: Request, ...rest: Rest) => HandlerResult | Promise<HandlerResult>,
): (request: Request, ...rest: Rest) => Promise<Response>;

/** The parts of a Hono context the middleware uses. */
export interface HonoContextLike {
  req: { raw: Request };
  set(key: "webhook", value: CloudEvent | undefined): void;
  set(key: "webhooks", value: CloudEvent[]): void;
  res?: Response;
}

/**
 * Hono middleware: sets `c.get("webhooks")` to every CloudEvent of the request and `c.get("webhook")` to the event
 * when there is exactly one, or answers the request itself (a refusal, a handshake, a vendor's `GET` endpoint
 * check). A 200 from the route becomes the vendor's accepted status when it is another (Fitbit: 204). Declare the
 * variables for typed access: `new Hono<{ Variables: { webhook: CloudEvent; webhooks: CloudEvent[] } }>()`.
 */
export declare function webhook<C extends HonoContextLike = HonoContextLike>(
  options: FetchWebhookOptions | ((c: C) => FetchWebhookOptions | Promise<FetchWebhookOptions>),
): (c: C, next: () => Promise<void>) => Promise<Response | void>;

/** A refused webhook as a JSON Response: `{ error, message }` with `status` (default: `httpStatus(err.code)`). */
export declare function refusal(err: { code: ErrorCode | string; message: string }, status?: number): Response;

/** 401 (not authenticated), 400 (unreadable), 413 (too large) or 500 (misconfigured): the core's mapping. */
export declare function httpStatus(code: ErrorCode | string): ErrorStatus;
