#!/usr/bin/env node
// The `fuse` command. Fuse is TypeScript with no build step: the CLI runs from a bundle that
// is compiled on first use and again whenever one of its sources changes (so it starts without
// compiling TypeScript each time), and through tsx if it cannot be written.
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isFresh } from "../runtime/build/bundle-record.mjs";

// One bundle per checkout: two checkouts sharing one node_modules (a symlink) would otherwise
// each find the other's bundle fresh, its sources being unchanged, and run the other's code.
const CHECKOUT = fileURLToPath(new URL("..", import.meta.url));
const BUNDLE = fileURLToPath(new URL(`../node_modules/.cache/fuse/cli-${createHash("sha256").update(CHECKOUT).digest("hex").slice(0, 12)}.mjs`, import.meta.url));

async function loadCli() {
  if (isFresh(BUNDLE)) return import(pathToFileURL(BUNDLE).href);
  const { register } = await import("tsx/esm/api");
  register();
  try {
    const { buildCliBundle } = await import("../runtime/cli/cli-bundle.ts");
    await buildCliBundle(BUNDLE);
    return await import(pathToFileURL(BUNDLE).href);
  } catch {
    // A read-only install, say: the sources run as they are.
    return import("../runtime/cli/main.ts");
  }
}

const { main } = await loadCli();
await main(process.argv);
