import type { Command } from "commander";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import { hasAuthentication, loadConfig } from "../../config/index.ts";
import { apiKeyFile, createApiKey, parseDuration, readApiKeys, revokeApiKey, type ApiKeyRecord } from "../../security/index.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print, printJson, table } from "../output.ts";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** What `fuse keys ls` shows of a key: never the secret nor its hash, only the end of the public id. */
function shown(record: ApiKeyRecord, now: number) {
  return {
    name: record.name,
    roles: record.roles,
    created: new Date(record.created).toISOString(),
    expires: record.expires === null ? null : new Date(record.expires).toISOString(),
    expired: record.expires !== null && record.expires <= now,
    id: `…${record.id.slice(-4)}`,
  };
}

/** A reminder when the hub's config does not take keys yet: a key alone changes nothing. */
function keysOffHint(dir: string): string | undefined {
  try {
    const auth = loadConfig(dir).gateway.auth;
    return hasAuthentication(auth) && auth.keys ? undefined : "gateway.auth.keys is not true in config/fuse.yaml: the gateway accepts no API keys until it is (and then requires a credential).";
  } catch {
    return undefined; // a config that does not load says so itself at fuse up
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((r) => r.trim()).filter(Boolean)];

/**
 * `fuse keys create|ls|revoke`: the hub's API keys, kept (hashed) in `.fuse/keys/api-keys.json`.
 * They work on the file directly, with or without a running hub: the gateway notices a change
 * on its next request.
 */
export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("API keys for the gateway (gateway.auth.keys: true)");
  keys
    .command("create <name>")
    .description("make an API key and print it once; only its hash is kept")
    .requiredOption("--role <role>", "role of the key: admin (every endpoint) or user, or another role name; repeat or separate by commas for several", collect)
    .option("--expires <duration>", "lifetime, e.g. 30d, 12h, 90m or 2w (default: no expiry)")
    .option("--json", "print { name, key, roles, expires } as JSON")
    .action((name: string, options: { role: string[]; expires?: string; json?: boolean }) => {
      let expiresInMs: number | undefined;
      if (options.expires !== undefined) {
        expiresInMs = parseDuration(options.expires);
        if (expiresInMs === undefined) throw new FuseError(ErrorCode.VALIDATION_FAILED, `--expires ${JSON.stringify(options.expires)}: expected a duration like 30d, 12h, 90m, 45s or 2w`);
      }
      const dir = hubDir(program);
      const { key, record } = createApiKey(apiKeyFile(dir), { name, roles: options.role, ...(expiresInMs !== undefined ? { expiresInMs } : {}) });
      const expires = record.expires === null ? null : new Date(record.expires).toISOString();
      if (options.json) return printJson({ name, key, roles: record.roles, expires });
      print(key);
      process.stderr.write(
        `${colour.dim(`API key "${name}" (roles ${record.roles.join(", ")}${expires ? `, expires ${day(record.expires!)} UTC` : ", no expiry"}). This is the only time it is shown: store it now. Send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>".`)}\n`,
      );
      const hint = keysOffHint(dir);
      if (hint) process.stderr.write(`${colour.yellow("note")}: ${hint}\n`);
    });
  keys
    .command("ls")
    .description("list API keys: name, roles, created, expires and the last characters of the id (never the secret)")
    .option("--json", "print a JSON array")
    .action((options: { json?: boolean }) => {
      const now = Date.now();
      const list = readApiKeys(apiKeyFile(hubDir(program))).map((r) => shown(r, now));
      if (options.json) return printJson(list);
      if (!list.length) return print("no API keys; make one with fuse keys create <name> --role admin|user");
      const rows = list.map((k) => [k.name, k.roles.join(","), day(Date.parse(k.created)), k.expires === null ? "never" : k.expired ? colour.red(`expired ${day(Date.parse(k.expires))}`) : day(Date.parse(k.expires)), k.id]);
      print(table(["NAME", "ROLES", "CREATED (UTC)", "EXPIRES (UTC)", "ID"], rows));
    });
  keys
    .command("revoke <name>")
    .description("delete an API key: the gateway refuses it from its next request")
    .action((name: string) => {
      revokeApiKey(apiKeyFile(hubDir(program)), name);
      print(`API key "${name}" revoked`);
    });
}
