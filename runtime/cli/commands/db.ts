import path from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../errors/index.ts";
import { dbContract, type ContractInput } from "../../protocol/index.ts";
import { hubRunning, readState, restoreDatabaseOffline } from "../../hub/index.ts";
import { callContract, withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print, printJson, table } from "../output.ts";

type Endpoints = (typeof dbContract)["endpoints"];

function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

const cell = (v: unknown) => (v === null || v === undefined ? colour.dim("null") : typeof v === "object" ? JSON.stringify(v) : String(v)).slice(0, 60);

export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("the hub's database: tables, rows, backups");
  const call = <TEndpoint extends keyof Endpoints & string>(endpoint: TEndpoint, input: ContractInput<Endpoints[TEndpoint]>) =>
    withHub(hubDir(program), (c) => callContract(c, dbContract, endpoint, input, { timeoutMs: 120_000 }));

  db.command("tables")
    .description("list tables with their row counts and columns")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const { tables } = await call("tables", {});
      if (o.json) return printJson(tables);
      print(table(["TABLE", "ROWS", "COLUMNS", "SCHEMA"], tables.map((t) => [t.name, String(t.rows), t.columns.map((c) => c.name).join(", "), t.schema ?? colour.dim("-")])));
    });
  db.command("select <table>")
    .description("print rows: --where '{\"pinned\":true}' --order -created_at --limit 20 --offset 0")
    .option("--where <json>", "conditions, e.g. {\"title\":{\"like\":\"%x%\"}}")
    .option("--order <columns>", "comma-separated; -column for descending")
    .option("--limit <n>", "rows per page", "50")
    .option("--offset <n>", "rows to skip", "0")
    .option("--json", "print JSON")
    .action(async (name: string, o: { where?: string; order?: string; limit: string; offset: string; json?: boolean }) => {
      const input = { table: name, where: parseJson(o.where, "--where") as Record<string, unknown> | undefined, orderBy: o.order?.split(","), limit: Number(o.limit), offset: Number(o.offset) };
      const { rows, total } = await call("select", input);
      if (o.json) return printJson({ rows, total });
      const columns = rows[0] ? Object.keys(rows[0]) : [];
      print(table(columns.map((c) => c.toUpperCase()), rows.map((r) => columns.map((c) => cell(r[c])))));
      print(colour.dim(`${rows.length} of ${total} rows`));
    });
  db.command("clear <table>")
    .description("delete every row of a table")
    .action(async (name: string) => {
      const { deleted } = await call("clear", { table: name });
      print(`${colour.green("✓")} ${name}: ${deleted} rows deleted`);
    });
  db.command("drop <table>")
    .description("drop a table (asks for --confirm <table>)")
    .requiredOption("--confirm <table>", "repeat the table's name")
    .action(async (name: string, o: { confirm: string }) => {
      await call("drop", { table: name, confirm: o.confirm });
      print(`${colour.green("✓")} dropped ${name}`);
    });
  db.command("backup")
    .description("write an online backup to .fuse/backups/")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const b = await call("backup", {});
      if (o.json) return printJson(b);
      print(`${colour.green("✓")} ${b.file}: ${b.tables.map((t) => `${t.name} (${t.rows})`).join(", ")}`);
    });
  db.command("restore <file>")
    .description("replace the tables' rows with a backup's (a file under .fuse/backups/); with the hub down, the whole database, the old one kept aside")
    .action(async (file: string) => {
      const dir = hubDir(program);
      const state = readState(dir);
      if (!state || !hubRunning(state)) {
        // A hub that will not start (its database failed the check) is restored here, without it.
        const r = await restoreDatabaseOffline(dir, file);
        print(`${colour.green("✓")} restored ${r.tables.map((t) => `${t.name} (${t.rows})`).join(", ")} into a fresh database`);
        if (r.keptAt) print(`  the database it replaced is kept in ${path.relative(dir, r.keptAt)}`);
        return;
      }
      const r = await call("restore", { file });
      print(`${colour.green("✓")} restored ${r.tables.map((t) => `${t.name} (${t.rows})`).join(", ")}`);
    });
}
