/**
 * A new trace id: 32 hex characters, the W3C trace-context format. Web Crypto's global keeps
 * protocol free of Node imports.
 */
export function newTraceId(): string {
  return globalThis.crypto.randomUUID().replaceAll("-", "");
}

/** A trace id a caller may hand in (`Fuse-Trace-Id`): short, printable, no separators. */
export const TRACE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/** A trace id that is also a W3C trace id (32 lower-case hex, not all zero): the span's trace id is then this one. */
const W3C_TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
/** `traceparent` (W3C trace context): version, trace id, parent span id, flags. */
const TRACEPARENT = /^([0-9a-f]{2})-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-([0-9a-f]{2})$/;

/** Whether a `Fuse-Trace-Id` can be the W3C trace id as it is. */
export function isW3cTraceId(id: string): boolean {
  return W3C_TRACE_ID.test(id);
}

/** The parts of a W3C `traceparent` header; undefined when it is malformed (or version ff). */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** Bit 0: the caller recorded (sampled) its span. */
  flags: number;
}

export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match || match[1] === "ff") return undefined;
  return { traceId: match[2]!, spanId: match[3]!, flags: parseInt(match[4]!, 16) };
}

export function formatTraceParent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.flags.toString(16).padStart(2, "0")}`;
}
