import { watch, type FSWatcher } from "node:fs";
import path from "node:path";

export interface SourceWatcherOptions {
  /** Actor name → folder of its module. */
  folders: Map<string, string>;
  /** Called once per burst of changes in an actor's folder. */
  onChange(actor: string, file: string): void;
}

const DEBOUNCE_MS = 200;
const IGNORED = /(^|[\\/])(node_modules|\.fuse|\.git)([\\/]|$)|~$|\.swp$/;

/** Watches each actor's source folder; an edit restarts only that actor (`fuse up --watch`). */
export function watchSources(options: SourceWatcherOptions): () => void {
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  for (const [actor, folder] of options.folders) {
    try {
      watchers.push(
        watch(folder, { recursive: true }, (_event, name) => {
          if (!name || IGNORED.test(name)) return;
          clearTimeout(timers.get(actor));
          timers.set(actor, setTimeout(() => options.onChange(actor, path.join(folder, name)), DEBOUNCE_MS));
        }),
      );
    } catch {
      // A folder that cannot be watched is skipped; the actor still runs.
    }
  }
  return () => {
    for (const timer of timers.values()) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
