// carehook/express: a middleware for Express and other Node `(req, res, next)` servers.
import type { Clock, CloudEvent, ErrorCode, ErrorStatus, SourceOptions } from "./index.js";

export interface ExpressWebhookOptions extends SourceOptions {
  /** The receiver's clock (default: now); a function is called per request. */
  now?: Clock | (() => Clock);
  /** The sender's address for `allowIps` (default: `req.ip`, which honours Express's "trust proxy"). */
  remoteIp?: (req: any) => string | undefined;
}

/**
 * A `(req, res, next)` middleware. When `next` is called, `req.webhooks` holds every CloudEvent of the request (one
 * or more) and `req.webhook` the event when there is exactly one.
 */
export type WebhookMiddleware = (req: any, res: any, next?: (err?: any) => void) => void;

/**
 * Verifies the webhook from the raw body (read here, or `req.body` when `express.raw()` ran first), sets
 * `req.webhooks` and `req.webhook`, presets `res.statusCode` to the vendor's accepted status (Fitbit: 204) and calls
 * `next`. It answers itself: a refusal with `{ error, message }` and the status from `httpStatus` (the vendor's own
 * for an unauthentic request: Fitbit 404); a handshake (Metriport's ping, a FHIR handshake); a vendor's `GET`
 * endpoint check (`challenge`), or 405 for another GET. `options` may be a function of the request (sync or async);
 * an object is checked at once and throws `CarehookError` if unusable.
 */
export declare function webhook(
  options: ExpressWebhookOptions | ((req: any) => ExpressWebhookOptions | Promise<ExpressWebhookOptions>),
): WebhookMiddleware;

/** 401 (not authenticated), 400 (unreadable), 413 (too large) or 500 (misconfigured): the core's mapping. */
export declare function httpStatus(code: ErrorCode | string): ErrorStatus;

declare global {
  namespace Express {
    interface Request {
      /** The verified webhook when the request carries exactly one event, set by carehook's `webhook()` middleware. */
      webhook?: CloudEvent;
      /** Every event of the verified request, in order (several for a Fitbit array or a FHIR notification Bundle). */
      webhooks?: CloudEvent[];
    }
  }
}
