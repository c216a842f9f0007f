import type { FuseError } from "../../errors/index.ts";
import type { RunError } from "./run-types.ts";

/** How one step ended. */
export type StepOutcome =
  | { status: "succeeded"; output: unknown }
  | { status: "skipped" }
  | { status: "failed"; error: RunError };

export function toRunError(error: FuseError): RunError {
  const out: RunError = { code: error.code, message: error.message };
  if (error.details !== undefined) out.details = error.details;
  if (error.actor !== undefined) out.actor = error.actor;
  return out;
}
