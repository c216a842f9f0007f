/**
 * Who may call an endpoint, and who is calling: the shapes every part of Fuse agrees on (the
 * SDK declares and checks access, the gateway authenticates and routes, the CLI shows it).
 */

/** The role every control or destructive endpoint of the built-in actors requires. */
export const ADMIN_ROLE = "admin";

/**
 * Access of one endpoint:
 * - `public`: anyone, no credential;
 * - `authenticated` (the default): any valid credential;
 * - `{ roles: [...] }`: a credential holding one of these roles;
 * - `internal`: other actors on the bus only; the gateway never routes it and leaves it out of
 *   `/api`, OpenAPI, `/docs` and the dashboard.
 */
export type Access = "public" | "authenticated" | "internal" | { roles: readonly string[] };

export const DEFAULT_ACCESS: Access = "authenticated";

/** How a principal proved who it is. */
export type PrincipalVia = "key" | "jwt" | "local" | "session";

/** The outside caller a request acts for, as a handler sees it in `ctx.principal`. */
export interface Principal {
  /** The API key's name, the JWT's subject, or `local`. */
  readonly id: string;
  readonly roles: readonly string[];
  readonly via: PrincipalVia;
}

/** The principal of requests from this machine to a loopback gateway with no authentication configured. */
export const LOCAL_ADMIN: Principal = Object.freeze({ id: "local", roles: Object.freeze([ADMIN_ROLE]), via: "local" });

/** Whether `principal` (undefined: no credential) may call an endpoint of `access`, over HTTP. */
export function allows(access: Access, principal: Principal | undefined): boolean {
  if (access === "public") return true;
  if (access === "internal") return false;
  if (!principal) return false;
  if (access === "authenticated") return true;
  return principal.roles.includes(ADMIN_ROLE) || access.roles.some((role) => principal.roles.includes(role));
}

/** The access as one word for listings and metadata: `public`, `authenticated`, `internal` or `roles:a,b`. */
export function formatAccess(access: Access): string {
  return typeof access === "string" ? access : `roles:${access.roles.join(",")}`;
}

/** The inverse of `formatAccess`; undefined for text that is not an access. */
export function parseAccess(text: string | undefined): Access | undefined {
  if (text === "public" || text === "authenticated" || text === "internal") return text;
  if (text?.startsWith("roles:")) {
    const roles = text.slice("roles:".length).split(",").filter(Boolean);
    return roles.length ? { roles } : undefined;
  }
  return undefined;
}
