/** Output for people and scripts: tables, colour only in a terminal, JSON on request. */
const useColour = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

const paint = (code: number) => (text: string) => (useColour() ? `\x1b[${code}m${text}\x1b[0m` : text);
export const colour = {
  red: paint(31),
  green: paint(32),
  yellow: paint(33),
  cyan: paint(36),
  dim: paint(2),
  bold: paint(1),
};

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "").length;

/** Renders rows as an aligned table with a header line. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells.map((c, i) => c + " ".repeat(widths[i]! - visibleLength(c))).join("  ").trimEnd();
  return [colour.bold(line(headers)), ...rows.map(line)].join("\n");
}

/**
 * Drops the `optional` columns that say nothing in any row (every cell `-` or empty), so a
 * table shows KEYS only on a hub with keyed actors and REFUSED only after a refusal.
 */
export function withoutEmptyColumns(headers: string[], rows: string[][], optional: readonly string[]): [string[], string[][]] {
  const keep = headers.map((h, i) => !optional.includes(h) || rows.some((r) => (r[i] ?? "") !== "" && r[i] !== "-"));
  return [headers.filter((_, i) => keep[i]), rows.map((r) => r.filter((_, i) => keep[i]))];
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${colour.red("error")}: ${text}\n`);
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export function statusColour(status: string): string {
  if (status === "running") return colour.green(status);
  if (status === "failed") return colour.red(status);
  if (status === "stopped") return colour.dim(status);
  return colour.yellow(status);
}
