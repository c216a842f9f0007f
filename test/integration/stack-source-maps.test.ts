import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleModule } from "../../runtime/build/index.ts";
import { REPO } from "../helpers/index.ts";

// A bundle's stack traces name the sources it was built from, as Node's --enable-source-maps
// would, but with the map read only when a stack is first printed (sdk/process/source-maps.mjs).
describe("stack traces of bundles", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-stack-maps-"));
  const mapper = path.join(REPO, "runtime/sdk/process/source-maps.mjs");
  const offloadWorker = pathToFileURL(path.join(REPO, "runtime/sdk/offload/offload-worker.mjs")).href;
  const dep = path.join(dir, "dep.ts");
  let failing: string;

  /** Bundles `name`.ts (written from `source`) beside dep.ts and returns what node prints running it. */
  async function run(name: string, source: string): Promise<string> {
    writeFileSync(path.join(dir, `${name}.ts`), source);
    const bundle = await bundleModule({ entry: path.join(dir, `${name}.ts`), outfile: path.join(dir, "out", `${name}.mjs`), what: name });
    return execFileSync(process.execPath, [bundle], { encoding: "utf8" });
  }

  beforeAll(async () => {
    // The throw is on line 4, column 9 ("new Error").
    writeFileSync(dep, ["// a module that fails", "export function fail(): never {", "  const why: string = 'on purpose';", "  throw new Error(`failed ${why}`);", "}", ""].join("\n"));
    failing = await bundleModule({ entry: dep, outfile: path.join(dir, "out", "dep.mjs"), what: "dep" });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the map beside the bundle, without a comment that would make Node read it at load", () => {
    expect(existsSync(`${failing}.map`)).toBe(true);
    expect(readFileSync(failing, "utf8")).not.toContain("sourceMappingURL");
    expect(JSON.parse(readFileSync(`${failing}.map`, "utf8"))).not.toHaveProperty("sourcesContent");
  });

  it("names the source file, line and column of each bundled frame once the mapper is installed", async () => {
    const main = `import { mapStacksLazily } from ${JSON.stringify(mapper)};\nimport { fail } from "./dep.ts";\nmapStacksLazily();\ntry { fail(); } catch (e) { console.log((e as Error).stack); }\n`;
    const stack = await run("mapped", main);
    expect(stack.split("\n")[0]).toBe("Error: failed on purpose");
    expect(stack).toContain(`at fail (${dep}:4:9)`);
    expect(stack).toContain(`at ${path.join(dir, "mapped.ts")}:4:7`);
    expect(stack).not.toContain("mapped.mjs");
  });

  it("keeps Node's first line, which names a Node error's code", async () => {
    const main = `import { mapStacksLazily } from ${JSON.stringify(mapper)};\nmapStacksLazily();\ntry { Buffer.alloc(-1); } catch (e) { console.log((e as Error).stack); }\n`;
    const stack = await run("node-error", main);
    expect(stack.split("\n")[0]).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: The value of "size" is out of range/);
    expect(stack).toContain(`at ${path.join(dir, "node-error.ts")}:3:14`);
  });

  it("leaves the bundle's own positions without it (Node reads no map by itself)", async () => {
    const stack = await run("unmapped", `import { fail } from "./dep.ts";\ntry { fail(); } catch (e) { console.log((e as Error).stack); }\n`);
    expect(stack).toContain("unmapped.mjs:");
    expect(stack).not.toContain("dep.ts");
  });

  it("maps a failing work function's stack in an offload worker", () => {
    // The worker module as the pool loads it (not bundled), running a compiled work module.
    const main = path.join(dir, "worker.mjs");
    writeFileSync(main, `import run from ${JSON.stringify(offloadWorker)};\nrun({ module: ${JSON.stringify(pathToFileURL(failing).href)}, name: "fail", args: [] }).catch((e) => console.log(e.stack));\n`);
    expect(execFileSync(process.execPath, [main], { encoding: "utf8" })).toContain(`at fail (${dep}:4:9)`);
  });
});
