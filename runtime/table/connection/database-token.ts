import { readFileSync } from "node:fs";
import { ConfigError } from "../../errors/index.ts";
import { ProcessEnv } from "../../protocol/index.ts";

/**
 * The token of the database a process of the hub was given: the file `FUSE_DB_TOKEN_FILE`
 * names (a path in the environment, never the secret itself), read once at start. None when
 * the database wants none (the hub's own sqld on loopback).
 * @throws CONFIG_INVALID naming the file when it is named but cannot be read.
 */
export function databaseTokenFromEnv(env: Record<string, string | undefined> = process.env): string | undefined {
  const file = env[ProcessEnv.dbTokenFile];
  if (!file) return undefined;
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new ConfigError(`${ProcessEnv.dbTokenFile}: cannot read the database's token at ${file}: ${(error as Error).message}`, { cause: error });
  }
}
