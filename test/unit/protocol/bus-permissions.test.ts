import { describe, expect, it } from "vitest";
import { ADMIN_IDENTITY, HUB_IDENTITY, INSTANCE_LOST_SUBJECT, busPermissions, busRoleOf, inboxPrefix } from "../../../runtime/protocol/index.ts";

describe("bus permissions derived from what the hub runs", () => {
  it("leaves the hub and the admin unrestricted", () => {
    expect(busPermissions({ name: HUB_IDENTITY, role: "owner" }, { prefix: "fuse" })).toBeUndefined();
    expect(busPermissions({ name: ADMIN_IDENTITY, role: "owner" }, { prefix: "fuse" })).toBeUndefined();
  });

  it("lets an actor subscribe only to its own endpoints, inbox and discovery subjects, and the instance-lost notices", () => {
    const rights = busPermissions({ name: "shop", role: "actor" }, { prefix: "app" })!;
    expect(rights.subscribe.allow).toEqual([
      "app.shop.>",
      "_INBOX.shop.>",
      "$SRV.*",
      "$SRV.*.shop",
      "$SRV.*.shop.*",
      INSTANCE_LOST_SUBJECT,
      "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.app-events.>",
    ]);
    expect(rights.subscribe.allow.some((s) => s.includes("hub") || s === ">" || s === "_INBOX.>")).toBe(false);
  });

  it("lets an actor call any actor but the hub, emit events, write its own dead letters and use JetStream short of deleting the event streams or their consumers", () => {
    const rights = busPermissions({ name: "shop", role: "actor" }, { prefix: "app" })!;
    expect(rights.publish.allow).toEqual(expect.arrayContaining(["app.*.*", "app.events.>", "app.events-dead.shop.>", "$SRV.>", "$JS.API.>", "$KV.>", "$O.>"]));
    expect(rights.publish.allow).not.toContain("app.events-dead.>");
    expect(rights.publish.deny).toContain("app.hub.>");
    expect(rights.publish.deny).toEqual(expect.arrayContaining(["$JS.API.STREAM.DELETE.app-events", "$JS.API.STREAM.PURGE.app-events-dead", "$JS.API.STREAM.UPDATE.app-events"]));
    expect(rights.publish.deny).toContain("$JS.API.CONSUMER.DELETE.app-events.>");
    expect(rights.publish.deny).toHaveLength(11);
  });

  it("lets the gateway (control) call the hub too, with everything else as an actor's", () => {
    expect(busRoleOf("gateway")).toBe("control");
    expect(busRoleOf("shop")).toBe("actor");
    const gateway = busPermissions({ name: "gateway", role: busRoleOf("gateway") }, { prefix: "fuse" })!;
    expect(gateway.publish.deny).not.toContain("fuse.hub.>");
    expect(gateway.publish.deny).toHaveLength(10);
    expect(gateway.subscribe.allow[0]).toBe("fuse.gateway.>");
  });

  it("allows one answer per request received, two (receipt and reply) with receipts", () => {
    expect(busPermissions({ name: "a", role: "actor" }, { prefix: "fuse" })!.allow_responses).toEqual({ max: 1, expires: "24h" });
    expect(busPermissions({ name: "a", role: "actor" }, { prefix: "fuse", receipts: true })!.allow_responses).toEqual({ max: 2, expires: "24h" });
  });

  it("gives each identity an inbox of its own", () => {
    expect(inboxPrefix("shop")).toBe("_INBOX.shop");
    expect(inboxPrefix(ADMIN_IDENTITY)).toBe("_INBOX._admin");
  });
});
