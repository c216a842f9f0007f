/**
 * Names shared by the gateway and the CLI for HTTPS and the dashboard's sign-in: where the
 * hub keeps its self-signed certificate and its one-time sign-in links, the session cookie,
 * and the paths of the sign-in routes. Pure constants.
 */

/** The hub's TLS material (self-signed gateway certificate), relative to the hub folder; 0700. */
export const TLS_DIR = ".fuse/tls";
/** The gateway's self-signed certificate (PEM): what the CLI trusts to reach the hub's own gateway. */
export const GATEWAY_CERT_FILE = `${TLS_DIR}/gateway.crt`;
/** Its private key (PEM), 0600. */
export const GATEWAY_KEY_FILE = `${TLS_DIR}/gateway.key`;

/**
 * One-time sign-in links of the dashboard, relative to the hub folder (0700): `fuse dashboard`
 * writes one file per link, named by the SHA-256 of the link's token, and the gateway deletes it
 * when the link is used. Only who may write the hub folder, its owner, can make one.
 */
export const LOGIN_LINKS_DIR = ".fuse/login-links";

/** The dashboard's session cookie: a random id the gateway maps to a principal in its memory. */
export const SESSION_COOKIE = "fuse_session";

/** The gateway's sign-in routes. */
export const SessionRoute = {
  /** GET: who is signed in and the CSRF token; POST `{ key }`: sign in; DELETE: sign out. */
  session: "/auth/session",
  /** GET `/auth/link/<token>`: a one-time link that signs the browser in and redirects to the dashboard. */
  link: "/auth/link",
} as const;

/** What a link file holds (JSON). */
export interface LoginLinkRecord {
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
  /** Who the session is for. */
  principalId: string;
}
