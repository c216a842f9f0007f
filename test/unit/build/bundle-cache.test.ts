import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleModule } from "../../../runtime/build/index.ts";
import { buildCliBundle } from "../../../runtime/cli/cli-bundle.ts";
import { bundleActor } from "../../../runtime/hub/index.ts";
import { REPO } from "../../helpers/index.ts";

/** The packages a bundle imports at its top level, i.e. loads whenever it starts. */
function packagesLoadedAtStart(bundle: string): string[] {
  const specifiers = [...readFileSync(bundle, "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
  const packageOf = (file: string) => {
    const parts = file.split("/node_modules/").pop()!.split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  };
  return [...new Set(specifiers.filter((s) => s.includes("/node_modules/")).map(packageOf))].sort();
}

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

  it("builds one bundle when several processes build it at once, each finding a whole file, with no temporary file left", async () => {
    writeFileSync(dep, 'export const word: string = "three";\n');
    writeFileSync(entry, 'import { word } from "./dep.ts";\nconsole.log(word);\n');
    const shared = path.join(dir, "shared", "entry.mjs");
    const built = await Promise.all(Array.from({ length: 4 }, () => bundleModule({ entry, outfile: shared, what: "test" })));
    expect(new Set(built)).toEqual(new Set([shared]));
    expect(readFileSync(shared, "utf8")).toContain('"three"');
    expect(readdirSync(path.dirname(shared)).sort()).toEqual(["entry.mjs", "entry.mjs.inputs.json", "entry.mjs.map"]);
  });

  it("builds the built-in actors once for every hub folder, a hub's own actors in its folder", async () => {
    const gateway = path.join(REPO, "runtime/gateway/actor.ts");
    const [a, b] = [path.join(dir, "hub-a", ".fuse/build"), path.join(dir, "hub-b", ".fuse/build")];
    const first = await bundleActor("gateway", gateway, a);
    const at = statSync(first).mtimeMs;
    expect(await bundleActor("gateway", gateway, b)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(at);
    expect(first.startsWith(path.join(REPO, "node_modules/.cache/fuse/actors") + path.sep)).toBe(true);
    writeFileSync(entry, 'console.log("mine");\n');
    expect(path.dirname(await bundleActor("mine", entry, a))).toBe(a);
  });

  it("names file and line when the code does not compile", async () => {
    writeFileSync(entry, "export const x = ;\n");
    await expect(bundleModule({ entry, outfile, what: "actor \"x\"" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/entry\.ts:1: actor "x" does not compile: Unexpected ";"/),
    });
  });

  it("starts an actor with only the packages it uses: the hub's compiler, pool, database client and log tools load on demand", async () => {
    writeFileSync(entry, 'import { defineActor, defineEndpoint, z } from "' + path.join(REPO, "runtime/sdk/index.ts") + '";\nexport default defineActor({ name: "lean", endpoints: { ping: defineEndpoint({ input: z.object({}), output: z.string(), handler: () => "pong" }) } });\n');
    const bundle = await bundleActor("lean", entry, path.join(dir, "actors"));
    // safe-stable-stringify (stored replies hash their input with it) is pino's own dependency:
    // pino loads the same module at start anyway. @nats-io/nkeys decodes the process's bus seed
    // (about 3 ms to load), which it signs with in native crypto (nats.js's own nkeys took ~30 ms).
    expect(packagesLoadedAtStart(bundle)).toEqual(["@nats-io/nkeys", "nats", "pino", "safe-stable-stringify", "zod"]);
  });

  it("compiles the CLI into one module that exports its program", async () => {
    const outfile = path.join(dir, "cli", "cli.mjs");
    await buildCliBundle(outfile);
    const record = JSON.parse(readFileSync(`${outfile}.inputs.json`, "utf8")) as { inputs: Record<string, number> };
    const main = path.join(REPO, "runtime/cli/main.ts");
    expect(record.inputs[main]).toBe(statSync(main).mtimeMs);
    const cli = (await import(outfile)) as typeof import("../../../runtime/cli/main.ts");
    expect(cli.createProgram().commands.map((c) => c.name())).toContain("up");
    expect(packagesLoadedAtStart(outfile)).not.toContain("esbuild");
    expect(packagesLoadedAtStart(outfile)).not.toContain("@libsql/client");
  });
});
