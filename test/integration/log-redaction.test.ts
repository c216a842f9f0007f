import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { x as extract } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, REPO, type RunningHub } from "../helpers/index.ts";

const TOKEN = "env-secret-7fK2pQ";
const PASSWORD = readFileSync(path.join(REPO, "test/fixtures/secrets/db-password"), "utf8").trimEnd();
const CONFIG = "actors:\n  talker:\n    env:\n      API_TOKEN: ${env:FUSE_TEST_API_TOKEN}\n      DB_PASSWORD: ${file:secrets/db-password}\n";
const CREDENTIALS = ["header-credential-1", "cookie-credential-2"];

function readLogs(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), "utf8")).join("");
}

describe("secrets in a real hub's logs", () => {
  let dir: string;
  let hub: RunningHub | undefined;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { talker: "talker" }, files: { "secrets/db-password": "secrets/db-password" } });
    process.env.FUSE_TEST_API_TOKEN = TOKEN;
    try {
      hub = await startHub(dir);
    } finally {
      delete process.env.FUSE_TEST_API_TOKEN;
    }
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("never writes a config secret (env or file) or a credential header to the log files, the log bundle or hub.logs", async () => {
    expect(await hub!.call("talker.say")).toEqual({ said: 4 });
    const logDir = path.join(dir, ".fuse/logs");
    // Four lines of the actor: three of pino, one plain line on stdout.
    const said = await waitFor("the talker's lines in its log file", () => {
      const text = readLogs(logDir);
      return (text.match(/plain stdout|secrets in fields|credentials by key|token in a message/g) ?? []).length >= 4 ? text : undefined;
    });
    for (const secret of [TOKEN, PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), ...CREDENTIALS]) expect(said).not.toContain(secret);
    // Each line still says what it said, with the secret blanked: token ×3, password ×2, headers ×2.
    expect((said.match(/\[REDACTED\]/g) ?? []).length).toBeGreaterThanOrEqual(7);

    const { lines } = await hub!.call<{ lines: string[] }>("hub.logs", { name: "talker", lines: 50 });
    expect(lines.join("\n")).toContain("[REDACTED]");
    for (const secret of [TOKEN, PASSWORD, ...CREDENTIALS]) expect(lines.join("\n")).not.toContain(secret);

    const out = path.join(dir, "bundle.tar.gz");
    const made = await runCli(dir, ["logs", "bundle", "--out", out]);
    expect(made.code, made.stderr).toBe(0);
    const unpacked = mkdtempSync(path.join(os.tmpdir(), "fuse-bundle-"));
    try {
      await extract({ file: out, cwd: unpacked });
      const bundled = readLogs(unpacked);
      expect(bundled).toContain("plain stdout");
      for (const secret of [TOKEN, PASSWORD, ...CREDENTIALS]) expect(bundled).not.toContain(secret);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });
});

describe("a config secret that is missing", () => {
  it("stops fuse up naming the file, line, key and variable", async () => {
    const dir = createHubDir({ config: CONFIG, actors: { talker: "talker" }, files: { "secrets/db-password": "secrets/db-password" } });
    try {
      const result = await runCli(dir, ["up"]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe("error: config/fuse.yaml:4 actors.talker.env.API_TOKEN: ${env:FUSE_TEST_API_TOKEN}: environment variable FUSE_TEST_API_TOKEN is not set");
    } finally {
      removeHubDir(dir);
    }
  });
});
