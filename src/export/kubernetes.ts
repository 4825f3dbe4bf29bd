// A pod as Kubernetes objects: a Deployment that runs its replicas and updates them as pod
// does (a new replica first, none taken away before its successor is ready), and a Service
// that publishes its ports. Pure. The objects are typed with kubernetes-models' API types
// (types only: nothing of it is bundled), so a misspelt field fails the type check, and the
// unit tests validate the output against the API schemas it ships.
//
// What Kubernetes cannot carry from the pod is said in comments at the top (and returned as
// notes), never dropped silently.
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IService } from "kubernetes-models/v1/Service";
import { effectiveTimings, formatGoDuration, isDefaultHealth, probePort } from "../podspec/health.js";
import { DEFAULT_HEALTH, DEFAULT_STOP_TIMEOUT_S, type PodSpec, type PortMapping } from "../podspec/types.js";
import { toYamlStream } from "./yaml.js";
import { modeOf } from "../modes/index.js";

export interface KubernetesOptions {
  /** Seconds between SIGTERM and SIGKILL; overrides the spec's. Default: the spec's, else 10 as docker. */
  stopTimeoutS?: number;
}

export interface KubernetesExport {
  yaml: string;
  /** What the objects cannot carry from the pod; also the file's leading comments. */
  notes: string[];
}

const NAME_LABEL = "app.kubernetes.io/name";

/** An RFC 1035 label, as Service names must be (and so fit Deployments and containers too). */
export function kubernetesName(pod: string): string {
  let name = pod.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(name)) name = `pod-${name}`;
  return name.slice(0, 63).replace(/-+$/, "");
}

/** Kubernetes expands $(VAR) in command, args and env values; $$ is a literal $. */
const literal = (s: string) => s.replace(/\$/g, "$$$$");

