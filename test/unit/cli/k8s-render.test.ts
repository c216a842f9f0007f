import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { renderHub } from "../../../runtime/cli/k8s/render-hub.ts";
import { writeManifests } from "../../../runtime/cli/k8s/write-manifests.ts";
import { DEFAULT_PROBE_PORT } from "../../../runtime/hub/pod/probe-server.ts";
import { publicKeyOfSeed } from "../../../runtime/hub/servers/nkey-pair.ts";
import { ProcessEnv } from "../../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir } from "../../helpers/index.ts";

const CONFIG = `prefix: shop
gateway:
  host: 0.0.0.0
  auth: { keys: true }
drainTimeoutMs: 15000
actors:
  worker:
    instances: 3
kubernetes:
  namespace: fuse-test
  image: registry.example.com/shop:1.2.3
  ingress: { host: shop.example.com, className: nginx, tlsSecret: shop-tls }
`;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/Ingress": Ingress,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

// Parsed YAML of many kinds: the shape is what the schemas above check, so the test reads it loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Loose; data?: Record<string, string>; stringData?: Record<string, string> };
type Pod = { owner: Obj; labels: Record<string, string>; spec: Loose; claims: string[] };

function readOut(out: string): { files: Map<string, string>; objects: Obj[] } {
  const files = new Map<string, string>();
  const objects: Obj[] = [];
  for (const file of readdirSync(out).sort()) {
    const text = readFileSync(path.join(out, file), "utf8");
    files.set(file, text);
    if (file.endsWith(".yaml")) for (const doc of parseAllDocuments(text)) objects.push((doc as { toJS(): Obj }).toJS());
  }
  return { files, objects };
}

function podsOf(objects: Obj[]): Pod[] {
  return objects
    .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet" || o.kind === "Job")
    .map((o) => ({ owner: o, labels: o.spec.template.metadata.labels, spec: o.spec.template.spec, claims: (o.spec.volumeClaimTemplates ?? []).map((c: Obj) => c.metadata.name) }));
}

