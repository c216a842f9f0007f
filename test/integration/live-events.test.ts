import { request, type IncomingMessage } from "node:http";
import { connect as connectTcp, type Socket } from "node:net";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, hubNatsOptions, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

/** One SSE message as the browser's EventSource would take it. */
interface SseMessage {
  id: string;
  data: { topic: string; seq: number; payload: { i: number } };
}

/** An SSE stream read the way EventSource reads it: `id:`, `data:`, blank line; comments counted. */
class SseReader {
  readonly messages: SseMessage[] = [];
  comments: string[] = [];
  status = 0;
  ended = false;
  private buffer = "";
  private res?: IncomingMessage;

  static open(url: string, headers: Record<string, string>): SseReader {
    const reader = new SseReader();
    const req = request(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
      reader.res = res;
      reader.status = res.statusCode ?? 0;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => reader.take(chunk));
      res.on("close", () => (reader.ended = true));
    });
    req.on("error", () => (reader.ended = true));
    req.end();
    return reader;
  }

  take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id = "";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
        else if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) this.messages.push({ id, data: JSON.parse(data) as SseMessage["data"] });
    }
  }

  ready(): Promise<unknown> {
    return waitFor("the stream to be ready", () => this.comments.includes("ready") || undefined);
  }

  close(): void {
    this.res?.destroy();
  }
}

const indices = (messages: SseMessage[]) => messages.map((m) => m.data.payload.i);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe("live updates: GET /events/<topic> (Server-Sent Events)", () => {
  let dir: string;
  let hub: RunningHub;
  let base: string;
  let key: string;
  let nc: NatsConnection;
  const auth = () => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    dir = createHubDir({ config: ["discover: true", "gateway:", "  auth:", "    keys: true", ""].join("\n"), actors: { emitter: "emitter" } });
    const created = await runCli(dir, ["keys", "create", "browser", "--role", "user"]);
    expect(created.code).toBe(0);
    key = created.stdout.trim();
    hub = await startHub(dir);
    base = hub.state.gatewayUrl!;
    nc = await connect(hubNatsOptions(hub.state));
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  /** Emits one event per call, in order, through the emitter actor's ctx.emit. */
  async function emit(topic: string, from: number, to: number): Promise<void> {
    for (const i of range(from, to)) await hub.call("emitter.emit", { topic, events: [{ i }] });
  }

  it("refuses a stream without a credential with 401 and serves one with a user's key", async () => {
    const refused = SseReader.open(`${base}/events/order.placed`, {});
    await waitFor("the refusal", () => refused.ended || undefined);
    expect(refused.status).toBe(401);
    const wrong = SseReader.open(`${base}/events/order.placed`, { authorization: "Bearer fuse_wrong" });
    await waitFor("the refusal", () => wrong.ended || undefined);
    expect(wrong.status).toBe(401);
    const served = SseReader.open(`${base}/events/order.placed`, auth());
    await served.ready();
    expect(served.status).toBe(200);
    served.close();
  });

  it("delivers a topic's events in the order they were stored, each once, and no other topic's", async () => {
    const client = SseReader.open(`${base}/events/ordered.one`, auth());
    await client.ready();
    await emit("ordered.two", 0, 3);
    await emit("ordered.one", 0, 40);
    await waitFor("40 events", () => client.messages.length >= 40 || undefined);
    expect(indices(client.messages)).toEqual(range(0, 40));
    const seqs = client.messages.map((m) => m.data.seq);
    for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBeGreaterThan(seqs[k - 1]!);
    expect(client.messages.map((m) => m.id)).toEqual(seqs.map(String));
    expect(new Set(client.messages.map((m) => m.data.topic))).toEqual(new Set(["ordered.one"]));
    client.close();
  });

  it("resumes after a reconnect with Last-Event-ID: what was stored meanwhile and what comes next, nothing lost or repeated", async () => {
    const first = SseReader.open(`${base}/events/resume.t`, auth());
    await first.ready();
    await emit("resume.t", 0, 20);
    await waitFor("the first 20", () => first.messages.length >= 20 || undefined);
    first.close();
    const lastId = first.messages.at(-1)!.id;
    await emit("resume.t", 20, 45);
    // Events stored while the second connection catches up, and after it did.
    const second = SseReader.open(`${base}/events/resume.t`, { ...auth(), "last-event-id": lastId });
    const during = emit("resume.t", 45, 70);
    await second.ready();
    await during;
    await emit("resume.t", 70, 80);
    await waitFor("all 80 across both connections", () => first.messages.length + second.messages.length >= 80 || undefined);
    const received = [...indices(first.messages), ...indices(second.messages)];
    expect({ sent: 80, received: received.length, distinct: new Set(received).size }).toEqual({ sent: 80, received: 80, distinct: 80 });
    expect(received).toEqual(range(0, 80));
    second.close();
  });

  it("resumes from ?after=<seq> as from Last-Event-ID, and refuses a sequence that is not a number with 400", async () => {
    const client = SseReader.open(`${base}/events/ordered.one?after=0`, auth());
    await waitFor("the 40 stored events", () => client.messages.length >= 40 || undefined);
    expect(indices(client.messages)).toEqual(range(0, 40));
    client.close();
    const bad = SseReader.open(`${base}/events/ordered.one`, { ...auth(), "last-event-id": "abc" });
    await waitFor("the refusal", () => bad.ended || undefined);
    expect(bad.status).toBe(400);
  });

  it("drops a client that does not read while another keeps receiving every event", { timeout: 180_000 }, async () => {
    const total = 300;
    const pad = "x".repeat(64_000);
    const fast = SseReader.open(`${base}/events/bulk`, auth());
    await fast.ready();
    // The slow client reads its response head and the opening, then stops reading its socket.
    const slow: Socket = connectTcp(Number(new URL(base).port), "127.0.0.1");
    let slowText = "";
    slow.setEncoding("utf8");
    slow.on("data", (d: string) => (slowText += d));
    let slowClosed = false;
    slow.on("close", () => (slowClosed = true));
    slow.write(`GET /events/bulk HTTP/1.1\r\nhost: ${new URL(base).host}\r\nauthorization: Bearer ${key}\r\naccept: text/event-stream\r\n\r\n`);
    await waitFor("the slow client's opening", () => slowText.includes(": ready") || undefined);
    slow.pause();
    const js = nc.jetstream();
    for (let i = 0; i < total; i += 20) await Promise.all(range(i, Math.min(i + 20, total)).map((k) => js.publish("fuse.events.bulk", JSON.stringify({ i: k, pad }), { msgID: `bulk-${k}` })));
    await waitFor("the fast client to get all", () => fast.messages.length >= total || undefined, 60_000);
    // Stored order is publish order within a batch only: compare as sets, and seqs must rise.
    expect(new Set(indices(fast.messages))).toEqual(new Set(range(0, total)));
    expect(fast.messages.length).toBe(total);
    slow.resume();
    await waitFor("the gateway to have cut the slow client", () => slowClosed || undefined, 60_000);
    const slowEvents = slowText.split("\n").filter((l) => l.startsWith("data: ")).length;
    expect({ sent: total, fast: fast.messages.length, slowBelowAll: slowEvents < total }).toEqual({ sent: total, fast: total, slowBelowAll: true });
    expect(fast.ended).toBe(false);
    await waitFor("the drop in the gateway's log", () => hub.output().includes("slow event client dropped") || undefined);
    fast.close();
  });
});
