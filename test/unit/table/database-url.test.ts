import { describe, expect, it } from "vitest";
import { classifyDatabaseUrl, pipelineUrl, replicaSyncUrl } from "../../../runtime/table/connection/database-url.ts";

describe("database URLs", () => {
  it("tells WebSocket, loopback HTTP, outside HTTP, libsql and local URLs apart", () => {
    expect(classifyDatabaseUrl("ws://127.0.0.1:8080")).toEqual({ kind: "websocket", query: false });
    expect(classifyDatabaseUrl("wss://db.example.com")).toEqual({ kind: "websocket", query: false });
    expect(classifyDatabaseUrl("http://127.0.0.1:8080")).toEqual({ kind: "loopback-http", query: false });
    expect(classifyDatabaseUrl("http://localhost:8080/")).toEqual({ kind: "loopback-http", query: false });
    expect(classifyDatabaseUrl("http://[::1]:8080")).toEqual({ kind: "loopback-http", query: false });
    expect(classifyDatabaseUrl("http://127.0.0.1:8080/v2")).toEqual({ kind: "http", query: false });
    expect(classifyDatabaseUrl("https://db.example.com")).toEqual({ kind: "http", query: false });
    expect(classifyDatabaseUrl("libsql://x.turso.io?authToken=t")).toEqual({ kind: "libsql", query: true });
    expect(classifyDatabaseUrl("file:/tmp/x.db")).toEqual({ kind: "local", query: false });
  });

  it("pipelines over the WebSocket of a ws URL or the hub's own loopback sqld only, never a URL with a query", () => {
    expect(pipelineUrl("ws://127.0.0.1:8080")).toBe("ws://127.0.0.1:8080");
    expect(pipelineUrl("http://127.0.0.1:8080")).toBe("ws://127.0.0.1:8080");
    expect(pipelineUrl("http://localhost:8080/")).toBe("ws://localhost:8080/");
    expect(pipelineUrl("https://db.example.com")).toBeUndefined();
    expect(pipelineUrl("http://10.0.0.5:8080")).toBeUndefined();
    expect(pipelineUrl("ws://127.0.0.1:8080?tls=0")).toBeUndefined();
    expect(pipelineUrl("libsql://x.turso.io")).toBeUndefined();
    expect(pipelineUrl("file:/tmp/x.db")).toBeUndefined();
    expect(pipelineUrl(undefined)).toBeUndefined();
  });

  it("syncs a replica over the server's HTTP port, and not at all from a local file", () => {
    expect(replicaSyncUrl("ws://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(replicaSyncUrl("wss://db.example.com")).toBe("https://db.example.com");
    expect(replicaSyncUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(replicaSyncUrl("https://db.example.com")).toBe("https://db.example.com");
    expect(replicaSyncUrl("libsql://x.turso.io")).toBe("libsql://x.turso.io");
    expect(replicaSyncUrl("file:/tmp/x.db")).toBeUndefined();
    expect(replicaSyncUrl(undefined)).toBeUndefined();
  });
});
