import { z } from "zod";

/** Algorithms a JWT may be signed with: HMAC for a shared secret, the asymmetric ones for a JWKS. */
export const JWT_ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
const HMAC = new Set<string>(["HS256", "HS384", "HS512"]);

/**
 * `gateway.auth.jwt`: JWTs a client sends as `Authorization: Bearer <jwt>`, checked with a
 * shared `secret` (HMAC, e.g. `${env:JWT_SECRET}`) or the public keys at `jwksUrl`. The
 * principal is the token's `sub`, its roles the claim at `rolesClaim`.
 */
export const jwtConfigSchema = z
  .strictObject({
    /** Shared HMAC secret (HS256 by default), at least 32 characters; better `${env:NAME}` or `${file:path}` than the text itself. */
    secret: z.string().min(32, "expected at least 32 characters (256 bits) for an HMAC secret").optional(),
    /** URL of the issuer's JSON Web Key Set (`https://issuer/.well-known/jwks.json`). */
    jwksUrl: z.url({ protocol: /^https?$/, error: "expected an http(s) URL of a JWKS" }).optional(),
    /** Expected `iss`: a token from another issuer is refused. */
    issuer: z.string().min(1).optional(),
    /** Expected `aud` (one of them): a token for another audience is refused. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Claim holding the roles (an array, or a space-separated string); a dotted path reaches into objects (`realm_access.roles`). */
    rolesClaim: z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "expected a claim name or a dotted path like realm_access.roles").default("roles"),
    /** Accepted signing algorithms. Default: HS256 with a secret; RS256, ES256 and EdDSA with a JWKS. */
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).optional(),
    /** Leeway for `exp` and `nbf` between the issuer's clock and this machine's, in ms. */
    clockToleranceMs: z.number().int().min(0).max(300_000).default(5000),
  })
  .superRefine((jwt, ctx) => {
    if (Boolean(jwt.secret) === Boolean(jwt.jwksUrl)) {
      ctx.addIssue({ code: "custom", path: jwt.secret ? ["jwksUrl"] : ["secret"], message: "expected exactly one of secret (a shared HMAC secret) or jwksUrl (the issuer's public keys)" });
      return;
    }
    const wrong = (jwt.algorithms ?? []).filter((a) => HMAC.has(a) !== Boolean(jwt.secret));
    if (wrong.length) {
      ctx.addIssue({ code: "custom", path: ["algorithms"], message: `${wrong.join(", ")} cannot be checked with ${jwt.secret ? "a secret: expected HS256, HS384 or HS512" : "a JWKS: expected RS*, PS*, ES* or EdDSA"}` });
    }
  });

/**
 * `gateway.auth`: `none` (no authentication even off loopback, warned at every start), or the
 * credentials the gateway accepts: API keys made by `fuse keys create`, JWTs, or both.
 */
export const gatewayAuthSchema = z.union([
  z.literal("none"),
  z
    .strictObject({
      /** Accept API keys (`Authorization: Bearer fuse_…` or `X-Api-Key`) made by `fuse keys create`. */
      keys: z.boolean().optional(),
      jwt: jwtConfigSchema.optional(),
    })
    .refine((auth) => auth.keys === true || auth.jwt !== undefined, "expected keys: true, a jwt section, or both (or none to serve without authentication)"),
], { error: 'expected "none" or an object with keys: true and/or a jwt section' });

/** A budget of `requests` per `perMs`, refilled evenly (a token bucket). */
const budgetSchema = z.strictObject({
  requests: z.number().int().min(1),
  perMs: z.number().int().min(100),
});

/**
 * `gateway.rateLimit`: budgets per principal and per client address (off unless set), and for
 * failed authentications per address (on by default: 10 a minute, then 429 for every request
 * with a credential from that address until the budget refills).
 */
export const rateLimitConfigSchema = z.strictObject({
  perPrincipal: budgetSchema.optional(),
  perAddress: budgetSchema.optional(),
  failedAuth: z.strictObject({ attempts: z.number().int().min(1), perMs: z.number().int().min(100) }).default({ attempts: 10, perMs: 60_000 }),
});

export type JwtConfig = z.output<typeof jwtConfigSchema>;
export type GatewayAuthConfig = z.output<typeof gatewayAuthSchema>;
export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;
