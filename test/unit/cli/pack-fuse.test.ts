import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packFuse } from "../../../runtime/cli/pack-fuse.ts";
import { REPO, removeHubDir } from "../../helpers/index.ts";

describe("packing Fuse for a new hub", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-pack-"));
  afterAll(() => removeHubDir(dir));

  it("packs once, reuses the tarball while no packed file changes, and repacks after one does", () => {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "tiny", version: "1.0.0", files: ["lib/"] }));
    mkdirSync(path.join(dir, "lib"));
    mkdirSync(path.join(dir, "test"));
    writeFileSync(path.join(dir, "lib/a.js"), "export const a = 1;\n");
    writeFileSync(path.join(dir, "test/a.test.js"), "// not packed\n");

    const first = packFuse(dir);
    expect(first).toMatchObject({ name: "tiny", version: "1.0.0", reused: false });
    expect(path.dirname(first.file)).toBe(path.join(dir, "node_modules/.cache/fuse/pack"));
    expect(packFuse(dir)).toEqual({ ...first, reused: true });

    writeFileSync(path.join(dir, "test/a.test.js"), "// changed, still not packed\n");
    expect(packFuse(dir)).toEqual({ ...first, reused: true });

    writeFileSync(path.join(dir, "lib/a.js"), "export const a = 2;\n");
    const second = packFuse(dir);
    expect(second.reused).toBe(false);
    expect(second.file).not.toBe(first.file);
    // One tarball per version stays in the cache, and no packing leftovers.
    expect(existsSync(first.file)).toBe(false);
    expect(readdirSync(path.dirname(second.file))).toEqual([path.basename(second.file)]);
  }, 30_000);

  it("ships the runtime, the CLI, the set-up script and the JSON Schemas, and no tests, benches or demo hub", () => {
    const dry = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8" });
    expect(dry.status, dry.stderr).toBe(0);
    const files = (JSON.parse(dry.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(["package.json", "bin/fuse.mjs", "runtime/sdk/index.ts", "runtime/build/bundle-record.mjs", "scripts/setup.mjs", "schemas/table-schema.schema.json", "tasks/task.schema.json"]),
    );
    expect(files.filter((f) => /^(test|bench|actors|config|docs|node_modules|\.fuse|\.ci)\//.test(f) || /^schemas\/notes|^tasks\/welcome/.test(f))).toEqual([]);
  }, 30_000);
});
