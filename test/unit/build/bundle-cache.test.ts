import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleModule } from "../../../runtime/build/index.ts";

describe("bundles", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bundle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entry = path.join(dir, "entry.ts");
  const dep = path.join(dir, "dep.ts");
  const outfile = path.join(dir, "out", "entry.mjs");

  it("reuses a bundle whose sources did not change, and rebuilds when one did", async () => {
    writeFileSync(dep, 'export const word: string = "one";\n');
    writeFileSync(entry, 'import { word } from "./dep.ts";\nconsole.log(word);\n');
    await bundleModule({ entry, outfile, what: "test" });
    const built = statSync(outfile).mtimeMs;
    await bundleModule({ entry, outfile, what: "test" });
    expect(statSync(outfile).mtimeMs).toBe(built);
    writeFileSync(dep, 'export const word: string = "two";\n');
    await bundleModule({ entry, outfile, what: "test" });
    expect(readFileSync(outfile, "utf8")).toContain('"two"');
  });

  it("names file and line when the code does not compile", async () => {
    writeFileSync(entry, "export const x = ;\n");
    await expect(bundleModule({ entry, outfile, what: "actor \"x\"" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/entry\.ts:1: actor "x" does not compile: Unexpected ";"/),
    });
  });
});
