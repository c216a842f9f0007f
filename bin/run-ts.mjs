#!/usr/bin/env node
// Runs a TypeScript file of this repository (benchmarks, scripts) through tsx.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

register();
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], path.resolve(file), ...rest];
await import(pathToFileURL(path.resolve(file)).href);
