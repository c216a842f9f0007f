import { afterAll, describe, expect, it } from "vitest";
import { startTracing, type Tracing } from "../../../runtime/tracing/index.ts";
import type { TraceStoreReply } from "../../../runtime/protocol/index.ts";

// The real OpenTelemetry SDK with the in-hub store only (no exporter), as a process runs it with telemetry.recent.
describe("in-hub trace store", () => {
  const started: Tracing[] = [];
  const tracing = async (recent: number) => {
    const t = await startTracing({ recent, service: "greeter", instance: 1 });
    started.push(t);
    return t;
  };
  afterAll(async () => {
    await Promise.all(started.map((t) => t.shutdown()));
  });

  it("keeps each ended span with its parent, process, target, times, code and the failure's message", async () => {
    const t = await tracing(50);
    const server = t.start({ name: "greeter.hello", kind: "server", attributes: { "fuse.actor": "greeter", "fuse.endpoint": "hello" } });
    const call = t.start({ name: "counter.increment", kind: "client", parent: server, attributes: { "fuse.actor": "counter", "fuse.endpoint": "increment" } });
    call.end("NO_LIVE_INSTANCE", "no instance of counter answers");
    server.end("OK", "a message for a success is not kept");
    const { spans } = t.recent!.answer({ op: "trace", traceId: server.traceId });
    expect(spans).toEqual([
      expect.objectContaining({ spanId: call.spanId, parentId: server.spanId, name: "counter.increment", kind: "client", actor: "greeter", instance: 1, target: "counter.increment", code: "NO_LIVE_INSTANCE", failed: true, error: "no instance of counter answers" }),
      expect.objectContaining({ spanId: server.spanId, name: "greeter.hello", kind: "server", target: "greeter.hello", code: "OK", failed: false }),
    ]);
    expect(spans![1]).not.toHaveProperty("parentId");
    expect(spans![1]).not.toHaveProperty("error");
    expect(spans![0]!.start).toBeGreaterThanOrEqual(spans![1]!.start);
    expect(spans![0]!.end).toBeLessThanOrEqual(spans![1]!.end);
  });

  it("codes an HTTP span by its status, failed from 500 up only (a 4xx is the client's mistake)", async () => {
    const t = await tracing(50);
    const http = (status: number) => {
      const span = t.start({ name: "GET /hello/:name", kind: "server", attributes: {} });
      span.set("http.response.status_code", status);
      if (status >= 500) span.fail(`HTTP ${status}`);
      span.end();
      const { code, failed } = t.recent!.answer({ op: "trace", traceId: span.traceId }).spans![0]!;
      return [code, failed];
    };
    expect([http(200), http(404), http(503)]).toEqual([["HTTP 200", false], ["HTTP 404", false], ["HTTP 503", true]]);
  });

  it("holds at most its bound, the oldest spans going first", async () => {
    const t = await tracing(10);
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const span = t.start({ name: `call ${i}`, kind: "internal", attributes: {} });
      span.end("OK");
      ids.push(span.traceId);
    }
    const reply: TraceStoreReply = t.recent!.answer({ op: "recent", max: 100 });
    expect(reply).toMatchObject({ actor: "greeter", instance: 1, held: 10, capacity: 10 });
    expect(reply.parts!.map((p) => p.traceId).sort()).toEqual(ids.slice(15).sort());
    expect(t.recent!.answer({ op: "trace", traceId: ids[14]! }).spans).toEqual([]);
  });

  it("answers the latest traces first, at most as many as asked", async () => {
    const t = await tracing(50);
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.start({ name: `request ${i}`, kind: "server", attributes: {} }).end("OK");
      names.push(`request ${i}`);
    }
    const { parts } = t.recent!.answer({ op: "recent", max: 3 });
    expect(parts!.map((p) => p.top.name)).toEqual(["request 4", "request 3", "request 2"]);
  });
});
