import { describe, expect, it } from "vitest";
import { defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { kebabName } from "../../../runtime/protocol/index.ts";

const endpoint = defineEndpoint({ input: z.object({}), output: z.object({}), handler: () => ({}) });

describe("the naming rule", () => {
  it("refuses a camelCase endpoint at definition, stating the rule and the kebab-case spelling", () => {
    expect(() => defineActor({ name: "orders", endpoints: { addLine: endpoint } })).toThrowErrorMatchingInlineSnapshot(
      `[ConfigError: actor "orders" endpoint "addLine": name must be lowercase letters, digits and dashes, starting with a letter (did you mean "add-line"?)]`,
    );
  });

  it("refuses a camelCase actor name the same way", () => {
    expect(() => defineActor({ name: "orderBook", endpoints: {} })).toThrowErrorMatchingInlineSnapshot(
      `[ConfigError: actor "orderBook": name must be lowercase letters, digits and dashes, starting with a letter, got "orderBook" (did you mean "order-book"?)]`,
    );
  });

  it("gives no hint when no valid spelling is near", () => {
    expect(() => defineActor({ name: "x", endpoints: { "42": endpoint } })).toThrowErrorMatchingInlineSnapshot(
      `[ConfigError: actor "x" endpoint "42": name must be lowercase letters, digits and dashes, starting with a letter]`,
    );
  });

  it("spells camelCase, PascalCase, snake_case and spaces in kebab-case", () => {
    expect(["addLine", "AddLine", "add_line", "add line", "getHTTPStatus", "v2Quote"].map(kebabName)).toEqual([
      "add-line",
      "add-line",
      "add-line",
      "add-line",
      "get-httpstatus",
      "v2-quote",
    ]);
  });
});
