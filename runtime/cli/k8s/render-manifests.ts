import { isLoopbackHost, type ActorPlan, type FuseConfig } from "../../config/index.ts";
import { ConfigError } from "../../errors/index.ts";
import { ADMIN_IDENTITY, BuiltinActor, busPermissions, busRoleOf, type BusUses } from "../../protocol/index.ts";
import { actorDeployment, gatewayExposure } from "./actor-manifests.ts";
import { DOCKERIGNORE, configMap, dockerfile, keysSecret, seedSecret } from "./hub-manifests.ts";
import { objectName, type Names, type RenderedFile } from "./k8s-objects.ts";
import { natsManifests, natsUrl } from "./nats-manifests.ts";
import { sqldManifests, sqldUrl } from "./sqld-manifests.ts";
import { setupJob } from "./setup-manifests.ts";

/** A NATS identity's key pair: the seed goes in its Secret, the public key in nats.conf. */
export interface IdentityKeys {
  seed: string;
  publicKey: string;
}

export interface RenderOptions {
  config: FuseConfig;
  /** config/fuse.yaml's text, put in the ConfigMap as it is. */
  configText: string;
  /** The actors to run (built-in ones included); programs of `processes:` are refused. */
  plans: ActorPlan[];
  /** What each actor's definition uses of JetStream, as the hub reads it; none: its own buckets only. */
  uses: ReadonlyMap<string, BusUses>;
  /** The key pair of every identity: each actor's name and ADMIN_IDENTITY (the CLI's). */
  identities: ReadonlyMap<string, IdentityKeys>;
  principalKeys: { publicKey: string; signingKey: string };
  /** Path of the `fuse` CLI inside the image, relative to /app. */
  fuseBin: string;
  /** Path of sqld inside the image, relative to /app. */
  sqldBinary: string;
}

export interface RenderResult {
  files: RenderedFile[];
  /** Files that are text, not objects: the Dockerfile and its ignore list. */
  texts: { file: string; text: string }[];
}

const RESERVED = new Set(["nats", "nats-headless", "nats-config", "sqld", "config", "keys"]);

function check(options: RenderOptions): void {
  const { config, plans } = options;
  const program = plans.find((p) => p.kind === "process");
  if (program) {
    throw new ConfigError(`config/fuse.yaml processes.${program.name}: fuse k8s render runs actors only; give the program its own Deployment`, { location: { key: `processes.${program.name}` } });
  }
  const taken = plans.find((p) => RESERVED.has(p.name));
  if (taken) throw new ConfigError(`config/fuse.yaml actors.${taken.name}: the name is taken by an object fuse k8s render makes (${[...RESERVED].join(", ")})`, { location: { key: `actors.${taken.name}` } });
  if (config.gateway.enabled && isLoopbackHost(config.gateway.host)) {
    throw new ConfigError(
      `config/fuse.yaml gateway.host: a gateway in a pod must listen on the pod's address for its Service to reach it, got ${JSON.stringify(config.gateway.host)}: set gateway.host: 0.0.0.0 with gateway.auth`,
      { location: { key: "gateway.host" } },
    );
  }
}

function identityKeys(options: RenderOptions, name: string): IdentityKeys {
  const keys = options.identities.get(name);
  if (!keys) throw new Error(`no key pair for the bus identity ${name}`);
  return keys;
}

/**
 * Kubernetes manifests for the hub of `config`: deterministic, one file per component or
 * actor, objects in a fixed order within each. Pure: keys and uses are passed in.
 * @throws CONFIG_INVALID for a config that cannot run on Kubernetes as it is, naming the key.
 */
export function renderManifests(options: RenderOptions): RenderResult {
  check(options);
  const { config } = options;
  const names: Names = { prefix: config.prefix, ...(config.kubernetes.namespace ? { namespace: config.kubernetes.namespace } : {}) };
  const k8s = config.kubernetes;
  const actors = [...options.plans].sort((a, b) => a.name.localeCompare(b.name));
  // No hub runs in the cluster, so no identity of its own; the admin one is for the CLI.
  const identities = [ADMIN_IDENTITY, ...actors.map((a) => a.name)];
  const users = identities.map((name) => {
    const role = name === ADMIN_IDENTITY ? "owner" : busRoleOf(name);
    const permissions = busPermissions({ name, role, uses: options.uses.get(name) }, { prefix: config.prefix, receipts: config.bus.receipts });
    return { nkey: identityKeys(options, name).publicKey, ...(permissions ? { permissions } : {}) };
  });
  const secretName = (identity: string) => objectName(names, `nats-${identity.replace(/^_/, "")}`);
  const bus = config.bus.url ?? natsUrl(names);
  const db = config.db.url ?? sqldUrl(names);
  const files: RenderedFile[] = [
    { file: "config.yaml", objects: [configMap(names, objectName(names, "config"), options.configText)] },
    {
      file: "secrets.yaml",
      objects: [keysSecret(names, objectName(names, "keys"), options.principalKeys), ...identities.map((id) => seedSecret(names, secretName(id), identityKeys(options, id).seed))],
    },
  ];
  if (!config.bus.url) files.push({ file: "nats.yaml", objects: natsManifests({ names, replicas: k8s.natsReplicas, storage: k8s.natsStorage, ...(k8s.storageClass ? { storageClass: k8s.storageClass } : {}), users }) });
  files.push({
    file: "setup.yaml",
    objects: [
      setupJob({
        names,
        image: k8s.image,
        prefix: config.prefix,
        fuseCommand: ["node", `/app/${options.fuseBin}`],
        natsUrl: bus,
        dbUrl: db,
        ...(config.bus.url ? {} : { replicas: k8s.natsReplicas }),
        natsSecret: secretName(ADMIN_IDENTITY),
        configMap: objectName(names, "config"),
      }),
    ],
  });
  if (!config.db.url) files.push({ file: "sqld.yaml", objects: sqldManifests({ names, image: k8s.image, storage: k8s.dbStorage, ...(k8s.storageClass ? { storageClass: k8s.storageClass } : {}), binary: `/app/${options.sqldBinary}` }) });
  for (const plan of actors) {
    const deployment = actorDeployment({
      names,
      config,
      plan,
      image: k8s.image,
      fuseCommand: ["node", `/app/${options.fuseBin}`],
      natsUrl: bus,
      dbUrl: db,
      natsSecret: secretName(plan.name),
      keysSecret: objectName(names, "keys"),
      configMap: objectName(names, "config"),
    });
    const extra = plan.builtin && plan.name === BuiltinActor.gateway ? gatewayExposure(names, config) : [];
    files.push({ file: `actor-${plan.name}.yaml`, objects: [deployment, ...extra] });
  }
  return { files, texts: [{ file: "Dockerfile", text: dockerfile(options.fuseBin) }, { file: "Dockerfile.dockerignore", text: DOCKERIGNORE }] };
}
