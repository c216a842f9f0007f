import { describe, expect, it } from "vitest";
import type { RecentSpan } from "../../../runtime/protocol/index.ts";
import { waterfall } from "../../../runtime/tracing/index.ts";

const span = (spanId: string, parentId: string | undefined, start: number, end: number, over: Partial<RecentSpan> = {}): RecentSpan => ({
  traceId: "t",
  spanId,
  ...(parentId ? { parentId } : {}),
  name: spanId,
  kind: "internal",
  actor: "a",
  instance: 0,
  start,
  end,
  code: "OK",
  failed: false,
  ...over,
});

const rows = (spans: RecentSpan[]) => waterfall("t", spans).spans.map((s) => [s.spanId, s.depth, s.orphan]);

describe("a trace's waterfall", () => {
  it("puts each span under its parent, siblings in the order they started, whatever order the processes answered in", () => {
    const spans = [span("step-b", "run", 40, 60), span("call", "step-a", 12, 30), span("run", "http", 5, 90), span("http", undefined, 0, 100), span("step-a", "run", 10, 35), span("db", "call", 14, 20)];
    expect(rows(spans)).toEqual([
      ["http", 0, false],
      ["run", 1, false],
      ["step-a", 2, false],
      ["call", 3, false],
      ["db", 4, false],
      ["step-b", 2, false],
    ]);
    expect(waterfall("t", spans)).toMatchObject({ traceId: "t", start: 0, end: 100 });
  });

  it("still shows a span whose parent was evicted, as a root of its own marked orphan, in clock order with the others", () => {
    const spans = [span("late", "gone", 50, 70), span("root", undefined, 0, 40), span("child", "late", 55, 60)];
    expect(rows(spans)).toEqual([
      ["root", 0, false],
      ["late", 0, true],
      ["child", 1, false],
    ]);
  });

  it("keeps only the trace asked for, each span once", () => {
    const spans = [span("a", undefined, 0, 10), span("a", undefined, 0, 10), span("x", undefined, 1, 2, { traceId: "other" })];
    expect(rows(spans)).toEqual([["a", 0, false]]);
    expect(waterfall("none", spans)).toEqual({ traceId: "none", start: 0, end: 0, spans: [] });
  });

  it("orders two siblings that started together longer first", () => {
    expect(rows([span("p", undefined, 0, 10), span("short", "p", 1, 2), span("long", "p", 1, 9)]).map((r) => r[0])).toEqual(["p", "long", "short"]);
  });

  it("shifts a span of another process that sticks out of its parent into it, with that process's descendants, and says by how much", () => {
    const other = { actor: "b" };
    const spans = [
      span("http", undefined, 0, 10),
      // Another process, whose clock runs 0.5 ms ahead: it seems to end after its parent.
      span("serve", "http", 2, 10.5, other),
      span("query", "serve", 9, 10.4, other),
      // Back in the first process, its clock: within the shifted parent once shifted back.
      span("reply", "query", 9.2, 9.3),
      // Another process's span that fits: left as recorded.
      span("side", "http", 1, 2, { actor: "c" }),
    ];
    const byId = new Map(waterfall("t", spans).spans.map((s) => [s.spanId, s]));
    expect(byId.get("serve")).toMatchObject({ start: 1.5, end: 10, skewMs: -0.5 });
    expect(byId.get("query")).toMatchObject({ start: 8.5, end: 9.9, skewMs: -0.5 });
    expect(byId.get("reply")).toMatchObject({ start: 9.2, end: 9.3 });
    expect(byId.get("reply")!.skewMs).toBeUndefined();
    expect(byId.get("side")!.skewMs).toBeUndefined();
    expect(byId.get("http")!.skewMs).toBeUndefined();
    // A span longer than its parent starts with it.
    const long = waterfall("t", [span("p", undefined, 0, 1), span("c", "p", 3, 5, other)]).spans[1]!;
    expect(long).toMatchObject({ start: 0, end: 2, skewMs: -3 });
  });
});
