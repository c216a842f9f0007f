import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The thread that keeps an embedded replica in step with the primary. libSQL's `sync()` of the
 * `libsql` package blocks its caller for as long as it fetches and applies frames (0.4 ms when
 * nothing changed, some ms per transaction it applies: the replica writes each one to disk), so it
 * runs here, off the process's event loop; the process reads the same file through a connection
 * of its own. Plain JavaScript run with `eval`, so it needs no TypeScript loader and no bundling.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsqlPath);
let db;
function sync(id) {
  try {
    db ??= new Database(workerData.file, { syncUrl: workerData.syncUrl, authToken: workerData.authToken, readYourWrites: false });
    const report = db.sync();
    parentPort.postMessage({ id, frameNo: report.frame_no });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message || error), code: error && error.code } });
  }
}
parentPort.on("message", (message) => message === "close" ? (db && db.close(), process.exit(0)) : sync(message));
`;

export interface SyncWorkerOptions {
  file: string;
  syncUrl: string;
  authToken?: string;
}

export interface SyncReport {
  /** The replica's newest frame after the sync. */
  frameNo: number;
}

type Reply = { id: number; frameNo?: number; error?: { message: string; code?: string } };

/** One replica's sync thread: `sync()` pulls everything the primary has committed. */
export class ReplicaSyncWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: SyncReport) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited: Error | undefined;

  constructor(options: SyncWorkerOptions) {
    const libsqlPath = createRequire(import.meta.url).resolve("libsql");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...options, libsqlPath } });
    // A process with nothing else to do may exit: the thread holds nothing that must be kept.
    this.worker.unref();
    this.worker.on("message", (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if (reply.error) waiter.reject(Object.assign(new Error(`replica sync of ${options.file} from ${options.syncUrl}: ${reply.error.message}`), { code: reply.error.code }));
      else waiter.resolve({ frameNo: reply.frameNo ?? 0 });
    });
    const fail = (error: Error) => {
      this.exited = error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the replica sync thread exited (code ${code})`)));
  }

  sync(): Promise<SyncReport> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(id);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.postMessage("close");
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await this.worker.terminate();
  }
}
