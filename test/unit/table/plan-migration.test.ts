import { describe, expect, it } from "vitest";
import { planMigration, tableSchemaSchema, type DbShape, type TableSchema } from "../../../runtime/table/index.ts";

const schema = (s: unknown): TableSchema => tableSchemaSchema.parse(s);
const notes = schema({ table: "notes", columns: { id: { type: "integer", primaryKey: true }, title: { type: "text" } }, indexes: [{ columns: ["title"] }] });
const shape = (columns: Record<string, string>, indexes: string[] = []): DbShape =>
  new Map([["notes", { columns: new Map(Object.entries(columns).map(([n, decl]) => [n, { decl, notNull: false, primaryKey: n === "id" }])), indexes: new Map(indexes.map((i) => [i, { columns: ["title"], unique: false }])) }]]);

describe("migration planner", () => {
  it("creates a missing table and its indexes", () => {
    const plan = planMigration(new Map(), [notes]);
    expect(plan.refused).toEqual([]);
    expect(plan.changes.map((c) => c.sql).flat()).toEqual([
      'CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL)',
      'CREATE INDEX "notes_title_idx" ON "notes" ("title")',
    ]);
  });

  it("adds new columns and indexes, and nothing when all is there", () => {
    const grown = schema({ ...notes, columns: { ...notes.columns, pinned: { type: "boolean", default: false }, note: { type: "text", nullable: true } } });
    const plan = planMigration(shape({ id: "INTEGER", title: "TEXT" }, ["notes_title_idx"]), [grown]);
    expect(plan.changes.map((c) => c.description)).toEqual(["add column notes.pinned", "add column notes.note"]);
    expect(plan.changes[0]!.sql).toEqual(['ALTER TABLE "notes" ADD COLUMN "pinned" INTEGER NOT NULL DEFAULT 0']);
    expect(planMigration(shape({ id: "INTEGER", title: "TEXT" }, ["notes_title_idx"]), [notes]).changes).toEqual([]);
  });

  it("adds a version column to a table with rows, starting them at version 1", () => {
    const versioned = schema({ ...notes, columns: { ...notes.columns, version: { type: "integer", version: true } } });
    const plan = planMigration(shape({ id: "INTEGER", title: "TEXT" }, ["notes_title_idx"]), [versioned]);
    expect(plan.refused).toEqual([]);
    expect(plan.changes.map((c) => c.sql).flat()).toEqual(['ALTER TABLE "notes" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1']);
  });

  it("refuses dropped columns and changed types, listing them, unless the schema allows it", () => {
    const current = shape({ id: "INTEGER", title: "INTEGER", gone: "TEXT" }, ["notes_title_idx"]);
    const refused = planMigration(current, [notes]);
    expect(refused.changes).toEqual([]);
    expect(refused.refused.map((r) => r.description)).toEqual(["drop column notes.gone", "change type of notes.title INTEGER → TEXT"]);
    const allowed = planMigration(current, [schema({ ...notes, allowDestructive: true })]);
    expect(allowed.refused).toEqual([]);
    expect(allowed.changes[0]).toMatchObject({ destructive: true, description: "drop column notes.gone, change type of notes.title INTEGER → TEXT" });
  });

  it("refuses a new column that is not nullable and has no default", () => {
    const plan = planMigration(shape({ id: "INTEGER", title: "TEXT" }, ["notes_title_idx"]), [schema({ ...notes, columns: { ...notes.columns, must: { type: "text" } } })]);
    expect(plan.refused).toEqual([{ table: "notes", description: "add column notes.must", reason: "a new column that is not nullable needs a default" }]);
  });

  it("leaves tables without a schema alone", () => {
    expect(planMigration(new Map([["other", { columns: new Map(), indexes: new Map() }]]), []).changes).toEqual([]);
  });
});
