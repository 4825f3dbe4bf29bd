// One labelled snapshot of a pod, turned into plain data the planner can reason about.
// Pure: the engine call that produced the summaries happens elsewhere, once per command.
import type { ContainerSummary } from "./engine-types.js";
import { Label } from "./labels.js";
import type { PodSpec, ReplicaSpec } from "./spec.js";

export interface ObservedContainer {
  id: string;
  name: string;
  state: string;
  running: boolean;
  created: number;
  specHash: string;
  generation: number;
}

export interface ObservedSandbox extends ObservedContainer {
  /** The spec recorded when the sandbox was made: its network, and the replica spec then. */
  spec: PodSpec | null;
  /** Hash of the replica spec recorded on the sandbox: it holds the spec while no replica does. */
  replicaHash: string;
  ports: ContainerSummary["ports"];
}

export interface ObservedReplica extends ObservedContainer {
  number: number;
  spec: ReplicaSpec | null;
  image: string;
  /** The sandbox whose namespace it joined, from its NetworkMode (`container:<id>`). */
  joinedSandboxId: string | null;
}

export interface ObservedPod {
  name: string;
  sandbox: ObservedSandbox | null;
  replicas: ObservedReplica[];
  lock: ObservedContainer | null;
}

function parseJson<T>(text: string | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null; // a hand-edited label: the hash will not match and the planner recreates
  }
}

function base(c: ContainerSummary): ObservedContainer {
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    running: c.state === "running",
    created: c.created,
    specHash: c.labels[Label.specHash] ?? "",
    generation: Number(c.labels[Label.generation] ?? 0) || 0,
  };
}

export function observePod(name: string, containers: ContainerSummary[]): ObservedPod {
  const mine = containers.filter((c) => c.labels[Label.pod] === name);
  let sandbox: ObservedSandbox | null = null;
  let lock: ObservedContainer | null = null;
  const replicas: ObservedReplica[] = [];
  for (const c of mine) {
    const role = c.labels[Label.role];
    if (role === "sandbox") {
      // Names make a second sandbox impossible; keep the newest if a hand-made one appears.
      if (sandbox && sandbox.created > c.created) continue;
      const spec = parseJson<PodSpec>(c.labels[Label.spec]);
      sandbox = { ...base(c), spec, replicaHash: c.labels[Label.replicaSpecHash] ?? "", ports: c.ports };
    } else if (role === "replica") {
      const mode = c.networkMode;
      replicas.push({
        ...base(c),
        number: Number(c.labels[Label.replica]) || 0,
        spec: parseJson<ReplicaSpec>(c.labels[Label.spec]),
        image: c.image,
        joinedSandboxId: mode.startsWith("container:") ? mode.slice("container:".length) : null,
      });
    } else if (role === "lock") {
      lock = base(c);
    }
  }
  replicas.sort((a, b) => a.number - b.number || a.generation - b.generation || a.created - b.created);
  return { name, sandbox, replicas, lock };
}

/** Groups a multi-pod listing (for `ps`) by pod name, in name order. */
export function observeAll(containers: ContainerSummary[]): ObservedPod[] {
  const names = [...new Set(containers.map((c) => c.labels[Label.pod]).filter((n): n is string => !!n))].sort();
  return names.map((n) => observePod(n, containers)).filter(podExists); // a lone lock is no pod
}

/**
 * The spec the pod runs now: the newest generation among its replicas, else the one the
 * sandbox recorded. After an interrupted rollout the newest wins, so `scale` finishes it.
 */
export function currentSpec(pod: ObservedPod): { replica: ReplicaSpec; hash: string; generation: number } | null {
  let best: { replica: ReplicaSpec; hash: string; generation: number } | null = null;
  for (const r of pod.replicas) {
    if (r.spec && (!best || r.generation > best.generation)) best = { replica: r.spec, hash: r.specHash, generation: r.generation };
  }
  if (!best && pod.sandbox?.spec) {
    best = { replica: pod.sandbox.spec.replica, hash: pod.sandbox.replicaHash, generation: pod.sandbox.generation };
  }
  return best;
}

/** How many replicas the pod asks for: one per distinct number among its containers. */
export function askedReplicas(pod: ObservedPod): number {
  return new Set(pod.replicas.map((r) => r.number)).size;
}

export function podExists(pod: ObservedPod): boolean {
  return pod.sandbox !== null || pod.replicas.length > 0;
}