/** 500000000 → "500m", 2000000000 → "2" (rounded up to a millicore, the API's precision). */
export function cpuQuantity(nanoCpus: number): string {
  const milli = Math.ceil(nanoCpus / 1e6);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** 536870912 → "512Mi"; bytes as they are when no binary unit divides them. */
export function memoryQuantity(bytes: number): string {
  for (const [unit, size] of [["Gi", 1024 ** 3], ["Mi", 1024 ** 2], ["Ki", 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

const isLoopback = (ip: string) => ip.startsWith("127.") || ip === "::1";
const protocol = (p: PortMapping) => (p.protocol === "udp" ? "UDP" : "TCP");

function command(spec: PodSpec, notes: string[]): Pick<IContainer, "command" | "args"> {
  const { entrypoint, command: cmd } = spec.replica;
  if (entrypoint === null) return cmd.length > 0 ? { args: cmd.map(literal) } : {};
  const cleared = entrypoint.length === 1 && entrypoint[0] === "";
  if (cleared) {
    if (cmd.length > 0) return { command: cmd.map(literal) };
    notes.push("the pod clears the image's entrypoint and gives no command: Kubernetes would run the image's own, so give a command");
    return {};
  }
  return { command: entrypoint.map(literal), ...(cmd.length > 0 ? { args: cmd.map(literal) } : {}) };
}

function securityContext(user: string | null, notes: string[]): Pick<IContainer, "securityContext"> {
  if (user === null) return {};
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) {
    notes.push(`the user "${user}" is a name: Kubernetes sets numeric ids only (runAsUser), so the image's USER applies; write the uid to keep it`);
    return {};
  }
  return { securityContext: { runAsUser: Number(match[1]), ...(match[2] !== undefined ? { runAsGroup: Number(match[2]) } : {}) } };
}

/**
 * The replica's check as a readiness probe (pod counts a replica ready once it is healthy) and
 * a liveness probe (pod replaces one that stays unhealthy), at the check's timings: Docker's
 * defaults where unset, whole seconds as Kubernetes counts. Docker's start period, during
 * which failures do not count, is the liveness probe's initial delay. Without a check of its
 * own the pod is ready once it listens, as pod's readiness: a TCP connect to the first port.
 */
function probes(spec: PodSpec, tcpPorts: number[], notes: string[]): Pick<IContainer, "readinessProbe" | "livenessProbe"> {
  const h = spec.replica.health ?? DEFAULT_HEALTH;
  const c = h.check;
  if (c.kind === "image" || c.kind === "none") {
    if (!isDefaultHealth(h) && c.kind === "image") {
      notes.push("the image's HEALTHCHECK and its timings are left out: Kubernetes runs no HEALTHCHECK; give the pod --health-cmd or --health-http to carry it as probes");
    }
    if (tcpPorts.length > 1) notes.push(`Kubernetes gives a container one readiness probe: it checks port ${tcpPorts[0]}, not ${tcpPorts.slice(1).join(", ")}`);
    return tcpPorts.length > 0 ? { readinessProbe: { tcpSocket: { port: tcpPorts[0]! }, periodSeconds: 2 } } : {};
  }
  let handler: Pick<IProbe, "httpGet" | "tcpSocket" | "exec">;
  if (c.kind === "cmd") {
    // CMD-SHELL runs in the image's shell, /bin/sh -c unless its SHELL says otherwise.
    handler = { exec: { command: c.test[0] === "CMD-SHELL" ? ["/bin/sh", "-c", c.test[1] ?? ""] : c.test.slice(1) } };
  } else {
    const port = probePort(c, spec.network.ports)!;
    handler = c.kind === "http" ? { httpGet: { path: c.path, port } } : { tcpSocket: { port } };
  }
  const t = effectiveTimings(h);
  const seconds = (what: string, ms: number, min: number) => {
    const s = Math.max(min, Math.ceil(ms / 1000));
    if (s * 1000 !== ms) notes.push(`Kubernetes counts whole seconds: the ${what} ${formatGoDuration(ms)} is ${s}s there`);
    return s;
  };
  const probe: IProbe = { ...handler, periodSeconds: seconds("interval", t.intervalMs, 1), timeoutSeconds: seconds("timeout", t.timeoutMs, 1), failureThreshold: t.retries };
  const delay = t.startPeriodMs > 0 ? seconds("start period", t.startPeriodMs, 0) : 0;
  return { readinessProbe: probe, livenessProbe: { ...probe, ...(delay > 0 ? { initialDelaySeconds: delay } : {}) } };
}

function podNetwork(spec: PodSpec, notes: string[]): Pick<IPodSpec, "hostname" | "dnsConfig" | "hostAliases"> {
  const n = spec.network;
  const out: Pick<IPodSpec, "hostname" | "dnsConfig" | "hostAliases"> = {};
  if (n.hostname !== null) {
    if (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n.hostname)) out.hostname = n.hostname;
    else notes.push(`the hostname "${n.hostname}" is not a DNS label Kubernetes accepts: left out`);
  }
  if (n.dns.length + n.dnsSearch.length + n.dnsOptions.length > 0) {
    out.dnsConfig = {
      ...(n.dns.length > 0 ? { nameservers: n.dns } : {}),
      ...(n.dnsSearch.length > 0 ? { searches: n.dnsSearch } : {}),
      ...(n.dnsOptions.length > 0
        ? {
            options: n.dnsOptions.map((o) => {
              const colon = o.indexOf(":");
              return colon < 0 ? { name: o } : { name: o.slice(0, colon), value: o.slice(colon + 1) };
            }),
          }
        : {}),
    };
    if (n.dns.length > 0) notes.push("the DNS servers are added to the cluster's (dnsPolicy ClusterFirst): set dnsPolicy None to use them alone");
  }
  const byIp = new Map<string, string[]>();
  for (const entry of n.extraHosts) {
    const colon = entry.indexOf(":");
    const host = entry.slice(0, colon);
    const ip = entry.slice(colon + 1);
    if (ip === "host-gateway") {
      notes.push(`${host} maps to Docker's host-gateway, which Kubernetes has no name for: left out`);
      continue;
    }
    byIp.set(ip, [...(byIp.get(ip) ?? []), host]);
  }
  if (byIp.size > 0) out.hostAliases = [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
  return out;
}

/** The Deployment, the Service, and what they could not carry. */
export function kubernetesExport(spec: PodSpec, o: KubernetesOptions = {}): KubernetesExport {
  const notes: string[] = [];
  const r = spec.replica;
  const n = spec.network;
  const name = kubernetesName(spec.name);
  if (name !== spec.name) notes.push(`the pod ${spec.name} is named ${name}: Kubernetes names are lowercase letters, digits and "-"`);
  const labels = { [NAME_LABEL]: name };

  const containerPorts = [...new Map(n.ports.map((p) => [`${p.containerPort}/${p.protocol}`, p])).values()];
  const tcpPorts = containerPorts.filter((p) => p.protocol === "tcp").map((p) => p.containerPort);
  const limits: Record<string, string> = {};
  if (r.nanoCpus !== null) limits["cpu"] = cpuQuantity(r.nanoCpus);
  if (r.memoryBytes !== null) limits["memory"] = memoryQuantity(r.memoryBytes);

  const container: IContainer = {
    name,
    image: r.image,
    // pod runs images from the engine; a cluster pulls only what it lacks.
    imagePullPolicy: "IfNotPresent",
    ...command(spec, notes),
    ...(r.env.length > 0
      ? {
          env: r.env.map((entry) => {
            const eq = entry.indexOf("=");
            return { name: entry.slice(0, eq), value: literal(entry.slice(eq + 1)) };
          }),
        }
      : {}),
    ...(containerPorts.length > 0 ? { ports: containerPorts.map((p) => ({ containerPort: p.containerPort, protocol: protocol(p) })) } : {}),
    ...probes(spec, tcpPorts, notes),
    ...(Object.keys(limits).length > 0 ? { resources: { limits } } : {}),
    ...securityContext(r.user, notes),
  };

  if (r.stopSignal !== null) notes.push(`the stop signal ${r.stopSignal} is left out: Kubernetes sends the image's STOPSIGNAL (lifecycle.stopSignal needs the ContainerStopSignals feature)`);
  if (r.volumes.length > 0) notes.push(`the volumes ${r.volumes.join(", ")} are left out: map them to PersistentVolumeClaims or hostPath volumes yourself`);
  if (n.networks.some((net) => net.name !== "bridge")) {
    notes.push(`the networks ${n.networks.map((net) => net.name).join(", ")} and their aliases are left out: Kubernetes has one pod network, where the Service's name ${name} resolves`);
  }
  if (modeOf(n).hostNamespace) notes.push("the pod ran on the host's network; here each replica has its own address and the Service publishes the ports");

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: labels },
      // start-first: a new replica before an old one goes, as pod replaces; stop-first frees room first.
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: spec.update.order === "start-first" ? { maxUnavailable: 0, maxSurge: spec.update.parallel } : { maxUnavailable: spec.update.parallel, maxSurge: 0 },
      },
      template: {
        metadata: { labels, ...(Object.keys(r.labels).length > 0 ? { annotations: r.labels } : {}) },
        spec: {
          terminationGracePeriodSeconds: o.stopTimeoutS ?? r.stopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S,
          ...podNetwork(spec, notes),
          containers: [container],
        },
      },
    },
  };
  const objects: (IDeployment | IService)[] = [deployment];

  // Each published port once: the Service's port is the host port, its target the container's.
  const servicePorts = new Map<string, PortMapping>();
  for (const p of n.ports) {
    const port = p.hostPort ?? p.containerPort;
    const key = `${port}/${p.protocol}`;
    if (servicePorts.has(key)) notes.push(`${p.hostIp || "*"}:${port}->${p.containerPort}/${p.protocol} is left out: a Service publishes each port once`);
    else servicePorts.set(key, p);
  }
  if (servicePorts.size === 0) {
    notes.push("the pod publishes no port, so there is no Service");
  } else {
    // LoadBalancer keeps the pod's host ports as the Service's ports (a NodePort Service
    // could only offer 30000-32767), and where no load balancer answers the cluster still
    // gives each port a NodePort, so it serves either way. Ports the pod bound to loopback
    // only were never reachable from elsewhere: ClusterIP keeps them inside the cluster.
    const local = [...servicePorts.values()].every((p) => isLoopback(p.hostIp));
    if (local) notes.push("every port was bound to a loopback address: the Service is ClusterIP, reachable inside the cluster only");
    const service: IService = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, labels },
      spec: {
        type: local ? "ClusterIP" : "LoadBalancer",
        selector: labels,
        ports: [...servicePorts.entries()].map(([, p]) => ({
          name: `${p.protocol}-${p.hostPort ?? p.containerPort}`,
          port: p.hostPort ?? p.containerPort,
          targetPort: p.containerPort,
          protocol: protocol(p),
        })),
      },
    };
    objects.push(service);
  }

  const unique = [...new Set(notes)];
  const head = [`The pod ${spec.name} as Kubernetes objects: kubectl apply -f FILE`, ...unique.map((note) => `note: ${note}`)];
  return { yaml: toYamlStream(objects, head), notes: unique };
}

/** YAML of a Deployment and a Service (none when no port is published). */
export function toKubernetes(spec: PodSpec, o: KubernetesOptions = {}): string {
  return kubernetesExport(spec, o).yaml;
}
