import { FuseError } from "../../errors/index.ts";
import { ErrorCode, type Principal } from "../../protocol/index.ts";
import type { PrincipalVerifier } from "../../security/index.ts";

/**
 * Principals on the in-process bus of `createTestHub`: the test itself plays the gateway, so
 * nothing is signed; the principal travels as its JSON and is taken as it is. The SDK's
 * checks after that (access, FORBIDDEN, `ctx.principal`, carried onward) are the real ones.
 */
export const testPrincipalToken = (principal: Principal): string => JSON.stringify({ id: principal.id, roles: principal.roles, via: principal.via });

export const testPrincipals: PrincipalVerifier = {
  verify(token) {
    try {
      const { id, roles, via } = JSON.parse(token) as Principal;
      if (typeof id === "string" && Array.isArray(roles) && typeof via === "string") return Object.freeze({ id, roles: Object.freeze([...roles]), via });
    } catch {
      // refused below
    }
    throw new FuseError(ErrorCode.UNAUTHENTICATED, "principal token refused: not a test principal");
  },
};
