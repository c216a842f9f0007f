import { ConfigError, FuseError } from "../errors/index.ts";
import { DEFAULT_ACCESS, ErrorCode, allows, formatAccess, type Access, type Principal } from "../protocol/index.ts";

/** A role name: letters, digits, `_`, `-`, `.` and `:` (never a comma: metadata joins roles with commas). */
const ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Checks the `access` an endpoint declares, at definition.
 * @throws CONFIG_INVALID naming the endpoint and what is wrong.
 */
export function checkAccess(where: string, access: unknown): void {
  if (access === undefined || access === "public" || access === "authenticated" || access === "internal") return;
  const roles = (access as { roles?: unknown } | null)?.roles;
  if (typeof access !== "object" || access === null || Array.isArray(access) || !Array.isArray(roles)) {
    throw new ConfigError(`${where}: access must be "public", "authenticated", "internal" or { roles: [...] }, got ${JSON.stringify(access)}`);
  }
  if (roles.length === 0) throw new ConfigError(`${where}: access.roles must name at least one role (an empty list would admit no one but admins)`);
  const bad = roles.find((role) => typeof role !== "string" || !ROLE.test(role));
  if (bad !== undefined) throw new ConfigError(`${where}: access.roles has ${JSON.stringify(bad)}; a role is 1–64 letters, digits, _ - . or :`);
}

/** The access as `$SRV.INFO` metadata text; undefined for the default, which needs no entry. */
export function accessText(access: Access | undefined): string | undefined {
  return access === undefined || access === DEFAULT_ACCESS ? undefined : formatAccess(access);
}

/**
 * Whether a request carrying `principal` may run an endpoint of `access`, checked by the SDK
 * before the handler: an internal endpoint takes any bus caller (it is never routed from
 * HTTP); any other needs what `allows` says.
 * @throws FORBIDDEN naming the endpoint, the access and the principal.
 */
export function checkPrincipalAccess(where: string, access: Access | undefined, principal: Principal): void {
  const required = access ?? DEFAULT_ACCESS;
  if (required === "internal" || allows(required, principal)) return;
  throw new FuseError(ErrorCode.FORBIDDEN, `${where} needs ${formatAccess(required)}; principal "${principal.id}" (${principal.via}) holds ${principal.roles.length ? principal.roles.join(", ") : "no role"}`);
}
