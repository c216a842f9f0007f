/**
 * The shapes and names shared by every rendered manifest: one object is a plain JSON value
 * (what `kubectl apply` reads), labels and names follow the `app.kubernetes.io` conventions.
 */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** One file of the output: its objects, in the order they are written. */
export interface RenderedFile {
  file: string;
  objects: K8sObject[];
}

/** Where things are inside every pod of the hub's image. */
export const PodPaths = {
  app: "/app",
  config: "/app/config",
  state: "/app/.fuse",
  tmp: "/tmp",
  natsCreds: "/var/run/fuse/nats",
  keys: "/var/run/fuse/keys",
} as const;

export const SecretKeys = { seed: "seed", publicKey: "public.pem", signingKey: "signing.pem" } as const;

/** Ports inside the pods, fixed: Services and probes name them. */
export const PodPorts = { nats: 4222, natsCluster: 6222, natsMonitor: 8222, sqld: 8080, gateway: 8080 } as const;

export interface Names {
  prefix: string;
  namespace?: string;
}

export function objectName(names: Names, part: string): string {
  return `${names.prefix}-${part}`;
}

/** The labels a component's pods carry and its Service selects. */
export function selectorLabels(names: Names, component: string): Record<string, string> {
  return { "app.kubernetes.io/name": component, "app.kubernetes.io/instance": names.prefix };
}

export function labels(names: Names, component: string): Record<string, string> {
  return { ...selectorLabels(names, component), "app.kubernetes.io/part-of": "fuse", "app.kubernetes.io/managed-by": "fuse-k8s-render" };
}

export function metadata(names: Names, name: string, component: string): K8sObject["metadata"] {
  return { name, ...(names.namespace ? { namespace: names.namespace } : {}), labels: labels(names, component) };
}

/** Every pod of the hub's image runs as a user, never root. */
export const POD_SECURITY = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } as const;
/** And its container on a read-only root, without privileges. */
export const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } as const;

/**
 * The mounts a pod running `fuse` has: the config (read-only), `.fuse` (where actors are
 * bundled at start: the image's own files stay read-only), /tmp, and its NATS seed.
 */
export function fuseMounts(): { name: string; mountPath: string; readOnly?: boolean }[] {
  return [
    { name: "config", mountPath: PodPaths.config, readOnly: true },
    { name: "state", mountPath: PodPaths.state },
    { name: "tmp", mountPath: PodPaths.tmp },
    { name: "nats-creds", mountPath: PodPaths.natsCreds, readOnly: true },
  ];
}

/** The volumes of those mounts. */
export function fuseVolumes(configMap: string, natsSecret: string): Record<string, unknown>[] {
  return [
    { name: "config", configMap: { name: configMap } },
    { name: "state", emptyDir: {} },
    { name: "tmp", emptyDir: {} },
    { name: "nats-creds", secret: { secretName: natsSecret, defaultMode: 0o400 } },
  ];
}
