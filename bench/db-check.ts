// What the start-up integrity check costs `fuse up` (issue 17 point 4): PRAGMA quick_check, as
// the hub runs it on sqld's data file (runtime/hub/servers/db-integrity.ts), against
// integrity_check, on SQLite files of typical rows grown to each size. Not part of `npm run
// bench` (no baseline to pair with); run alone:
//   node bin/run-ts.mjs bench/db-check.ts        BENCH_DB_CHECK_MB=5,100 (default), ROUNDS=5
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Libsql from "libsql";
import { checkSqliteFile } from "../runtime/hub/servers/db-integrity.ts";

const SIZES = (process.env.BENCH_DB_CHECK_MB ?? "5,100").split(",").map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/** A file of notes (a text body of 300 bytes, two indexes) of at least `mb` MiB. */
function grow(file: string, mb: number): void {
  const db = new Libsql(file);
  db.exec("PRAGMA journal_mode=WAL; CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT, created_at INTEGER); CREATE INDEX notes_created ON notes (created_at); CREATE INDEX notes_title ON notes (title)");
  const insert = db.prepare("INSERT INTO notes (title, body, created_at) VALUES (?, ?, ?)");
  for (let n = 0; statSync(file).size < mb * 1024 * 1024; ) {
    db.transaction(() => {
      for (let i = 0; i < 5_000; i++, n++) insert.run(`title ${Math.random()}`, `${"x".repeat(300)}${n}`, Date.now() - n);
    })();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  db.close();
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(fn: () => void): number {
  const began = performance.now();
  fn();
  return performance.now() - began;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-db-check-"));
try {
  for (const mb of SIZES) {
    const file = path.join(dir, `${mb}.db`);
    grow(file, mb);
    const quick = Array.from({ length: ROUNDS }, () => timed(() => checkSqliteFile(file)));
    const full = Array.from({ length: ROUNDS }, () =>
      timed(() => {
        const db = new Libsql(`file:${file}?mode=ro`);
        db.prepare("PRAGMA integrity_check").all();
        db.close();
      }),
    );
    const size = (statSync(file).size / 1024 / 1024).toFixed(1);
    process.stdout.write(`${size} MiB: quick_check (the hub's) median ${median(quick).toFixed(1)} ms, first ${quick[0]!.toFixed(1)} ms; integrity_check median ${median(full).toFixed(1)} ms\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
