import { describe, expect, it } from "vitest";
import { checkStatements, loneSurrogateAt, statementHead } from "../../../runtime/table/connection/check-statements.ts";
import { MAX_REQUEST_BYTES, encodedSize, type SqlValue } from "../../../runtime/table/index.ts";

const refusal = (statements: { sql: string; args: SqlValue[] }[]) => {
  try {
    checkStatements(statements);
    return "accepted";
  } catch (error) {
    const e = error as Error & { code: string; details: { issues: { path: string }[] } };
    return `${e.code} [${e.details.issues.map((i) => i.path).join(",")}] ${e.message}`;
  }
};

describe("what a statement may carry to the database", () => {
  it("finds a lone surrogate, high or low, anywhere, and lets pairs (emoji) through", () => {
    expect(["plain", "é ✓ 😀", "a\ud800b", "\udc00", "end\udbff", "😀\ude00"].map(loneSurrogateAt)).toEqual([-1, -1, 1, 0, 3, 2]);
  });

  it("refuses text with a lone surrogate in the SQL or a value, naming the value's position and, in a batch, the statement", () => {
    expect([
      refusal([{ sql: "SELECT '\ud800'", args: [] }]),
      refusal([{ sql: "SELECT ?, ?", args: ["ok", "x\udfff"] }]),
      refusal([
        { sql: 'INSERT INTO "notes" (title) VALUES (?)', args: ["fine"] },
        { sql: 'UPDATE "notes" SET title = ?', args: ["\ud800"] },
      ]),
    ]).toMatchInlineSnapshot(`
      [
        "VALIDATION_FAILED [sql] sql text: expected text without a lone surrogate (the database cannot store one), got \\ud800 at index 8",
        "VALIDATION_FAILED [args.1] sql argument 2: expected text without a lone surrogate (the database cannot store one), got "x\\udfff" (\\udfff at index 1)",
        "VALIDATION_FAILED [1.args.0] statement 2 of 2 (UPDATE "notes"), sql argument 1: expected text without a lone surrogate (the database cannot store one), got "\\ud800" (\\ud800 at index 0)",
      ]
    `);
  });

  it("refuses values the client cannot bind: NaN, infinities, integers beyond 64 bits, other types", () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, 2n ** 63n, true, { a: 1 }] as unknown as SqlValue[];
    expect(values.map((v) => refusal([{ sql: "SELECT ?", args: [v] }]))).toMatchInlineSnapshot(`
      [
        "VALIDATION_FAILED [args.0] sql argument 1: expected a finite number, got NaN",
        "VALIDATION_FAILED [args.0] sql argument 1: expected a finite number, got Infinity",
        "VALIDATION_FAILED [args.0] sql argument 1: expected a 64-bit integer, got 9223372036854775808",
        "VALIDATION_FAILED [args.0] sql argument 1: expected a string, number, bigint, bytes or null, got boolean",
        "VALIDATION_FAILED [args.0] sql argument 1: expected a string, number, bigint, bytes or null, got object",
      ]
    `);
    expect(refusal([{ sql: "SELECT ?, ?, ?, ?, ?", args: [-(2n ** 63n), 0, -0, null, new Uint8Array(3)] }])).toBe("accepted");
  });

  it("measures a request as it is sent, escapes and base64 included, and refuses one above the limit", () => {
    // Control characters take 6 bytes each once JSON-escaped: few characters, a large request.
    const controls = "\u0001".repeat(3_000_000);
    expect(refusal([{ sql: "SELECT ?", args: [controls] }])).toMatchInlineSnapshot(
      `"VALIDATION_FAILED [] SELECT: expected at most 15.9 MiB in one database request, got 17.2 MiB; write fewer rows at once, or keep large values out of the database"`,
    );
    // Plain ASCII near the limit passes: the quick bound is only a bound.
    expect(refusal([{ sql: "SELECT ?", args: ["x".repeat(MAX_REQUEST_BYTES - 1000)] }])).toBe("accepted");
    expect(encodedSize({ sql: "SELECT ?", args: [new Uint8Array(3_000)] })).toBe(encodedSize({ sql: "SELECT ?", args: [""] }) + 4_000 - 2);
    const rows = Array.from({ length: 5 }, () => ({ sql: 'INSERT INTO "files" (data) VALUES (?)', args: [new Uint8Array(2_600_000)] as SqlValue[] }));
    expect(refusal(rows)).toMatch(/^VALIDATION_FAILED \[\] a batch of 5 statements \(INSERT INTO "files" …\): expected at most 15.9 MiB in one database request, got 16.5 MiB/);
  });

  it("names a statement by what it does, never by its values", () => {
    expect(['INSERT INTO "notes" (a) VALUES (?)', "insert or replace into notes values (1)", 'DELETE FROM "x" WHERE a = 1', "  select * from t", ""].map(statementHead)).toEqual([
      'INSERT INTO "notes"',
      "INSERT OR REPLACE INTO notes",
      'DELETE FROM "x"',
      "SELECT",
      "(empty statement)",
    ]);
  });
});
