import { existsSync, readFileSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";

export interface ConfigWatcherOptions {
  hubDir: string;
  /** Relative to the hub folder. */
  file: string;
  /** Called with the file's new text after it changed (debounced). */
  onChange(text: string): void;
}

const DEBOUNCE_MS = 150;

/**
 * Watches the config file. Editors often replace a file rather than write it, so the folder
 * is watched and the text compared, and bursts of events are debounced into one change.
 */
export function watchConfig(options: ConfigWatcherOptions): () => void {
  const full = path.resolve(options.hubDir, options.file);
  const read = () => (existsSync(full) ? readFileSync(full, "utf8") : "");
  let last = read();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(full), (_event, name) => {
      if (name && name !== path.basename(full)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const text = read();
        if (text === last) return;
        last = text;
        options.onChange(text);
      }, DEBOUNCE_MS);
    });
  } catch {
    // No config folder: nothing to watch.
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
