import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../../helpers/hub.ts";
import { findCycles, importsOf, localImportsOf, sourceFiles } from "./import-graph.ts";

// The import direction of docs/architecture.md. A module may import itself and the modules listed here.
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  errors: ["protocol"],
  log: [],
  config: ["errors", "protocol", "log"],
  bus: ["protocol", "errors", "log"],
  table: ["protocol", "errors"],
  build: ["errors"],
  security: ["protocol", "errors"],
  metrics: ["protocol"],
  tracing: ["protocol"],
  sdk: ["bus", "protocol", "errors", "log", "table", "build", "security", "metrics", "tracing"],
  gateway: ["sdk", "config", "log", "protocol", "errors", "security"],
  taskmaster: ["sdk", "config", "log", "protocol", "errors"],
  db: ["sdk", "config", "log", "protocol", "errors", "table"],
  hub: ["bus", "config", "log", "protocol", "errors", "sdk", "build", "table", "security", "metrics"],
  // build: the CLI compiles itself into the bundle bin/fuse.mjs starts from.
  // table, taskmaster: `fuse check` parses table and task schemas as the db and taskmaster actors would.
  cli: ["bus", "config", "log", "protocol", "errors", "hub", "build", "table", "taskmaster", "security"],
};

const runtime = path.join(REPO, "runtime");
const moduleOf = (file: string) => path.relative(runtime, file).split(path.sep)[0]!;
const modules = readdirSync(runtime).filter((name) => statSync(path.join(runtime, name)).isDirectory());
const SDK_PUBLIC = path.join(runtime, "sdk", "index.ts");

/** The modules an entry's header says it may import: its `May import: a, b and c.` line. */
function declaredImports(entry: string): string[] | undefined {
  const header = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(entry, "utf8"))?.[1] ?? "";
  const line = /May import: ([^.]*)\./.exec(header.replace(/\n\s*\*\s*/g, " "))?.[1];
  if (line === undefined) return undefined;
  return line === "nothing from Fuse" ? [] : line.split(/,\s*|\s+and\s+/).map((s) => s.trim()).filter(Boolean);
}

describe("import rules", () => {
  it("keeps every runtime module to the import direction of docs/architecture.md, through its index.ts or internal.ts only", () => {
    const violations: string[] = [];
    for (const file of sourceFiles(runtime)) {
      const from = moduleOf(file);
      for (const target of localImportsOf(file)) {
        if (!target.startsWith(runtime + path.sep)) continue;
        const to = moduleOf(target);
        if (to === from) continue;
        const rel = path.relative(runtime, file);
        if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${rel}: ${from} may not import ${to}`);
        const entry = path.relative(path.join(runtime, to), target);
        if (entry !== "index.ts" && entry !== "internal.ts") violations.push(`${rel}: imports ${path.relative(runtime, target)} instead of ${to}/index.ts`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("has the import rule of every module in the header of its index.ts, as the test enforces it", () => {
    const mismatches = modules.flatMap((name) => {
      const declared = declaredImports(path.join(runtime, name, "index.ts"));
      const rule = ALLOWED[name];
      if (!rule) return [`${name}: no import rule in this test`];
      if (!declared) return [`${name}/index.ts: no "May import: …." line in its header`];
      return [...declared].sort().join() === [...rule].sort().join() ? [] : [`${name}/index.ts says "${declared.join(", ")}", the rule is "${rule.join(", ")}"`];
    });
    expect(mismatches).toEqual([]);
  });

  it("has no import cycle between files, type-only imports included", () => {
    const files = [...sourceFiles(runtime), ...sourceFiles(path.join(REPO, "actors"))];
    const cycles = findCycles(files).map((group) => group.map((f) => path.relative(REPO, f)).join(" → "));
    expect(cycles).toEqual([]);
  });

  it("lets actors import only the public SDK entry (and zod)", () => {
    const actorFiles = [path.join(REPO, "actors"), path.join(REPO, "test", "fixtures", "actors")].flatMap(sourceFiles);
    const violations: string[] = [];
    for (const file of actorFiles) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : spec;
        const insideRuntime = target.startsWith(runtime + path.sep);
        if (insideRuntime && target !== SDK_PUBLIC) violations.push(`${path.relative(REPO, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  // Bundles leave out the runtime's package imports whose bindings go unused (runtime/build),
  // which is only safe while no runtime file imports a package just for its side effects.
  it("imports packages in the runtime for their bindings, never bare for side effects", () => {
    const bare = sourceFiles(runtime).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^\s*import\s+["']([^"'.][^"']*)["']/g)].map((m) => `${path.relative(runtime, file)}: import "${m[1]}"`),
    );
    expect(bare).toEqual([]);
  });
});
