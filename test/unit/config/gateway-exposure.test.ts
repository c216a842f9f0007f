import { describe, expect, it } from "vitest";
import { gatewayExposureProblem, isLoopbackHost, parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error;
};

describe("gateway exposure", () => {
  it("knows this machine's own addresses from the others", () => {
    const loopback = ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"];
    const network = ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "example.com", "localhost.example.com", "127.0.0.1.nip.io", "128.0.0.1", "127.0.0.256", "::ffff:10.0.0.1"];
    expect(loopback.filter((h) => !isLoopbackHost(h))).toEqual([]);
    expect(network.filter((h) => isLoopbackHost(h))).toEqual([]);
  });

  it("lets a loopback gateway go without authentication and a non-loopback one only with authentication or auth: none", () => {
    expect(gatewayExposureProblem("127.0.0.1", undefined)).toBeUndefined();
    expect(gatewayExposureProblem("127.0.0.1", "none")).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", "none")).toBeUndefined();
    expect(gatewayExposureProblem("192.168.1.10", "none")).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", undefined)).toContain('add "auth: none" under gateway');
    expect(gatewayExposureProblem("", undefined)).toBeDefined();
    expect(gatewayExposureProblem("0.0.0.0", { keys: true })).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", { jwt: { secret: "s".repeat(32), rolesClaim: "roles", clockToleranceMs: 0 } })).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", { keys: false })).toContain("auth: { keys: true }");
  });

  it("refuses gateway.host 0.0.0.0 without authentication, naming file, line, key and the fix", () => {
    const error = message("prefix: demo\ngateway:\n  port: 8080\n  host: 0.0.0.0\n");
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatchInlineSnapshot(
      `"config/fuse.yaml:4 gateway.host: expected a loopback address (127.0.0.1, ::1 or localhost) while the gateway has no authentication; add "auth: { keys: true }" under gateway and create keys with fuse keys create (or configure auth.jwt), or, to serve every endpoint, hub.shutdown included, to anyone who reaches this address, add "auth: none" under gateway, got "0.0.0.0""`,
    );
  });

  it("takes gateway.auth: none as the explicit opt-out", () => {
    expect(parseConfig("gateway:\n  host: 0.0.0.0\n  auth: none\n", FILE).gateway).toMatchObject({ enabled: true, port: 0, host: "0.0.0.0", auth: "none" });
    expect(parseConfig("gateway: {}\n", FILE).gateway.auth).toBeUndefined();
  });

  it("refuses another gateway.auth value, naming file, line and key", () => {
    expect(message("gateway:\n  host: 127.0.0.1\n  auth: off\n").message).toMatchInlineSnapshot(`"config/fuse.yaml:3 gateway.auth: expected "none" or an object with keys: true and/or a jwt section, got "off""`);
    expect(message("gateway:\n  auth: true\n").message).toMatchInlineSnapshot(`"config/fuse.yaml:2 gateway.auth: expected "none" or an object with keys: true and/or a jwt section, got true"`);
  });

  it("takes keys and jwt under gateway.auth, which count as authentication for a non-loopback host", () => {
    const config = parseConfig("gateway:\n  host: 0.0.0.0\n  auth:\n    keys: true\n    jwt:\n      jwksUrl: https://id.example.com/jwks.json\n      issuer: https://id.example.com/\n      audience: fuse\n      rolesClaim: realm_access.roles\n", FILE);
    expect(config.gateway.auth).toEqual({ keys: true, jwt: { jwksUrl: "https://id.example.com/jwks.json", issuer: "https://id.example.com/", audience: "fuse", rolesClaim: "realm_access.roles", clockToleranceMs: 5000 } });
    expect(config.gateway.rateLimit).toEqual({ failedAuth: { attempts: 10, perMs: 60_000 } });
  });

  it("refuses a gateway.auth without a credential, and a jwt section without exactly one key source, naming the key", () => {
    expect(message("gateway:\n  auth: {}\n").message).toContain("gateway.auth: expected keys: true, a jwt section, or both");
    expect(message("gateway:\n  auth:\n    jwt: { issuer: me }\n").message).toContain("gateway.auth.jwt.secret: expected exactly one of secret (a shared HMAC secret) or jwksUrl");
    expect(message("gateway:\n  auth:\n    jwt: { secret: short }\n").message).toContain("gateway.auth.jwt.secret: expected at least 32 characters");
    expect(message("gateway:\n  auth:\n    jwt: { jwksUrl: 'ftp://x' }\n").message).toContain("gateway.auth.jwt.jwksUrl: expected an http(s) URL");
    expect(message(`gateway:\n  auth:\n    jwt: { secret: ${"x".repeat(32)}, algorithms: [RS256] }\n`).message).toContain("gateway.auth.jwt.algorithms: RS256 cannot be checked with a secret");
    expect(message("gateway:\n  rateLimit:\n    perAddress: { requests: 0, perMs: 1000 }\n").message).toContain("gateway.rateLimit.perAddress.requests");
  });
});