describe("fuse k8s render", () => {
  let dir: string;
  let out: string;
  let objects: Obj[];
  let files: Map<string, string>;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { worker: "worker", stock: "stock" } });
    out = path.join(dir, "k8s");
    writeManifests(out, await renderHub(dir, out));
    ({ files, objects } = readOut(out));
  }, 120_000);
  afterAll(() => removeHubDir(dir));

  it("writes one file per component and per actor, with the Dockerfile", () => {
    expect([...files.keys()]).toEqual([
      "Dockerfile",
      "Dockerfile.dockerignore",
      "actor-db.yaml",
      "actor-gateway.yaml",
      "actor-stock.yaml",
      "actor-taskmaster.yaml",
      "actor-worker.yaml",
      "config.yaml",
      "nats.yaml",
      "secrets.yaml",
      "setup.yaml",
      "sqld.yaml",
    ]);
    expect(files.get("Dockerfile")).toMatch(/^FROM node:20-slim$/m);
    expect(files.get("Dockerfile")).toContain("RUN npm ci --omit=dev");
    expect(statSync(path.join(out, "secrets.yaml")).mode & 0o777).toBe(0o600);
  });

  it("renders only objects the Kubernetes API schemas accept", () => {
    const problems: string[] = [];
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      if (!Model) {
        problems.push(`${object.kind} ${object.metadata.name}: no schema`);
        continue;
      }
      try {
        new Model(object as never).validate();
      } catch (error) {
        problems.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(objects.length).toBeGreaterThan(10);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(["fuse-test"]));
  });

  it("gives each actor a Deployment of `fuse run <actor>` with its instances, probes on the port fuse run serves, and env actor-main reads", () => {
    const envNames = new Set<string>(Object.values(ProcessEnv));
    const deployments = objects.filter((o) => o.kind === "Deployment");
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([["shop-db", 1], ["shop-gateway", 1], ["shop-stock", 1], ["shop-taskmaster", 1], ["shop-worker", 3]]);
    for (const d of deployments) {
      const [container] = d.spec.template.spec.containers;
      expect(container.command.slice(-2)).toEqual(["run", d.metadata.name.replace("shop-", "")]);
      const ports = new Map<string, number>(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
      for (const probe of [container.livenessProbe, container.readinessProbe]) expect(ports.get(probe.httpGet.port)).toBe(DEFAULT_PROBE_PORT);
      expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(["/livez", "/readyz"]);
      const env = new Map<string, string>(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect([...env.keys()].filter((n) => !envNames.has(n))).toEqual([]);
      expect(Number(env.get(ProcessEnv.probePort))).toBe(DEFAULT_PROBE_PORT);
      expect(env.get(ProcessEnv.natsUrl)).toBe("nats://shop-nats:4222");
      expect(env.get(ProcessEnv.dbUrl)).toBe("http://shop-sqld:8080");
      // Every path the env names is inside a mounted volume.
      const mounts: string[] = container.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
      for (const key of [ProcessEnv.natsCreds, ProcessEnv.principalKey, ProcessEnv.principalSigningKey]) {
        const file = env.get(key);
        if (file) expect(mounts.some((m) => file.startsWith(`${m}/`))).toBe(true);
      }
      expect(env.has(ProcessEnv.principalSigningKey)).toBe(d.metadata.name === "shop-gateway");
      // fuse run drains for drainTimeoutMs, then kills 5 s later: Kubernetes must wait longer.
      expect(d.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(15_000 + 5000);
    }
  });

  it("mounts only volumes that exist, from ConfigMaps and Secrets that are rendered", () => {
    const byKind = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
    const configMaps = byKind("ConfigMap");
    const secrets = byKind("Secret");
    for (const pod of podsOf(objects)) {
      const volumes = new Set<string>([...(pod.spec.volumes ?? []).map((v: { name: string }) => v.name), ...pod.claims]);
      for (const c of pod.spec.containers) for (const m of c.volumeMounts ?? []) expect(volumes, `${pod.owner.metadata.name} mounts ${m.name}`).toContain(m.name);
      for (const v of pod.spec.volumes ?? []) {
        if (v.configMap) expect(configMaps).toContain(v.configMap.name);
        if (v.secret) expect(secrets).toContain(v.secret.secretName);
      }
    }
  });

  it("has every Service select pods and name ports those pods have; the Ingress names a Service port", () => {
    const pods = podsOf(objects);
    const services = objects.filter((o) => o.kind === "Service");
    for (const service of services) {
      const selected = pods.filter((p) => Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => p.labels[k] === v));
      expect(selected.length, `${service.metadata.name} selects pods`).toBeGreaterThan(0);
      for (const port of service.spec.ports) {
        for (const pod of selected) {
          const names = pod.spec.containers.flatMap((c: { ports: { name: string }[] }) => c.ports.map((p) => p.name));
          expect(names, `${service.metadata.name} → ${pod.owner.metadata.name}`).toContain(port.targetPort);
        }
      }
    }
    const [ingress] = objects.filter((o) => o.kind === "Ingress");
    const backend = ingress!.spec.rules[0].http.paths[0].backend.service;
    const target = services.find((s) => s.metadata.name === backend.name);
    expect(target?.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
    expect(ingress!.spec).toMatchObject({ ingressClassName: "nginx", tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] });
  });

  it("runs NATS as 3 routed servers with JetStream on claimed volumes and a user for each identity's secret", () => {
    const nats = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "shop-nats")!;
    expect(nats.spec.replicas).toBe(3);
    expect(nats.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("10Gi");
    const headless = objects.find((o) => o.kind === "Service" && o.metadata.name === nats.spec.serviceName)!;
    expect(headless.spec.clusterIP).toBe("None");
    const conf = objects.find((o) => o.metadata.name === "shop-nats-config")!.data!["nats.conf"]!;
    const parsed = JSON.parse(conf.replace("$POD_NAME", '"$POD_NAME"')) as { cluster: { routes: string[] }; authorization: { users: { nkey: string }[] } };
    expect(parsed.cluster.routes).toEqual([0, 1, 2].map((i) => `nats://shop-nats-${i}.shop-nats-headless:6222`));
    const seeds = objects.filter((o) => o.kind === "Secret" && o.stringData?.seed).map((s) => publicKeyOfSeed(s.stringData!.seed!));
    expect(new Set(parsed.authorization.users.map((u) => u.nkey))).toEqual(new Set(seeds));
    expect(seeds).toHaveLength(6); // admin + db, gateway, stock, taskmaster, worker
  });

  it("writes the same files again on a second render, keeping the generated credentials", async () => {
    writeManifests(out, await renderHub(dir, out));
    expect(readOut(out).files).toEqual(files);
  }, 120_000);

  it("runs fuse setup once in a Job, as the admin identity, before actors need the stream, buckets and tables", () => {
    const job = objects.find((o) => o.kind === "Job")!;
    expect(job.metadata.name).toBe("shop-setup");
    const spec = job.spec.template.spec;
    expect(spec.restartPolicy).toBe("OnFailure");
    const [container] = spec.containers;
    // The rendered NATS has 3 servers: the stream and buckets get 3 copies.
    expect(container.command.slice(-3)).toEqual(["setup", "--replicas", "3"]);
    const env = new Map<string, string>(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.get(ProcessEnv.natsUrl)).toBe("nats://shop-nats:4222");
    expect(env.get(ProcessEnv.dbUrl)).toBe("http://shop-sqld:8080");
    // Only an owner may make streams: the admin identity's seed, whose NATS user has no limits.
    const creds = spec.volumes.find((v: { name: string }) => v.name === "nats-creds").secret.secretName;
    expect(creds).toBe("shop-nats-admin");
    const mounts: string[] = container.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    expect(mounts.some((m) => env.get(ProcessEnv.natsCreds)!.startsWith(`${m}/`))).toBe(true);
  });
});
