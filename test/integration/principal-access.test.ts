import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats, requestEndpoint } from "../../runtime/bus/index.ts";
import { Header, LOCAL_ADMIN, endpointSubject, type Principal } from "../../runtime/protocol/index.ts";
import { apiKeyFile, createApiKey, signPrincipal } from "../../runtime/security/index.ts";
import { createHubDir, hubBus, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const decoder = new TextDecoder();
const ACTORS = { vault: "vault", forwarder: "forwarder" };
const user: Principal = { id: "ada", roles: ["user"], via: "key" };

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

/** A hub's bus as a plain client sees it (the admin identity, the most a bus client can be): raw requests with any headers. */
async function busClient(hub: RunningHub) {
  const transport = new NatsTransport(await connectNats(hubBus(hub.state, "attacker")));
  const request = async (target: string, input: unknown, headers: Record<string, string>): Promise<Answer> => {
    const [actor, endpoint] = target.split(".") as [string, string];
    const reply = await requestEndpoint(transport, { actor, endpoint, subject: endpointSubject(hub.state.prefix, actor, endpoint) }, JSON.stringify(input), {
      headers: { [Header.deadline]: String(Date.now() + 10_000), ...headers },
      timeoutMs: 10_000,
    });
    const status = Number(reply.header(Header.serviceErrorCode) ?? 200);
    return { status, body: JSON.parse(decoder.decode(reply.data) || "null") as Answer["body"] };
  };
  return { request, close: () => transport.close() };
}

const signingKey = (dir: string) => readFileSync(path.join(dir, ".fuse/keys/principal-signing.pem"), "utf8");

describe("access and the principal on a running hub (the local default: no authentication configured)", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;
  let bus: Awaited<ReturnType<typeof busClient>>;
  const post = async (p: string, body: unknown): Promise<Answer> => {
    const res = await fetch(url + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Answer["body"] };
  };
  const wipes = async () => (await hub.call<{ wipes: number }>("vault.wipes")).wipes;

  beforeAll(async () => {
    dir = createHubDir({ actors: ACTORS });
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    bus = await busClient(hub);
    await waitFor("the gateway to route vault", async () => (await post("/api/vault/open", {})).status === 200);
  });
  afterAll(async () => {
    await bus?.close();
    await hub?.stop();
    removeHubDir(dir);
  });

  it("acts as the local admin over HTTP: the handler sees that principal, and admin endpoints answer", async () => {
    expect(await post("/api/vault/peek", {})).toEqual({ status: 200, body: { principal: LOCAL_ADMIN, caller: "gateway" } });
    expect((await post("/api/vault/wipe", {})).status).toBe(200);
    // No credential was checked: an Authorization header is the application's own, and reaches it.
    const res = await fetch(`${url}/api/vault/credential`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer app-token" }, body: "{}" });
    expect(await res.json()).toEqual({ authorization: "Bearer app-token", cookie: null });
  });

  it("never routes an internal endpoint (404 as if absent) and leaves it out of /api, /openapi.json and /docs, while another actor calls it on the bus", async () => {
    const refused = await post("/api/vault/seal", {});
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: "ENDPOINT_NOT_FOUND", message: 'actor "vault" has no endpoint "seal"' });
    expect((refused.body.error!.details as { endpoints: string[] }).endpoints.sort()).toEqual(["credential", "open", "peek", "wipe"]);
    expect((await post("/api/vault/wipes", {})).status).toBe(404);
    for (const page of ["/api", "/openapi.json", "/docs", "/api/vault"]) {
      const text = await (await fetch(url + page)).text();
      expect(text, page).toContain("peek");
      expect(text, page).not.toMatch(/seal|wipes/);
    }
    expect(await post("/api/forwarder/forward", { target: "vault.seal" })).toEqual({ status: 200, body: { principal: LOCAL_ADMIN, caller: "forwarder" } });
  });

  it("refuses a forged Fuse-Principal from a plain bus client UNAUTHENTICATED, and the handler does not run", async () => {
    const before = await wipes();
    const forged = Buffer.from(JSON.stringify({ id: "mallory", roles: ["admin"], via: "key", exp: Date.now() + 60_000 })).toString("base64url");
    for (const token of [`${forged}.${"A".repeat(86)}`, forged, "x"]) {
      const answer = await bus.request("vault.wipe", {}, { [Header.principal]: token });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: "UNAUTHENTICATED", message: expect.stringMatching(/^vault\.wipe: principal token refused: /) as unknown });
    }
    // A hub's own control endpoint refuses it too (the hub actor verifies as every actor does).
    expect((await bus.request("hub.shutdown", {}, { [Header.principal]: `${forged}.${"A".repeat(86)}` })).body.error?.code).toBe("UNAUTHENTICATED");
    expect(await wipes()).toBe(before);
  });

  it("refuses an expired token signed with the hub's own key", async () => {
    const before = await wipes();
    const stale = signPrincipal(LOCAL_ADMIN, signingKey(dir), 1000, Date.now() - 60_000);
    const answer = await bus.request("vault.wipe", {}, { [Header.principal]: stale });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toMatch(/principal token refused: it expired/);
    expect(await wipes()).toBe(before);
  });

  it("carries a principal through an actor's ctx.call: a user relayed into an admin endpoint (vault.wipe, db.drop) is FORBIDDEN, an admin is served", async () => {
    const before = await wipes();
    const token = signPrincipal(user, signingKey(dir), 60_000);
    const asUser = await bus.request("forwarder.forward", { target: "vault.wipe" }, { [Header.principal]: token });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error).toMatchObject({ code: "FORBIDDEN", actor: "vault", message: 'vault.wipe needs roles:admin; principal "ada" (key) holds user' });
    const drop = await bus.request("forwarder.forward", { target: "db.drop", input: { table: "notes", confirm: "notes" } }, { [Header.principal]: token });
    expect(drop.body.error).toMatchObject({ code: "FORBIDDEN", actor: "db" });
    expect(await wipes()).toBe(before);
    // The same user may read: the principal reaches the callee's handler.
    expect((await bus.request("forwarder.forward", { target: "vault.peek" }, { [Header.principal]: token })).body).toEqual({ principal: user, caller: "forwarder" });
    const admin = signPrincipal(LOCAL_ADMIN, signingKey(dir), 60_000);
    expect((await bus.request("forwarder.forward", { target: "vault.wipe" }, { [Header.principal]: admin })).body).toEqual({ principal: LOCAL_ADMIN, caller: "forwarder" });
    expect(await wipes()).toBe(before + 1);
  });

  it("logs every control action with who asked: the principal and client address over HTTP, the calling actor on the bus", async () => {
    expect((await post("/api/hub/scale", { name: "forwarder", instances: 1 })).status).toBe(200);
    expect((await bus.request("hub.restart", { name: "forwarder" }, { [Header.caller]: "ops-script" })).status).toBe(200);
    const lines = () =>
      readFileSync(path.join(dir, ".fuse/logs/hub.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"control action"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const found = await waitFor("both control actions in hub.log", () => (lines().length >= 2 ? lines() : undefined));
    expect(found.find((l) => l.endpoint === "hub.scale")).toMatchObject({ level: 30, input: { name: "forwarder", instances: 1 }, principal: { id: "local", via: "local" }, caller: "gateway", address: expect.stringMatching(/127\.0\.0\.1/) as unknown });
    const restart = found.find((l) => l.endpoint === "hub.restart")!;
    expect(restart).toMatchObject({ input: { name: "forwarder" }, caller: "ops-script" });
    expect(restart.principal).toBeUndefined();
  });
});

