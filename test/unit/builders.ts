// Observed pods for planner and command tests, built the way the engine reports them.
import { sandboxConfig, replicaConfig } from "../../src/containers.js";
import type { ContainerSummary } from "../../src/engine-types.js";
import { observePod, type ObservedPod } from "../../src/observe.js";
import type { PodSpec, ReplicaSpec } from "../../src/spec.js";

export function replicaSpec(over: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    image: "web",
    imageId: "sha256:aaa",
    command: [],
    env: [],
    labels: {},
    volumes: [],
    user: null,
    memoryBytes: null,
    nanoCpus: null,
    stopTimeoutS: null,
    ...over,
  };
}

export function podSpec(replicas: number, over: Partial<ReplicaSpec> = {}, ports = [{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" as const }]): PodSpec {
  return {
    name: "web",
    replicas,
    sandbox: { ports, hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], network: null },
    replica: replicaSpec(over),
  };
}

export function sandboxContainer(spec: PodSpec, o: { id?: string; state?: string; generation?: number; created?: number } = {}): ContainerSummary {
  const config = sandboxConfig(spec, o.generation ?? 1);
  return {
    id: o.id ?? "sandbox1",
    name: config.name,
    image: config.Image,
    imageId: "sha256:sandbox",
    state: o.state ?? "running",
    status: "",
    created: o.created ?? 100,
    labels: config.Labels,
    networkMode: "bridge",
    ports: [],
  };
}

export function replicaContainer(
  spec: PodSpec,
  number: number,
  o: { id?: string; name?: string; state?: string; sandboxId?: string; generation?: number; created?: number } = {},
): ContainerSummary {
  const sandboxId = o.sandboxId ?? "sandbox1";
  const config = replicaConfig(spec.name, spec.replica, number, o.generation ?? 1, sandboxId, spec.replica.image);
  return {
    id: o.id ?? `r${number}`,
    name: o.name ?? config.name,
    image: config.Image,
    imageId: spec.replica.imageId,
    state: o.state ?? "running",
    status: "",
    created: o.created ?? 100 + number,
    labels: config.Labels,
    networkMode: `container:${sandboxId}`,
    ports: [],
  };
}

export function observed(containers: ContainerSummary[]): ObservedPod {
  return observePod("web", containers);
}

/** A healthy pod of `n` replicas of `spec`. */
export function healthy(spec: PodSpec, n: number, generation = 1): ContainerSummary[] {
  return [sandboxContainer(spec, { generation }), ...Array.from({ length: n }, (_, i) => replicaContainer(spec, i + 1, { generation }))];
}
