// Observed pods for planner and status tests, built the way the engine describes them:
// from the same configs pod renders, so labels and proofs are real.
import { recordImage, replicaConfig, sandboxConfig } from "../../src/apply/render.js";
import type { ContainerConfig, ContainerInfo, ImageSummary } from "../../src/engine/types.js";
import { ownerProof, RECORD_REPOSITORY } from "../../src/state/labels.js";
import type { PodSpec, ReplicaSpec } from "../../src/podspec/types.js";
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

function info(id: string, config: ContainerConfig, o: { state?: string; startedAt?: number; created?: number; restarting?: boolean; restartCount?: number; name?: string; health?: ContainerInfo["health"] }): ContainerInfo {
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
    health: o.health ?? null,
  };
}

export function sandbox(spec: PodSpec, o: { id?: string; state?: string; startedAt?: number; created?: number } = {}): ContainerInfo {
  return info(o.id ?? "sandbox1", sandboxConfig(spec, KEY, { kernelVersion: "6.1.0", migrateReq: true, hostMigrateReq: null }).config, o);
}

export function replica(
  spec: PodSpec,
  number: number,
  o: { id?: string; name?: string; state?: string; sandboxId?: string; generation?: number; startedAt?: number; created?: number; restarting?: boolean; restartCount?: number; health?: ContainerInfo["health"] } = {},
): ContainerInfo {
  const config = replicaConfig(spec.replica, { pod: spec, number, generation: o.generation ?? 1, key: KEY, sandboxId: o.sandboxId ?? "sandbox1", imageRef: spec.replica.image });
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

/** The record's image, as the listing of images describes it (kept among the containers, told apart by `observed`). */
export function records(record: PodRecord): ContainerInfo[] {
  const { ref, labels } = recordImage(record);
  return [info(`sha256:rec${record.revision}`, { name: ref, Image: "", Labels: labels, HostConfig: {} }, { state: "created" })];
}

/** The record as older pods kept it: two never-started containers, `web-record.<revision>.<copy>`. */
export function legacyRecords(record: PodRecord): ContainerInfo[] {
  const { labels } = recordImage(record);
  return (["a", "b"] as const).map((copy) => {
    const name = `${record.pod}-record.${record.revision}.${copy}`;
    const own = { ...labels, "dev.pod.created-as": name, "dev.pod.owner": ownerProof(record.key, record.pod, "record", name) };
    return info(`rec${record.revision}${copy}`, { name, Image: "pod-sandbox:latest", Labels: own, HostConfig: { NetworkMode: "none" } }, { state: "created" });
  });
}

function asImage(c: ContainerInfo): ImageSummary {
  return { id: c.id, repoTags: [c.name], labels: c.labels, created: c.created };
}

const isRecordImage = (c: ContainerInfo) => c.name.startsWith(`${RECORD_REPOSITORY}:`);

export function observed(containers: ContainerInfo[]): ObservedPod {
  return observePod("web", containers.filter((c) => !isRecordImage(c)), containers.filter(isRecordImage).map(asImage));
}

/** A healthy pod of `n` replicas of `spec`, with its record. */
export function healthy(spec: PodSpec, n: number, generation = 1): ContainerInfo[] {
  return [...records(recordOf({ ...spec, replicas: n }, { generation })), sandbox(spec), ...Array.from({ length: n }, (_, i) => replica(spec, i + 1, { generation }))];
}