describe("access with API keys on a running hub", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;
  let userKey: string;
  const post = async (p: string, body: unknown, key?: string): Promise<Answer> => {
    const res = await fetch(url + p, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Answer["body"] };
  };

  beforeAll(async () => {
    dir = createHubDir({ actors: ACTORS, config: "gateway:\n  auth:\n    keys: true\n" });
    userKey = createApiKey(apiKeyFile(dir), { name: "ada", roles: ["user"] }).key;
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    await waitFor("the gateway to route vault", async () => (await post("/api/vault/open", {})).status === 200);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("a user key relayed by an actor into db.drop or an admin endpoint is FORBIDDEN; the user's principal reaches what it may call", async () => {
    expect((await post("/api/forwarder/forward", { target: "db.drop", input: { table: "notes", confirm: "notes" } }, userKey)).body.error).toMatchObject({ code: "FORBIDDEN", actor: "db" });
    expect((await post("/api/forwarder/forward", { target: "vault.wipe" }, userKey)).status).toBe(403);
    expect(await post("/api/forwarder/forward", { target: "vault.peek" }, userKey)).toEqual({ status: 200, body: { principal: { id: "ada", roles: ["user"], via: "key" }, caller: "forwarder" } });
  });

  it("keeps the verified key from the actors: the principal replaces it (other cookies still pass)", async () => {
    const res = await fetch(`${url}/api/vault/credential`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${userKey}`, cookie: "theme=dark" }, body: "{}" });
    expect(await res.json()).toEqual({ authorization: null, cookie: "theme=dark" });
  });

  it("checks access at the gateway: no key 401 on an authenticated endpoint, a public one answers, a user key 403 on an admin endpoint", async () => {
    expect((await post("/api/vault/peek", {})).status).toBe(401);
    expect(await post("/api/vault/open", {})).toEqual({ status: 200, body: { principal: null, caller: "gateway" } });
    const admin = await post("/api/vault/wipe", {}, userKey);
    expect(admin.status).toBe(403);
    expect(admin.body.error?.code).toBe("FORBIDDEN");
    expect((await post("/api/hub/shutdown", {}, userKey)).status).toBe(403);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(401);
  });
});
