import { SecretKeys, metadata, type K8sObject, type Names } from "./k8s-objects.ts";

/** config/fuse.yaml as it is, mounted at /app/config in every actor's pod. */
export function configMap(names: Names, name: string, configText: string): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(names, name, "config"), data: { "fuse.yaml": configText } };
}

/** A Secret with one NATS identity's seed (FUSE_NATS_CREDS points at it). */
export function seedSecret(names: Names, name: string, seed: string): K8sObject {
  return { apiVersion: "v1", kind: "Secret", metadata: metadata(names, name, "credentials"), type: "Opaque", stringData: { [SecretKeys.seed]: seed } };
}

/** The principal key pair: public for every actor, signing for the gateway alone (by `items`). */
export function keysSecret(names: Names, name: string, keys: { publicKey: string; signingKey: string }): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadata(names, name, "credentials"),
    type: "Opaque",
    stringData: { [SecretKeys.publicKey]: keys.publicKey, [SecretKeys.signingKey]: keys.signingKey },
  };
}

/** The Dockerfile of the hub's image: node 20 slim, the hub folder, `npm ci`, the CLI prebuilt. */
export function dockerfile(fuseBin: string): string {
  return [
    "# The hub's image: every actor's pod runs `fuse run <actor>` from it, and sqld's pod its sqld.",
    "# Rendered by `fuse k8s render`; build it from the hub folder: docker build -f <out>/Dockerfile .",
    "FROM node:20-slim",
    "WORKDIR /app",
    "COPY package.json package-lock.json ./",
    "RUN npm ci --omit=dev && npm cache clean --force",
    "COPY . .",
    "RUN rm -rf .fuse && chown -R node:node /app",
    "USER node",
    // The CLI compiles itself into node_modules/.cache on first use: done here, as the pods' root file system is read-only.
    `RUN node ${fuseBin} --version`,
    `ENTRYPOINT ["node", "${fuseBin}"]`,
    "",
  ].join("\n");
}

export const DOCKERIGNORE = ["node_modules", ".fuse", ".git", "k8s", ""].join("\n");
