import { ProcessEnv } from "../protocol/index.ts";
import type { Tracing, TracingOptions } from "./tracing.ts";

/**
 * Loads the OpenTelemetry packages and starts a process's tracing. They are imported here and
 * nowhere else, at run time: a process with tracing off never loads them.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, base, exporter, resources, semconv] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    // The in-hub store alone exports nothing: its process never loads the exporter.
    options.url ? import("@opentelemetry/exporter-trace-otlp-http") : undefined,
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const { OtelTracing } = await import("./otel-tracing.ts");
  return new OtelTracing({ api, base, exporter, resources, semconv }, options);
}

/**
 * The process's tracing as the hub asked for it (`telemetry` in the config, passed in the
 * environment): exported to `otlp.url`, kept in the in-hub store (`recent`), or both; none when off.
 */
export async function tracingFromEnv(env: Record<string, string | undefined>, service: string, instance: number): Promise<Tracing | undefined> {
  const url = env[ProcessEnv.otlpUrl] || undefined;
  const kept = Number(env[ProcessEnv.traceRecent]);
  const recent = Number.isInteger(kept) && kept > 0 ? kept : undefined;
  if (!url && !recent) return undefined;
  const ratio = Number(env[ProcessEnv.traceSampleRatio] ?? 1);
  return startTracing({ url, recent, service, instance, sampleRatio: Number.isFinite(ratio) ? ratio : 1 });
}
