import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import type { RenderResult } from "./render-manifests.ts";

/** The YAML of one file: its objects as documents, in order. */
export function fileYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

/** Writes every rendered file under `dir`; secrets.yaml readable by this user only. Returns the paths written. */
export function writeManifests(dir: string, result: RenderResult): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const { file, objects } of result.files) {
    const full = path.join(dir, file);
    const secret = objects.some((o) => (o as { kind?: string }).kind === "Secret");
    writeFileSync(full, fileYaml(objects), secret ? { mode: 0o600 } : {});
    if (secret) chmodSync(full, 0o600);
    written.push(full);
  }
  for (const { file, text } of result.texts) {
    writeFileSync(path.join(dir, file), text);
    written.push(path.join(dir, file));
  }
  return written;
}
