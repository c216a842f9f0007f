import { readFileSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_CERT_FILE, GATEWAY_KEY_FILE } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTPS request from Node trusting `ca` only (undefined: the system's CAs), as a script or curl --cacert would send it. */
function get(url: string, ca: string | undefined, method = "GET", body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ...(ca ? { ca } : {}), headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Plain HTTP to the same port. */
function plain(url: string): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/health", timeout: 5000 }, (res) => resolve(res.statusCode ?? 0));
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.end();
  });
}

describe("the gateway over HTTPS with a self-signed certificate", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;
  let ca: string;

  beforeAll(async () => {
    dir = createHubDir({ config: "gateway:\n  tls:\n    selfSigned: true\n" });
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    ca = readFileSync(path.join(dir, GATEWAY_CERT_FILE), "utf8");
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("publishes an https:// address and keeps the key private in .fuse/tls", () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(path.join(dir, GATEWAY_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(path.join(dir, GATEWAY_KEY_FILE))).mode & 0o777).toBe(0o700);
  });

  it("answers a client that trusts the hub's certificate, with HSTS on every answer", async () => {
    const health = await get(`${url}/health`, ca);
    expect(health.status).toBe(200);
    expect(health.headers["strict-transport-security"]).toBe("max-age=31536000");
    const list = await get(`${url}/api/hub/list`, ca, "POST", "{}");
    expect(list.status).toBe(200);
    expect(list.headers["strict-transport-security"]).toBe("max-age=31536000");
    const missing = await get(`${url}/api/nobody/here`, ca, "POST", "{}");
    expect(missing.status).toBe(404);
    expect(missing.headers["strict-transport-security"]).toBe("max-age=31536000");
    // The certificate names localhost too.
    expect((await get(`${url.replace("127.0.0.1", "localhost")}/health`, ca)).status).toBe(200);
  });

  it("is refused by a client that trusts only the usual CAs, and plain HTTP to its port fails", async () => {
    await expect(get(`${url}/health`, undefined)).rejects.toThrow(/self[- ]signed/i);
    await expect(plain(url)).rejects.toThrow();
  });

  it("keeps the same certificate across a restart of the hub", async () => {
    await hub.stop();
    hub = await startHub(dir);
    expect(readFileSync(path.join(dir, GATEWAY_CERT_FILE), "utf8")).toBe(ca);
    expect((await get(`${hub.state.gatewayUrl!}/health`, ca)).status).toBe(200);
  });
});
