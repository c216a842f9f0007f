import type { BusPermissions } from "../../protocol/index.ts";
import { PodPorts, metadata, objectName, selectorLabels, type K8sObject, type Names } from "./k8s-objects.ts";

export interface NatsUser {
  nkey: string;
  permissions?: BusPermissions;
}

export interface NatsManifestOptions {
  names: Names;
  replicas: number;
  storage: string;
  storageClass?: string;
  users: NatsUser[];
}

const IMAGE = "nats:2.10-alpine";

/** The in-cluster URL every pod connects to: the client Service. */
export function natsUrl(names: Names): string {
  return `nats://${objectName(names, "nats")}:${PodPorts.nats}`;
}

/**
 * nats-server's config: a cluster of `replicas` servers that find each other by the stable
 * names of the StatefulSet's pods behind the headless Service, JetStream on each pod's
 * volume, and one NKey user per Fuse identity with the rights the hub would give it.
 * JSON is valid nats-server config syntax; `$POD_NAME` is read from the environment.
 */
export function natsConfig(options: NatsManifestOptions): string {
  const { names, replicas } = options;
  const headless = objectName(names, "nats-headless");
  const routes = Array.from({ length: replicas }, (_, i) => `nats://${objectName(names, "nats")}-${i}.${headless}:${PodPorts.natsCluster}`);
  const config = {
    port: PodPorts.nats,
    http_port: PodPorts.natsMonitor,
    server_name: "$POD_NAME",
    jetstream: { store_dir: "/data/jetstream" },
    ...(replicas > 1 ? { cluster: { name: names.prefix, port: PodPorts.natsCluster, routes } } : {}),
    authorization: { users: options.users },
  };
  return `${JSON.stringify(config, null, 2).replace('"$POD_NAME"', "$POD_NAME")}\n`;
}

/** The NATS StatefulSet with its config, a headless Service for the routes and a client Service. */
export function natsManifests(options: NatsManifestOptions): K8sObject[] {
  const { names } = options;
  const name = objectName(names, "nats");
  const configName = objectName(names, "nats-config");
  const selector = selectorLabels(names, "nats");
  const ports = [
    { name: "client", port: PodPorts.nats, targetPort: "client" },
    { name: "cluster", port: PodPorts.natsCluster, targetPort: "cluster" },
    { name: "monitor", port: PodPorts.natsMonitor, targetPort: "monitor" },
  ];
  const configMap: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(names, configName, "nats"), data: { "nats.conf": natsConfig(options) } };
  const headless: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(names, objectName(names, "nats-headless"), "nats"),
    // Routes form before the servers are ready: each must find the others to become ready.
    spec: { clusterIP: "None", publishNotReadyAddresses: true, selector, ports },
  };
  const client: K8sObject = { apiVersion: "v1", kind: "Service", metadata: metadata(names, name, "nats"), spec: { selector, ports: [ports[0]] } };
  const healthz = (path: string) => ({ httpGet: { path, port: "monitor" }, periodSeconds: 10, failureThreshold: 3 });
  const statefulSet: K8sObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(names, name, "nats"),
    spec: {
      serviceName: objectName(names, "nats-headless"),
      replicas: options.replicas,
      // All at once: a cluster of routes needs its peers up to elect JetStream's meta leader.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: metadata(names, name, "nats").labels },
        spec: {
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "nats",
              image: IMAGE,
              args: ["--config", "/etc/nats/nats.conf"],
              env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
              ports: [
                { name: "client", containerPort: PodPorts.nats },
                { name: "cluster", containerPort: PodPorts.natsCluster },
                { name: "monitor", containerPort: PodPorts.natsMonitor },
              ],
              volumeMounts: [
                { name: "config", mountPath: "/etc/nats" },
                { name: "data", mountPath: "/data" },
              ],
              livenessProbe: healthz("/healthz?js-enabled-only=true"),
              readinessProbe: healthz("/healthz?js-server-only=true"),
              startupProbe: { ...healthz("/healthz"), failureThreshold: 30 },
            },
          ],
          volumes: [{ name: "config", configMap: { name: configName } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
            resources: { requests: { storage: options.storage } },
          },
        },
      ],
    },
  };
  return [configMap, headless, client, statefulSet];
}
