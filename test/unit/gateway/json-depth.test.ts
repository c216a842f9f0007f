import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../../runtime/gateway/http/json-depth.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number, inner = "") => "[".repeat(depth) + inner + "]".repeat(depth);

describe("JSON nesting depth", () => {
  it("takes a body nested exactly to the limit and refuses one level more", () => {
    expect(nestsDeeperThan(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
  });

  it("counts objects and arrays alike, and only while they are open", () => {
    expect(nestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('[[1],[2],[3],{"a":{}},[[4]]]'), 3)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ s: `[[[[ \\" {{{{ "${"[".repeat(300)}`, é: "ü[" });
    expect(nestsDeeperThan(bytes(text), 2)).toBe(false);
  });

  it("reads a 100 000 deep array without recursion", () => {
    expect(nestsDeeperThan(bytes(nested(100_000)), MAX_JSON_DEPTH)).toBe(true);
  });
});
