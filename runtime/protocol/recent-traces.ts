import { z } from "zod";
import { NAME, NAME_PATTERN } from "./subjects.ts";
import { DASHBOARD_PATH } from "./web.ts";

/**
 * The in-hub trace store (`telemetry.recent`): each process keeps its latest ended spans and
 * answers `$SRV.TRACES` (serviceTracesSubject) with them; the gateway gathers the answers for
 * the dashboard's Traces panel. A kept span holds what a waterfall needs, never an input, a
 * payload or an attribute's value (a field an endpoint marks sensitive cannot reach it).
 */

/** The outcome of a span that ended well. */
export const SPAN_OK = "OK";

const HTTP_CODE = "HTTP ";

/** The code of an HTTP request's span, which carries no Fuse code: `HTTP <status>`. */
export function httpSpanCode(status: number): string {
  return `${HTTP_CODE}${status}`;
}

/** Whether a code is an HTTP status rather than a Fuse code (which says more about why). */
export function isHttpSpanCode(code: string): boolean {
  return code.startsWith(HTTP_CODE);
}

const SPAN_KINDS = ["server", "client", "producer", "consumer", "internal"] as const;

export const recentSpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  /** The parent's span id; none for the first span of a trace. */
  parentId: z.string().optional(),
  name: z.string(),
  kind: z.enum(SPAN_KINDS),
  /** The process that recorded it: its actor and instance. */
  actor: z.string(),
  instance: z.number().int(),
  /** `<actor>.<endpoint>` a request served or a call made. */
  target: z.string().optional(),
  /** Epoch ms (fractional), both ends from the same clock. */
  start: z.number(),
  end: z.number(),
  /** `OK`, the error code it ended with, or `HTTP <status>` for an HTTP request. */
  code: z.string(),
  /**
   * Whether it failed, as OpenTelemetry's status says: any Fuse code but `OK`, an HTTP request
   * answered 500 or more (a 4xx is the client's mistake, not the server's failure).
   */
  failed: z.boolean(),
  /** The message the failure carried to the caller (as it went on the wire), when it failed. */
  error: z.string().optional(),
});
export type RecentSpan = z.infer<typeof recentSpanSchema>;

/** What one process holds of one trace: enough to list the trace and filter it once merged with the other processes' parts. */
export const tracePartSchema = z.object({
  traceId: z.string(),
  start: z.number(),
  end: z.number(),
  spans: z.number().int(),
  /** The processes' actors that recorded its spans here, and the endpoints it served here. */
  actors: z.array(z.string()),
  targets: z.array(z.string()),
  /** Its earliest span here whose parent is not here (the trace's root when `root`). */
  top: recentSpanSchema.pick({ name: true, actor: true, instance: true, start: true }).extend({ root: z.boolean() }),
  /** The endpoint the request entered by: its earliest server span with a target. */
  entry: z.object({ target: z.string(), start: z.number() }).optional(),
  /** Its first failure here: a Fuse code before an HTTP status (the code says why). */
  failure: z.object({ code: z.string(), error: z.string().optional(), start: z.number() }).optional(),
});
export type TracePart = z.infer<typeof tracePartSchema>;

/** The body of a `$SRV.TRACES` request: the latest traces' parts, or every span of one trace. */
export const traceStoreQuerySchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("recent"), max: z.number().int().min(1).max(1000) }),
  z.object({ op: z.literal("trace"), traceId: z.string().regex(/^[0-9a-f]{32}$/) }),
]);
export type TraceStoreQuery = z.infer<typeof traceStoreQuerySchema>;

/** One process's answer: who it is, how full its store is, and what was asked for. */
export const traceStoreReplySchema = z.object({
  actor: z.string(),
  instance: z.number().int(),
  held: z.number().int(),
  capacity: z.number().int(),
  parts: z.array(tracePartSchema).optional(),
  spans: z.array(recentSpanSchema).optional(),
});
export type TraceStoreReply = z.infer<typeof traceStoreReplySchema>;

/** The dashboard's routes: the recent requests (`?actor&endpoint&status&minMs&limit`), and `/<trace id>` for one. */
export const TRACES_PATH = `${DASHBOARD_PATH}/traces`;

/** `GET /dashboard/traces`'s query: every parameter optional; a bad one is a 400 naming it. */
export const recentTracesQuerySchema = z.strictObject({
  actor: z.string().regex(NAME, "expected an actor name").optional(),
  endpoint: z.string().regex(new RegExp(`^(${NAME_PATTERN}\\.)?${NAME_PATTERN}$`), "expected an endpoint name or <actor>.<endpoint>").optional(),
  status: z.enum(["ok", "error"]).optional(),
  minMs: z.coerce.number().min(0).max(86_400_000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type RecentTracesQuery = z.infer<typeof recentTracesQuerySchema>;

/** One request of the list: a trace, its parts merged. */
export interface TraceSummary {
  traceId: string;
  start: number;
  /** From its first span's start to its last span's end. */
  ms: number;
  /** Its root span's name (or its earliest span's when the root is not held). */
  name: string;
  /** The process of that span, `actor#instance`. */
  process: string;
  entry?: string | undefined;
  status: "ok" | "error";
  code: string;
  error?: string | undefined;
  spans: number;
  actors: string[];
}

/** The processes that answered and how full their stores are. */
export interface TraceStoreFill {
  actor: string;
  instance: number;
  held: number;
  capacity: number;
}

export interface RecentTracesReply {
  traces: TraceSummary[];
  stores: TraceStoreFill[];
}

/**
 * A span of a waterfall: its depth under the trace's root, whether its parent is missing
 * (evicted or never recorded), and by how many ms its times were shifted to lie within its
 * parent's, recorded by another process whose clock differs (absent when not shifted).
 */
export type WaterfallSpan = RecentSpan & { depth: number; orphan: boolean; skewMs?: number };

export interface TraceWaterfallReply {
  traceId: string;
  start: number;
  end: number;
  spans: WaterfallSpan[];
}
