import { describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, z, type KeyedContext } from "../../../runtime/sdk/index.ts";

const state = z.object({ n: z.number().int(), notes: z.array(z.string()) });
type Notes = z.infer<typeof state>;
type Seen = { n: number; notes: string[]; version: number };

const seen = (ctx: KeyedContext<Notes>): Seen => ({ n: ctx.state.n, notes: ctx.state.notes, version: ctx.version });

// Every way a handler may leave the key's state: changed in place, assigned after an await,
// assigned by a helper it hands the context to, changed and then thrown, or only read.
const notes = defineActor({
  name: "notes",
  keyed: { state, initial: { n: 0, notes: [] } },
  endpoints: {
    add: defineEndpoint({
      input: z.object({ note: z.string() }),
      output: z.any(),
      handler: ({ note }: { note: string }, ctx: KeyedContext<Notes>) => {
        ctx.state.n++;
        ctx.state.notes.push(note);
        return seen(ctx);
      },
    }),
    "replace-later": defineEndpoint({
      input: z.object({ note: z.string() }),
      output: z.any(),
      handler: async ({ note }: { note: string }, ctx: KeyedContext<Notes>) => {
        const before = ctx.state;
        await new Promise((resolve) => setTimeout(resolve, 5));
        ctx.state = { n: before.n + 1, notes: [note] };
        return seen(ctx);
      },
    }),
    "replace-in-helper": defineEndpoint({
      input: z.object({ note: z.string() }),
      output: z.any(),
      handler: async ({ note }: { note: string }, ctx: KeyedContext<Notes>) => {
        const reset = async (c: KeyedContext<Notes>) => {
          await Promise.resolve();
          c.state = { n: 100, notes: [note] };
        };
        await reset(ctx);
        return seen(ctx);
      },
    }),
    "add-then-fail": defineEndpoint({
      input: z.object({}),
      output: z.any(),
      handler: async (_input: unknown, ctx: KeyedContext<Notes>) => {
        ctx.state.n = 999;
        ctx.state = { n: 998, notes: ["lost"] };
        await Promise.resolve();
        throw new Error("refused after changing the state");
      },
    }),
    read: defineEndpoint({ input: z.object({}), output: z.any(), handler: (_input: unknown, ctx: KeyedContext<Notes>) => seen(ctx) }),
  },
});

describe("a keyed turn's state as the handler leaves it", () => {
  it("stores a state changed in place, assigned after an await or by a helper, drops one changed before a throw, and counts only turns that changed it", async () => {
    const hub = await createTestHub([notes], { instances: 2 });
    try {
      const call = (endpoint: string, input: unknown = {}) => hub.call<Seen>(`notes.${endpoint}`, input, { key: "ada" });
      expect(await call("add", { note: "a" })).toEqual({ n: 1, notes: ["a"], version: 0 });
      expect(await call("read")).toEqual({ n: 1, notes: ["a"], version: 1 });
      expect(await call("replace-later", { note: "b" })).toEqual({ n: 2, notes: ["b"], version: 1 });
      expect(await call("read")).toEqual({ n: 2, notes: ["b"], version: 2 });
      expect(await call("replace-in-helper", { note: "c" })).toEqual({ n: 100, notes: ["c"], version: 2 });
      expect(await call("read")).toEqual({ n: 100, notes: ["c"], version: 3 });
      const failed = await hub.tryCall("notes.add-then-fail", {}, { key: "ada" });
      expect(failed.ok).toBe(false);
      // Neither the in-place change nor the assignment of the failed turn is kept; reads change nothing.
      expect(await call("read")).toEqual({ n: 100, notes: ["c"], version: 3 });
      expect(await call("read")).toEqual({ n: 100, notes: ["c"], version: 3 });
      // Another key never saw any of it.
      expect(await hub.call<Seen>("notes.read", {}, { key: "bob" })).toEqual({ n: 0, notes: [], version: 0 });
    } finally {
      await hub.stop();
    }
  });
});
