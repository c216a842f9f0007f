import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiKeyStore, apiKeyFile, createApiKey, parseApiKey, parseDuration, readApiKeys, revokeApiKey, verifyApiKey } from "../../../runtime/security/index.ts";
import { FuseError } from "../../../runtime/errors/index.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-keys-"));
  file = apiKeyFile(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const byId = () => new Map(readApiKeys(file).map((k) => [k.id, k]));
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as FuseError).code;
  }
  return "none";
};

describe("API key store", () => {
  it("makes high-entropy keys of the form fuse_<id>_<secret> and keeps only a hash, in a 0600 file in 0700 folders", () => {
    const { key, record } = createApiKey(file, { name: "ci", roles: ["admin"] });
    expect(key).toMatch(/^fuse_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key)).toEqual({ id: record.id, secret: key.slice(22) });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(key.slice(22));
    expect(text).not.toContain(key.slice(22, 40));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, ".fuse")).mode & 0o777).toBe(0o700);
    const other = createApiKey(file, { name: "other", roles: ["user"] }).key;
    expect(other).not.toBe(key);
    expect(readApiKeys(file).map((k) => k.name)).toEqual(["ci", "other"]);
  });

  it("verifies a key by id and hash, and refuses a changed secret, an unknown id, malformed text and an expired key", () => {
    const now = 1_000_000;
    const { key, record } = createApiKey(file, { name: "app", roles: ["user"], expiresInMs: 60_000, now });
    expect(verifyApiKey(byId(), key, now + 1)).toMatchObject({ name: "app", roles: ["user"] });
    const last = key.at(-1) === "A" ? "B" : "A";
    expect(verifyApiKey(byId(), key.slice(0, -1) + last, now)).toBe("unknown");
    expect(verifyApiKey(byId(), key.replace(record.id, "0123456789abcdef"), now)).toBe("unknown");
    expect(verifyApiKey(byId(), "fuse_nothing", now)).toBe("malformed");
    expect(verifyApiKey(byId(), `${key}x`, now)).toBe("malformed");
    expect(verifyApiKey(byId(), key, now + 60_000)).toBe("expired");
  });

  it("refuses a second key of one name, bad names and roles, and revoking an unknown name, with codes", () => {
    createApiKey(file, { name: "ci", roles: ["admin"] });
    expect(codeOf(() => createApiKey(file, { name: "ci", roles: ["user"] }))).toBe("CONFLICT");
    expect(codeOf(() => createApiKey(file, { name: "Not Valid", roles: ["user"] }))).toBe("VALIDATION_FAILED");
    expect(codeOf(() => createApiKey(file, { name: "x", roles: [] }))).toBe("VALIDATION_FAILED");
    expect(codeOf(() => createApiKey(file, { name: "x", roles: ["BAD"] }))).toBe("VALIDATION_FAILED");
    expect(codeOf(() => revokeApiKey(file, "nobody"))).toBe("NOT_FOUND");
  });

  it("revokes by name, and the gateway's store view reloads on every change of the file", () => {
    const store = new ApiKeyStore(file);
    expect(store.current()).toMatchObject({ changed: true });
    expect(store.current().byId.size).toBe(0);
    const a = createApiKey(file, { name: "a", roles: ["user"] });
    createApiKey(file, { name: "b", roles: ["user"] });
    const seen = store.current();
    expect(seen.changed).toBe(true);
    expect(seen.byId.size).toBe(2);
    expect(store.current().changed).toBe(false);
    revokeApiKey(file, "a");
    const after = store.current();
    expect(after.changed).toBe(true);
    expect(verifyApiKey(after.byId, a.key)).toBe("unknown");
  });

  it("with a watch, reads the file only after the folder changed, and sees a change by the next turn of the event loop, also in a folder made anew", async () => {
    const store = new ApiKeyStore(file);
    expect(store.watch()).toBe(true);
    const turn = () => new Promise((r) => setImmediate(r));
    // As in the gateway, the watch is in place a while before the changes come.
    await new Promise((r) => setTimeout(r, 20));
    try {
      expect(store.current().byId.size).toBe(0);
      const a = createApiKey(file, { name: "a", roles: ["user"] });
      await turn();
      expect(store.current()).toMatchObject({ changed: true });
      expect(verifyApiKey(store.current().byId, a.key)).toMatchObject({ name: "a" });
      revokeApiKey(file, "a");
      await turn();
      expect(verifyApiKey(store.current().byId, a.key)).toBe("unknown");
      rmSync(path.dirname(file), { recursive: true });
      await turn();
      const b = createApiKey(file, { name: "b", roles: ["user"] });
      expect(verifyApiKey(store.current().byId, b.key)).toMatchObject({ name: "b" });
      await new Promise((r) => setTimeout(r, 20));
      expect(verifyApiKey(store.current().byId, b.key)).toMatchObject({ name: "b" });
      revokeApiKey(file, "b");
      await turn();
      expect(verifyApiKey(store.current().byId, b.key)).toBe("unknown");
    } finally {
      store.close();
    }
  });

  it("treats a damaged key file as an error, never as no keys", () => {
    createApiKey(file, { name: "a", roles: ["user"] });
    writeFileSync(file, "{ not json");
    expect(codeOf(() => readApiKeys(file))).toBe("CONFIG_INVALID");
    writeFileSync(file, JSON.stringify({ version: 1, keys: [{ name: "a" }] }));
    expect(codeOf(() => new ApiKeyStore(file).current())).toBe("CONFIG_INVALID");
  });

  it("reads durations of s, m, h, d and w", () => {
    expect([parseDuration("45s"), parseDuration("90m"), parseDuration("12h"), parseDuration("30d"), parseDuration("2w")]).toEqual([45_000, 5_400_000, 43_200_000, 2_592_000_000, 1_209_600_000]);
    expect([parseDuration("0d"), parseDuration("3y"), parseDuration("d"), parseDuration("-1d")]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
