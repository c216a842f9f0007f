import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
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
          "tasks/broken.json:1:10: invalid JSON: unexpected end of JSON input",
        ],
        [
          "tasks/cyclic.json",
          "TASK_SCHEMA_INVALID",
          "tasks/cyclic.json:1 steps[0] "a".needs[0]: step "a" cannot depend on itself",
        ],
        [
          "tasks/twin.json",
          "TASK_SCHEMA_INVALID",
          "tasks/twin.json name: task "good" is already defined in tasks/good.json; this file is not served",
        ],
      ]
    `);
  });

  it("refuses a newer file declaring a task name another file serves, naming both, even when it sorts first", () => {
    const hub = mkdtempSync(path.join(os.tmpdir(), "fuse-load-tasks-twins-"));
    try {
      mkdirSync(path.join(hub, "tasks"));
      const write = (name: string, at: number) => {
        writeFileSync(path.join(hub, "tasks", name), JSON.stringify({ name: "orders", steps: [{ id: "a", call: "shop.order" }] }));
        utimesSync(path.join(hub, "tasks", name), at, at);
      };
      write("orders.json", 1_000);
      const first = loadTasks(hub);
      expect(first.tasks.get("orders")!.file).toBe("tasks/orders.json");
      write("a-orders.json", 2_000);
      for (const serving of [new Map([["orders", "tasks/orders.json"]]), new Map<string, string>()]) {
        const { tasks, invalid } = loadTasks(hub, serving);
        expect(tasks.get("orders")!.file).toBe("tasks/orders.json");
        expect(invalid.map((i) => i.error.message)).toEqual([
          'tasks/a-orders.json name: task "orders" is already defined in tasks/orders.json; this file is not served',
        ]);
        expect(invalid[0]!.error.details).toEqual({ file: "tasks/a-orders.json", field: "name", other: "tasks/orders.json" });
      }
    } finally {
      rmSync(hub, { recursive: true, force: true });
    }
  });

  it("names the line and column of a JSON syntax error", () => {
    const hub = mkdtempSync(path.join(os.tmpdir(), "fuse-load-tasks-json-"));
    try {
      mkdirSync(path.join(hub, "tasks"));
      writeFileSync(path.join(hub, "tasks", "comma.json"), '{\n  "name": "comma",\n  "steps": []\n  "output": "1"\n}\n');
      const [bad] = loadTasks(hub).invalid;
      expect(bad!.error.message).toBe("tasks/comma.json:4:3: invalid JSON: expected ',' or '}' after property value");
      expect(bad!.error.details).toEqual({ file: "tasks/comma.json", line: 4, column: 3 });
    } finally {
      rmSync(hub, { recursive: true, force: true });
    }
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
