import { describe, expect, it } from "vitest";
import { parseInstanceLost } from "../../../runtime/sdk/instance-lost.ts";

const notice = (body: unknown) => new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));

describe("reading the hub's instance-lost notices", () => {
  it("names the actor and service id of a notice of this hub's prefix", () => {
    expect(parseInstanceLost(notice({ instance: "abc", subjects: "fuse.ledger." }), "fuse")).toEqual({ actor: "ledger", serviceId: "abc" });
    expect(parseInstanceLost(notice({ instance: "abc", subjects: "t1.x.ledger." }), "t1.x")).toEqual({ actor: "ledger", serviceId: "abc" });
  });

  it("ignores another hub's notices, even one whose prefix begins with ours", () => {
    expect(parseInstanceLost(notice({ instance: "abc", subjects: "other.ledger." }), "fuse")).toBeUndefined();
    expect(parseInstanceLost(notice({ instance: "abc", subjects: "fuse.b.ledger." }), "fuse")).toBeUndefined();
  });

  it("ignores what is not a notice", () => {
    expect(parseInstanceLost(notice("not json"), "fuse")).toBeUndefined();
    expect(parseInstanceLost(notice({ subjects: "fuse.ledger." }), "fuse")).toBeUndefined();
    expect(parseInstanceLost(notice({ instance: "abc" }), "fuse")).toBeUndefined();
    expect(parseInstanceLost(notice({ instance: "abc", subjects: "fuse.." }), "fuse")).toBeUndefined();
  });
});
