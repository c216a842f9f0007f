import { describe, expect, it } from "vitest";
import { ADMIN_IDENTITY, HUB_IDENTITY, INSTANCE_LOST_SUBJECT, busPermissions, busRoleOf, inboxPrefix } from "../../../runtime/protocol/index.ts";

describe("bus permissions derived from what the hub runs", () => {
  it("leaves the hub and the admin unrestricted", () => {
    expect(busPermissions({ name: HUB_IDENTITY, role: "owner" }, { prefix: "fuse" })).toBeUndefined();
    expect(busPermissions({ name: ADMIN_IDENTITY, role: "owner" }, { prefix: "fuse" })).toBeUndefined();
  });

  it("lets an actor subscribe only to its own endpoints, inbox and discovery subjects, the instance-lost notices and its own consumers' advisories", () => {
    const rights = busPermissions({ name: "shop", role: "actor", uses: { kv: [], files: [], topics: ["order.placed"] } }, { prefix: "app" })!;
    expect(rights.subscribe.allow).toEqual([
      "app.shop.>",
      "_INBOX.shop.>",
      "$SRV.*",
      "$SRV.*.shop",
      "$SRV.*.shop.*",
      INSTANCE_LOST_SUBJECT,
      "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.app-events.shop--order_placed",
    ]);
    expect(rights.subscribe.allow.some((s) => s.includes("hub") || s === ">" || s === "_INBOX.>")).toBe(false);
  });

  it("lets an actor call any actor but the hub, emit events and write its own dead letters, with no JetStream wildcard and no stream making, and not ask for the trace store's spans", () => {
    const rights = busPermissions({ name: "shop", role: "actor" }, { prefix: "app" })!;
    expect(rights.publish.allow).toEqual(expect.arrayContaining(["app.*.*", "app.events.>", "app.events-dead.shop.>", "$SRV.>"]));
    expect(rights.publish.allow).not.toContain("app.events-dead.>");
    expect(rights.publish.deny).toEqual(["app.hub.>", "$SRV.TRACES"]);
    for (const wide of ["$JS.API.>", "$KV.>", "$O.>", "$JS.ACK.>", "$JS.FC.>"]) expect(rights.publish.allow).not.toContain(wide);
    expect(rights.publish.allow.filter((s) => /STREAM\.(CREATE|UPDATE|DELETE)|CONSUMER\.DURABLE/.test(s))).toEqual([]);
  });

  it("gives an actor its own kv and file buckets, the declared ones, and no other", () => {
    const rights = busPermissions({ name: "shop", role: "actor", uses: { kv: ["stock"], files: ["uploads"], topics: [] } }, { prefix: "app" })!;
    const buckets = new Set(rights.publish.allow.filter((s) => s.startsWith("$KV.") || s.startsWith("$O.")));
    // app-bodies: reply bodies too large for the bus, which every identity writes and reads.
    expect(buckets).toEqual(new Set(["$KV.app-kv-shop.>", "$KV.stock.>", "$O.app-files-shop.>", "$O.uploads.>", "$O.app-bodies.>"]));
    expect(rights.publish.allow).toEqual(expect.arrayContaining([
      "$JS.API.STREAM.INFO.KV_stock",
      "$JS.API.DIRECT.GET.KV_stock.>",
      "$JS.API.CONSUMER.CREATE.KV_stock.>",
      "$JS.API.CONSUMER.MSG.NEXT.KV_stock.*",
      "$JS.API.STREAM.PURGE.OBJ_uploads",
      "$JS.ACK.OBJ_uploads.>",
    ]));
    // Every JetStream API right names one of its own streams (or the event streams' info, which every actor reads to emit).
    const streams = ["KV_app-kv-shop", "KV_stock", "OBJ_app-files-shop", "OBJ_uploads", "OBJ_app-bodies", "app-events", "app-events-dead"];
    for (const subject of rights.publish.allow.filter((s) => s.startsWith("$JS.API.") && s !== "$JS.API.INFO" && s !== "$JS.API.STREAM.NAMES")) {
      expect(streams.some((stream) => subject.split(".").includes(stream)), subject).toBe(true);
    }
  });

  it("lets an actor make, read and pull only its own consumer of each topic it subscribes to, with that topic's filter", () => {
    const rights = busPermissions({ name: "mailer", role: "actor", uses: { kv: [], files: [], topics: ["order.placed", "user.*"] } }, { prefix: "app" })!;
    const events = rights.publish.allow.filter((s) => s.includes("app-events"));
    expect(events).toEqual([
      "$JS.API.STREAM.INFO.app-events",
      "$JS.API.STREAM.INFO.app-events-dead",
      "$JS.API.CONSUMER.INFO.app-events.mailer--order_placed",
      "$JS.API.CONSUMER.CREATE.app-events.mailer--order_placed.app.events.order.placed",
      "$JS.API.CONSUMER.MSG.NEXT.app-events.mailer--order_placed",
      "$JS.ACK.app-events.mailer--order_placed.>",
      "$JS.API.CONSUMER.INFO.app-events.mailer--user_any",
      "$JS.API.CONSUMER.CREATE.app-events.mailer--user_any.app.events.user.*",
      "$JS.API.CONSUMER.MSG.NEXT.app-events.mailer--user_any",
      "$JS.ACK.app-events.mailer--user_any.>",
      "$JS.API.STREAM.MSG.GET.app-events",
    ]);
    const none = busPermissions({ name: "quiet", role: "actor" }, { prefix: "app" })!;
    expect(none.publish.allow.filter((s) => s.includes("app-events."))).toEqual([]);
    expect(none.publish.allow).not.toContain("$JS.API.STREAM.MSG.GET.app-events");
  });

  it("lets the gateway (control) call the hub too, and keep the hub's file storage as its own", () => {
    expect(busRoleOf("gateway")).toBe("control");
    expect(busRoleOf("shop")).toBe("actor");
    const gateway = busPermissions({ name: "gateway", role: busRoleOf("gateway") }, { prefix: "fuse" })!;
    expect(gateway.publish.deny).toBeUndefined();
    expect(gateway.publish.allow).toContain("$O.fuse-files.>");
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
