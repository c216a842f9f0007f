import { ConfigError, appErrorProblem } from "../errors/index.ts";
import { parseJsonObject } from "../protocol/index.ts";

/** A business error an endpoint declares: its HTTP status (400–499) and its meaning. */
export interface DeclaredError {
  status: number;
  description?: string;
}

/**
 * Checks the `errors` an endpoint declares, at definition: each code UPPER_SNAKE with a 4xx
 * status (a Fuse code with its own), each description a string.
 * @throws CONFIG_INVALID naming the endpoint and the code.
 */
export function checkDeclaredErrors(where: string, errors: unknown): void {
  if (errors === undefined) return;
  if (typeof errors !== "object" || errors === null || Array.isArray(errors)) {
    throw new ConfigError(`${where}: errors must be an object of { CODE: { status, description } }, got ${JSON.stringify(errors)}`);
  }
  for (const [code, declared] of Object.entries(errors as Record<string, unknown>)) {
    const { status, description } = (declared ?? {}) as Partial<DeclaredError>;
    if (typeof declared !== "object" || declared === null || status === undefined) {
      throw new ConfigError(`${where} errors.${code}: expected { status, description? } with status 400–499, got ${JSON.stringify(declared)}`);
    }
    const problem = appErrorProblem(code, status);
    if (problem) throw new ConfigError(`${where} errors.${code}: ${problem}`);
    if (description !== undefined && typeof description !== "string") {
      throw new ConfigError(`${where} errors.${code}.description: expected a string, got ${JSON.stringify(description)}`);
    }
  }
}

/** The declared errors as `$SRV.INFO` metadata text: `{"OUT_OF_STOCK":{"status":409,"description":"…"}}`. */
export function declaredErrorsText(errors: Record<string, DeclaredError> | undefined): string | undefined {
  if (!errors || Object.keys(errors).length === 0) return undefined;
  const out: Record<string, DeclaredError> = {};
  for (const [code, { status, description }] of Object.entries(errors)) out[code] = description ? { status, description } : { status };
  return JSON.stringify(out);
}

/** Reads declared errors back from `$SRV.INFO` metadata; drops anything malformed. */
export function parseDeclaredErrors(text: string | undefined): Record<string, DeclaredError> | undefined {
  const parsed = text ? parseJsonObject(text) : undefined;
  if (!parsed) return undefined;
  const out: Record<string, DeclaredError> = {};
  for (const [code, value] of Object.entries(parsed)) {
    const { status, description } = (value ?? {}) as { status?: unknown; description?: unknown };
    if (typeof status !== "number" || appErrorProblem(code, status)) continue;
    out[code] = typeof description === "string" ? { status, description } : { status };
  }
  return Object.keys(out).length ? out : undefined;
}
