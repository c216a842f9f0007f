// The three ways a db-bench worker reaches the `entries` table, each with the statements
// ctx.db's table API sends for `insert` and `get`, so only the path to the database differs.
import type { ActorContext } from "../../runtime/sdk/index.ts";

/** BENCH_DB_STORE's values, also the systems' names in the report. */
export const DbStore = {
  fuse: "ctx.db",
  /** ctx.db with db.replica, the replica on disk (the default folder, .fuse/replicas). */
  replica: "ctx.db replica",
  /** ctx.db with db.replica, the replica in a RAM folder (db.replicaDir on /dev/shm). */
  replicaRam: "ctx.db replica tmpfs",
  client: "@libsql/client",
  embedded: "libsql embedded",
} as const;
export type DbStoreKind = (typeof DbStore)[keyof typeof DbStore];

export interface EntryStore {
  insert(writer: string, seq: number): unknown;
  get(id: number): unknown;
  /** journal_mode, synchronous and busy_timeout as this connection sees them. */
  pragmas(): Promise<Record<string, unknown>>;
}

const INSERT = 'INSERT INTO entries ("writer", "seq") VALUES (?, ?) RETURNING *';
const GET = 'SELECT * FROM entries WHERE "id" = ? LIMIT 1';
const PRAGMAS = ["journal_mode", "synchronous", "busy_timeout"];

type Query = (sql: string) => Promise<Record<string, unknown>[]>;
const readPragmas = async (query: Query) => Object.fromEntries(await Promise.all(PRAGMAS.map(async (p) => [p, Object.values((await query(`PRAGMA ${p}`))[0] ?? {})[0]])));

function fuseStore(ctx: ActorContext): EntryStore {
  const entries = ctx.db.table("entries");
  return { insert: (writer, seq) => entries.insert({ writer, seq }), get: (id) => entries.get(id), pragmas: () => readPragmas((sql) => ctx.db.sql(sql)) };
}

/**
 * The `libsql` package on a file that every worker opens: WAL, a busy timeout so writers wait
 * for each other's lock instead of failing, and `synchronous` set to what sqld runs with,
 * so both make the same durability promise.
 */
async function embeddedStore(file: string, synchronous: string): Promise<EntryStore> {
  const { default: Libsql } = await import("libsql");
  const db = new Libsql(file, { timeout: 5000 });
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${Number(synchronous)}; PRAGMA busy_timeout = 5000`);
  const insert = db.prepare(INSERT);
  const get = db.prepare(GET);
  return { insert: (writer, seq) => insert.get(writer, seq), get: (id) => get.get(id), pragmas: () => readPragmas(async (sql) => [db.prepare(sql).get() as Record<string, unknown>]) };
}

/**
 * What a user of @libsql/client adds once 4 writers meet sqld's 100 ms busy timeout: another
 * try after a backoff, as ctx.db does (10 ms doubling, 8 times).
 */
async function retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 8 || !String((error as { code?: string }).code ?? error).includes("SQLITE_BUSY")) throw error;
      await new Promise((r) => setTimeout(r, 10 * 2 ** tries));
    }
  }
}

/** @libsql/client used directly, to the same sqld and over the same WebSocket as ctx.db. */
async function clientStore(url: string): Promise<EntryStore> {
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url });
  return {
    insert: (writer, seq) => retryWhileBusy(() => client.execute({ sql: INSERT, args: [writer, seq] })),
    get: (id) => retryWhileBusy(() => client.execute({ sql: GET, args: [id] })).then((r) => r.rows[0]),
    pragmas: () => readPragmas(async (sql) => (await client.execute(sql)).rows as unknown as Record<string, unknown>[]),
  };
}

export async function openEntryStore(kind: string, ctx: ActorContext, env: NodeJS.ProcessEnv): Promise<EntryStore> {
  if (kind === DbStore.fuse || kind === DbStore.replica || kind === DbStore.replicaRam) return fuseStore(ctx);
  if (kind === DbStore.embedded) return embeddedStore(env.BENCH_DB_FILE!, env.BENCH_DB_SYNCHRONOUS!);
  if (kind === DbStore.client) return clientStore(env.BENCH_DB_URL!);
  throw new Error(`BENCH_DB_STORE: expected ${Object.values(DbStore).join(", ")}, got ${JSON.stringify(kind)}`);
}
