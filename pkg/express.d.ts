// carehook/express: a middleware for Express and other Node `(req, res, next)` servers.
import type { Clock, CloudEvent, ErrorCode, SourceOptions } from "./index.js";

export interface ExpressWebhookOptions extends SourceOptions {
  /** The receiver's clock (default: now); a function is called per request. */
  now?: Clock | (() => Clock);
  /** The sender's address for `allowIps` (default: `req.ip`, which honours Express's "trust proxy"). */
  remoteIp?: (req: any) => string | undefined;
}

/** A `(req, res, next)` middleware; `req.webhook` is the CloudEvent when `next` is called. */
export type WebhookMiddleware = (req: any, res: any, next?: (err?: any) => void) => void;

/**
 * Verifies the webhook from the raw body (read here, or `req.body` when `express.raw()` ran first), sets
 * `req.webhook`, and answers a refusal with `{ error, message }` and the status from `httpStatus`. `options` may be
 * a function of the request (sync or async); an object is checked at once and throws `CarehookError` if unusable.
 */
export declare function webhook(
  options: ExpressWebhookOptions | ((req: any) => ExpressWebhookOptions | Promise<ExpressWebhookOptions>),
): WebhookMiddleware;

/** 401 (not authenticated), 400 (unreadable), 413 (too large) or 500 (misconfigured). */
export declare function httpStatus(code: ErrorCode): 400 | 401 | 413 | 500;

declare global {
  namespace Express {
    interface Request {
      /** The verified webhook, set by carehook's `webhook()` middleware. */
      webhook?: CloudEvent;
    }
  }
}
