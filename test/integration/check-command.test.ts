import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyDemoHub, createHubDir, removeHubDir, REPO, runCli } from "../helpers/index.ts";

const SDK = path.join(REPO, "runtime/sdk/index.ts");
const dirs: string[] = [];

function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

const endpoint = (name: string) =>
  `${JSON.stringify(name)}: defineEndpoint({ input: z.object({}), output: z.object({ ok: z.boolean() }), handler: () => ({ ok: true }) })`;
const actor = (name: string, endpoints: string[], before = "") =>
  `import { defineActor, defineEndpoint, z } from ${JSON.stringify(SDK)};\n${before}\nexport default defineActor({ name: "${name}", endpoints: { ${endpoints.join(", ")} } });\n`;

/** A hub folder with one mistake of each kind, and one sound actor, task and table. */
function brokenHub(): string {
  const dir = createHubDir({ config: "prefix: fuse\nactors:\n  good:\n    instancez: 2\n" });
  dirs.push(dir);
  write(dir, "actors/good/index.ts", actor("good", [endpoint("ping")]));
  write(dir, "actors/orders/index.ts", actor("orders", [endpoint("addLine")]));
  write(dir, "actors/typo/index.ts", actor("typo", [endpoint("ping")], "const broken = ;"));
  write(dir, "tasks/ok.json", JSON.stringify({ name: "ok", steps: [{ id: "a", call: "good.ping" }] }, null, 2));
  write(dir, "tasks/bad.json", JSON.stringify({ name: "bad", steps: [{ id: "a", call: "good.ping", after: ["nope"] }] }, null, 2));
  write(dir, "schemas/items.json", JSON.stringify({ table: "items", columns: { id: { type: "text", primaryKey: true } } }, null, 2));
  write(dir, "schemas/broken.json", JSON.stringify({ table: "broken", columns: { id: { type: "integr", primaryKey: true } } }, null, 2));
  return dir;
}

describe("fuse check", () => {
  afterAll(() => dirs.forEach(removeHubDir));

  it("reports a bad config key, a camelCase endpoint, a compile error, a bad task and a bad table at once, and exits 1", async () => {
    const dir = brokenHub();
    const result = await runCli(dir, ["check"]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toMatchInlineSnapshot(`
      "actors/orders/index.ts
        ✗ actors/orders/index.ts: actor "orders" endpoint "addLine": name must be lowercase letters, digits and dashes, starting with a letter (did you mean "add-line"?) [CONFIG_INVALID]
      actors/typo/index.ts
        ✗ actors/typo/index.ts:2: actor "typo" does not compile: Unexpected ";" [CONFIG_INVALID]
      config/fuse.yaml
        ✗ config/fuse.yaml:4 actors.good.instancez: unknown key, did you mean "instances"? [CONFIG_INVALID]
      schemas/broken.json
        ✗ schemas/broken.json:5 columns.id.type: expected one of "text"|"integer"|"real"|"boolean"|"json"|"timestamp"|"blob" [TABLE_SCHEMA_INVALID]
      tasks/bad.json
        ✗ tasks/bad.json:7 steps[0] "a".after: unknown key "after" [TASK_SCHEMA_INVALID]
      5 problem(s) in 5 file(s); checked 3 actor(s), 2 task(s), 2 table(s) and the config"
    `);
  });

  it("gives the same problems as JSON, each with its kind, file, line and code", async () => {
    const dir = brokenHub();
    const result = await runCli(dir, ["check", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; checked: unknown; problems: Array<{ kind: string; file: string; line?: number; code: string }> };
    expect(report.ok).toBe(false);
    expect(report.problems.map(({ kind, file, line, code }) => ({ kind, file, line, code }))).toEqual([
      { kind: "config", file: "config/fuse.yaml", line: 4, code: "CONFIG_INVALID" },
      { kind: "actor", file: "actors/orders/index.ts", line: undefined, code: "CONFIG_INVALID" },
      { kind: "actor", file: "actors/typo/index.ts", line: 2, code: "CONFIG_INVALID" },
      { kind: "task", file: "tasks/bad.json", line: expect.any(Number), code: "TASK_SCHEMA_INVALID" },
      { kind: "table", file: "schemas/broken.json", line: expect.any(Number), code: "TABLE_SCHEMA_INVALID" },
    ]);
  });

  it("names steps that call an unknown actor or endpoint, and an actor that throws while loading, without stopping at the first", async () => {
    const dir = createHubDir({ config: "{}\n" });
    dirs.push(dir);
    write(dir, "actors/good/index.ts", actor("good", [endpoint("ping")]));
    write(dir, "actors/throws/index.ts", actor("throws", [], 'throw new Error("DATABASE_URL is not set");'));
    write(dir, "actors/exits/index.ts", actor("exits", [], "process.exit(3);"));
    write(dir, "tasks/calls.json", JSON.stringify({ name: "calls", steps: [{ id: "a", call: "good.pong" }, { id: "b", call: "nobody.ping" }] }, null, 2));
    const result = await runCli(dir, ["check", "--json"]);
    expect(result.code).toBe(1);
    const messages = (JSON.parse(result.stdout) as { problems: Array<{ message: string }> }).problems.map((p) => p.message);
    expect(messages).toEqual([
      "exited with code 3 while loading",
      "throws while loading: DATABASE_URL is not set",
      'tasks/calls.json steps[0] "a".call: unknown endpoint "good.pong" (actor "good" has: ping)',
      'tasks/calls.json steps[1] "b".call: unknown actor "nobody" in "nobody.ping" (this hub runs: exits, good, throws)',
    ]);
  });

  it("passes the demo hub and exits 0", async () => {
    const dir = copyDemoHub();
    dirs.push(dir);
    const result = await runCli(dir, ["check"]);
    expect(result.stdout.trim()).toMatch(/^✓ checked 6 actor\(s\), 1 task\(s\), 2 table\(s\) and the config: no problems$/);
    expect(result.code).toBe(0);
  });
});
