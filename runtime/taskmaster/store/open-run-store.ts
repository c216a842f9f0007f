import { UnavailableError } from "../../errors/index.ts";
import { RunStore } from "./run-store.ts";

const OPEN_TIMEOUT_MS = 10_000;

/** Opens the run store, retrying while the database server is still starting. */
export async function openRunStore(url: string, authToken?: string): Promise<RunStore> {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  for (;;) {
    try {
      return await RunStore.open(url, authToken);
    } catch (error) {
      if (Date.now() > deadline) throw new UnavailableError(`cannot open the run store at ${url}`, { cause: error });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
