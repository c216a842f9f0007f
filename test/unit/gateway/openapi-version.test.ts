import { describe, expect, it, vi } from "vitest";
import { createGatewayActor } from "../../../runtime/gateway/index.ts";
import { createTestHub } from "../../../runtime/sdk/index.ts";

// A version no literal in the runtime could hold, so only package.json can have put it there.
vi.mock("../../../package.json", () => ({ default: { version: "7.7.7-from-package-json" } }));

describe("the gateway's OpenAPI document", () => {
  it("reports the version of package.json, read in one place (protocol's FUSE_VERSION)", async () => {
    const hub = await createTestHub([createGatewayActor({ port: 0 })]);
    try {
      const { url } = (await hub.call("gateway.info")) as { url: string };
      const document = (await (await fetch(`${url}/openapi.json`)).json()) as { info: { version: string } };
      expect(document.info.version).toBe("7.7.7-from-package-json");
    } finally {
      await hub.stop();
    }
  });
});
