import { z } from "zod";

/**
 * `gateway.tls`: the gateway serves HTTPS, with a certificate of the user's (`cert` and `key`:
 * files relative to the hub folder, or their PEM text through `${file:…}` / `${env:…}`) or one
 * it makes itself (`selfSigned: true`, kept in .fuse/tls/ and made anew near its expiry).
 */
export const gatewayTlsConfigSchema = z
  .strictObject({
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    selfSigned: z.literal(true).optional(),
  })
  .superRefine((tls, ctx) => {
    const own = tls.cert !== undefined || tls.key !== undefined;
    if (own && tls.selfSigned) ctx.addIssue({ code: "custom", path: ["selfSigned"], message: "expected either cert and key, or selfSigned: true, not both" });
    else if (!own && !tls.selfSigned) ctx.addIssue({ code: "custom", path: [], message: "expected cert and key (PEM files relative to the hub folder), or selfSigned: true" });
    else if (own && (tls.cert === undefined || tls.key === undefined)) {
      ctx.addIssue({ code: "custom", path: [tls.cert === undefined ? "cert" : "key"], message: "expected both cert and key: a certificate is served with its private key" });
    }
  });

/**
 * `bus.tls`: TLS to an outside NATS server (`bus.url`). `ca` is the CA its certificate must chain
 * to; `cert` and `key` a client certificate, for a server that verifies its clients. Files
 * relative to the hub folder; every process of the hub gets their paths, never their contents.
 */
export const busTlsConfigSchema = z
  .strictObject({
    ca: z.string().min(1),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
  })
  .superRefine((tls, ctx) => {
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      ctx.addIssue({ code: "custom", path: [tls.cert === undefined ? "cert" : "key"], message: "expected both cert and key for a client certificate, or neither" });
    }
  });

export type GatewayTlsConfig = z.output<typeof gatewayTlsConfigSchema>;
export type BusTlsConfig = z.output<typeof busTlsConfigSchema>;
