import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../runtime/bus/index.ts";
import { natsServerBinary } from "../../runtime/hub/servers/nats-server.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** A CA and a server certificate for 127.0.0.1 it signed, as an operator of a networked NATS would have. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = await generate([{ name: "commonName", value: "Test bus CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }],
  });
  const server = await generate([{ name: "commonName", value: "nats" }], {
    keyType: "ec",
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    ],
  });
  const files = { ca: path.join(dir, "ca.pem"), cert: path.join(dir, "server.pem"), key: path.join(dir, "server-key.pem") };
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.private, { mode: 0o600 });
  return files;
}

describe("a hub whose bus is an outside nats-server that requires TLS", () => {
  let tmp: string;
  let nats: ChildProcess;
  let natsUrl: string;
  let caFile: string;
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "fuse-bus-tls-"));
    const files = await makeCertificates(tmp);
    caFile = files.ca;
    const port = await freePort();
    const conf = path.join(tmp, "nats.conf");
    writeFileSync(conf, `listen: "127.0.0.1:${port}"\njetstream { store_dir: "${path.join(tmp, "js")}" }\ntls { cert_file: "${files.cert}"\n key_file: "${files.key}" }\n`);
    nats = spawn(natsServerBinary(), ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    nats.stderr!.on("data", (d) => (log += d));
    await waitFor("nats-server ready", () => (log.includes("Server is ready") ? true : undefined), 15_000);
    natsUrl = `nats://127.0.0.1:${port}`;
    dir = createHubDir({ config: `bus:\n  url: ${natsUrl}\n  tls:\n    ca: ca.pem\n`, actors: { who: "whoami" } });
    copyFileSync(caFile, path.join(dir, "ca.pem"));
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) removeHubDir(dir);
    nats?.kill("SIGTERM");
    if (nats) await new Promise((r) => nats.once("exit", r));
    rmSync(tmp, { recursive: true, force: true });
  });

  it("connects every process with TLS and serves a call over the bus and over HTTP", async () => {
    expect(hub.state.natsTls).toEqual({ ca: path.join(dir, "ca.pem") });
    expect(await hub.call("who.ping")).toEqual({ pong: true });
    const res = await fetch(`${hub.state.gatewayUrl!}/api/who/ping`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { pong: true } });
  });

  it("is refused to a client that does not trust the bus's CA", async () => {
    await expect(connectNats({ url: natsUrl, name: "untrusting", connectTimeoutMs: 1500 })).rejects.toThrow(/cannot connect to the bus/);
    const trusting = await connectNats({ url: natsUrl, name: "trusting", connectTimeoutMs: 3000, tls: { ca: caFile } });
    await trusting.close();
  });
});
