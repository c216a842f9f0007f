import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const note = z.object({
  id: z.number().int(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  pinned: z.boolean(),
  created_at: z.number(),
});
type Note = z.infer<typeof note>;

/** Notes stored in the hub's database (schemas/notes.json). */
export default defineActor({
  name: "notes",
  description: "Keeps notes in the database",
  endpoints: {
    add: defineEndpoint({
      description: "Adds a note",
      input: z.object({ title: z.string().min(1).max(200), body: z.string().max(10_000).default(""), tags: z.array(z.string()).default([]), pinned: z.boolean().default(false) }),
      output: note,
      http: { method: "POST", path: "/notes" },
      handler: async (input, ctx) => {
        const [created] = await ctx.db.table<Note>("notes").insert(input);
        ctx.log.info({ id: created!.id }, "note added");
        return created!;
      },
    }),
    list: defineEndpoint({
      description: "Lists notes, pinned first, newest first; optionally those whose title matches",
      input: z.object({ search: z.string().optional(), limit: z.number().int().min(1).max(100).default(20), offset: z.number().int().min(0).default(0) }),
      output: z.object({ notes: z.array(note), total: z.number() }),
      http: { method: "GET", path: "/notes" },
      handler: async ({ search, limit, offset }, ctx) => {
        const notes = ctx.db.table<Note>("notes");
        const where = search ? { title: { like: `%${search}%` } } : {};
        return { notes: await notes.find({ where, orderBy: ["-pinned", "-created_at"], limit, offset }), total: await notes.count(where) };
      },
    }),
    get: defineEndpoint({
      description: "One note by id",
      input: z.object({ id: z.number().int() }),
      output: note,
      http: { method: "GET", path: "/notes/:id" },
      handler: ({ id }, ctx) => ctx.db.table<Note>("notes").require(id),
    }),
    pin: defineEndpoint({
      description: "Pins or unpins a note",
      input: z.object({ id: z.number().int(), pinned: z.boolean().default(true) }),
      output: note,
      handler: async ({ id, pinned }, ctx) => {
        const notes = ctx.db.table<Note>("notes");
        await notes.update({ id }, { pinned });
        return notes.require(id);
      },
    }),
    remove: defineEndpoint({
      description: "Deletes a note",
      input: z.object({ id: z.number().int() }),
      output: z.object({ deleted: z.boolean() }),
      handler: async ({ id }, ctx) => ({ deleted: (await ctx.db.table("notes").delete({ id })) > 0 }),
    }),
  },
});
