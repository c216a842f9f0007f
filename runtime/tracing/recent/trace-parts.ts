import { isHttpSpanCode, type RecentSpan, type TracePart } from "../../protocol/index.ts";

/**
 * What one process answers of its store: per trace, the part it holds (the latest `max`
 * traces by start), or every span of one trace. Pure; the gateway merges the processes'
 * answers (merge-traces.ts).
 */
export function traceParts(spans: readonly RecentSpan[], max: number): TracePart[] {
  const byTrace = new Map<string, RecentSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  const parts = [...byTrace.values()].map(partOf);
  return parts.sort((a, b) => b.start - a.start).slice(0, max);
}

/** The spans of one trace held here, at most `max` (the latest ended). */
export function spansOfTrace(spans: readonly RecentSpan[], traceId: string, max: number): RecentSpan[] {
  return spans.filter((s) => s.traceId === traceId).slice(-max);
}

function partOf(spans: RecentSpan[]): TracePart {
  const ids = new Set(spans.map((s) => s.spanId));
  const first = spans[0]!;
  let start = first.start;
  let end = first.end;
  const actors = new Set<string>();
  const targets = new Set<string>();
  let top: TracePart["top"] | undefined;
  let entry: RecentSpan | undefined;
  let failure: RecentSpan | undefined;
  for (const span of spans) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
    actors.add(span.actor);
    if (span.kind === "server" && span.target !== undefined) {
      targets.add(span.target);
      if (!entry || span.start < entry.start) entry = span;
    }
    if (span.parentId === undefined || !ids.has(span.parentId)) top = betterTop(top, topOf(span));
    if (span.failed) failure = firstFailure(failure, span);
  }
  return {
    traceId: first.traceId,
    start,
    end,
    spans: spans.length,
    actors: [...actors],
    targets: [...targets],
    top: top ?? topOf(first),
    ...(entry ? { entry: { target: entry.target!, start: entry.start } } : {}),
    ...(failure ? { failure: { code: failure.code, ...(failure.error !== undefined ? { error: failure.error } : {}), start: failure.start } } : {}),
  };
}

function topOf(span: RecentSpan): TracePart["top"] {
  const { name, actor, instance, start } = span;
  return { name, actor, instance, start, root: span.parentId === undefined };
}

/** The trace's root (no parent at all) before a span whose parent is only elsewhere; then the earlier. */
export function betterTop<T extends { start: number; root: boolean }>(held: T | undefined, next: T): T {
  if (!held) return next;
  if (held.root !== next.root) return held.root ? held : next;
  return next.start < held.start ? next : held;
}

/** A Fuse code says why before an HTTP status does; then the earlier failure. */
export function firstFailure<T extends { start: number; code: string }>(held: T | undefined, span: T): T {
  if (!held) return span;
  const httpHeld = isHttpSpanCode(held.code);
  if (httpHeld !== isHttpSpanCode(span.code)) return httpHeld ? span : held;
  return span.start < held.start ? span : held;
}
