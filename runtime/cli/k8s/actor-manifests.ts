import type { ActorPlan, FuseConfig } from "../../config/index.ts";
import { DEFAULT_PROBE_PORT, ProbePath } from "../../hub/index.ts";
import { BuiltinActor, ProcessEnv } from "../../protocol/index.ts";
import { CONTAINER_SECURITY, POD_SECURITY, PodPaths, PodPorts, SecretKeys, fuseMounts, fuseVolumes, metadata, objectName, selectorLabels, type K8sObject, type Names } from "./k8s-objects.ts";

export interface ActorManifestOptions {
  names: Names;
  config: FuseConfig;
  plan: ActorPlan;
  image: string;
  /** The command that runs `fuse` in the image (the CLI's path there). */
  fuseCommand: string[];
  natsUrl: string;
  dbUrl: string;
  /** Secret holding this actor's NATS seed; the principal keys' Secret. */
  natsSecret: string;
  keysSecret: string;
  configMap: string;
}

/** Seconds Kubernetes waits after SIGTERM: `fuse run` drains for drainTimeoutMs and kills its actor 5 s later; 5 s more to exit. */
export function terminationGraceSeconds(config: FuseConfig): number {
  return Math.ceil(config.drainTimeoutMs / 1000) + 10;
}

function probes(config: FuseConfig) {
  const every = Math.max(1, Math.round(config.health.heartbeatMs / 1000) || 1);
  const port = "probes";
  return {
    // /livez answers 503 once the hub's rule calls the process hung (lag past hangTimeoutMs, or
    // silence past silenceTimeoutMs); one failure is enough then, as the hub kills at once.
    livenessProbe: { httpGet: { path: ProbePath.live, port }, periodSeconds: every, failureThreshold: 2, timeoutSeconds: 2 },
    readinessProbe: { httpGet: { path: ProbePath.ready, port }, periodSeconds: every, failureThreshold: 1, timeoutSeconds: 2 },
  };
}

function env(options: ActorManifestOptions): { name: string; value: string }[] {
  const { plan, config } = options;
  const gateway = plan.name === BuiltinActor.gateway;
  const list: Record<string, string> = {
    [ProcessEnv.natsUrl]: options.natsUrl,
    [ProcessEnv.prefix]: config.prefix,
    [ProcessEnv.dbUrl]: options.dbUrl,
    [ProcessEnv.hubDir]: PodPaths.app,
    [ProcessEnv.natsCreds]: `${PodPaths.natsCreds}/${SecretKeys.seed}`,
    [ProcessEnv.principalKey]: `${PodPaths.keys}/${SecretKeys.publicKey}`,
    [ProcessEnv.probePort]: String(DEFAULT_PROBE_PORT),
    ...(gateway ? { [ProcessEnv.principalSigningKey]: `${PodPaths.keys}/${SecretKeys.signingKey}`, [ProcessEnv.gatewayPort]: String(config.gateway.port || PodPorts.gateway) } : {}),
  };
  return Object.entries(list).map(([name, value]) => ({ name, value }));
}

/** One Deployment per actor: `fuse run <actor>` in the hub's image, replicas from `instances`. */
export function actorDeployment(options: ActorManifestOptions): K8sObject {
  const { names, plan, config } = options;
  const name = objectName(names, plan.name);
  const component = `actor-${plan.name}`;
  const gateway = plan.name === BuiltinActor.gateway;
  const keyItems = [{ key: SecretKeys.publicKey, path: SecretKeys.publicKey }, ...(gateway ? [{ key: SecretKeys.signingKey, path: SecretKeys.signingKey }] : [])];
  const ports = [{ name: "probes", containerPort: DEFAULT_PROBE_PORT }, ...(gateway ? [{ name: "http", containerPort: config.gateway.port || PodPorts.gateway }] : [])];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(names, name, component),
    spec: {
      replicas: plan.instances,
      selector: { matchLabels: selectorLabels(names, component) },
      // A new pod is ready before an old one drains, as the hub's rolling restarts do.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: metadata(names, name, component).labels },
        spec: {
          terminationGracePeriodSeconds: terminationGraceSeconds(config),
          securityContext: POD_SECURITY,
          containers: [
            {
              name: "actor",
              image: options.image,
              command: [...options.fuseCommand, "run", plan.name],
              env: env(options),
              ports,
              ...probes(config),
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [...fuseMounts(), { name: "keys", mountPath: PodPaths.keys, readOnly: true }],
            },
          ],
          volumes: [
            ...fuseVolumes(options.configMap, options.natsSecret),
            // The signing key goes to the gateway's pods only.
            { name: "keys", secret: { secretName: options.keysSecret, items: keyItems, defaultMode: 0o400 } },
          ],
        },
      },
    },
  };
}

/** The gateway's Service, and an Ingress to it when `kubernetes.ingress` is set. */
export function gatewayExposure(names: Names, config: FuseConfig): K8sObject[] {
  const component = `actor-${BuiltinActor.gateway}`;
  const name = objectName(names, BuiltinActor.gateway);
  const service: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(names, name, component),
    spec: { selector: selectorLabels(names, component), ports: [{ name: "http", port: 80, targetPort: "http" }] },
  };
  const ingress = config.kubernetes.ingress;
  if (!ingress) return [service];
  return [
    service,
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: metadata(names, name, component),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecret ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecret }] } : {}),
        rules: [{ host: ingress.host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { name: "http" } } } }] } }],
      },
    },
  ];
}
