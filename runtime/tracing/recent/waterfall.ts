import type { RecentSpan, TraceWaterfallReply, WaterfallSpan } from "../../protocol/index.ts";

/**
 * One trace's spans, gathered from every process, as the rows of a waterfall: each span under
 * its parent, siblings in the order they started. A span whose parent is not held (evicted
 * from its store, or recorded by a caller outside the hub) is drawn as a root of its own,
 * marked `orphan`, rather than lost. Each process's clock is its start's wall time plus a
 * monotonic clock, so two processes of one host disagree by a fraction of a millisecond or
 * more: a span recorded in another process than its parent's and sticking out of it is shifted
 * into it, with its own process's descendants, and says by how much (`skewMs`), as tracing
 * UIs adjust for clock skew between hosts. Pure.
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
  // `parent` is the parent as drawn (shifted already), `offset` the shift of the parent's process.
  const visit = (span: RecentSpan, depth: number, parent?: { row: WaterfallSpan; offset: number }) => {
    const offset = !parent ? 0 : processOf(parent.row) === processOf(span) ? parent.offset : shiftInto(span, parent.row);
    const row: WaterfallSpan = { ...span, start: span.start + offset, end: span.end + offset, depth, orphan: span.parentId !== undefined && !byId.has(span.parentId) };
    if (offset !== 0) row.skewMs = offset;
    rows.push(row);
    for (const child of inClockOrder(children.get(span.spanId) ?? [])) visit(child, depth + 1, { row, offset });
  };
  for (const root of inClockOrder(roots)) visit(root, 0);
  const starts = rows.map((r) => r.start);
  const ends = rows.map((r) => r.end);
  return { traceId, start: rows.length ? Math.min(...starts) : 0, end: rows.length ? Math.max(...ends) : 0, spans: rows };
}

const processOf = (span: RecentSpan) => `${span.actor}#${span.instance}`;

/** How far `span` must move to lie within `parent` (its start aligned when it is the longer); 0 when it does. */
function shiftInto(span: RecentSpan, parent: { start: number; end: number }): number {
  const longer = span.end - span.start >= parent.end - parent.start;
  if (longer || span.start < parent.start) return parent.start - span.start;
  return span.end > parent.end ? parent.end - span.end : 0;
}

/** Earlier start first; of two that started together, the longer (the likelier parent of what follows) first. */
function inClockOrder(spans: RecentSpan[]): RecentSpan[] {
  return spans.sort((a, b) => a.start - b.start || b.end - a.end);
}
