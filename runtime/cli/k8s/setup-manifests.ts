import { ProcessEnv } from "../../protocol/index.ts";
import { CONTAINER_SECURITY, POD_SECURITY, PodPaths, SecretKeys, fuseMounts, fuseVolumes, metadata, objectName, type K8sObject, type Names } from "./k8s-objects.ts";

export interface SetupJobOptions {
  names: Names;
  image: string;
  prefix: string;
  /** The command that runs `fuse` in the image. */
  fuseCommand: string[];
  natsUrl: string;
  dbUrl: string;
  /** Copies of the stream and buckets: the rendered NATS cluster's size; none for an outside bus. */
  replicas?: number;
  /** The admin identity's Secret: only an owner may make streams. */
  natsSecret: string;
  configMap: string;
}

/**
 * The Job that does what `fuse up` does before actors start, since no hub runs in the cluster:
 * `fuse setup` makes the event stream, each actor's buckets and the tables. Retried by
 * Kubernetes until NATS and sqld answer; running it again (a new render, a new actor) is safe.
 */
export function setupJob(options: SetupJobOptions): K8sObject {
  const { names } = options;
  const env: Record<string, string> = {
    [ProcessEnv.natsUrl]: options.natsUrl,
    [ProcessEnv.prefix]: options.prefix,
    [ProcessEnv.dbUrl]: options.dbUrl,
    [ProcessEnv.hubDir]: PodPaths.app,
    [ProcessEnv.natsCreds]: `${PodPaths.natsCreds}/${SecretKeys.seed}`,
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(names, objectName(names, "setup"), "setup"),
    spec: {
      backoffLimit: 20,
      template: {
        metadata: { labels: metadata(names, objectName(names, "setup"), "setup").labels },
        spec: {
          restartPolicy: "OnFailure",
          securityContext: POD_SECURITY,
          containers: [
            {
              name: "setup",
              image: options.image,
              command: [...options.fuseCommand, "setup", ...(options.replicas ? ["--replicas", String(options.replicas)] : [])],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              securityContext: CONTAINER_SECURITY,
              // .fuse: where the actors' definitions are bundled to read what they use.
              volumeMounts: fuseMounts(),
            },
          ],
          volumes: fuseVolumes(options.configMap, options.natsSecret),
        },
      },
    },
  };
}
