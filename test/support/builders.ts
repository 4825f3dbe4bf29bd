// Observed pods for planner and status tests, built the way the engine describes them:
// from the same configs pod renders, so labels and proofs are real.
import { recordConfig, replicaConfig, sandboxConfig } from "../../src/apply/render.js";
import type { ContainerConfig, ContainerInfo } from "../../src/engine/types.js";
import type { PodSpec, ReplicaSpec } from "../../src/spec/types.js";
import { observePod, type ObservedPod } from "../../src/state/observe.js";
import type { PodRecord } from "../../src/state/record.js";

export const KEY = "0123456789abcdef0123456789abcdef";

export function replicaSpec(over: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    image: "web",
    imageId: "sha256:aaa",
    entrypoint: null,
    command: [],
    env: [],
    labels: {},
    volumes: [],
    user: null,
    memoryBytes: null,
    nanoCpus: null,
    stopTimeoutS: null,
    stopSignal: null,
    ...over,
  };
}

export function podSpec(replicas: number, over: Partial<ReplicaSpec> = {}, ports = [{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" as const }]): PodSpec {
  return {
    name: "web",
    replicas,
    network: { balance: "reuseport", ports, networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
    replica: replicaSpec(over),
    update: { parallel: 1, order: "start-first" },
  };
}

function info(id: string, config: ContainerConfig, o: { state?: string; startedAt?: number; created?: number; restarting?: boolean; restartCount?: number; name?: string }): ContainerInfo {
  const state = o.state ?? "running";
  return {
    id,
    name: o.name ?? config.name,
    image: config.Image,
    imageId: "sha256:img",
    created: o.created ?? 100,
    labels: config.Labels,
    state,
    running: state === "running",
    restarting: o.restarting ?? false,
    exitCode: state === "exited" ? 1 : 0,
    oomKilled: false,
    error: "",
    startedAt: state === "created" ? 0 : (o.startedAt ?? 1000),
    finishedAt: 0,
    restartCount: o.restartCount ?? 0,
    restartPolicy: config.HostConfig.RestartPolicy?.Name ?? "",
    pid: state === "running" ? 4242 : 0,
    networkMode: config.HostConfig.NetworkMode ?? "bridge",
    ports: [],
    networks: [],
    env: config.Env ?? [],
    health: null,
  };
}

export function sandbox(spec: PodSpec, o: { id?: string; state?: string; startedAt?: number; created?: number } = {}): ContainerInfo {
  return info(o.id ?? "sandbox1", sandboxConfig(spec, KEY, { migrateReq: true }), o);
}

export function replica(
  spec: PodSpec,
  number: number,
  o: { id?: string; name?: string; state?: string; sandboxId?: string; generation?: number; startedAt?: number; created?: number; restarting?: boolean; restartCount?: number } = {},
): ContainerInfo {
  const config = replicaConfig(spec.replica, { pod: spec.name, balance: spec.network.balance, network: null, number, generation: o.generation ?? 1, key: KEY, sandboxId: o.sandboxId ?? "sandbox1", imageRef: spec.replica.image });
  return info(o.id ?? `r${number}`, config, { startedAt: 2000 + number, created: 100 + number, ...o });
}

export function recordOf(spec: PodSpec, o: { generation?: number; revision?: number } = {}): PodRecord {
  const generation = o.generation ?? 1;
  return {
    version: 1,
    pod: spec.name,
    key: KEY,
    revision: o.revision ?? 1,
    generation,
    spec,
    history: [{ number: generation, at: "2026-11-22T00:00:00.000Z", spec, status: "ok", cause: "up" }],
  };
}

export function records(record: PodRecord): ContainerInfo[] {
  return (["a", "b"] as const).map((copy) => info(`rec${record.revision}${copy}`, recordConfig(record, copy), { state: "created" }));
}

export function observed(containers: ContainerInfo[]): ObservedPod {
  return observePod("web", containers);
}

/** A healthy pod of `n` replicas of `spec`, with its record. */
export function healthy(spec: PodSpec, n: number, generation = 1): ContainerInfo[] {
  return [...records(recordOf({ ...spec, replicas: n }, { generation })), sandbox(spec), ...Array.from({ length: n }, (_, i) => replica(spec, i + 1, { generation }))];
}
