import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../../helpers/index.ts";
import { loadTasks, taskJsonSchema } from "../../../runtime/taskmaster/index.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-load-tasks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadTasks", () => {
  it("serves the valid schemas and reports each invalid file with why", () => {
    mkdirSync(path.join(dir, "tasks"));
    const write = (name: string, text: string) => writeFileSync(path.join(dir, "tasks", name), text);
    write("good.json", JSON.stringify({ name: "good", steps: [{ id: "a", call: "greeter.hello" }] }));
    write("cyclic.json", JSON.stringify({ name: "cyclic", steps: [{ id: "a", call: "greeter.hello", needs: ["a"] }] }));
    write("broken.json", "{ \"name\": ");
    write("twin.json", JSON.stringify({ name: "good", steps: [{ id: "a", call: "greeter.hello" }] }));
    write("task.schema.json", "{}");
    const { tasks, invalid } = loadTasks(dir);
    expect([...tasks.keys()]).toEqual(["good"]);
    expect(invalid.map((i) => [i.file, i.error.code, i.error.message])).toMatchInlineSnapshot(`
      [
        [
          "tasks/broken.json",
          "TASK_SCHEMA_INVALID",
          "tasks/broken.json: invalid JSON: unexpected end of JSON input",
        ],
        [
          "tasks/cyclic.json",
          "TASK_SCHEMA_INVALID",
          "tasks/cyclic.json:1 steps[0] "a".needs[0]: step "a" cannot depend on itself",
        ],
        [
          "tasks/twin.json",
          "TASK_SCHEMA_INVALID",
          "tasks/twin.json name: task "good" is already defined in tasks/good.json",
        ],
      ]
    `);
  });

  it("loads every task of the demo hub", () => {
    const { tasks, invalid } = loadTasks(REPO);
    expect(invalid.map((i) => i.error.message)).toEqual([]);
    expect(tasks.size).toBeGreaterThan(0);
  });

  it("keeps tasks/task.schema.json generated from the zod schema", () => {
    const onDisk = JSON.parse(readFileSync(path.join(REPO, "tasks/task.schema.json"), "utf8"));
    // Regenerate with: node bin/run-ts.mjs runtime/taskmaster/schema/write-task-json-schema.ts
    expect(onDisk).toEqual(taskJsonSchema());
  });
});
