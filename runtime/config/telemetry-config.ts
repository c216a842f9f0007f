import { z } from "zod";

/** The in-hub store's bound per process when `recent: true` is given: enough for some minutes of a busy demo. */
export const DEFAULT_RECENT_SPANS = 2000;

/**
 * `telemetry.recent`: each process keeps its latest ended spans in memory, so the dashboard's
 * Traces panel shows requests and their waterfalls with no outside collector. `true` or
 * `{ spans: <bound per process> }`; `false` is off, as when it is left out.
 */
const recentSchema = z.preprocess(
  // The short forms: true is the default bound, false is off.
  (value) => (value === true ? {} : value === false ? undefined : value),
  z
    .strictObject(
      {
        /** How many ended spans each process keeps (the oldest go first). Default 2000. */
        spans: z.number().int().min(10).max(100_000).default(DEFAULT_RECENT_SPANS),
      },
      { error: `expected true, false or { spans: <10 to 100000> }, the latest spans each process keeps (default ${DEFAULT_RECENT_SPANS})` },
    )
    .optional(),
);

/**
 * `telemetry:` in fuse.yaml: OpenTelemetry traces of every call, event, HTTP request and
 * `ctx.db` statement, exported over OTLP/HTTP and/or kept in the hub for the dashboard. Off
 * (and free) until `otlp.url` or `recent` is set.
 */
export const telemetryConfigSchema = z.strictObject({
  otlp: z
    .strictObject({
      /** The collector's OTLP/HTTP traces URL, such as `http://127.0.0.1:4318/v1/traces`. */
      url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://127.0.0.1:4318/v1/traces" }),
    })
    .optional(),
  /** Keep each process's latest spans in memory for the dashboard's Traces panel (no collector needed). Default: off. */
  recent: recentSchema.optional(),
  /** The share of traces begun here that are recorded (0 to 1); a trace begun elsewhere follows its `traceparent`. Default 1. */
  sampleRatio: z.number().min(0).max(1).default(1),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
