import { z } from "zod";

/** A DNS name as Kubernetes takes it for an Ingress host (RFC 1123, lowercase). */
const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Kubernetes object name (RFC 1123 label). */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A storage quantity such as 10Gi or 500Mi. */
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export const kubernetesIngressSchema = z.strictObject({
  /** The host name the Ingress routes to the gateway's Service. */
  host: z.string().regex(DNS_NAME, "expected a DNS name like hub.example.com"),
  /** The ingress controller's class (`ingressClassName`); the cluster's default without it. */
  className: z.string().regex(LABEL, "expected a Kubernetes name").optional(),
  /** A Secret of type kubernetes.io/tls holding the host's certificate; plain HTTP without it. */
  tlsSecret: z.string().regex(LABEL, "expected a Kubernetes name").optional(),
});

/** What `fuse k8s render` needs beyond the hub's own config; every key is optional. */
export const kubernetesConfigSchema = z.strictObject({
  /** Namespace of every object; the one `kubectl apply` uses without it. */
  namespace: z.string().regex(LABEL, "expected a Kubernetes name").optional(),
  /** The hub's image, built from the rendered Dockerfile. */
  image: z.string().min(1).default("fuse-hub:latest"),
  /** Replicas of the NATS StatefulSet: 3 (JetStream R3, one node may be lost) or 1 for a trial. */
  natsReplicas: z.union([z.literal(1), z.literal(3), z.literal(5)]).default(3),
  /** JetStream's volume per NATS pod. */
  natsStorage: z.string().regex(QUANTITY, "expected a quantity like 10Gi").default("10Gi"),
  /** sqld's volume. */
  dbStorage: z.string().regex(QUANTITY, "expected a quantity like 10Gi").default("10Gi"),
  /** Storage class of both volumes; the cluster's default without it. */
  storageClass: z.string().regex(LABEL, "expected a Kubernetes name").optional(),
  /** Routes HTTP from outside to the gateway's Service. */
  ingress: kubernetesIngressSchema.optional(),
});

export type KubernetesConfig = z.output<typeof kubernetesConfigSchema>;
