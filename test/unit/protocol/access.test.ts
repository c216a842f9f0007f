import { describe, expect, it } from "vitest";
import { LOCAL_ADMIN, allows, formatAccess, parseAccess, type Access, type Principal } from "../../../runtime/protocol/index.ts";

const user: Principal = { id: "ada", roles: ["user"], via: "key" };
const ops: Principal = { id: "bob", roles: ["ops"], via: "jwt" };

describe("endpoint access", () => {
  it("lets each kind of caller through only where its access allows", () => {
    const table = (access: Access) => [undefined, user, ops, LOCAL_ADMIN].map((p) => allows(access, p));
    expect(table("public")).toEqual([true, true, true, true]);
    expect(table("authenticated")).toEqual([false, true, true, true]);
    // admin holds every role
    expect(table({ roles: ["ops"] })).toEqual([false, false, true, true]);
    expect(table({ roles: ["admin"] })).toEqual([false, false, false, true]);
    // never over HTTP, whoever asks
    expect(table("internal")).toEqual([false, false, false, false]);
  });

  it("writes access as one word and reads it back; anything else is not an access", () => {
    for (const access of ["public", "authenticated", "internal", { roles: ["admin", "ops"] }] as Access[]) {
      expect(parseAccess(formatAccess(access))).toEqual(access);
    }
    expect(formatAccess({ roles: ["admin", "ops"] })).toBe("roles:admin,ops");
    expect([parseAccess("roles:"), parseAccess("everyone"), parseAccess(undefined)]).toEqual([undefined, undefined, undefined]);
  });
});
