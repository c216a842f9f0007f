import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

const TABLE_INDEX = fileURLToPath(new URL("../../runtime/table/index.ts", import.meta.url));

// A process that talks to sqld over ws: or http: must not load the embedded libSQL driver (a
// native module, and a libc probe that builds a whole diagnostic report): ~50 ms of CPU at the
// first statement of every such process, the taskmaster and the db actor among them.
describe("the database client's entry", () => {
  let sqld: SqldHarness;
  let dir: string;
  beforeAll(async () => {
    sqld = await startSqld();
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-client-entry-"));
  }, 60_000);
  afterAll(async () => {
    await sqld?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one statement in a process of its own; answers with its result and whether the native driver is mapped into it. */
  function firstStatement(url: string): { rows: unknown; nativeDriver: boolean } {
    const script = path.join(dir, "first-statement.mts");
    writeFileSync(
      script,
      [
        `import { readFileSync } from "node:fs";`,
        `import { Database } from ${JSON.stringify(TABLE_INDEX)};`,
        // pipeline: false sends every statement through @libsql/client.
        `const db = new Database({ url: ${JSON.stringify(url)}, pipeline: false });`,
        `const rows = await db.sql("SELECT 41 + 1 AS answer");`,
        `const nativeDriver = readFileSync("/proc/self/maps", "utf8").split("\\n").some((line) => /libsql.*\\.node$/.test(line));`,
        `console.log(JSON.stringify({ rows, nativeDriver }));`,
        `db.close();`,
      ].join("\n"),
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000 });
    if (child.status !== 0) throw new Error(`the statement's process exited with ${child.status}: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split("\n").pop()!) as { rows: unknown; nativeDriver: boolean };
  }

  it("answers over ws: and http: without loading the native driver", () => {
    for (const url of [sqld.url.replace(/^http:/, "ws:"), sqld.url]) {
      expect(firstStatement(url)).toEqual({ rows: [{ answer: 42 }], nativeDriver: false });
    }
  });

  it("loads it for a file: URL, the embedded database", () => {
    expect(firstStatement(`file:${path.join(dir, "embedded.db")}`)).toEqual({ rows: [{ answer: 42 }], nativeDriver: true });
  });
});
