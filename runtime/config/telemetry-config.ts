import { z } from "zod";

/**
 * `telemetry:` in fuse.yaml: OpenTelemetry traces of every call, event, HTTP request and
 * `ctx.db` statement, exported over OTLP/HTTP. Off (and free) until `otlp.url` is set.
 */
export const telemetryConfigSchema = z.strictObject({
  otlp: z
    .strictObject({
      /** The collector's OTLP/HTTP traces URL, such as `http://127.0.0.1:4318/v1/traces`. */
      url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://127.0.0.1:4318/v1/traces" }),
    })
    .optional(),
  /** The share of traces begun here that are recorded (0 to 1); a trace begun elsewhere follows its `traceparent`. Default 1. */
  sampleRatio: z.number().min(0).max(1).default(1),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
