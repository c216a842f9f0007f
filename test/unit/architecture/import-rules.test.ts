import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../../helpers/hub.ts";

// The import direction of STYLE.md. A module may import itself and the modules listed here.
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  errors: ["protocol"],
  log: [],
  config: ["errors", "protocol", "log"],
  bus: ["protocol", "errors", "log"],
  table: ["protocol", "errors"],
  build: ["errors"],
  sdk: ["bus", "protocol", "errors", "log", "table", "build"],
  gateway: ["sdk", "config", "log", "protocol", "errors", "table"],
  taskmaster: ["sdk", "config", "log", "protocol", "errors", "table"],
  db: ["sdk", "config", "log", "protocol", "errors", "table"],
  hub: ["bus", "config", "log", "protocol", "errors", "sdk", "build", "table"],
  // build: the CLI compiles itself into the bundle bin/fuse.mjs starts from.
  cli: ["bus", "config", "log", "protocol", "errors", "hub", "build"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|mts)$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g), ...text.matchAll(/import\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
}

const runtime = path.join(REPO, "runtime");
const moduleOf = (file: string) => path.relative(runtime, file).split(path.sep)[0]!;

describe("import rules", () => {
  it("keeps every runtime module to the import direction of STYLE.md, through index.ts only", () => {
    const violations: string[] = [];
    for (const file of sourceFiles(runtime)) {
      const from = moduleOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith("."))) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(runtime + path.sep)) continue;
        const to = moduleOf(target);
        if (to === from) continue;
        const rel = path.relative(runtime, file);
        if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${rel}: ${from} may not import ${to}`);
        // Across modules, only through the index.ts that lists the public exports.
        const viaEntry = /[\\/]index\.ts$/.test(target) && path.dirname(target) === path.join(runtime, to);
        if (!viaEntry) violations.push(`${rel}: imports ${path.relative(runtime, target)} instead of ${to}/index.ts`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("lets actors import only the SDK (and zod)", () => {
    const violations: string[] = [];
    for (const file of sourceFiles(path.join(REPO, "actors"))) {
      for (const spec of imports(file)) {
        const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : spec;
        const insideRuntime = target.startsWith(runtime + path.sep);
        if (insideRuntime && path.relative(runtime, target).split(path.sep)[0] !== "sdk") {
          violations.push(`${path.relative(REPO, file)} imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  // Bundles leave out the runtime's package imports whose bindings go unused (runtime/build),
  // which is only safe while no runtime file imports a package just for its side effects.
  it("imports packages in the runtime for their bindings, never bare for side effects", () => {
    const bare = sourceFiles(runtime).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^\s*import\s+["']([^"'.][^"']*)["']/gm)].map((m) => `${path.relative(runtime, file)}: import "${m[1]}"`),
    );
    expect(bare).toEqual([]);
  });
});
