// The shipper's bound, on its own: lines held while a collector is away, the oldest dropped and
// counted past the bound, the held ones sent when it comes; a collector that refuses lines.
import pino from "pino";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../runtime/hub/servers/ports.ts";
import { LogShipper } from "../../../runtime/log/index.ts";
import { startLokiReceiver, type Receiver } from "../../integration/log-receivers.ts";
import { waitFor } from "../../helpers/index.ts";

function line(seq: number): string {
  return JSON.stringify({ level: 30, lvl: "info", time: 1_700_000_000_000 + seq, actor: "a", instance: 0, seq, msg: "line" });
}

function captured(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  return { log: pino({ base: {} }, stream), lines };
}

describe("log shipper", () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  it("holds the newest lines up to the bound while Loki is away, counts the rest, and sends the held ones when it comes", async () => {
    const port = await freePort();
    const { log, lines: logged } = captured();
    const shipper = await LogShipper.create([{ type: "loki", url: `http://127.0.0.1:${port}`, labels: {}, maxBufferedLines: 100 }], log);
    open.push(shipper);
    for (let seq = 0; seq < 250; seq++) shipper.ship("a", line(seq));
    expect(shipper.counts()).toEqual([{ target: "loki", shipped: 0, dropped: 150, buffered: 100 }]);
    await waitFor("a failed attempt", () => logged.some((l) => l.msg === "log shipping failed"));
    // Failed retries keep the bound: nothing more is dropped while no new line comes.
    expect(shipper.counts()[0]).toMatchObject({ dropped: 150, buffered: 100 });

    const loki: Receiver = await startLokiReceiver(port);
    open.push(loki);
    await waitFor("the held lines at Loki", () => loki.lines.length === 100);
    expect(loki.lines.map((l) => l.record.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
    await waitFor("Loki's answer counted", () => shipper.counts()[0]!.shipped === 100);
    expect(shipper.counts()).toEqual([{ target: "loki", shipped: 100, dropped: 150, buffered: 0 }]);
    expect(logged.filter((l) => l.msg === "log shipping failed")).toHaveLength(1);
    expect(logged.find((l) => l.msg === "log shipping resumed")).toMatchObject({ target: "loki", droppedTotal: 150 });
  });

  it("drops and counts a batch Loki refuses (a 4xx), instead of sending it forever", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => res.writeHead(400).end("entry too far behind"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    open.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const { log, lines: logged } = captured();
    const shipper = await LogShipper.create([{ type: "loki", url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, labels: {}, maxBufferedLines: 100 }], log);
    open.push(shipper);
    for (let seq = 0; seq < 10; seq++) shipper.ship("a", line(seq));
    await waitFor("the refused batch counted", () => shipper.counts()[0]!.dropped === 10);
    expect(shipper.counts()[0]).toMatchObject({ shipped: 0, buffered: 0 });
    expect(String((logged.find((l) => l.msg === "log shipping failed")!.err as { message: string }).message)).toBe("Loki answered 400: entry too far behind");
  });
});
