import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Every TypeScript source under `dir`, recursively (node_modules left out). */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|mts)$/.test(name) ? [full] : [];
  });
}

/** The specifiers a file imports or re-exports, type-only and dynamic imports included. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const statics = text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g);
  const dynamics = text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g);
  return [...statics, ...dynamics].map((m) => m[1]!);
}

/** The files a file imports by relative path, resolved to absolute paths. */
export function localImportsOf(file: string): string[] {
  return importsOf(file)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.resolve(path.dirname(file), spec));
}

/** Strongly connected groups of more than one file (or a file importing itself): the import cycles. */
export function findCycles(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, localImportsOf(f).filter((to) => known.has(to))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  // Tarjan's algorithm; the graph is a few hundred files, so recursion depth is no concern.
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || edges.get(v)!.includes(v)) cycles.push(group);
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}
