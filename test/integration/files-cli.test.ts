import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli, startHub, type RunningHub } from "../helpers/index.ts";

describe("fuse files", () => {
  let dir: string;
  let hub: RunningHub;
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

  beforeAll(async () => {
    dir = createHubDir({ actors: { keeper: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("puts, lists, gets and removes a file in the hub's storage", async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, "fuse");
    writeFileSync(path.join(dir, "in.bin"), data);
    const put = await runCli(dir, ["files", "put", "in.bin", "stored.bin", "--type", "application/x-test"]);
    expect(put.code, put.stderr).toBe(0);
    const ls = await runCli(dir, ["files", "ls", "--json"]);
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: "stored.bin", size: data.length, contentType: "application/x-test" })]);
    const get = await runCli(dir, ["files", "get", "stored.bin", "out.bin"]);
    expect(get.code, get.stderr).toBe(0);
    expect(sha(readFileSync(path.join(dir, "out.bin")))).toBe(sha(data));
    expect((await runCli(dir, ["files", "rm", "stored.bin"])).code).toBe(0);
    const missing = await runCli(dir, ["files", "get", "stored.bin"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no file "stored.bin" in bucket "fuse-files"/);
  });
});
