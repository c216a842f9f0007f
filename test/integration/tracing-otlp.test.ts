import { createServer, type Server } from "node:http";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyDemoHub, removeHubDir, startHub, waitFor, REPO, type RunningHub } from "../helpers/index.ts";

/** One span as the OTLP/JSON exporter sends it, with its resource's service name. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
}

// OTLP's SpanKind numbers (opentelemetry/proto/trace/v1/trace.proto).
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 };

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const valueOf = (v: AnyValue): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attributesOf = (list: { key: string; value: AnyValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP traces receiver: decodes each ExportTraceServiceRequest (JSON encoding) it is sent. */
function startReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; bodies: string[] }> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.method !== "POST" || req.url !== "/v1/traces" || !String(req.headers["content-type"]).startsWith("application/json")) {
        res.writeHead(415).end();
        return;
      }
      bodies.push(text);
      const body = JSON.parse(text) as { resourceSpans: { resource: { attributes: { key: string; value: AnyValue }[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
      for (const rs of body.resourceSpans) {
        const service = String(attributesOf(rs.resource.attributes)["service.name"]);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              service,
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              parentSpanId: (s.parentSpanId as string | undefined) || undefined,
              name: s.name as string,
              kind: s.kind as number,
              start: BigInt(s.startTimeUnixNano as string),
              end: BigInt(s.endTimeUnixNano as string),
              attributes: attributesOf(s.attributes as { key: string; value: AnyValue }[]),
              status: (s.status ?? {}) as ReceivedSpan["status"],
            });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${port}/v1/traces`, spans, bodies });
  }));
}

const SECRET = "hunter2-sensitive-4c1f";

describe("traces over OTLP/HTTP", () => {
  let dir: string;
  let hub: RunningHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    dir = copyDemoHub();
    const signup = readFileSync(path.join(REPO, "test/fixtures/actors/signup.ts"), "utf8").replaceAll("../../../runtime/sdk/index.ts", path.join(REPO, "runtime/sdk/index.ts")).replaceAll("@NAME@", "signup");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(path.join(dir, "actors/signup"), { recursive: true });
    writeFileSync(path.join(dir, "actors/signup/index.ts"), signup);
    // A task whose one step runs welcome-team as a child run.
    writeFileSync(path.join(dir, "tasks/welcome-core.json"), JSON.stringify({ name: "welcome-core", steps: [{ id: "core", task: "welcome-team", input: "{ 'team': 'core', 'members': ['Ada'] }" }] }));
    writeFileSync(
      path.join(dir, "config/fuse.yaml"),
      `prefix: fuse\nactors:\n  greeter:\n    instances: 1\n  counter:\n    instances: 1\n  signup:\n    instances: 1\ntelemetry:\n  otlp:\n    url: ${receiver.url}\n`,
    );
    hub = await startHub(dir);
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
    receiver?.server.close();
    if (dir) removeHubDir(dir);
  });

  const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

  it("makes gateway → greeter → its call → counter one trace under the caller's traceparent, with names, attributes and nested timings", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const clientSpan = "00f067aa0ba902b7";
    const res = await fetch(`${hub.state.gatewayUrl!}/api/greeter/hello`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-${clientSpan}-01` },
      body: JSON.stringify({ name: "Ada" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("fuse-trace-id")).toBe(traceId);
    const spans = await waitFor("the four spans of the request", () => {
      const got = spansOf(traceId);
      return got.length >= 4 ? got : undefined;
    }, 30_000);
    const gateway = spans.find((s) => s.service === "gateway" && s.kind === KIND.server)!;
    const greeter = spans.find((s) => s.service === "greeter" && s.kind === KIND.server)!;
    const call = spans.find((s) => s.service === "greeter" && s.kind === KIND.client)!;
    const counter = spans.find((s) => s.service === "counter" && s.kind === KIND.server)!;
    expect([gateway, greeter, call, counter].every(Boolean), JSON.stringify(spans, (_k, v) => (typeof v === "bigint" ? String(v) : v))).toBe(true);

    expect(gateway.parentSpanId).toBe(clientSpan);
    expect(greeter.parentSpanId).toBe(gateway.spanId);
    expect(call.parentSpanId).toBe(greeter.spanId);
    expect(counter.parentSpanId).toBe(call.spanId);

    expect(gateway.name).toBe("POST /api/:actor/:endpoint");
    expect(greeter.name).toBe("greeter.hello");
    expect(call.name).toBe("counter.increment");
    expect(counter.name).toBe("counter.increment");

    expect(gateway.attributes).toMatchObject({ "fuse.actor": "gateway", "fuse.instance": 0, "http.request.method": "POST", "http.route": "/api/:actor/:endpoint", "http.response.status_code": 200 });
    expect(greeter.attributes).toMatchObject({ "fuse.actor": "greeter", "fuse.endpoint": "hello", "fuse.instance": 0, "fuse.code": "OK", "rpc.system": "fuse", "rpc.service": "greeter", "rpc.method": "hello", "fuse.caller": "gateway" });
    expect(call.attributes).toMatchObject({ "fuse.actor": "counter", "fuse.endpoint": "increment", "fuse.caller": "greeter", "fuse.code": "OK" });
    expect(counter.attributes).toMatchObject({ "fuse.actor": "counter", "fuse.endpoint": "increment", "fuse.instance": 0, "fuse.code": "OK", "fuse.caller": "greeter" });
    // No input in any attribute: the name sent is nowhere.
    for (const span of spans) expect(JSON.stringify(span.attributes)).not.toContain("Ada");

    // Each span lies within its parent, across the three processes.
    const within = (child: ReceivedSpan, parent: ReceivedSpan) => {
      expect(child.start >= parent.start, `${child.name} starts after ${parent.name}`).toBe(true);
      expect(child.end <= parent.end, `${child.name} ends before ${parent.name}`).toBe(true);
      expect(child.end > child.start).toBe(true);
    };
    within(greeter, gateway);
    within(call, greeter);
    within(counter, call);
  });

  it("begins a trace at the gateway whose id is the Fuse-Trace-Id it answers with", async () => {
    const res = await fetch(`${hub.state.gatewayUrl!}/hello/Grace`);
    expect(res.status).toBe(200);
    const traceId = res.headers.get("fuse-trace-id")!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await waitFor("the request's spans", () => {
      const got = spansOf(traceId);
      return got.length >= 4 ? got : undefined;
    }, 30_000);
    const gateway = spans.find((s) => s.service === "gateway")!;
    expect(gateway.parentSpanId).toBeUndefined();
    expect(gateway.name).toBe("GET /hello/:name");
    expect(spans.find((s) => s.name === "greeter.hello")!.parentSpanId).toBe(gateway.spanId);
  });

  it("marks a failed request's spans with its error code", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await fetch(`${hub.state.gatewayUrl!}/api/greeter/fail`, {
      method: "POST",
      headers: { "content-type": "application/json", "fuse-trace-id": traceId },
      body: "{}",
    });
    expect(res.status).toBe(500);
    const server = await waitFor("the failed endpoint's span", () => spansOf(traceId).find((s) => s.name === "greeter.fail"), 30_000);
    expect(server.attributes["fuse.code"]).toBe("HANDLER_FAILED");
    expect(server.status.code).toBe(2);
    // The message (which may quote the input) stays out of the export: only the in-hub store keeps it.
    expect(server.status.message).toBe("HANDLER_FAILED");
    expect(receiver.bodies.join("\n")).not.toContain("greeter failed");
    const gateway = await waitFor("the gateway's span", () => spansOf(traceId).find((s) => s.service === "gateway"), 30_000);
    expect(gateway.attributes["http.response.status_code"]).toBe(500);
  });

  it("traces ctx.db statements and events, and never carries a sensitive field into a span or a log line", async () => {
    const traceId = "5b8aa5a2d2c872e8321cf37308d69df2";
    const res = await fetch(`${hub.state.gatewayUrl!}/api/signup/register`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ user: "ada", password: SECRET }),
    });
    expect(res.status).toBe(200);
    const spans = await waitFor("the statement's, the event's and its delivery's spans", () => {
      const got = spansOf(traceId);
      return got.some((s) => s.kind === KIND.consumer) && got.some((s) => s.name === "db SELECT") ? got : undefined;
    }, 30_000);
    const server = spans.find((s) => s.name === "signup.register")!;
    const statement = spans.find((s) => s.name === "db SELECT")!;
    const publish = spans.find((s) => s.kind === KIND.producer)!;
    const deliver = spans.find((s) => s.kind === KIND.consumer)!;
    expect(statement.parentSpanId).toBe(server.spanId);
    expect(statement.attributes).toMatchObject({ "db.system": "libsql", "db.statement": "SELECT length(?) AS length", "db.operation": "SELECT", "fuse.code": "OK" });
    expect(publish).toMatchObject({ name: "signup.registered publish", parentSpanId: server.spanId });
    expect(deliver).toMatchObject({ name: "signup.registered process", parentSpanId: publish.spanId });
    expect(deliver.attributes).toMatchObject({ "fuse.actor": "signup", "fuse.topic": "signup.registered", "fuse.code": "OK" });

    // Every export the receiver got, whole, and every log file of the hub.
    expect(receiver.bodies.join("\n")).not.toContain(SECRET);
    const logs = path.join(dir, ".fuse/logs");
    const lines = readdirSync(logs).map((f) => readFileSync(path.join(logs, f), "utf8")).join("\n");
    expect(lines).toContain('"msg":"registering"');
    expect(lines).not.toContain(SECRET);
  });

  it("traces a task run: the run's span under the taskmaster.run request, a span per step under it, each step's calls under its step", async () => {
    const traceId = "7c1e0d5f9a2b4c6d8e0f1a2b3c4d5e6f";
    const run = await hub.call<{ status: string; traceId: string }>("taskmaster.run", { task: "welcome-team", input: { team: "core", members: ["Ada", "Grace"] }, wait: true }, { traceId });
    expect(run.status).toBe("succeeded");
    expect(run.traceId).toBe(traceId);
    const spans = await waitFor("the run's spans", () => {
      const got = spansOf(traceId);
      const greetings = got.filter((s) => s.name === "greeter.hello" && s.kind === KIND.server).length;
      // Each process exports in batches of its own: the request's span (ended when the reply
      // went, after the run's) may come in a later export than the run's.
      const request = got.some((s) => s.name === "taskmaster.run" && s.kind === KIND.server);
      const total = got.some((s) => s.name === "counter.get" && s.kind === KIND.client);
      return request && total && got.some((s) => s.name === "task welcome-team") && got.filter((s) => s.name.startsWith("step ")).length >= 4 && greetings >= 2 ? got : undefined;
    }, 30_000);
    const request = spans.find((s) => s.name === "taskmaster.run" && s.kind === KIND.server)!;
    const runSpan = spans.find((s) => s.name === "task welcome-team")!;
    expect(runSpan.parentSpanId).toBe(request.spanId);
    expect(runSpan.attributes).toMatchObject({ "fuse.actor": "taskmaster", "fuse.task": "welcome-team", "fuse.run_status": "succeeded", "fuse.code": "OK" });
    const steps = spans.filter((s) => s.name.startsWith("step "));
    // announce's condition is false: it was entered, then skipped.
    expect(steps.map((s) => s.name).sort()).toEqual(["step announce", "step count_team", "step greet", "step total"]);
    expect(steps.find((s) => s.name === "step announce")!.attributes["fuse.code"]).toBe("SKIPPED");
    // Skipped is an outcome, not a failure: no error status.
    expect(steps.find((s) => s.name === "step announce")!.status.code).not.toBe(2);
    for (const step of steps) expect(step.parentSpanId).toBe(runSpan.spanId);
    expect(steps.find((s) => s.name === "step greet")!.attributes).toMatchObject({ "fuse.step": "greet", "fuse.attempts": 2, "fuse.code": "OK" });
    // The steps' calls go under their step: two greetings of the fan-out, each served by the greeter.
    const greet = steps.find((s) => s.name === "step greet")!;
    const greetCalls = spans.filter((s) => s.name === "greeter.hello" && s.kind === KIND.client);
    expect(greetCalls).toHaveLength(2);
    for (const call of greetCalls) expect(call.parentSpanId).toBe(greet.spanId);
    const served = spans.filter((s) => s.name === "greeter.hello" && s.kind === KIND.server);
    expect(served.map((s) => s.parentSpanId).sort()).toEqual(greetCalls.map((s) => s.spanId).sort());
    const total = spans.find((s) => s.name === "counter.get" && s.kind === KIND.client)!;
    expect(total.parentSpanId).toBe(steps.find((s) => s.name === "step total")!.spanId);
  });

  it("traces a child run under its parent's sub-task step, in the parent's trace", async () => {
    const traceId = "3d5e7f9a1b2c4d6e8f0a1b2c3d4e5f6a";
    const run = await hub.call<{ status: string }>("taskmaster.run", { task: "welcome-core", wait: true }, { traceId });
    expect(run.status).toBe("succeeded");
    const spans = await waitFor("the parent's and the child's run spans", () => {
      const got = spansOf(traceId);
      return got.some((s) => s.name === "task welcome-core") && got.some((s) => s.name === "task welcome-team") && got.some((s) => s.name === "step core") ? got : undefined;
    }, 30_000);
    const parentRun = spans.find((s) => s.name === "task welcome-core")!;
    const subTaskStep = spans.find((s) => s.name === "step core")!;
    expect(subTaskStep.parentSpanId).toBe(parentRun.spanId);
    expect(spans.find((s) => s.name === "task welcome-team")!.parentSpanId).toBe(subTaskStep.spanId);
  });
});
