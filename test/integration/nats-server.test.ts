import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsServerThreads, startNatsServer } from "../../runtime/hub/servers/nats-server.ts";

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
});
