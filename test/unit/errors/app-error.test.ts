import { describe, expect, it } from "vitest";
import { AppError, FuseError, HandlerError, fromWire, toWire, withDeclaredStatus } from "../../../runtime/errors/index.ts";

describe("AppError", () => {
  it("carries its own code, status, details and retryable flag", () => {
    const error = new AppError("OUT_OF_STOCK", "only 2 left", { status: 409, details: { sku: "a", left: 2 } });
    expect(error).toBeInstanceOf(FuseError);
    expect(error).toMatchObject({ name: "AppError", code: "OUT_OF_STOCK", status: 409, details: { sku: "a", left: 2 }, retryable: false });
    expect(new AppError("CARD_DECLINED", "declined").status).toBe(400);
    expect(new AppError("RATE_LIMITED", "slow down", { status: 429, retryable: true }).retryable).toBe(true);
  });

  it("crosses the wire with its status as Nats-Service-Error-Code and comes back as an AppError", () => {
    const wire = toWire(new AppError("OUT_OF_STOCK", "only 2 left", { status: 409, details: { left: 2 } }));
    expect(wire).toMatchInlineSnapshot(`
      {
        "body": "{"error":{"code":"OUT_OF_STOCK","message":"only 2 left","details":{"left":2}}}",
        "headers": {
          "Nats-Service-Error": "only 2 left",
          "Nats-Service-Error-Code": "409",
        },
      }
    `);
    const back = fromWire(wire.body, Number(wire.headers["Nats-Service-Error-Code"]));
    expect(back).toBeInstanceOf(AppError);
    expect(back).toMatchObject({ code: "OUT_OF_STOCK", status: 409, details: { left: 2 } });
    // Rethrown by a caller, it goes on with the same status.
    expect(toWire(back).headers["Nats-Service-Error-Code"]).toBe("409");
  });

  it("takes Fuse's own refusal codes with their own status", () => {
    expect(new AppError("NOT_FOUND", "no order 7")).toMatchObject({ code: "NOT_FOUND", status: 404 });
    expect(new AppError("CONFLICT", "already paid", { status: 409 }).status).toBe(409);
  });

  it.each([
    ["outOfStock", undefined, 'AppError: code "outOfStock" must be UPPER_SNAKE (capital letters, digits and single underscores, starting with a letter, at most 64 characters, e.g. OUT_OF_STOCK)'],
    ["OUT__OF", undefined, 'AppError: code "OUT__OF" must be UPPER_SNAKE (capital letters, digits and single underscores, starting with a letter, at most 64 characters, e.g. OUT_OF_STOCK)'],
    ["OUT_OF_STOCK", 500, "AppError: code OUT_OF_STOCK: status must be an integer from 400 to 499 (a refusal; a failure of the service itself is a crash or an UnavailableError), got 500"],
    ["OUT_OF_STOCK", 302, "AppError: code OUT_OF_STOCK: status must be an integer from 400 to 499 (a refusal; a failure of the service itself is a crash or an UnavailableError), got 302"],
    ["NOT_FOUND", 410, "AppError: code NOT_FOUND is Fuse's own and has status 404, got 410"],
    ["HANDLER_FAILED", undefined, "AppError: code HANDLER_FAILED is Fuse's own (status 500), not a refusal an application can send; choose a code of your own"],
  ] as const)("refuses code %s with status %s as a handler mistake", (code, status, message) => {
    const make = () => new AppError(code, "x", status === undefined ? {} : { status });
    expect(make).toThrow(HandlerError);
    expect(make).toThrow(message);
  });

  it("takes the status an endpoint declares when it was thrown without one", () => {
    expect(withDeclaredStatus(new AppError("OUT_OF_STOCK", "none left"), 409)).toMatchObject({ code: "OUT_OF_STOCK", status: 409, message: "none left" });
    expect(withDeclaredStatus(new AppError("OUT_OF_STOCK", "none left", { status: 422 }), 409).status).toBe(422);
    expect(withDeclaredStatus(new AppError("OUT_OF_STOCK", "none left"), undefined).status).toBe(400);
  });
});
