import os from "node:os";
import { describe, expect, it } from "vitest";
import { createRequestGuard } from "../../../runtime/gateway/http/request-guard.ts";

const guard = createRequestGuard({ host: "127.0.0.1", port: 41234 });
const codeOf = (method: string, url: string, headers: Record<string, string>) => guard(method, url, headers)?.code ?? "ok";

describe("request guard", () => {
  it("lets programs through: no Origin, no Sec-Fetch-Site, a loopback Host with the port or none", () => {
    const hosts = ["127.0.0.1:41234", "localhost:41234", "LOCALHOST:41234", "[::1]:41234", "127.0.0.1", "localhost"];
    expect(hosts.map((host) => codeOf("POST", "/api/hub/shutdown", { host }))).toEqual(hosts.map(() => "ok"));
    expect(codeOf("POST", "/api/hub/shutdown", {})).toBe("ok");
  });

  it("lets the gateway's own pages through, from any of its loopback names", () => {
    const same = ["http://127.0.0.1:41234", "http://localhost:41234", "http://[::1]:41234"];
    expect(same.map((origin) => codeOf("POST", "/api/hub/stop", { host: "127.0.0.1:41234", origin, "sec-fetch-site": "same-origin" }))).toEqual(same.map(() => "ok"));
    expect(codeOf("GET", "/api", { host: "127.0.0.1:41234", "sec-fetch-site": "same-origin" })).toBe("ok");
    expect(codeOf("GET", "/", { host: "127.0.0.1:41234", "sec-fetch-site": "none" })).toBe("ok");
  });

  it("refuses a foreign Host (DNS rebinding), a wrong port and a look-alike name", () => {
    const foreign = ["evil.example", "evil.example:41234", "127.0.0.1:80", "localhost:4123", "127.0.0.1.nip.io:41234", "localhost.:41234"];
    expect(foreign.map((host) => codeOf("GET", "/api", { host }))).toEqual(foreign.map(() => "FORBIDDEN"));
    expect(guard("GET", "/api", { host: "evil.example:41234" })?.message).toMatchInlineSnapshot(
      `"Host "evil.example:41234" is not this gateway's: expected one of 127.0.0.1:41234, localhost:41234, [::1]:41234 (a foreign name that points here is DNS rebinding)"`,
    );
    // Even the pages: a rebound name would make them same-origin with the attacker's.
    expect(codeOf("GET", "/", { host: "evil.example:41234" })).toBe("FORBIDDEN");
  });

  it("refuses pages of other origins, another port of this machine included, on every method", () => {
    const foreign = ["http://127.0.0.1:5555", "http://evil.example", "https://127.0.0.1:41234", "null", "http://localhost:41234.evil.example"];
    for (const method of ["POST", "GET", "PUT", "DELETE"]) {
      expect(foreign.map((origin) => codeOf(method, "/api/db/drop", { host: "127.0.0.1:41234", origin }))).toEqual(foreign.map(() => "FORBIDDEN"));
    }
    expect(guard("POST", "/files", { host: "127.0.0.1:41234", origin: "http://127.0.0.1:5555" })?.message).toMatchInlineSnapshot(
      `"a page of another origin (Origin "http://127.0.0.1:5555") may not call this gateway: only its own pages (http://127.0.0.1:41234) may"`,
    );
  });

  it("refuses what a browser marks cross-site or same-site even without Origin (a no-cors GET of a file or route)", () => {
    for (const site of ["cross-site", "same-site"]) {
      expect(codeOf("GET", "/files/note.html", { host: "127.0.0.1:41234", "sec-fetch-site": site })).toBe("FORBIDDEN");
      expect(codeOf("GET", "/items/7", { host: "127.0.0.1:41234", "sec-fetch-site": site })).toBe("FORBIDDEN");
    }
  });

  it("lets a link from another site open the dashboard and the docs, but nothing else", () => {
    const link = { host: "127.0.0.1:41234", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" };
    expect(["/", "/docs", "/docs?x=1"].map((url) => codeOf("GET", url, link))).toEqual(["ok", "ok", "ok"]);
    expect(["/api", "/openapi.json", "/files", "/dashboard/app.js"].map((url) => codeOf("GET", url, link))).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    expect(codeOf("POST", "/", { ...link, origin: "http://evil.example" })).toBe("FORBIDDEN");
  });

  it("on a wildcard address also answers to this machine's name, and on a named host to that name", () => {
    const named = createRequestGuard({ host: "fuse.internal", port: 8080 });
    expect(named("POST", "/api/x/y", { host: "fuse.internal:8080", origin: "http://fuse.internal:8080" })).toBeUndefined();
    expect(named("POST", "/api/x/y", { host: "other.internal:8080" })?.code).toBe("FORBIDDEN");
    const wildcard = createRequestGuard({ host: "0.0.0.0", port: 8080 });
    expect(wildcard("GET", "/api", { host: `${os.hostname()}:8080` })).toBeUndefined();
    expect(wildcard("GET", "/api", { host: "evil.example:8080" })?.code).toBe("FORBIDDEN");
    const port80 = createRequestGuard({ host: "127.0.0.1", port: 80 });
    expect(port80("POST", "/api/x/y", { host: "localhost", origin: "http://localhost" })).toBeUndefined();
  });
});
