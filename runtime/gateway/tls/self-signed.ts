import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GATEWAY_CERT_FILE, GATEWAY_KEY_FILE } from "../../protocol/index.ts";

/** A certificate and its private key, PEM. */
export interface ServerTls {
  cert: string;
  key: string;
}

const VALID_DAYS = 365;
/** A certificate this close to its end is made anew at start, so a hub never serves an expired one. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;
const WILDCARDS = new Set(["", "0.0.0.0", "::", "[::]"]);
const IP = /^[\d.]+$|:/;

/** The names the certificate covers: loopback, the configured host, and on a wildcard address this machine's name. */
export function selfSignedNames(host: string): string[] {
  const names = new Set(["localhost", "127.0.0.1", "::1"]);
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  names.add(WILDCARDS.has(bare) ? os.hostname().toLowerCase() : bare);
  return [...names];
}

const covers = (cert: X509Certificate, name: string) => (IP.test(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined;

/** The kept certificate if it still serves: its key matches, it covers every name and is not near its end. */
function reusable(certPem: string, keyPem: string, names: string[], now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) && Date.parse(cert.validTo) - now > RENEW_BEFORE_MS && names.every((n) => covers(cert, n));
  } catch {
    return false;
  }
}

/** Writes through a temporary file and a rename, so a reader (the CLI) never sees half a certificate. */
function writePrivate(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/**
 * The gateway's self-signed certificate for `host`, kept in `.fuse/tls/` of the hub folder (key
 * 0600, folder 0700) and reused across restarts; made anew when missing, damaged, about to
 * expire, or not covering the host any more. An EC P-256 key: quick to make, accepted everywhere.
 */
export async function ensureSelfSigned(hubDir: string, host: string, now = Date.now()): Promise<ServerTls> {
  const certFile = path.join(hubDir, GATEWAY_CERT_FILE);
  const keyFile = path.join(hubDir, GATEWAY_KEY_FILE);
  const names = selfSignedNames(host);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const kept = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
    if (reusable(kept.cert, kept.key, names, now)) return kept;
  }
  mkdirSync(path.dirname(certFile), { recursive: true, mode: 0o700 });
  chmodSync(path.dirname(certFile), 0o700);
  // Loaded here, not with the module: its X.509 stack costs every gateway start ~0.2 s of CPU.
  const { generate } = await import("selfsigned");
  const made = await generate([{ name: "commonName", value: "Fuse hub gateway" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + VALID_DAYS * 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: names.map((n) => (IP.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  writePrivate(keyFile, made.private);
  writePrivate(certFile, made.cert);
  return { cert: made.cert, key: made.private };
}
