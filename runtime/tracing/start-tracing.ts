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
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const { OtelTracing } = await import("./otel-tracing.ts");
  return new OtelTracing({ api, base, exporter, resources, semconv }, options);
}

/** The process's tracing as the hub asked for it (`telemetry` in the config, passed in the environment); none when off. */
export async function tracingFromEnv(env: Record<string, string | undefined>, service: string, instance: number): Promise<Tracing | undefined> {
  const url = env[ProcessEnv.otlpUrl];
  if (!url) return undefined;
  const ratio = Number(env[ProcessEnv.traceSampleRatio] ?? 1);
  return startTracing({ url, service, instance, sampleRatio: Number.isFinite(ratio) ? ratio : 1 });
}
