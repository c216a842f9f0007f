#!/usr/bin/env node
// The `fuse` command. Fuse is written in TypeScript and runs through tsx, with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../runtime/cli/main.ts");
await main(process.argv);
