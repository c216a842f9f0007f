/** The README of a new hub: what `fuse init` wrote and how to run, test, check and grow it. */
export function hubReadme(name: string, fuseSpec: string): string {
  const vendored = fuseSpec.startsWith("file:vendor/");
  const fuseLine = vendored
    ? `Fuse itself comes from \`${fuseSpec.slice("file:".length)}\` (a packed copy, committed with the hub
until Fuse is published), so a clone installs anywhere from its own files. To move to a newer
Fuse, run \`npm pack --pack-destination <this hub>/vendor\` in a Fuse checkout, then
\`npm install ./vendor/<the new file>\` here (it updates package.json and the lock file).`
    : `Fuse itself comes from npm as \`fuse-hub\` (\`${fuseSpec}\`).`;
  return `# ${name}

A hub of actors run by Fuse: each actor is a TypeScript module in its own process, talking
over a NATS bus; \`fuse up\` starts the bus, a database server, an HTTP gateway and every actor.

${fuseLine}

## Run it

Needs Node 20 or newer and \`nats-server\` (\`npm run setup\` checks, and installs it with apt-get
when run as root on Debian/Ubuntu).

\`\`\`sh
npm install
npm test                                      # the actors' own tests, no bus needed
npm run check                                 # type-check, then check actors, tasks, tables and config without starting them
npm start                                     # start the hub (Ctrl-C stops it); or npx fuse up
\`\`\`

With the hub up, in another terminal:

\`\`\`sh
npx fuse actors ls                                              # what runs
npx fuse call hello.greet '{"name":"Ada"}'                      # over the bus
curl -s localhost:<port>/api/hello/greet -H 'content-type: application/json' -d '{"name":"Ada"}'
npx fuse tasks run greet-twice '{"first":"Ada","second":"Grace"}'
npx fuse down                                                   # drains and stops everything
\`\`\`

\`fuse up\` prints the gateway's URL (its port is chosen for you); \`/docs\` there lists every
endpoint and \`/\` is the dashboard.

## What is here

| path | what it is |
|---|---|
| \`actors/<name>/index.ts\` | one actor each: \`export default defineActor(...)\` from \`fuse-hub/sdk\`, its test beside it |
| \`config/fuse.yaml\` | settings: instances, environment, schedules, processes (every key optional) |
| \`schemas/<table>.json\` | table schemas; \`$schema\` lets your editor complete and check them |
| \`tasks/<task>.json\` | tasks: steps calling endpoints, run in parallel where the data allows; \`$schema\` as above |
| \`tsconfig.json\` | type-checking of the actors against \`fuse-hub/sdk\` (\`npm run check\`) |
| \`.fuse/\` | the running hub's state, logs and data (not committed) |

## Add an actor

Create \`actors/<name>/index.ts\` (names are lowercase): \`fuse up\` finds every actor folder and
runs it (restart a running hub to start a new one); \`config/fuse.yaml\` only adds settings:

\`\`\`ts
import { defineActor, defineEndpoint, z } from "fuse-hub/sdk";

export default defineActor({
  name: "orders",
  endpoints: {
    place: defineEndpoint({
      input: z.object({ item: z.string(), quantity: z.number().int().positive() }),
      output: z.object({ greeting: z.string() }),
      handler: async ({ item }, ctx) => {
        const { message } = await ctx.call<{ message: string }>("hello.greet", { name: item });
        return { greeting: message };
      },
    }),
  },
});
\`\`\`

Test it beside it with \`createTestHub([orders, hello])\` from \`fuse-hub/sdk\`, as
\`actors/hello/hello.test.ts\` does: the actors run in the test's own process, no bus needed.
`;
}
