import { SchemaError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";

/** The 1-based line and column of a character offset in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/**
 * Parses a task file's JSON. A syntax error names the file, line and column (V8 gives only a
 * character offset, or none at the end of the input).
 */
export function parseTaskJson(text: string, file: string): { ok: true; value: unknown } | { ok: false; error: SchemaError } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const raw = (error as Error).message;
    const offset = /at position (\d+)/.exec(raw)?.[1];
    const { line, column } = lineAndColumn(text, offset === undefined ? text.trimEnd().length : Number(offset));
    const what = raw.replace(/ in JSON at position \d+.*$/, "").replace(/^(Unexpected|Expected)/, (w) => w.toLowerCase());
    return {
      ok: false,
      error: new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, `${file}:${line}:${column}: invalid JSON: ${what}`, { details: { file, line, column } }),
    };
  }
}
