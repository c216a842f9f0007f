import { ADMIN_ROLE, DEFAULT_ACCESS, ErrorCode, Header, ProcessEnv, SESSION_COOKIE, allows, formatAccess, httpHeader, type Access, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { createPrincipalSigner, readKeyFile, type PrincipalSigner } from "../../security/index.ts";

/** What the gateway's authentication reads of a request (B's `Authenticator` takes the same). */
export interface AccessRequest {
  header(name: string): string | undefined;
  /** The client's address as the socket saw it. */
  address: string;
}

/**
 * The gateway's access pipeline after the browser guard: who is asking (the authenticator),
 * whether they may (the route's access), and the token that tells the actors who asked.
 */
export interface AccessGate {
  /** The request's principal; undefined when it carries no credential. Throws UNAUTHENTICATED or RATE_LIMITED. */
  authenticate(req: AccessRequest): Promise<Principal | undefined>;
  /** Signs `Fuse-Principal` tokens; none when the gateway holds no signing key (then principals stop here). */
  signer?: PrincipalSigner;
}

/** Access of the gateway's own routes: reading files and listings needs a credential, changing files the admin role. */
export const FILE_READ_ACCESS: Access = DEFAULT_ACCESS;
export const FILE_WRITE_ACCESS: Access = { roles: [ADMIN_ROLE] };

/**
 * Whether `principal` may call what `where` names with `access`, over HTTP.
 * @throws UNAUTHENTICATED when a credential is needed and none came; FORBIDDEN when the
 *   principal lacks the role. (Internal endpoints never get here: they are not routed.)
 */
export function checkHttpAccess(where: string, access: Access | undefined, principal: Principal | undefined): void {
  const required = access ?? DEFAULT_ACCESS;
  if (allows(required, principal)) return;
  if (!principal) throw new FuseError(ErrorCode.UNAUTHENTICATED, `${where} needs a credential (${formatAccess(required)}): send Authorization: Bearer <API key or JWT>`);
  throw new FuseError(ErrorCode.FORBIDDEN, `${where} needs ${formatAccess(required)}; "${principal.id}" holds ${principal.roles.length ? principal.roles.join(", ") : "no role"}`);
}

const AUTHORIZATION = httpHeader("authorization");
const API_KEY = httpHeader("x-api-key");
const COOKIE = httpHeader("cookie");
const SESSION = new RegExp(`(^|;\\s*)${SESSION_COOKIE}=[^;]*(;\\s*|$)`);

/**
 * The bus headers that say who asked: the signed principal and the client's address. The
 * credential the gateway took it from (API key, JWT, session cookie) goes no further: the
 * principal replaces it, and no actor could replay a caller's key.
 */
export function principalHeaders(gate: AccessGate, principal: Principal | undefined, address: string, headers: Record<string, string>): Record<string, string> {
  if (principal && gate.signer) headers[Header.principal] = gate.signer.tokenFor(principal);
  if (address) headers[Header.clientAddress] = address;
  if (principal && principal.via !== "local") {
    delete headers[AUTHORIZATION];
    delete headers[API_KEY];
    const cookie = headers[COOKIE];
    if (cookie !== undefined && SESSION.test(cookie)) {
      const rest = cookie.replace(SESSION, (_m, before: string, after: string) => (before && after ? "; " : "")).trim();
      if (rest) headers[COOKIE] = rest;
      else delete headers[COOKIE];
    }
  }
  return headers;
}

/**
 * The signer from the private key whose path the hub gives the gateway
 * (`FUSE_PRINCIPAL_SIGNING_KEY`); none without one (a gateway started outside a hub), said once.
 */
export function signerFromEnv(log: Logger, env: NodeJS.ProcessEnv = process.env): PrincipalSigner | undefined {
  const file = env[ProcessEnv.principalSigningKey];
  if (!file) {
    log.info(`no ${ProcessEnv.principalSigningKey}: the gateway checks access itself but carries no principal on the bus`);
    return undefined;
  }
  return createPrincipalSigner(readKeyFile(file, ProcessEnv.principalSigningKey));
}
