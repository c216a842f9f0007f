/**
 * The wire side of calls that survive failures: where idempotent endpoints keep their
 * replies, and the HTTP header an outside client names an idempotency key with.
 */

/**
 * The JetStream KV bucket that keeps an actor's stored replies (`defineEndpoint({ idempotent })`),
 * one per actor so that bus permissions can give each actor its own: `<prefix>-replies-<actor>`.
 * Keys inside are `<endpoint>.<digest of the idempotency key>`.
 */
export function idempotentRepliesBucket(prefix: string, actor: string): string {
  return `${prefix}-replies-${actor}`;
}

/** The HTTP request header (Stripe's name) the gateway relays as `Fuse-Idempotency-Key`. */
export const HTTP_IDEMPOTENCY_KEY = "Idempotency-Key";

/** The longest idempotency key taken, in characters: a key is an id, not a payload. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
