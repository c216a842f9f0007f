import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, z, type Principal, type TestHub } from "../../../runtime/sdk/index.ts";
import { startActor, InProcessTransport } from "../../../runtime/sdk/internal.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { EndpointMeta, ErrorCode, Header, LOCAL_ADMIN } from "../../../runtime/protocol/index.ts";

const user: Principal = { id: "ada", roles: ["user"], via: "key" };
const ops: Principal = { id: "grace", roles: ["ops"], via: "jwt" };
const runs: string[] = [];
const whoAmI = z.object({ principal: z.unknown(), caller: z.string().optional() });

const vault = defineActor({
  name: "vault",
  endpoints: {
    open: defineEndpoint({ access: "public", input: z.object({}), output: whoAmI, handler: (_i, ctx) => (runs.push("open"), { principal: ctx.principal ?? null }) }),
    read: defineEndpoint({ input: z.object({}), output: whoAmI, handler: (_i, ctx) => (runs.push("read"), { principal: ctx.principal ?? null }) }),
    rotate: defineEndpoint({ access: { roles: ["ops"] }, input: z.object({}), output: whoAmI, handler: (_i, ctx) => (runs.push("rotate"), { principal: ctx.principal ?? null }) }),
    wipe: defineEndpoint({ access: { roles: ["admin"] }, audit: true, input: z.object({ why: z.string() }), output: whoAmI, handler: (_i, ctx) => (runs.push("wipe"), { principal: ctx.principal ?? null }) }),
    seal: defineEndpoint({ access: "internal", input: z.object({}), output: whoAmI, handler: (_i, ctx) => (runs.push("seal"), { principal: ctx.principal ?? null, caller: ctx.caller }) }),
  },
});

// Relays what it was asked to another endpoint: the principal must travel with the call.
const relay = defineActor({
  name: "relay",
  endpoints: {
    forward: defineEndpoint({
      access: "public",
      input: z.object({ target: z.string() }),
      output: z.unknown(),
      handler: ({ target }, ctx) => ctx.call(target, target === "vault.wipe" ? { why: "relayed" } : {}),
    }),
  },
});

let hub: TestHub;
beforeAll(async () => {
  hub = await createTestHub([vault, relay]);
});
afterAll(() => hub.stop());

describe("access declared on endpoints", () => {
  it("refuses a bad access at definition with CONFIG_INVALID naming actor and endpoint", () => {
    const define = (access: unknown) => () =>
      defineActor({ name: "bad", endpoints: { go: defineEndpoint({ access: access as "public", input: z.object({}), output: z.object({}), handler: () => ({}) }) } });
    expect(define("admins")).toThrow(/actor "bad" endpoint "go": access must be "public", "authenticated", "internal" or \{ roles: \[\.\.\.\] \}, got "admins"/);
    expect(define({ roles: [] })).toThrow(/actor "bad" endpoint "go": access.roles must name at least one role/);
    expect(define({ roles: ["a,b"] })).toThrow(/access.roles has "a,b"/);
    try {
      define("nope")();
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.CONFIG_INVALID);
    }
  });

  it("publishes a non-default access as fuse.access in $SRV.INFO metadata, and none for the default", async () => {
    const transport = new InProcessTransport();
    const served: { name: string; metadata: Record<string, string> }[] = [];
    const serve = transport.serve.bind(transport);
    transport.serve = (spec) => (served.push(...spec.endpoints), serve(spec));
    const running = await startActor(vault, { transport, log: createLogger({ actor: "t", level: "silent" }) });
    const access = Object.fromEntries(served.map((e) => [e.name, e.metadata[EndpointMeta.access]]));
    expect(access).toEqual({ open: "public", read: undefined, rotate: "roles:ops", wipe: "roles:admin", seal: "internal" });
    await running.stop();
    await transport.close();
  });
});

describe("the principal a request carries", () => {
  it("reaches the handler as ctx.principal; undefined for a bus call with no outside caller", async () => {
    expect(await hub.call("vault.read", {}, { principal: user })).toEqual({ principal: user });
    expect(await hub.call("vault.read", {})).toEqual({ principal: null });
  });

  it("is checked against the endpoint's access: roles, admin holds every role, FORBIDDEN names who lacked what", async () => {
    runs.length = 0;
    expect((await hub.call<{ principal: unknown }>("vault.rotate", {}, { principal: ops })).principal).toEqual(ops);
    expect((await hub.call<{ principal: unknown }>("vault.rotate", {}, { principal: LOCAL_ADMIN })).principal).toEqual(LOCAL_ADMIN);
    const refused = await hub.tryCall("vault.rotate", {}, { principal: user });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe(ErrorCode.FORBIDDEN);
      expect(refused.error.status).toBe(403);
      expect(refused.error.message).toMatch(/vault\.rotate needs roles:ops; principal "ada" \(key\) holds user/);
    }
    expect(runs).toEqual(["rotate", "rotate"]);
  });

  it("is refused before the input is read: a forbidden caller gets FORBIDDEN, not the schema's complaint", async () => {
    const refused = await hub.tryCall("vault.wipe", { nonsense: 1 }, { principal: user });
    expect(!refused.ok && refused.error.code).toBe(ErrorCode.FORBIDDEN);
  });

  it("lets any bus caller reach an internal endpoint, with or without a principal", async () => {
    expect(await hub.call("vault.seal", {}, { principal: user })).toEqual({ principal: user, caller: "test" });
    expect(await hub.call("relay.forward", { target: "vault.seal" })).toEqual({ principal: null, caller: "relay" });
  });

  it("travels onward with calls made from the handler: a user relayed into an admin endpoint is FORBIDDEN, an admin is served", async () => {
    runs.length = 0;
    const refused = await hub.tryCall("relay.forward", { target: "vault.wipe" }, { principal: user });
    expect(!refused.ok && refused.error.code).toBe(ErrorCode.FORBIDDEN);
    expect(runs).toEqual([]);
    expect(await hub.call("relay.forward", { target: "vault.wipe" }, { principal: LOCAL_ADMIN })).toEqual({ principal: LOCAL_ADMIN });
    expect(await hub.call("relay.forward", { target: "vault.read" }, { principal: user })).toEqual({ principal: user });
    expect(runs).toEqual(["wipe", "read"]);
  });

  it("a public endpoint takes any principal, and none", async () => {
    expect(await hub.call("vault.open", {}, { principal: user })).toEqual({ principal: user });
    expect(await hub.call("vault.open", {})).toEqual({ principal: null });
  });
});

describe("an actor with no key to verify principals", () => {
  it("refuses a request carrying one UNAUTHENTICATED, and the handler does not run", async () => {
    const transport = new InProcessTransport();
    const running = await startActor(vault, { transport, log: createLogger({ actor: "t", level: "silent" }) });
    runs.length = 0;
    const reply = await transport.request("fuse.vault.read", "{}", { timeoutMs: 1000, headers: { [Header.principal]: "forged.token" } });
    expect(reply.header(Header.serviceErrorCode)).toBe("401");
    expect(new TextDecoder().decode(reply.data)).toMatch(/UNAUTHENTICATED.*holds no key to verify it \(FUSE_PRINCIPAL_KEY is unset\)/);
    expect(runs).toEqual([]);
    await running.stop();
    await transport.close();
  });
});
