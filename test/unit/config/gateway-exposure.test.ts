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

  it("lets a loopback gateway go without authentication and a non-loopback one only with auth: none", () => {
    expect(gatewayExposureProblem("127.0.0.1", undefined)).toBeUndefined();
    expect(gatewayExposureProblem("127.0.0.1", "none")).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", "none")).toBeUndefined();
    expect(gatewayExposureProblem("192.168.1.10", "none")).toBeUndefined();
    expect(gatewayExposureProblem("0.0.0.0", undefined)).toContain('add "auth: none" under gateway');
    expect(gatewayExposureProblem("", undefined)).toBeDefined();
  });

  it("refuses gateway.host 0.0.0.0 without authentication, naming file, line, key and the fix", () => {
    const error = message("prefix: demo\ngateway:\n  port: 8080\n  host: 0.0.0.0\n");
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatchInlineSnapshot(
      `"config/fuse.yaml:4 gateway.host: expected a loopback address (127.0.0.1, ::1 or localhost) while the gateway has no authentication; to serve every endpoint, hub.shutdown included, to anyone who reaches this address, add "auth: none" under gateway, got "0.0.0.0""`,
    );
  });

  it("takes gateway.auth: none as the explicit opt-out", () => {
    expect(parseConfig("gateway:\n  host: 0.0.0.0\n  auth: none\n", FILE).gateway).toEqual({ enabled: true, port: 0, host: "0.0.0.0", auth: "none" });
    expect(parseConfig("gateway: {}\n", FILE).gateway.auth).toBeUndefined();
  });

  it("refuses another gateway.auth value, naming file, line and key", () => {
    expect(message("gateway:\n  host: 127.0.0.1\n  auth: off\n").message).toMatchInlineSnapshot(`"config/fuse.yaml:3 gateway.auth: expected "none", got "off""`);
    expect(message("gateway:\n  auth: true\n").message).toMatchInlineSnapshot(`"config/fuse.yaml:2 gateway.auth: expected "none", got true"`);
  });
});
