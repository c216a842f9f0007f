/**
 * Whether a gateway address is reachable only from this machine, and whether the config may
 * bind it. Pure: the config schema refuses with it, the gateway checks again when it starts.
 */
import type { GatewayAuthConfig } from "./gateway-auth-config.ts";

/** Addresses of this machine only: `localhost`, 127.0.0.0/8, `::1` (bracketed or not), and 127.x mapped into IPv6. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  const v4 = name.startsWith("::ffff:") ? name.slice(7) : name;
  const parts = v4.split(".");
  return parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The word value of `gateway.auth`: the explicit opt-out of authentication (the other values are objects, see gateway-auth-config.ts). */
export const GatewayAuth = { none: "none" } as const;
export type GatewayAuth = (typeof GatewayAuth)[keyof typeof GatewayAuth];

/** Whether `gateway.auth` configures a credential (API keys or JWTs), rather than none or nothing. */
export function hasAuthentication(auth: GatewayAuthConfig | undefined): auth is Exclude<GatewayAuthConfig, GatewayAuth> {
  return typeof auth === "object" && (auth.keys === true || auth.jwt !== undefined);
}

/**
 * Why the gateway may not bind `host` with this authentication, or undefined when it may. A
 * non-loopback address with no authentication would hand every endpoint, the hub's control
 * endpoints included, to anyone who reaches it; `auth: none` says that is meant.
 */
export function gatewayExposureProblem(host: string, auth: GatewayAuthConfig | undefined): string | undefined {
  if (isLoopbackHost(host) || auth === GatewayAuth.none || hasAuthentication(auth)) return undefined;
  return 'expected a loopback address (127.0.0.1, ::1 or localhost) while the gateway has no authentication; add "auth: { keys: true }" under gateway and create keys with fuse keys create (or configure auth.jwt), or, to serve every endpoint, hub.shutdown included, to anyone who reaches this address, add "auth: none" under gateway';
}
