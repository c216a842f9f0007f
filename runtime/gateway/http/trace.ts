import { Header, newTraceId, parseTraceParent, TRACE_ID_PATTERN } from "../../protocol/index.ts";
import { processTracing } from "../../sdk/internal.ts";
import type { RequestHead } from "./request-head.ts";

const TRACEPARENT = Header.traceparent.toLowerCase();
const TRACE_HEADER = Header.traceId.toLowerCase();
const DEADLINE_HEADER = Header.deadline.toLowerCase();

/**
 * The trace of an HTTP request: its `Fuse-Trace-Id` when it is a sane id, else the trace id
 * of a W3C `traceparent`, else the trace its HTTP span began (tracing on), else a new one. A
 * malformed id is replaced, not refused: tracing must never fail a request.
 */
export function traceIdOf(head: RequestHead): string {
  const given = head.header(TRACE_HEADER);
  if (given !== undefined && TRACE_ID_PATTERN.test(given)) return given;
  const parent = parseTraceParent(head.header(TRACEPARENT));
  return parent?.traceId ?? processTracing()?.active()?.traceId ?? newTraceId();
}

/** The request's deadline: its `Fuse-Deadline` (epoch ms) within `maxMs` from now, else `defaultMs` from now. */
export function deadlineOf(head: RequestHead, defaultMs: number, maxMs: number): number {
  const now = Date.now();
  const given = head.header(DEADLINE_HEADER);
  const asked = given ? Number(given) : NaN;
  if (!Number.isFinite(asked)) return now + defaultMs;
  return Math.min(asked, now + maxMs);
}
