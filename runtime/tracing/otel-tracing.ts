import { AsyncLocalStorage } from "node:async_hooks";
import type * as Api from "@opentelemetry/api";
import type * as Base from "@opentelemetry/sdk-trace-base";
import type * as Exporter from "@opentelemetry/exporter-trace-otlp-http";
import type * as Resources from "@opentelemetry/resources";
import type * as Semconv from "@opentelemetry/semantic-conventions";
import { formatTraceParent, type TraceParent } from "../protocol/index.ts";
import { SpanAttr } from "./span-attributes.ts";
import type { FuseSpan, SpanKindName, SpanStart, Tracing, TracingOptions } from "./tracing.ts";
import { RecentStore } from "./recent/recent-store.ts";

/** The OpenTelemetry packages, loaded by start-tracing.ts (only type imports here). */
export interface OtelModules {
  api: typeof Api;
  base: typeof Base;
  /** Loaded only when spans are exported (`url`). */
  exporter: typeof Exporter | undefined;
  resources: typeof Resources;
  semconv: typeof Semconv;
}

const OK = "OK";

/**
 * Wall-clock time in ms with the monotonic clock's precision. Every span gets both ends from
 * it: OpenTelemetry's default anchors a span's start at Date.now() (whole ms), which could show
 * a child in another process starting or ending outside its parent.
 */
const now = () => performance.timeOrigin + performance.now();

/**
 * Random ids, except the trace id of a new root when Fuse already chose it (a `Fuse-Trace-Id`
 * that is a W3C trace id): `next` is set just before the synchronous startSpan that uses it.
 */
class ChosenTraceIds implements Base.IdGenerator {
  next: string | undefined;
  constructor(private readonly random: Base.IdGenerator) {}
  generateTraceId(): string {
    const chosen = this.next;
    this.next = undefined;
    return chosen ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

class OtelSpan implements FuseSpan {
  readonly traceId: string;
  readonly spanId: string;
  route: string | undefined;
  private readonly flags: number;
  /** Set by `markEnd`: the end `end` records. */
  private endAt: number | undefined;

  constructor(
    readonly span: Api.Span,
    private readonly errorStatus: Api.SpanStatusCode,
    private readonly recent: RecentStore | undefined,
  ) {
    const context = span.spanContext();
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.flags = context.traceFlags;
  }

  traceparent(): string {
    return formatTraceParent({ traceId: this.traceId, spanId: this.spanId, flags: this.flags });
  }

  set(key: string, value: string | number | boolean): void {
    this.span.setAttribute(key, value);
  }

  rename(name: string): void {
    this.span.updateName(name);
  }

  fail(reason: string): void {
    this.span.setStatus({ code: this.errorStatus, message: reason });
  }

  markEnd(): void {
    this.endAt = now();
  }

  end(code?: string, message?: string): void {
    if (code !== undefined) {
      this.span.setAttribute(SpanAttr.code, code);
      // The code only: an error's message may quote what the caller sent. The in-hub store,
      // read by the hub's admins as the logs are, keeps it.
      if (code !== OK) this.span.setStatus({ code: this.errorStatus, message: code });
      if (code !== OK && message && this.recent) this.recent.noteFailure(this.span, message);
    }
    this.span.end(this.endAt ?? now());
  }
}

export class OtelTracing implements Tracing {
  private readonly provider: Base.BasicTracerProvider;
  private readonly tracer: Api.Tracer;
  private readonly ids: ChosenTraceIds;
  private readonly kinds: Record<SpanKindName, Api.SpanKind>;
  private readonly activeSpan = new AsyncLocalStorage<FuseSpan>();
  readonly service: string;
  readonly instance: number;
  readonly recent: RecentStore | undefined;

  constructor(
    private readonly m: OtelModules,
    options: TracingOptions,
  ) {
    const { base, semconv } = m;
    this.service = options.service;
    this.instance = options.instance;
    this.ids = new ChosenTraceIds(new base.RandomIdGenerator());
    const { SpanKind } = m.api;
    this.kinds = { server: SpanKind.SERVER, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, internal: SpanKind.INTERNAL };
    const processors: Base.SpanProcessor[] = [];
    if (options.url && m.exporter) processors.push(new base.BatchSpanProcessor(new m.exporter.OTLPTraceExporter({ url: options.url }), { scheduledDelayMillis: options.flushMs ?? 1_000 }));
    const names = new Map(Object.entries(this.kinds).map(([name, kind]) => [kind, name as SpanKindName]));
    this.recent = options.recent ? new RecentStore({ capacity: options.recent, actor: options.service, instance: options.instance, kinds: names, errorStatus: m.api.SpanStatusCode.ERROR }) : undefined;
    if (this.recent) processors.push(this.recent);
    this.provider = new base.BasicTracerProvider({
      resource: m.resources.resourceFromAttributes({
        [semconv.ATTR_SERVICE_NAME]: options.service,
        "service.namespace": "fuse",
        "service.instance.id": `${options.service}-${options.instance}-${process.pid}`,
      }),
      sampler: new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
      idGenerator: this.ids,
      spanProcessors: processors,
    });
    this.tracer = this.provider.getTracer("fuse");
  }

  start(start: SpanStart): FuseSpan {
    const { api } = this.m;
    let context = api.ROOT_CONTEXT;
    const parent = start.parent;
    if (parent instanceof OtelSpan) context = api.trace.setSpan(context, parent.span);
    else if (parent) context = api.trace.setSpanContext(context, remoteContext(parent as TraceParent));
    else if (start.traceId) this.ids.next = start.traceId;
    const span = this.tracer.startSpan(start.name, { kind: this.kinds[start.kind], attributes: start.attributes, startTime: now() }, context);
    this.ids.next = undefined;
    return new OtelSpan(span, api.SpanStatusCode.ERROR, this.recent);
  }

  withActive<T>(span: FuseSpan, fn: () => T): T {
    return this.activeSpan.run(span, fn);
  }

  active(): FuseSpan | undefined {
    return this.activeSpan.getStore();
  }

  async shutdown(): Promise<void> {
    try {
      await this.provider.shutdown();
    } catch {
      // A collector that cannot be reached loses the last batch: never a reason for a process
      // not to stop (its exporter already dropped earlier batches the same way).
    }
  }
}

function remoteContext(parent: TraceParent): Api.SpanContext {
  return { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags & 1, isRemote: true };
}
