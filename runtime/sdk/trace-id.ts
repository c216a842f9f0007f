import { randomUUID } from "node:crypto";

/** A new trace id: 32 hex characters, the W3C trace-context format. */
export function newTraceId(): string {
  return randomUUID().replaceAll("-", "");
}
