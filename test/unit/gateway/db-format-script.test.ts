import { describe, expect, it } from "vitest";
import { DB_FORMAT_SCRIPT } from "../../../runtime/gateway/dashboard/db-format-script.ts";

interface Format {
  filterWhere(column: string, kind: string, op: string, text: string): unknown;
  filterText(column: string, op: string, text: string): string;
  rangeText(offset: number, shown: number, total: number): string;
  sizeText(bytes: number): string;
  timeText(at: number): string;
  cellText(value: unknown, kind: string): string;
  errorText(reply: { status: number; body: unknown }): string;
}

// The very text the browser runs, evaluated here (it touches no DOM).
const format = new Function(`${DB_FORMAT_SCRIPT}\nreturn { filterWhere, filterText, rangeText, sizeText, timeText, cellText, errorText };`)() as Format;

describe("the database panel's helpers", () => {
  it("turns a typed filter value into the column's type, and leaves what does not parse for db.select to refuse", () => {
    expect(format.filterWhere("seq", "integer", "eq", " 3 ")).toEqual({ seq: { eq: 3 } });
    expect(format.filterWhere("price", "real", "gte", "-1.5e2")).toEqual({ price: { gte: -150 } });
    expect(format.filterWhere("seq", "integer", "eq", "three")).toEqual({ seq: { eq: "three" } });
    expect(format.filterWhere("at", "timestamp", "lt", "2026-01-01T00:00:00Z")).toEqual({ at: { lt: "2026-01-01T00:00:00Z" } });
    expect(format.filterWhere("pinned", "boolean", "eq", "True")).toEqual({ pinned: { eq: true } });
    expect(format.filterWhere("pinned", "boolean", "eq", "yes")).toEqual({ pinned: { eq: "yes" } });
    expect(format.filterWhere("meta", "json", "eq", '{"a":1}')).toEqual({ meta: { eq: { a: 1 } } });
    expect(format.filterWhere("meta", "json", "eq", "plain")).toEqual({ meta: { eq: "plain" } });
    // Text stays text, digits included.
    expect(format.filterWhere("writer", "text", "eq", "42")).toEqual({ writer: { eq: "42" } });
  });

  it("makes contains a LIKE around the text and the null tests isNull", () => {
    expect(format.filterWhere("writer", "text", "like", "bet")).toEqual({ writer: { like: "%bet%" } });
    expect(format.filterWhere("note", "text", "null", "ignored")).toEqual({ note: { isNull: true } });
    expect(format.filterWhere("note", "text", "notnull", "")).toEqual({ note: { isNull: false } });
    expect(format.filterText("writer", "ne", "beta")).toBe('writer ≠ "beta"');
    expect(format.filterText("note", "null", "x")).toBe("note is null");
  });

  it("says which rows a page shows", () => {
    expect(format.rangeText(0, 10, 30)).toBe("rows 1–10 of 30");
    expect(format.rangeText(20, 10, 30)).toBe("rows 21–30 of 30");
    expect(format.rangeText(0, 0, 0)).toBe("no rows");
    expect(format.rangeText(40, 0, 30)).toBe("no rows from 41 (of 30)");
  });

  it("writes sizes, times, cells and error replies as text", () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 * 1024].map(format.sizeText)).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB"]);
    expect(format.timeText(Date.UTC(2026, 4, 1, 12, 3, 4, 567))).toBe("2026-05-01 12:03:04 UTC");
    expect(format.cellText(null, "text")).toBe("NULL");
    expect(format.cellText(Date.UTC(2026, 0, 2), "timestamp")).toBe("2026-01-02T00:00:00.000Z");
    expect(format.cellText(5, "integer")).toBe("5");
    expect(format.cellText(false, "boolean")).toBe("false");
    expect(format.cellText({ a: [1] }, "json")).toBe('{"a":[1]}');
    expect(format.cellText({ base64: Buffer.from("hello").toString("base64") }, "blob")).toBe("(5 B of bytes)");
    expect(format.cellText("<b>x</b>", "text")).toBe("<b>x</b>");
    expect(format.errorText({ status: 403, body: { error: { code: "FORBIDDEN", message: "db.select needs the role admin" } } })).toBe("FORBIDDEN: db.select needs the role admin");
    expect(format.errorText({ status: 502, body: "Bad Gateway" })).toBe("HTTP 502");
  });
});
