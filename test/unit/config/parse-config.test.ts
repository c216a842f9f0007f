import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, resolveActors, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error.message;
};

describe("config", () => {
  it("applies defaults to an empty file", () => {
    const config = parseConfig("", FILE);
    expect(config).toMatchObject({ prefix: "fuse", discover: true, bus: { port: 0 }, gateway: { enabled: true, port: 0 }, actors: {} });
    expect(config.health.hangTimeoutMs).toBe(30_000);
  });

  it("fills an actor's defaults", () => {
    expect(parseConfig("actors:\n  greeter: {}\n", FILE).actors.greeter).toEqual({ instances: 1, env: {} });
  });

  it("names file, line and key of an unknown nested key, with a hint", () => {
    expect(message("health:\n  heartbeatMs: 100\n  hangTimeout: 5\n")).toMatchInlineSnapshot(`"config/fuse.yaml:3 health.hangTimeout: unknown key, did you mean "hangTimeoutMs"?"`);
  });

  it("gives no hint when nothing is close", () => {
    expect(message("zzzzzz: 1\n")).toMatchInlineSnapshot(`"config/fuse.yaml:1 zzzzzz: unknown key"`);
  });

  it("rejects an invalid actor name", () => {
    expect(message("actors:\n  Bad_Name: {}\n")).toMatchInlineSnapshot(`"config/fuse.yaml:2 actors.Bad_Name: invalid name: actor names are lowercase letters, digits and dashes, starting with a letter"`);
  });

  it("carries the location in the error's details", () => {
    const result = safeParseConfig("actors:\n  a:\n    instances: -1\n", FILE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.details).toEqual({ file: FILE, line: 3, key: "actors.a.instances" });
  });

  it("discovers actors from actors/ and lets the config add settings", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-config-"));
    try {
      for (const name of ["alpha", "beta"]) {
        mkdirSync(path.join(dir, "actors", name), { recursive: true });
        writeFileSync(path.join(dir, "actors", name, "index.ts"), "export default defineActor({})\n");
      }
      mkdirSync(path.join(dir, "actors", "helpers"));
      writeFileSync(path.join(dir, "actors", "helpers", "index.ts"), "export const x = 1;\n");
      const plans = resolveActors(parseConfig("actors:\n  beta:\n    instances: 3\n", FILE), dir);
      expect(plans.map((p) => [p.name, p.instances])).toEqual([["alpha", 1], ["beta", 3]]);
      const explicit = resolveActors(parseConfig("discover: false\nactors:\n  beta: {}\n", FILE), dir);
      expect(explicit.map((p) => p.name)).toEqual(["beta"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
