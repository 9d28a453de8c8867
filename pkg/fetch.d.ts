// carehook/fetch: webhook endpoints for Fetch API runtimes and frameworks. Uses the global Request and Response
// types (the DOM library, @types/node or a runtime's own types provide them).
import type { Clock, CloudEvent, ErrorCode, SourceOptions } from "./index.js";

export interface FetchWebhookOptions extends SourceOptions {
  /** The receiver's clock (default: now); a function is called per request. */
  now?: Clock | (() => Clock);
  /** The sender's address for `allowIps`, e.g. `(req) => req.headers.get("cf-connecting-ip")` on Cloudflare. */
  remoteIp?: string | ((request: Request, ...rest: any[]) => string | null | undefined);
}

/** What a handler may return: a Response, nothing (an empty 200), or a value sent as JSON with 200. */
export type HandlerResult = Response | void | null | undefined | object;

/**
 * `(request, ...rest) => Promise<Response>`: a Worker's `fetch`, a Next.js route handler, a Deno or Bun server.
 * `handler` runs only for a verified webhook. `options` may be a function of the same arguments (e.g. a Worker's
 * `env`); an object is checked at once and throws `CarehookError` if unusable.
 */
export declare function webhookHandler<Rest extends unknown[] = any[], T = unknown>(
  options: FetchWebhookOptions | ((request: Request, ...rest: Rest) => FetchWebhookOptions | Promise<FetchWebhookOptions>),
  handler: (event: CloudEvent<T>, request: Request, ...rest: Rest) => HandlerResult | Promise<HandlerResult>,
): (request: Request, ...rest: Rest) => Promise<Response>;

/** The parts of a Hono context the middleware uses. */
export interface HonoContextLike {
  req: { raw: Request };
  set(key: "webhook", value: CloudEvent): void;
}

/**
 * Hono middleware: sets `c.get("webhook")` to the CloudEvent, or answers the refusal. Declare the variable for typed
 * access: `new Hono<{ Variables: { webhook: CloudEvent } }>()`.
 */
export declare function webhook<C extends HonoContextLike = HonoContextLike>(
  options: FetchWebhookOptions | ((c: C) => FetchWebhookOptions | Promise<FetchWebhookOptions>),
): (c: C, next: () => Promise<void>) => Promise<Response | void>;

/** A refused webhook as a JSON Response: `{ error, message }` with the status from `httpStatus`. */
export declare function refusal(err: { code: ErrorCode; message: string }): Response;

/** 401 (not authenticated), 400 (unreadable), 413 (too large) or 500 (misconfigured). */
export declare function httpStatus(code: ErrorCode): 400 | 401 | 413 | 500;
