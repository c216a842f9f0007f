import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer } from "../../runtime/hub/index.ts";
import { natsServerThreads } from "../../runtime/hub/servers/nats-server.ts";

describe("the hub's nats-server", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-nats-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gets a quarter of the cores for its Go runtime, at least one", () => {
    expect([1, 2, 4, 8, 16].map((cores) => natsServerThreads(cores))).toEqual([1, 1, 1, 2, 4]);
  });

  it("runs with that many threads unless GOMAXPROCS is set", async () => {
    const server = await startNatsServer({ dir });
    try {
      const environ = readFileSync(`/proc/${server.pid}/environ`, "utf8").split("\0");
      expect(environ).toContain(`GOMAXPROCS=${process.env.GOMAXPROCS || natsServerThreads()}`);
    } finally {
      await server.stop();
    }
  });
});
