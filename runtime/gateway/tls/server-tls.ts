import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { GatewayTlsConfig } from "../../config/index.ts";
import { ConfigError } from "../../errors/index.ts";
import { ensureSelfSigned, type ServerTls } from "./self-signed.ts";

const PEM = "-----BEGIN ";

const refuse = (key: string, message: string, cause?: unknown) => new ConfigError(`gateway.tls.${key}: ${message}`, { location: { key: `gateway.tls.${key}` }, cause });

/** A value of `gateway.tls.cert|key`: PEM text (put there by a `${file:…}` or `${env:…}` reference), or a file relative to the hub folder. */
function pemOf(value: string, hubDir: string, key: string): string {
  if (value.trimStart().startsWith(PEM)) return value;
  const file = path.resolve(hubDir, value);
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw refuse(key, `cannot read ${file}: ${reason}`, error);
  }
}

/** The user's certificate and key, checked before serving: parseable, matching, not expired. */
function ownTls(cert: string, key: string, hubDir: string, now: number): ServerTls {
  const tls = { cert: pemOf(cert, hubDir, "cert"), key: pemOf(key, hubDir, "key") };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(tls.cert);
  } catch (error) {
    throw refuse("cert", "expected a PEM certificate (-----BEGIN CERTIFICATE-----)", error);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(tls.key);
  } catch (error) {
    throw refuse("key", "expected an unencrypted PEM private key", error);
  }
  if (!x509.checkPrivateKey(privateKey)) throw refuse("key", "is not the private key of the certificate gateway.tls.cert");
  if (Date.parse(x509.validTo) <= now) throw refuse("cert", `the certificate expired on ${new Date(x509.validTo).toISOString()}`);
  return tls;
}

/**
 * What the gateway serves HTTPS with, from `gateway.tls`; undefined for plain HTTP. Fails at
 * start, naming the key, for a file that cannot be read, a key that is not the certificate's,
 * or an expired certificate.
 */
export async function loadServerTls(tls: GatewayTlsConfig | undefined, hubDir: string, host: string, now = Date.now()): Promise<ServerTls | undefined> {
  if (!tls) return undefined;
  if (tls.selfSigned) return ensureSelfSigned(hubDir, host, now);
  return ownTls(tls.cert!, tls.key!, hubDir, now);
}

export type { ServerTls };
