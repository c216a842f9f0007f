import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The files a node's nats-server gives its routes (`cluster.tls`), under `.fuse/nats/route-tls/`. */
export interface RouteTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

const IP = /^[\d.]+$|:/;
// The cluster's CA is made alike on every node: the same key, name and validity.
const CA_FROM = new Date("2024-01-01T00:00:00Z");
const CA_TO = new Date("2124-01-01T00:00:00Z");
const NODE_DAYS = 365;

/** The P-256 key a 32-byte seed determines (as a scalar; one ≥ the curve's order is as likely as guessing the seed). */
function ecKeyFromSeed(seed: Uint8Array): KeyObject {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(seed));
  const point = ecdh.getPublicKey();
  const b64 = (bytes: Buffer) => bytes.toString("base64url");
  return createPrivateKey({ key: { kty: "EC", crv: "P-256", d: b64(Buffer.from(seed)), x: b64(point.subarray(1, 33)), y: b64(point.subarray(33, 65)) }, format: "jwk" });
}

const pem = (key: KeyObject, kind: "private" | "public") =>
  kind === "private" ? (key.export({ type: "pkcs8", format: "pem" }) as string) : (key.export({ type: "spki", format: "pem" }) as string);

/** The names another node may dial this one by: its node name, its address's host, this host's name and addresses. */
function namesOf(node: string, addressHost: string): string[] {
  const names = new Set([node, addressHost, os.hostname(), "localhost"]);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  names.delete("0.0.0.0");
  return [...names];
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * TLS for a node's routes, with no file for the operator to make: every node derives the
 * cluster's CA key from the cluster's secret (`caSeed`), makes the same CA certificate, and
 * signs a certificate of its own for the names it may be dialled by (made anew at each start,
 * with a fresh key). Routes then verify each other both ways against that CA: a host without
 * the secret can neither join nor read the traffic between nodes.
 */
export async function makeRouteTls(natsDir: string, node: string, addressHost: string, caSeed: Uint8Array, now = Date.now()): Promise<RouteTlsFiles> {
  const dir = path.join(natsDir, "route-tls");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const caKey = ecKeyFromSeed(caSeed);
  // Loaded here, not with the module: its X.509 stack costs every CLI command ~0.2 s of CPU.
  const { generate } = await import("selfsigned");
  const ca = await generate([{ name: "commonName", value: "Fuse cluster routes CA" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    keyPair: { privateKey: pem(caKey, "private"), publicKey: pem(createPublicKey(caKey), "public") },
    notBeforeDate: CA_FROM,
    notAfterDate: CA_TO,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const nodeKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const names = namesOf(node, addressHost);
  const cert = await generate([{ name: "commonName", value: node }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    keyPair: { privateKey: pem(nodeKey.privateKey, "private"), publicKey: pem(nodeKey.publicKey, "public") },
    ca: { key: pem(caKey, "private"), cert: ca.cert },
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + NODE_DAYS * 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      // A route is a client of the node it dials and a server to the node that dials it.
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: names.map((n) => (IP.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  const files = { caFile: path.join(dir, "ca.pem"), certFile: path.join(dir, "node.pem"), keyFile: path.join(dir, "node-key.pem") };
  writePrivate(files.caFile, ca.cert);
  writePrivate(files.certFile, cert.cert);
  writePrivate(files.keyFile, pem(nodeKey.privateKey, "private"));
  return files;
}
