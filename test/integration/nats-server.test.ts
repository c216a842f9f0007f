import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsServerThreads, startMonitoredNatsServer, startNatsServer } from "../../runtime/hub/servers/nats-server.ts";
import { freePort } from "../../runtime/hub/servers/ports.ts";
import { isAlive } from "../helpers/processes.ts";

const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

describe("the hub's nats-server", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-nats-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gets one Go thread on 2 cores or fewer, where that was measured, and Go's default elsewhere", () => {
    const saved = process.env.GOMAXPROCS;
    delete process.env.GOMAXPROCS;
    try {
      expect([1, 2, 4, 8, 16].map((cores) => natsServerThreads(cores))).toEqual([1, 1, undefined, undefined, undefined]);
      expect(natsServerThreads(16, 3)).toBe(3);
    } finally {
      if (saved !== undefined) process.env.GOMAXPROCS = saved;
    }
  });

  it("starts with the configured number of threads", async () => {
    const server = await startNatsServer({ dir, threads: 3 });
    try {
      expect(environOf(server.pid)).toContain("GOMAXPROCS=3");
    } finally {
      await server.stop();
    }
  });

  // nats-server picks its client port itself, not its monitoring port: the hub picks that one,
  // and another program may take it before nats-server binds it (nats-server then exits).
  it("starts on another monitoring port when the one it picked was taken first, and gives up after three", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const picked: number[] = [];
      const { server, monitorPort } = await startMonitoredNatsServer({ dir }, async () => {
        picked.push(picked.length ? await freePort() : taken);
        return picked.at(-1)!;
      });
      try {
        expect(picked).toHaveLength(2);
        expect(monitorPort).toBe(picked[1]);
        expect((await fetch(`http://127.0.0.1:${monitorPort}/varz`)).ok).toBe(true);
      } finally {
        await server.stop();
      }
      expect(isAlive(server.pid)).toBe(false);
      let picks = 0;
      const never = startMonitoredNatsServer({ dir }, async () => {
        picks++;
        return taken;
      });
      await expect(never).rejects.toThrow(/can't listen to the monitor port: listen tcp 127\.0\.0\.1:\d+: bind: address already in use/);
      expect(picks).toBe(3);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
