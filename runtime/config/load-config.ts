import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, formatPath } from "../errors/index.ts";
import { neverLog } from "../log/index.ts";
import { configSchema, type FuseConfig } from "./config-schema.ts";
import { knownKeys, lineOf, suggest } from "./locate.ts";
import { resolveSecretRefs, type SecretSources } from "./secret-refs.ts";

export type SafeParseConfigResult = { ok: true; value: FuseConfig } | { ok: false; error: ConfigError };

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

function issueError(file: string, doc: ReturnType<typeof parseDocument>, counter: LineCounter, issue: z.core.$ZodIssue): ConfigError {
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const keyPath = [...issue.path, key];
    const line = lineOf(doc, counter, keyPath, true);
    const hint = suggest(key, knownKeys(configSchema, issue.path));
    const where = `${file}${line ? `:${line}` : ""} ${formatPath(keyPath)}`;
    return new ConfigError(`${where}: unknown key${hint ? `, did you mean "${hint}"?` : ""}`, {
      location: { file, line, key: formatPath(keyPath) },
    });
  }
  const line = lineOf(doc, counter, issue.path, true);
  const key = formatPath(issue.path) || "(top level)";
  if (issue.code === "invalid_key") {
    const reason = issue.issues[0]?.message ?? issue.message;
    return new ConfigError(`${file}${line ? `:${line}` : ""} ${key}: invalid name: ${reason}`, { location: { file, line, key } });
  }
  const got = doc.getIn(issue.path.map((p) => (typeof p === "number" ? p : String(p))));
  // zod says "Invalid input: expected number, received string"; we say what we got ourselves.
  const expected = issue.message.replace(/^Invalid (input|option): /, "").replace(/, received \w+$/, "");
  return new ConfigError(`${file}${line ? `:${line}` : ""} ${key}: ${expected}, got ${describe(got)}`, {
    location: { file, line, key },
  });
}

/**
 * Parses fuse.yaml text; every problem names the file, line and key. Never throws. Secret
 * references are resolved from `sources` (the environment, files beside the hub), and their
 * values are hidden from every later log line of this process.
 */
export function safeParseConfig(text: string, file: string, sources?: SecretSources): SafeParseConfigResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line ?? counter.linePos(yamlError.pos[0]).line;
    const reason = yamlError.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return { ok: false, error: new ConfigError(`${file}:${line}: invalid YAML: ${reason}`, { location: { file, line } }) };
  }
  const secrets = resolveSecretRefs(doc.toJS() ?? {}, sources);
  const missing = secrets.problems[0];
  if (missing) {
    const line = lineOf(doc, counter, missing.path);
    const key = formatPath(missing.path);
    return { ok: false, error: new ConfigError(`${file}${line ? `:${line}` : ""} ${key}: ${missing.message}`, { location: { file, line, key } }) };
  }
  const result = configSchema.safeParse(secrets.data);
  if (result.success) {
    neverLog(secrets.values);
    return { ok: true, value: result.data };
  }
  return { ok: false, error: issueError(file, doc, counter, result.error.issues[0]!) };
}

/** Parses fuse.yaml text, throwing ConfigError (CONFIG_INVALID) on the first problem. */
export function parseConfig(text: string, file: string, sources?: SecretSources): FuseConfig {
  const result = safeParseConfig(text, file, sources);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Reads `config/fuse.yaml` under the hub folder. A missing file means all defaults.
 * @throws CONFIG_INVALID naming file, line and key.
 */
export function loadConfig(hubDir: string, file = path.join("config", "fuse.yaml")): FuseConfig {
  const full = path.resolve(hubDir, file);
  if (!existsSync(full)) return parseConfig("{}", file);
  return parseConfig(readFileSync(full, "utf8"), file, { baseDir: path.resolve(hubDir) });
}
