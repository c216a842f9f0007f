import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { connect, credsAuthenticator, type NatsConnection, type Status } from "nats";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NatsTransport, callEndpoint, connectNats, natsAuthenticator } from "../../runtime/bus/index.ts";
import { ErrorCode, endpointSubject, eventStreamName, inboxPrefix, ownBuckets } from "../../runtime/protocol/index.ts";
import { createHubDir, hubNatsOptions, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// The hub's nats-server as another local user would try it: with no credential, and with an
// actor's own identity reaching for what only the admin or another actor may do.
const ACTORS = { alpha: "worker", beta: "worker", gamma: "worker" };
const config = (actors: string[]) => `discover: false\nactors:\n${actors.map((a) => `  ${a}: {}\n`).join("")}`;

/** Status errors the server reported to `nc` about refused subscriptions and publishes. */
function violations(nc: NatsConnection): { operation: string; subject: string }[] {
  const seen: { operation: string; subject: string }[] = [];
  void (async () => {
    for await (const s of nc.status() as AsyncIterable<Status & { permissionContext?: { operation: string; subject: string } }>) {
      if (s.permissionContext) seen.push({ operation: s.permissionContext.operation, subject: s.permissionContext.subject });
    }
  })();
  return seen;
}

/** The refusals the hub logged (hub.log lines of hub.bus-auth). */
function loggedRefusals(dir: string): Record<string, unknown>[] {
  return readFileSync(path.join(dir, ".fuse/logs/hub.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes("hub.bus-auth"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("bus identities: the hub's NATS requires a credential, and an actor's holds only its rights", () => {
  let dir: string;
  let hub: RunningHub;
  let credsDir: string;
  const alphaBus = (name: string) => ({ url: hub.state.natsUrl, name, credsFile: path.join(credsDir, "alpha.creds"), inboxPrefix: inboxPrefix("alpha") });
  const alpha = () => ({ servers: hub.state.natsUrl, authenticator: natsAuthenticator(path.join(credsDir, "alpha.creds")), inboxPrefix: inboxPrefix("alpha") });

  beforeAll(async () => {
    dir = createHubDir({ config: config(["alpha", "beta"]), actors: ACTORS });
    hub = await startHub(dir);
    credsDir = path.join(dir, ".fuse/nats/creds");
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("refuses a client without a credential, and one with a seed the hub did not make", async () => {
    await expect(connect({ servers: hub.state.natsUrl, reconnect: false })).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    const stranger = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";
    const foreign = await import("nats").then(({ nkeyAuthenticator }) => nkeyAuthenticator(Buffer.from(stranger)));
    await expect(connect({ servers: hub.state.natsUrl, reconnect: false, authenticator: foreign, name: "stranger" })).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    const refused = await waitFor("both refusals in hub.log", () => {
      const found = loggedRefusals(dir).filter((l) => l.kind === "connect");
      return found.length >= 2 ? found : undefined;
    }, 5000);
    expect(refused).toHaveLength(2);
    expect(refused[1]).toMatchObject({ level: 40, connection: "stranger", msg: "bus refused a client without a valid credential" });
  });

  it("lets the admin identity of the state file call hub.list", async () => {
    expect(hub.state.natsCreds).toBe(path.join(credsDir, "_admin.creds"));
    const nc = await connect(hubNatsOptions(hub.state));
    try {
      const transport = new NatsTransport(nc);
      const target = { actor: "hub", endpoint: "list" };
      const { actors } = (await callEndpoint(transport, { ...target, subject: endpointSubject(hub.state.prefix, "hub", "list") }, {}, { timeoutMs: 5000, headers: {} })) as { actors: { name: string }[] };
      expect(actors.map((a) => a.name).sort()).toEqual(["alpha", "beta", "db", "gateway", "taskmaster"]);
    } finally {
      await nc.close();
    }
  });

  it("refuses hub.shutdown to an actor's identity with FORBIDDEN at once, and the hub keeps running every actor", async () => {
    const transport = new NatsTransport(await connectNats(alphaBus("alpha-as-attacker")));
    try {
      const began = Date.now();
      const shutdown = callEndpoint(transport, { actor: "hub", endpoint: "shutdown", subject: endpointSubject(hub.state.prefix, "hub", "shutdown") }, {}, { timeoutMs: 10_000, headers: {} });
      await expect(shutdown).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(Date.now() - began).toBeLessThan(5000);
      // What the identity may do still works: a call to another actor's endpoint.
      const echo = await callEndpoint(transport, { actor: "beta", endpoint: "echo", subject: endpointSubject(hub.state.prefix, "beta", "echo") }, { text: "hi" }, { timeoutMs: 5000, headers: {} });
      expect(echo).toMatchObject({ text: "hi" });
    } finally {
      await transport.close();
    }
    const actors = await hub.list();
    expect(actors.filter((a) => a.status === "running")).toHaveLength(5);
    expect(hub.process.exitCode).toBeNull();
    expect(hub.output()).not.toContain("hub stopping");
    // The refusal is in the hub's log, naming the identity that tried.
    const refusals = await waitFor("the refusal in hub.log", () => {
      const found = loggedRefusals(dir).filter((l) => l.subject === `${hub.state.prefix}.hub.shutdown`);
      return found.length ? found : undefined;
    }, 5000);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 40, kind: "publish", identity: "alpha", connection: "alpha-as-attacker" });
  });

  it("refuses an actor's identity to subscribe to another actor's subjects or to read another identity's inbox", async () => {
    const nc = await connect(alpha());
    const refused = violations(nc);
    try {
      const forbidden = [`${hub.state.prefix}.beta.>`, `${hub.state.prefix}.hub.list`, `${inboxPrefix("beta")}.>`, `${inboxPrefix("_admin")}.>`, "_INBOX.>", ">"];
      for (const subject of forbidden) nc.subscribe(subject);
      // Its own are allowed: its endpoints and its inbox.
      nc.subscribe(`${hub.state.prefix}.alpha.extra`);
      nc.subscribe(`${inboxPrefix("alpha")}.mine`);
      await nc.flush();
      await waitFor("the server to refuse every forbidden subscription", () => (refused.length >= forbidden.length ? true : undefined), 5000);
      await nc.flush();
      expect(refused.map((r) => r.operation)).toEqual(forbidden.map(() => "subscription"));
      expect(refused.map((r) => r.subject).sort()).toEqual([...forbidden].sort());
    } finally {
      await nc.close();
    }
  });

  it("refuses an actor's identity to delete the hub's event stream; JetStream otherwise works for it", async () => {
    const own = new NatsTransport(await connectNats(alphaBus("alpha-kv")));
    try {
      const kv = await own.keyValue(ownBuckets(hub.state.prefix, "alpha").kv);
      await kv.put("k", new TextEncoder().encode("v"));
      expect((await kv.get("k"))?.revision).toBe(1);
    } finally {
      await own.close();
    }
    const nc = await connect(alpha());
    const stream = eventStreamName(hub.state.prefix);
    try {
      const jsm = await nc.jetstreamManager();
      await expect(jsm.streams.delete(stream)).rejects.toMatchObject({ code: "PERMISSIONS_VIOLATION" });
    } finally {
      await nc.close();
    }
    const admin = await connect(hubNatsOptions(hub.state));
    try {
      expect((await (await admin.jetstreamManager()).streams.info(stream)).config.name).toBe(stream);
    } finally {
      await admin.close();
    }
    const refused = await waitFor("the refusal in hub.log", () => {
      const found = loggedRefusals(dir).filter((l) => l.subject === `$JS.API.STREAM.DELETE.${stream}`);
      return found.length ? found : undefined;
    }, 5000);
    expect(refused).toEqual([expect.objectContaining({ kind: "publish", identity: "alpha" })]);
  });

  it("fails calls at once with FORBIDDEN when an identity's connection uses another's inbox", async () => {
    const transport = new NatsTransport(await connectNats({ ...alphaBus("alpha-wrong-inbox"), inboxPrefix: inboxPrefix("beta") }));
    try {
      await transport.flush();
      const began = Date.now();
      const call = callEndpoint(transport, { actor: "beta", endpoint: "echo", subject: endpointSubject(hub.state.prefix, "beta", "echo") }, { text: "x" }, { timeoutMs: 10_000, headers: {} });
      await expect(call).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN, message: expect.stringContaining("may not read replies on _INBOX.beta.") });
      expect(Date.now() - began).toBeLessThan(1000);
    } finally {
      await transport.close();
    }
  });

  it("keeps credentials in 0600 files of a 0700 folder, one per identity, out of argv, the environment and the logs", async () => {
    const files = readdirSync(credsDir).sort();
    expect(files).toEqual(["_admin.creds", "_hub.creds", "alpha.creds", "beta.creds", "db.creds", "gateway.creds", "taskmaster.creds"]);
    expect(statSync(credsDir).mode & 0o777).toBe(0o700);
    for (const file of files) expect(statSync(path.join(credsDir, file)).mode & 0o777).toBe(0o600);
    // A .creds file: the identity's JWT (its rights, signed by the hub's account) and its seed.
    const texts = files.map((f) => readFileSync(path.join(credsDir, f), "utf8"));
    expect(texts.every((t) => t.includes("-----BEGIN NATS USER JWT-----"))).toBe(true);
    const seeds = texts.map((t) => /\b(SU[A-Z2-7]{56})\b/.exec(t)?.[1]);
    expect(seeds.every((s) => s !== undefined)).toBe(true);
    expect(new Set(seeds).size).toBe(files.length);
    expect(statSync(path.join(dir, ".fuse/nats/keys.json")).mode & 0o777).toBe(0o600);

    const actors = await hub.list();
    const pids = actors.flatMap((a) => a.pids);
    expect(pids).toHaveLength(5);
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      for (const seed of seeds as string[]) {
        expect(argv).not.toContain(seed);
        expect(environ).not.toContain(seed);
      }
      expect(environ).toMatch(new RegExp(`FUSE_NATS_CREDS=${credsDir}/[a-z]+\\.creds`));
    }
    const logDir = path.join(dir, ".fuse/logs");
    const logs = readdirSync(logDir).map((f) => readFileSync(path.join(logDir, f), "utf8")).join("\n") + hub.output();
    expect(logs.length).toBeGreaterThan(0);
    for (const seed of seeds as string[]) expect(logs).not.toContain(seed);
    // The server's own lines have a file of their own, private like the rest.
    const serverLog = path.join(logDir, "nats-server.log");
    expect(readFileSync(serverLog, "utf8")).toMatch(/Server is ready/);
    expect(statSync(serverLog).mode & 0o777).toBe(0o600);
  });

  it("gives an actor added while the hub runs an identity of its own without reloading the server: calls in flight keep their replies", async () => {
    // A reload of nats-server's config makes it forget the requests it delivered, and refuse
    // their answers; an identity is a signed JWT instead, so nothing reloads.
    const inFlight = Array.from({ length: 8 }, () => hub.call("beta.slow", { ms: 12_000 }));
    writeFileSync(path.join(dir, "config/fuse.yaml"), config(["alpha", "beta", "gamma"]));
    await waitFor("gamma running", async () => ((await hub.list()).some((a) => a.name === "gamma" && a.status === "running") ? true : undefined), 30_000);
    const settled = await Promise.allSettled(inFlight);
    expect({ sent: 8, answered: settled.filter((r) => r.status === "fulfilled").length }).toEqual({ sent: 8, answered: 8 });
    expect(await hub.call("gamma.echo", { text: "late" })).toMatchObject({ text: "late" });
    expect(statSync(path.join(credsDir, "gamma.creds")).mode & 0o777).toBe(0o600);
    expect(loggedRefusals(dir).filter((l) => l.kind !== "connect" && l.identity !== "alpha")).toEqual([]);
    // The store still answers, and gamma's own buckets were made for it.
    const nc = await connect(hubNatsOptions(hub.state));
    try {
      const kv = await new NatsTransport(nc).keyValue("after-gamma");
      await kv.put("k", new TextEncoder().encode("v"));
      expect(new TextDecoder().decode((await kv.get("k"))!.value)).toBe("v");
    } finally {
      await nc.close();
    }
  });

  it("refuses a credential of an earlier run: the account revokes every JWT issued before the hub started", async () => {
    const { encodeUser, fmtCreds, createUser, fromSeed } = await import("@nats-io/jwt");
    const seeds = JSON.parse(readFileSync(path.join(dir, ".fuse/nats/keys.json"), "utf8")) as { account: string };
    const account = fromSeed(new TextEncoder().encode(seeds.account));
    const signed = async (issuedAt: number) => {
      const user = createUser();
      // encodeUser stamps Date.now() as the JWT's issue time.
      const clock = vi.spyOn(Date, "now").mockReturnValue(issuedAt);
      try {
        return fmtCreds(await encodeUser("copied", user, account, {}), user);
      } finally {
        clock.mockRestore();
      }
    };
    const options = (creds: Uint8Array) => ({ servers: hub.state.natsUrl, reconnect: false, authenticator: credsAuthenticator(creds) });
    // Signed by the hub's own account key, as the run before this one signed its credentials.
    await expect(connect(options(await signed(hub.state.startedAt - 60_000)))).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    // The same, issued now, connects: the refusal above is the revocation, nothing else.
    const now = await connect(options(await signed(Date.now())));
    await now.close();
  });

  it("lets the gateway relay an admin's call to the hub and the built-ins work within their rights: no refusal but the attacker's", async () => {
    const post = (target: string, body: unknown) =>
      fetch(`${hub.state.gatewayUrl!}/api/${target.replace(".", "/")}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const list = await post("hub.list", {});
    expect(list.status).toBe(200);
    expect(((await list.json()) as { actors: unknown[] }).actors).toHaveLength(6);
    const echo = await post("beta.echo", { text: "via http" });
    expect({ status: echo.status, body: await echo.json() }).toMatchObject({ status: 200, body: { text: "via http" } });
    const others = loggedRefusals(dir).filter((l) => l.kind !== "connect" && l.identity !== "alpha");
    expect(others).toEqual([]);
  });
});
