import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { declaredErrorsText, parseDeclaredErrors } from "../../../runtime/sdk/declared-errors.ts";
import { buildOpenApi } from "../../../runtime/gateway/docs/openapi.ts";
import type { ApiIndex } from "../../../runtime/gateway/docs/api-index.ts";

const endpoint = (errors: unknown) =>
  defineEndpoint({ input: z.object({}), output: z.object({}), errors: errors as never, handler: () => ({}) });

describe("errors declared on an endpoint", () => {
  it("accepts application codes with a 4xx status and Fuse's refusal codes with their own", () => {
    expect(() => defineActor({ name: "shop", endpoints: { reserve: endpoint({ OUT_OF_STOCK: { status: 409, description: "none left" }, NOT_FOUND: { status: 404 } }) } })).not.toThrow();
  });

  it.each([
    [{ outOfStock: { status: 409 } }, 'actor "shop" endpoint "reserve" errors.outOfStock: code "outOfStock" must be UPPER_SNAKE (capital letters, digits and single underscores, starting with a letter, at most 64 characters, e.g. OUT_OF_STOCK)'],
    [{ OUT_OF_STOCK: { status: 500 } }, 'actor "shop" endpoint "reserve" errors.OUT_OF_STOCK: code OUT_OF_STOCK: status must be an integer from 400 to 499 (a refusal; a failure of the service itself is a crash or an UnavailableError), got 500'],
    [{ OUT_OF_STOCK: 409 }, 'actor "shop" endpoint "reserve" errors.OUT_OF_STOCK: expected { status, description? } with status 400–499, got 409'],
    [{ NOT_FOUND: { status: 410 } }, 'actor "shop" endpoint "reserve" errors.NOT_FOUND: code NOT_FOUND is Fuse\'s own and has status 404, got 410'],
    [{ OUT_OF_STOCK: { status: 409, description: 7 } }, 'actor "shop" endpoint "reserve" errors.OUT_OF_STOCK.description: expected a string, got 7'],
  ])("refuses %j at definition with CONFIG_INVALID", (errors, message) => {
    expect(() => defineActor({ name: "shop", endpoints: { reserve: endpoint(errors) } })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message }));
  });

  it("round-trips through $SRV.INFO metadata text, dropping what is malformed", () => {
    const text = declaredErrorsText({ OUT_OF_STOCK: { status: 409, description: "none left" }, CARD_DECLINED: { status: 402 } });
    expect(parseDeclaredErrors(text)).toEqual({ OUT_OF_STOCK: { status: 409, description: "none left" }, CARD_DECLINED: { status: 402 } });
    expect(parseDeclaredErrors('{"bad code":{"status":409},"FINE":{"status":418},"WORSE":{"status":"x"}}')).toEqual({ FINE: { status: 418 } });
    expect(parseDeclaredErrors("not json")).toBeUndefined();
  });

  it("lists them in a valid OpenAPI document under their status, beside Fuse's own", async () => {
    const index: ApiIndex = {
      conflicts: [],
      invalid: [],
      actors: [{ name: "shop", description: "", version: "1.0.0", live: true, instances: 1, endpoints: [{
        name: "reserve", target: "shop.reserve", api: { method: "POST", path: "/api/shop/reserve" }, input: {}, output: {},
        errors: { OUT_OF_STOCK: { status: 409, description: "none left" }, SKU_UNKNOWN: { status: 404 } },
      }] }],
    };
    const document = buildOpenApi(index, "http://127.0.0.1:1");
    const responses = (document.paths as Record<string, { post: { responses: Record<string, { description: string }> } }>)["/api/shop/reserve"]!.post.responses;
    expect(responses["409"]).toMatchObject({ description: "OUT_OF_STOCK: none left", "x-fuse-errors": [{ code: "OUT_OF_STOCK", description: "none left" }] });
    expect(responses["404"]!.description).toBe("Unknown actor (ACTOR_NOT_FOUND) or endpoint (ENDPOINT_NOT_FOUND); SKU_UNKNOWN");
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
  });
});
