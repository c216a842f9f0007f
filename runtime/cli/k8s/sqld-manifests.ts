import { sqldArgs } from "../../hub/index.ts";
import { PodPorts, metadata, objectName, selectorLabels, type K8sObject, type Names } from "./k8s-objects.ts";

const DATA = "/var/lib/sqld";

/** The in-cluster URL of the database, as FUSE_DB_URL. */
export function sqldUrl(names: Names): string {
  return `http://${objectName(names, "sqld")}:${PodPorts.sqld}`;
}

/**
 * sqld as the hub runs it (same binary from the hub's image, same flags), on a volume of
 * its own, one replica: libSQL has one primary.
 */
export function sqldManifests(options: { names: Names; image: string; storage: string; storageClass?: string; binary: string }): K8sObject[] {
  const { names } = options;
  const name = objectName(names, "sqld");
  const selector = selectorLabels(names, "sqld");
  // The hub's flags, but listening on the pod's address: in a pod, the Service reaches it there.
  const args = sqldArgs(PodPorts.sqld, DATA).map((arg) => (arg === `127.0.0.1:${PodPorts.sqld}` ? `0.0.0.0:${PodPorts.sqld}` : arg));
  const health = { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, failureThreshold: 3 };
  const service: K8sObject = { apiVersion: "v1", kind: "Service", metadata: metadata(names, name, "sqld"), spec: { selector, ports: [{ name: "http", port: PodPorts.sqld, targetPort: "http" }] } };
  const statefulSet: K8sObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(names, name, "sqld"),
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: metadata(names, name, "sqld").labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: "sqld",
              image: options.image,
              command: [options.binary],
              args,
              ports: [{ name: "http", containerPort: PodPorts.sqld }],
              livenessProbe: health,
              readinessProbe: health,
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              volumeMounts: [{ name: "data", mountPath: DATA }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], ...(options.storageClass ? { storageClassName: options.storageClass } : {}), resources: { requests: { storage: options.storage } } },
        },
      ],
    },
  };
  return [service, statefulSet];
}
