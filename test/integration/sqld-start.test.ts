import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "../../runtime/errors/index.ts";
import { freePort } from "../../runtime/hub/servers/ports.ts";
import { sqldFailure, startSqld } from "../../runtime/hub/servers/sqld.ts";
import { isAlive } from "../helpers/processes.ts";

// sqld cannot pick a port itself, so the hub picks a free one and hands it over; on a busy
// machine another program can take it in between (seen in a CI run: "sqld exited before
// answering", with only a Rust backtrace to read, and `fuse up` failed).
describe("starting sqld on a port another program takes first", () => {
  let dir: string;
  let holder: net.Server;
  let taken: number;
  // The hub's health check connects to whatever holds the port; closing waits for those.
  const connections = new Set<net.Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-sqld-start-"));
    holder = net.createServer((socket) => {
      connections.add(socket);
      socket.on("close", () => connections.delete(socket));
    });
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    taken = (holder.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => holder?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts on another free port when the one it picked was taken before sqld bound it", async () => {
    const picked: number[] = [];
    const pick = async () => {
      picked.push(picked.length ? await freePort() : taken);
      return picked.at(-1)!;
    };
    const sqld = await startSqld({ dir: path.join(dir, "a") }, pick);
    try {
      expect(picked).toHaveLength(2);
      expect(sqld.port).toBe(picked[1]);
      expect((await fetch(`${sqld.url}/health`)).ok).toBe(true);
    } finally {
      await sqld.stop();
    }
    expect(isAlive(sqld.pid)).toBe(false);
  });

  it("keeps a port the caller gives, and names sqld's own error rather than its backtrace", async () => {
    const started = startSqld({ dir: path.join(dir, "b"), port: taken }, () => Promise.reject(new Error("no port is picked for a given one")));
    await expect(started).rejects.toThrow(UnavailableError);
    await expect(started).rejects.toThrow(`sqld exited before answering on http://127.0.0.1:${taken}: Error: Address already in use (os error 98)`);
  });

  it("gives up after three picked ports that were all taken", async () => {
    let picks = 0;
    const started = startSqld({ dir: path.join(dir, "c") }, async () => {
      picks++;
      return taken;
    });
    await expect(started).rejects.toThrow(/Address already in use/);
    expect(picks).toBe(3);
  });

  it("reads sqld's error line out of its banner and backtrace", () => {
    const output = ["Welcome to sqld!", "\t- listening for HTTP requests on: 127.0.0.1:1", "Error: Address already in use (os error 98)", "", "Stack backtrace:", "   0: <E as anyhow::context::ext::StdError>::ext_context", "   1: sqld::main"].join("\n");
    expect(sqldFailure(output)).toBe("Error: Address already in use (os error 98)");
    expect(sqldFailure("no error line, only this")).toBe("no error line, only this");
  });
});
