import type { Command } from "commander";
import { hubContract, type ActorKeys, type KeyView } from "../../protocol/index.ts";
import { callContract, withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, formatDuration, print, printJson, table } from "../output.ts";

function printKeys(keys: ActorKeys): void {
  const rows = keys.instances.flatMap((i) =>
    i.keys.map((k) => [k.key, String(i.instance), String(i.pid), String(k.partition), String(k.version), formatDuration(Date.now() - k.lastUsed)]),
  );
  print(table(["KEY", "INSTANCE", "PID", "PARTITION", "VERSION", "IDLE"], rows));
  const owned = keys.instances.map((i) => `instance ${i.instance}: ${i.keys.length} keys, ${i.partitions.length} partitions`).join("; ");
  print(colour.dim(`${keys.active} keys in memory (${owned})`));
}

function printKey(view: KeyView): void {
  const owner = view.owner ? `instance ${view.owner.instance}` : "none now";
  print(`${view.key} ${colour.dim(`partition ${view.partition}, owner ${owner}, ${view.active ? "active" : "not in memory"}`)}`);
  print(`version ${view.version}`);
  print(`state   ${JSON.stringify(view.state, null, 2).replaceAll("\n", "\n        ")}`);
  for (const [name, r] of Object.entries(view.reminders)) {
    print(`reminder ${name}: due ${new Date(r.dueAt).toISOString()}${r.everyMs ? `, every ${r.everyMs} ms` : ""}`);
  }
}

/** `fuse actors keys <actor> [key]`: a keyed actor's keys in memory per instance, or one key's state (admin). */
export function registerActorKeysCommand(actors: Command, program: Command): void {
  actors
    .command("keys <actor> [key]")
    .description("a keyed actor's keys held in memory per instance, or one key's stored state, version and reminders")
    .option("--json", "print JSON")
    .action(async (actor: string, key: string | undefined, options: { json?: boolean }) => {
      if (key === undefined) {
        const keys = await withHub(hubDir(program), (call) => callContract(call, hubContract, "keys", { name: actor }));
        return options.json ? printJson(keys) : printKeys(keys);
      }
      const view = await withHub(hubDir(program), (call) => callContract(call, hubContract, "key", { name: actor, key }));
      return options.json ? printJson(view) : printKey(view);
    });
}
