/**
 * @module build
 * Compiles TypeScript modules into single runnable ES modules with esbuild: actors for their
 * processes, offloaded work for the worker pool, the CLI for `bin/fuse.mjs`.
 * May import: errors.
 */
export { bundleModule, type BundleOptions } from "./bundle-module.ts";
