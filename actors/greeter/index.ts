import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";
// A type-only import: the counter's code is not bundled into the greeter, only its types are used.
import type Counter from "../counter/index.ts";

/** Greets people, counting their visits through the counter actor. */
export default defineActor({
  name: "greeter",
  description: "Greets people and remembers how often they came",
  endpoints: {
    hello: defineEndpoint({
      description: "Greets someone by name, with their visit number",
      access: "public", // anyone may be greeted, no credential needed
      input: z.object({ name: z.string().min(1).max(100) }),
      output: z.object({ greeting: z.string(), visits: z.number().int() }),
      http: { method: "GET", path: "/hello/:name" },
      handler: async ({ name }, ctx) => {
        const { count } = await ctx.client<typeof Counter>("counter").increment({ key: name.toLowerCase() });
        ctx.log.info({ person: name, visits: count }, "greeting sent");
        return { greeting: `Hello, ${name}!`, visits: count };
      },
    }),
    fail: defineEndpoint({
      description: "Always fails: shows how a handler error reaches the caller",
      input: z.object({ reason: z.string().default("on purpose") }),
      output: z.object({}),
      handler: ({ reason }) => {
        throw new Error(`greeter failed ${reason}`);
      },
    }),
  },
});
