import path from "node:path";
import type { Command } from "commander";
import { renderHub } from "../k8s/render-hub.ts";
import { writeManifests } from "../k8s/write-manifests.ts";
import { colour, print } from "../output.ts";
import { hubDir } from "../hub-dir.ts";

export function registerK8sCommands(program: Command): void {
  const k8s = program.command("k8s").description("run the hub on Kubernetes");
  k8s
    .command("render")
    .description("write Kubernetes manifests and the hub's Dockerfile from config/fuse.yaml")
    .option("-o, --out <dir>", "folder to write into", "k8s")
    .action(async (options: { out: string }) => {
      const dir = hubDir(program);
      const out = path.resolve(dir, options.out);
      const written = writeManifests(out, await renderHub(dir, out));
      for (const file of written) print(path.relative(process.cwd(), file) || file);
      print(colour.dim(`secrets.yaml holds generated credentials (kept on the next render): keep it out of version control; apply with kubectl apply -f ${path.relative(process.cwd(), out) || "."}`));
    });
}
