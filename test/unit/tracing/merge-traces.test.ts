import { describe, expect, it } from "vitest";
import { recentTracesQuerySchema, type RecentSpan, type TraceStoreReply } from "../../../runtime/protocol/index.ts";
import { recentTraces } from "../../../runtime/tracing/index.ts";
import { traceParts } from "../../../runtime/tracing/recent/trace-parts.ts";

let next = 0;
const span = (traceId: string, over: Partial<RecentSpan> & Pick<RecentSpan, "actor" | "start" | "end">): RecentSpan => ({
  traceId,
  spanId: `s${++next}`,
  name: "span",
  kind: "internal",
  instance: 0,
  code: "OK",
  failed: false,
  ...over,
});

/** A process's answer to `recent`, as its store would give it. */
const reply = (actor: string, spans: RecentSpan[]): TraceStoreReply => ({ actor, instance: 0, held: spans.length, capacity: 100, parts: traceParts(spans, 300) });
const query = (q: Record<string, string> = {}) => recentTracesQuerySchema.parse(q);

// Two requests through the gateway: greeter.hello calling counter.increment, and greeter.fail.
const http1 = span("t1", { spanId: "h1", actor: "gateway", kind: "server", name: "GET /hello/:name", start: 100, end: 130, code: "HTTP 200" });
const hello = span("t1", { spanId: "g1", parentId: "h1", actor: "greeter", kind: "server", target: "greeter.hello", name: "greeter.hello", start: 102, end: 128 });
const call = span("t1", { spanId: "c1", parentId: "g1", actor: "greeter", kind: "client", target: "counter.increment", name: "counter.increment", start: 104, end: 120 });
const increment = span("t1", { spanId: "k1", parentId: "c1", actor: "counter", kind: "server", target: "counter.increment", name: "counter.increment", start: 106, end: 118 });
const http2 = span("t2", { spanId: "h2", actor: "gateway", kind: "server", name: "POST /api/:actor/:endpoint", start: 200, end: 205, code: "HTTP 500", failed: true });
const fail = span("t2", { spanId: "g2", parentId: "h2", actor: "greeter", kind: "server", target: "greeter.fail", name: "greeter.fail", start: 201, end: 203, code: "HANDLER_FAILED", failed: true, error: "greeter failed on purpose" });
// A request no route took: the client's mistake, not a failure.
const favicon = span("t0", { spanId: "h0", actor: "gateway", kind: "server", name: "GET unmatched", start: 50, end: 51, code: "HTTP 404" });
const replies = [reply("gateway", [favicon, http1, http2]), reply("greeter", [hello, call, fail]), reply("counter", [increment])];

describe("recent traces merged from every process's store", () => {
  it("makes one request of each trace's parts: root, entry endpoint, extent, span count, actors, newest first", () => {
    const { traces, stores } = recentTraces(replies, query());
    expect(traces.slice(0, 2)).toEqual([
      { traceId: "t2", start: 200, ms: 5, name: "POST /api/:actor/:endpoint", process: "gateway#0", entry: "greeter.fail", status: "error", code: "HANDLER_FAILED", error: "greeter failed on purpose", spans: 2, actors: ["gateway", "greeter"] },
      { traceId: "t1", start: 100, ms: 30, name: "GET /hello/:name", process: "gateway#0", entry: "greeter.hello", status: "ok", code: "OK", error: undefined, spans: 4, actors: ["gateway", "greeter", "counter"] },
    ]);
    expect(traces[2]).toMatchObject({ traceId: "t0", status: "ok", code: "OK", spans: 1 });
    expect(stores.map((s) => s.actor)).toEqual(["counter", "gateway", "greeter"]);
  });

  it("prefers the Fuse code of a failure to the HTTP status it became, whichever process answers first", () => {
    const reversed = recentTraces([...replies].reverse(), query());
    expect(reversed.traces[0]).toMatchObject({ traceId: "t2", code: "HANDLER_FAILED" });
    const gatewayOnly = recentTraces([replies[0]!], query());
    expect(gatewayOnly.traces[0]).toMatchObject({ traceId: "t2", status: "error", code: "HTTP 500" });
  });

  it("filters by an actor reached, an endpoint served, the outcome and a least duration", () => {
    const ids = (q: Record<string, string>) => recentTraces(replies, query(q)).traces.map((t) => t.traceId);
    expect(ids({ actor: "counter" })).toEqual(["t1"]);
    expect(ids({ endpoint: "fail" })).toEqual(["t2"]);
    expect(ids({ endpoint: "greeter.hello" })).toEqual(["t1"]);
    expect(ids({ actor: "counter", endpoint: "hello" })).toEqual([]);
    expect(ids({ actor: "greeter", endpoint: "hello" })).toEqual(["t1"]);
    expect(ids({ status: "error" })).toEqual(["t2"]);
    expect(ids({ status: "ok" })).toEqual(["t1", "t0"]);
    expect(ids({ minMs: "10" })).toEqual(["t1"]);
    expect(ids({ minMs: "1" })).toEqual(["t2", "t1", "t0"]);
    expect(ids({ limit: "1" })).toEqual(["t2"]);
  });

  it("names the root by the earliest span whose parent nobody holds when the root itself was evicted", () => {
    const { traces } = recentTraces([reply("greeter", [call, hello]), reply("counter", [increment])], query());
    expect(traces[0]).toMatchObject({ traceId: "t1", name: "greeter.hello", process: "greeter#0", spans: 3 });
  });

  it("refuses a bad query parameter, naming it", () => {
    const issue = (q: Record<string, string>) => recentTracesQuerySchema.safeParse(q).error!.issues[0]!;
    expect(issue({ status: "broken" }).path).toEqual(["status"]);
    expect(issue({ minMs: "soon" }).path).toEqual(["minMs"]);
    expect(issue({ limit: "0" }).path).toEqual(["limit"]);
    expect(issue({ actor: "Greeter" }).path).toEqual(["actor"]);
    expect(issue({ colour: "red" })).toMatchObject({ code: "unrecognized_keys", keys: ["colour"] });
  });
});
