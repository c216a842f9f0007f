import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { extract } from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { bundleLogs } from "../../../runtime/log/index.ts";

// `fuse logs bundle` on a running hub: its processes keep appending while the archive is made.
describe("the log bundle", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-log-bundle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("archives files that grow while it runs, each as it was when copied, and leaves no copy behind", async () => {
    const logDir = path.join(dir, ".fuse", "logs");
    mkdirSync(logDir, { recursive: true });
    writeFileSync(path.join(logDir, "hub.log"), "a".repeat(5_000_000));
    writeFileSync(path.join(logDir, "talker.log.1"), "rotated\n");
    // Appends every millisecond for the whole bundle (tar alone failed: "did not encounter expected EOF").
    const writer = setInterval(() => appendFileSync(path.join(logDir, "hub.log"), "b".repeat(100_000)), 1);
    const out = path.join(dir, "bundle.tar.gz");
    let result;
    try {
      result = await bundleLogs({ logDir, out, about: { test: true } });
    } finally {
      clearInterval(writer);
    }
    expect(result.files.map((f) => f.name).sort()).toEqual(["hub.log", "talker.log.1"]);
    expect(result.gone).toEqual([]);
    const unpacked = path.join(dir, "unpacked");
    mkdirSync(unpacked);
    await extract({ file: out, cwd: unpacked });
    const hub = readFileSync(path.join(unpacked, "hub.log"), "utf8");
    expect(hub.length).toBe(result.files.find((f) => f.name === "hub.log")!.bytes);
    expect(hub.startsWith("a".repeat(5_000_000))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(unpacked, "manifest.json"), "utf8"))).toMatchObject({ test: true, files: result.files });
    // Only the logs beside it: no snapshot folder left in .fuse/.
    expect(readdirSync(path.join(dir, ".fuse"))).toEqual(["logs"]);
  });
});
