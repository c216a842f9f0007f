import { describe, expect, it } from "vitest";
import {
  AppError,
  CancelledError,
  ConfigError,
  DatabaseCorruptError,
  DeadlineExceededError,
  FuseError,
  HandlerError,
  MigrationRefusedError,
  NotFoundError,
  PayloadTooLargeError,
  SchemaError,
  UnavailableError,
  ValidationError,
  fromWire,
  toFuseError,
  toWire,
} from "../../../runtime/errors/index.ts";
import { ErrorCode, statusOf } from "../../../runtime/protocol/index.ts";

const samples: FuseError[] = [
  new ValidationError("greeter.hello input.name: expected string", { details: { issues: [{ path: "name", code: "invalid_type", message: "expected string" }] } }),
  new ValidationError("greeter.hello: body is not valid JSON", { code: ErrorCode.BAD_REQUEST }),
  new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, 'no actor named "ghost"'),
  new NotFoundError(ErrorCode.ENDPOINT_NOT_FOUND, 'actor "greeter" has no endpoint "nope"'),
  new UnavailableError('no live instance of actor "greeter" serves fuse.greeter.hello'),
  new DeadlineExceededError("no reply from fuse.greeter.hello before the deadline"),
  new CancelledError("cancelled by the caller"),
  new HandlerError("boom"),
  new ConfigError("config/fuse.yaml:3 actors.x: unknown key", { location: { file: "config/fuse.yaml", line: 3, key: "actors.x" } }),
  new SchemaError(ErrorCode.TABLE_SCHEMA_INVALID, "schemas/users.json columns.age.type: unknown type"),
  new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, "tasks/x.json steps.b: unknown step a"),
  new MigrationRefusedError("users: dropping column age would lose data"),
  new PayloadTooLargeError("reply of fuse.files.read is 2097152 bytes, above the bus limit of 1048576", { details: { size: 2097152, limit: 1048576 } }),
  new DatabaseCorruptError(".fuse/db/data.sqld/dbs/default/data failed its integrity check (file is not a database)", { details: { file: "/srv/hub/.fuse/db/data.sqld/dbs/default/data", problems: ["file is not a database"] } }),
];

describe("errors on the wire", () => {
  it.each(samples.map((e) => [e.code, e] as const))("rebuilds %s as the same class with the same fields", (_code, error) => {
    const wire = toWire(error);
    expect(wire.headers["Nats-Service-Error-Code"]).toBe(String(statusOf(error.code)));
    expect(wire.headers["Nats-Service-Error"]).toBe(error.message);
    const back = fromWire(wire.body, Number(wire.headers["Nats-Service-Error-Code"]));
    expect(back).toBeInstanceOf(error.constructor);
    expect(back).toMatchObject({ code: error.code, message: error.message, status: error.status, retryable: error.retryable });
    expect(back.details).toEqual(error.details);
  });

  it("encodes the error envelope of the wire protocol", () => {
    expect(toWire(samples[0]!)).toMatchInlineSnapshot(`
      {
        "body": "{"error":{"code":"VALIDATION_FAILED","message":"greeter.hello input.name: expected string","details":{"issues":[{"path":"name","code":"invalid_type","message":"expected string"}]}}}",
        "headers": {
          "Nats-Service-Error": "greeter.hello input.name: expected string",
          "Nats-Service-Error-Code": "400",
        },
      }
    `);
  });

  it("rebuilds an application's code with a 4xx as an AppError keeping its status", () => {
    const back = fromWire(JSON.stringify({ error: { code: "TEAPOT", message: "short and stout" } }), 418);
    expect(back).toBeInstanceOf(AppError);
    expect(back).toMatchObject({ code: "TEAPOT", message: "short and stout", status: 418 });
  });

  it("keeps any other unknown code, and its status, on a base FuseError", () => {
    const lower = fromWire(JSON.stringify({ error: { code: "teapot", message: "short and stout" } }), 418);
    expect(lower.constructor).toBe(FuseError);
    expect(lower).toMatchObject({ code: "teapot", status: 418 });
    expect(fromWire(JSON.stringify({ error: { code: "UPSTREAM_DOWN", message: "down" } }), 502)).toMatchObject({ constructor: FuseError, status: 502 });
    expect(fromWire(JSON.stringify({ error: { code: "UPSTREAM_DOWN", message: "down" } }))).toMatchObject({ constructor: FuseError, status: 500 });
  });

  it("rebuilds a reply from a plain micro service (headers, no envelope) by its status", () => {
    const back = fromWire("", 503, "service unavailable");
    expect(back).toBeInstanceOf(UnavailableError);
    expect(back.message).toBe("service unavailable");
  });

  it.each([
    [400, ValidationError, "VALIDATION_FAILED"],
    [404, NotFoundError, "NOT_FOUND"],
    [408, DeadlineExceededError, "DEADLINE_EXCEEDED"],
    [405, FuseError, "METHOD_NOT_ALLOWED"],
    [409, FuseError, "CONFLICT"],
    [401, FuseError, "UNAUTHENTICATED"],
    [403, FuseError, "FORBIDDEN"],
    [429, FuseError, "RATE_LIMITED"],
    [413, PayloadTooLargeError, "PAYLOAD_TOO_LARGE"],
    [499, CancelledError, "CANCELLED"],
    [500, HandlerError, "HANDLER_FAILED"],
    [503, UnavailableError, "NO_LIVE_INSTANCE"],
    [504, DeadlineExceededError, "DEADLINE_EXCEEDED"],
  ] as const)("reads status %i of a plain micro service as %O, code %s", (status, type, code) => {
    const back = fromWire("", status, "it went wrong");
    expect(back).toBeInstanceOf(type);
    expect(back).toMatchObject({ code, message: "it went wrong" });
  });

  it("reads another 4xx of a plain micro service as BAD_REQUEST and anything else as HANDLER_FAILED, keeping the status", () => {
    expect(fromWire("", 402, "pay first")).toMatchObject({ code: "BAD_REQUEST", status: 400, details: { status: 402 } });
    expect(fromWire("", 418)).toMatchObject({ code: "BAD_REQUEST", message: "remote error with status 418", details: { status: 418 } });
    expect(fromWire("", 502, "upstream down")).toMatchObject({ code: "HANDLER_FAILED", status: 500, details: { status: 502 } });
    expect(fromWire("not json", Number("abc"))).toMatchObject({ code: "HANDLER_FAILED", message: "remote error with status 500" });
    expect(fromWire("", 500).details).toBeUndefined();
  });

  it("puts a multi-line message on one header line", () => {
    expect(toWire(new HandlerError("line one\nline two")).headers["Nats-Service-Error"]).toBe("line one line two");
  });

  it("wraps thrown non-errors into HANDLER_FAILED, keeping the original as cause", () => {
    const wrapped = toFuseError("a string");
    expect(wrapped).toBeInstanceOf(HandlerError);
    expect(wrapped).toMatchObject({ code: "HANDLER_FAILED", message: "a string", cause: "a string" });
    const original = new TypeError("bad");
    expect(toFuseError(original).cause).toBe(original);
  });

  it("marks only NO_LIVE_INSTANCE as retryable by default", () => {
    expect(samples.filter((e) => e.retryable).map((e) => e.code)).toEqual(["NO_LIVE_INSTANCE"]);
  });
});
