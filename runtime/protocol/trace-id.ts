/**
 * A new trace id: 32 hex characters, the W3C trace-context format. Web Crypto's global keeps
 * protocol free of Node imports.
 */
export function newTraceId(): string {
  return globalThis.crypto.randomUUID().replaceAll("-", "");
}

/** A trace id a caller may hand in (`Fuse-Trace-Id`): short, printable, no separators. */
export const TRACE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
