import { readFileSync } from "node:fs";
import path from "node:path";

/** `${env:NAME}` or `${file:path}`; `$${` writes a literal `${`. */
const REFERENCE = /\$(\$?)\{(env|file):([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SecretSources {
  /** Environment to read `${env:NAME}` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folder that `${file:path}` is relative to (the hub folder). Default: the working folder. */
  baseDir?: string;
}

/** A reference that could not be resolved, at `path` in the config data. */
export interface SecretProblem {
  path: (string | number)[];
  message: string;
}

export interface ResolvedSecrets {
  /** The data with every reference replaced by its value. */
  data: unknown;
  /** The values the references resolved to, for log redaction. */
  values: string[];
  problems: SecretProblem[];
}

/**
 * Replaces secret references in every string of the parsed config, so `config/fuse.yaml` can be
 * committed without the secrets it uses. A file's value is its text without the final newline.
 */
export function resolveSecretRefs(data: unknown, sources: SecretSources = {}): ResolvedSecrets {
  const env = sources.env ?? process.env;
  const baseDir = sources.baseDir ?? process.cwd();
  const values = new Set<string>();
  const problems: SecretProblem[] = [];

  const lookup = (kind: string, name: string, at: (string | number)[]): string | undefined => {
    if (kind === "env") {
      if (!ENV_NAME.test(name)) {
        problems.push({ path: at, message: `\${env:${name}}: not an environment variable name` });
        return undefined;
      }
      const value = env[name];
      if (value === undefined) problems.push({ path: at, message: `\${env:${name}}: environment variable ${name} is not set` });
      return value;
    }
    const file = path.resolve(baseDir, name.trim());
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
      problems.push({ path: at, message: `\${file:${name}}: cannot read ${file}: ${reason}` });
      return undefined;
    }
  };

  const walk = (value: unknown, at: (string | number)[]): unknown => {
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      return value.replace(REFERENCE, (whole, escaped: string, kind: string, name: string) => {
        if (escaped) return whole.slice(1);
        const resolved = lookup(kind, name, at);
        if (resolved === undefined) return whole;
        if (resolved.length > 0) values.add(resolved);
        return resolved;
      });
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...at, i]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...at, key])]));
    }
    return value;
  };

  return { data: walk(data, []), values: [...values], problems };
}
