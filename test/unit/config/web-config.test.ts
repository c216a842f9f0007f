import { describe, expect, it } from "vitest";
import { safeParseConfig } from "../../../runtime/config/index.ts";

const messageOf = (text: string) => {
  const result = safeParseConfig(text, "config/fuse.yaml");
  return result.ok ? JSON.stringify(result.value.web) : result.error.message;
};

describe("web in fuse.yaml", () => {
  it("takes a folder per path, short or with spa", () => {
    expect(messageOf('web:\n  "/": public\n  /admin: { dir: apps/admin/dist, spa: true }\n')).toBe('{"/":{"dir":"public","spa":false},"/admin":{"dir":"apps/admin/dist","spa":true}}');
    expect(messageOf("{}\n")).toBe("{}");
  });

  it("refuses a mount on the gateway's own paths, naming file, line and key", () => {
    expect(messageOf("prefix: fuse\nweb:\n  /api: public\n")).toBe(
      "config/fuse.yaml:3 web./api: invalid name: is a path the gateway serves itself (/api, /openapi.json, /docs, /health, /ready, /files, /dashboard, /auth, /events, /metrics): choose another",
    );
    expect(messageOf("web:\n  /dashboard/x: public\n")).toMatch(/^config\/fuse\.yaml:2 web\.\/dashboard\/x: invalid name: is a path the gateway serves itself/);
  });

  it("refuses a malformed mount path, a folder outside the hub and unknown keys", () => {
    expect(messageOf("web:\n  admin/: public\n")).toBe('config/fuse.yaml:2 web.admin/: invalid name: expected a path such as "/" or "/admin" (segments of letters, digits, . _ ~ -; no trailing slash)');
    expect(messageOf("web:\n  /x: ../etc\n")).toBe('config/fuse.yaml:2 web./x: expected a folder inside the hub folder (no ".."), got "../etc"');
    expect(messageOf("web:\n  /x: /etc\n")).toBe('config/fuse.yaml:2 web./x: expected a folder relative to the hub folder, not an absolute path, got "/etc"');
    expect(messageOf("web:\n  /x: 5\n")).toBe('config/fuse.yaml:2 web./x: expected a folder such as "public" or { dir, spa }, got 5');
    expect(messageOf("web:\n  /x: { dir: a, spaa: true }\n")).toBe("config/fuse.yaml:2 web./x.spaa: unknown key, did you mean \"spa\"?");
  });
});
