import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HUB_COMPILER_OPTIONS, TABLE_JSON_SCHEMA, TASK_JSON_SCHEMA, scaffoldFiles } from "../../../runtime/cli/templates/new-hub.ts";
import { loadTableSchemas } from "../../../runtime/table/index.ts";
import { loadTasks } from "../../../runtime/taskmaster/index.ts";
import { REPO, removeHubDir } from "../../helpers/index.ts";

const files = scaffoldFiles({ name: "shop", fuseSpec: "file:vendor/fuse-hub-0.1.0.tgz", devDependencies: { typescript: "~5.9.3" } });
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
const pkg = readJson(path.join(REPO, "package.json")) as { files: string[] };

/** A JSON Schema shipped in fuse-hub, read from this checkout (what node_modules/fuse-hub holds). */
function shipped(inPackage: string): Record<string, unknown> {
  const rel = inPackage.replace(/^node_modules\/fuse-hub\//, "");
  expect(pkg.files, `package.json "files" ships ${rel}`).toContain(rel);
  return readJson(path.join(REPO, rel));
}

function validator(inPackage: string) {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(shipped(inPackage));
  return (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
}

describe("the files of a new hub", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-scaffold-"));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  });
  afterAll(() => removeHubDir(dir));

  it("type-checks actors with Fuse's own compiler options, since tsc checks the SDK's sources with them", () => {
    const own = (readJson(path.join(REPO, "tsconfig.json")) as { compilerOptions: unknown }).compilerOptions;
    expect(HUB_COMPILER_OPTIONS).toEqual(own);
    expect(JSON.parse(files["tsconfig.json"]!)).toEqual({ compilerOptions: HUB_COMPILER_OPTIONS, include: ["actors"] });
  });

  it("has a check script, an ignore file for what runs and installs, and Fuse from the given spec", () => {
    const hubPkg = JSON.parse(files["package.json"]!) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(hubPkg.scripts).toMatchObject({ check: "tsc --noEmit -p . && fuse check", test: "vitest run" });
    expect(hubPkg.dependencies).toEqual({ "fuse-hub": "file:vendor/fuse-hub-0.1.0.tgz" });
    expect(files[".gitignore"]!.split("\n")).toEqual(expect.arrayContaining(["node_modules/", ".fuse/"]));
  });

  it("points $schema of its table and task at the JSON Schemas that fuse-hub ships", () => {
    expect(readJson(path.join(dir, "schemas/greetings.json")).$schema).toBe(`../${TABLE_JSON_SCHEMA}`);
    expect(readJson(path.join(dir, "tasks/greet-twice.json")).$schema).toBe(`../${TASK_JSON_SCHEMA}`);
    // Resolved from the file's own folder, as an editor does, they land in node_modules/fuse-hub.
    expect(path.resolve(dir, "schemas", `../${TABLE_JSON_SCHEMA}`)).toBe(path.join(dir, TABLE_JSON_SCHEMA));
    expect(path.resolve(dir, "tasks", `../${TASK_JSON_SCHEMA}`)).toBe(path.join(dir, TASK_JSON_SCHEMA));
  });

  it("has a table and a task that Fuse's own loaders accept", () => {
    const { tables, invalid } = loadTableSchemas(dir);
    expect(invalid.map((i) => i.error.message)).toEqual([]);
    expect([...tables.keys()]).toEqual(["greetings"]);
    const tasks = loadTasks(dir);
    expect(tasks.invalid.map((i) => i.error.message)).toEqual([]);
    expect([...tasks.tasks.keys()]).toEqual(["greet-twice"]);
  });

  it("has a table and a task that the shipped JSON Schemas accept, and a misspelt key they refuse", () => {
    const table = validator(TABLE_JSON_SCHEMA);
    const greetings = readJson(path.join(dir, "schemas/greetings.json"));
    expect(table(greetings)).toEqual([]);
    expect(table(readJson(path.join(REPO, "schemas/notes.json")))).toEqual([]);
    expect(table({ ...greetings, colums: greetings.columns })).toEqual(expect.arrayContaining([expect.stringMatching(/additionalProperty.*colums/)]));
    expect(table({ ...greetings, columns: { id: { type: "integr" } } })).not.toEqual([]);

    const task = validator(TASK_JSON_SCHEMA);
    const greetTwice = readJson(path.join(dir, "tasks/greet-twice.json")) as { steps: Record<string, unknown>[] };
    expect(task(greetTwice)).toEqual([]);
    expect(task(readJson(path.join(REPO, "tasks/welcome-team.json")))).toEqual([]);
    const misspelt = { ...greetTwice, steps: [{ id: "first", cal: "hello.greet" }] };
    expect(task(misspelt)).toEqual(expect.arrayContaining([expect.stringMatching(/additionalProperty.*cal/)]));
  });

  it("names no absolute path: the hub must install on another machine", () => {
    for (const [file, text] of Object.entries(files)) expect(text.includes(REPO) || /"file:\//.test(text), file).toBe(false);
  });
});
