import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../runtime/log/index.ts";
import { createTestHub, defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";

const CARD = "4242424242424242";
const PASSWORD = "correct-horse-battery";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { lines, log: createLogger({ actor: "test", level: "debug", destination }) };
}

const payments = defineActor({
  name: "payments",
  endpoints: {
    charge: defineEndpoint({
      input: z.object({ user: z.string(), password: z.string(), cards: z.array(z.object({ number: z.string(), holder: z.string() })) }),
      output: z.object({ charged: z.number() }),
      sensitive: ["password", "cards.number"],
      audit: true,
      handler: (input, ctx) => {
        // Every way a handler might log what it got.
        ctx.log.info({ input }, "charging");
        ctx.log.info({ password: input.password, cards: input.cards }, "fields at the top");
        ctx.log.info({ order: { cards: input.cards }, authorization: "Bearer kept-out" }, "nested");
        return { charged: input.cards.length };
      },
    }),
  },
});

describe("sensitive input fields", () => {
  it("never reach a log line: not the audit of the control action, not the handler's own lines, whatever their shape", async () => {
    const { lines, log } = capture();
    const hub = await createTestHub([payments], { log });
    try {
      const input = { user: "ada", password: PASSWORD, cards: [{ number: CARD, holder: "Ada" }, { number: "5555444433332222", holder: "Ada" }] };
      expect(await hub.call("payments.charge", input)).toEqual({ charged: 2 });
    } finally {
      await hub.stop();
    }
    const text = lines.join("");
    for (const secret of [CARD, "5555444433332222", PASSWORD, "kept-out"]) expect(text).not.toContain(secret);
    const audit = lines.map((l) => JSON.parse(l) as { msg: string; input?: unknown }).find((l) => l.msg === "control action");
    // The audit still says what was asked, with the sensitive fields blanked.
    expect(audit?.input).toEqual({ user: "ada", password: "[REDACTED]", cards: [{ number: "[REDACTED]", holder: "Ada" }, { number: "[REDACTED]", holder: "Ada" }] });
    expect(text).toContain('"holder":"Ada"');
  });

  it("are refused at definition when they are not dotted field names", () => {
    const endpoint = (sensitive: unknown) => ({ input: z.object({}), output: z.object({}), sensitive: sensitive as string[], handler: () => ({}) });
    expect(() => defineActor({ name: "bad", endpoints: { x: defineEndpoint(endpoint("password")) } })).toThrow(
      'actor "bad" endpoint "x": sensitive must be a list of input fields such as ["password", "card.number"], got "password"',
    );
    expect(() => defineActor({ name: "bad", endpoints: { x: defineEndpoint(endpoint(["card..number"])) } })).toThrow(
      'actor "bad" endpoint "x": sensitive field "card..number" is not a dotted field name such as "card.number"',
    );
  });
});
