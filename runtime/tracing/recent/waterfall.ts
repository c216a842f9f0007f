import type { RecentSpan, TraceWaterfallReply, WaterfallSpan } from "../../protocol/index.ts";

/**
 * One trace's spans, gathered from every process, as the rows of a waterfall: each span under
 * its parent, siblings in the order they started (the processes share the host's clock). A span
 * whose parent is not held (evicted from its store, or recorded by a caller outside the hub) is
 * drawn as a root of its own, marked `orphan`, rather than lost. Pure.
 */
export function waterfall(traceId: string, spans: readonly RecentSpan[]): TraceWaterfallReply {
  const byId = new Map<string, RecentSpan>();
  for (const span of spans) if (span.traceId === traceId) byId.set(span.spanId, span);
  const children = new Map<string, RecentSpan[]>();
  const roots: RecentSpan[] = [];
  for (const span of byId.values()) {
    if (span.parentId !== undefined && byId.has(span.parentId)) {
      const siblings = children.get(span.parentId);
      if (siblings) siblings.push(span);
      else children.set(span.parentId, [span]);
    } else {
      roots.push(span);
    }
  }
  const rows: WaterfallSpan[] = [];
  const visit = (span: RecentSpan, depth: number) => {
    rows.push({ ...span, depth, orphan: span.parentId !== undefined && !byId.has(span.parentId) });
    for (const child of inClockOrder(children.get(span.spanId) ?? [])) visit(child, depth + 1);
  };
  for (const root of inClockOrder(roots)) visit(root, 0);
  const starts = rows.map((r) => r.start);
  const ends = rows.map((r) => r.end);
  return { traceId, start: rows.length ? Math.min(...starts) : 0, end: rows.length ? Math.max(...ends) : 0, spans: rows };
}

/** Earlier start first; of two that started together, the longer (the likelier parent of what follows) first. */
function inClockOrder(spans: RecentSpan[]): RecentSpan[] {
  return spans.sort((a, b) => a.start - b.start || b.end - a.end);
}
