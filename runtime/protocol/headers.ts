/** Header names of the public wire contract. No other file spells them. */
export const Header = {
  traceId: "Fuse-Trace-Id",
  deadline: "Fuse-Deadline",
  caller: "Fuse-Caller",
  idempotencyKey: "Fuse-Idempotency-Key",
  /** Set by the NATS micro-service API on error replies: an HTTP-like status. */
  serviceErrorCode: "Nats-Service-Error-Code",
  /** Set by the NATS micro-service API on error replies: the message. */
  serviceError: "Nats-Service-Error",
} as const;

export type HeaderName = (typeof Header)[keyof typeof Header];
