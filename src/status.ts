// A pod's status is a pure tally of its containers' states, as podman's pod status is.
import { askedReplicas, currentSpec, type ObservedPod } from "./observe.js";
import type { PublishedPort } from "./engine-types.js";
import { formatPort, type PortMapping } from "./spec.js";

export type PodStatus = "running" | "degraded" | "updating" | "stopped";

export interface ReplicaRow {
  number: number;
  name: string;
  id: string;
  state: string;
  image: string;
  specHash: string;
  generation: number;
}

export interface PodRow {
  name: string;
  image: string;
  status: PodStatus;
  replicas: { running: number; asked: number };
  ports: PortMapping[];
  /** Unix seconds the sandbox was made. */
  created: number;
  sandbox: { id: string; state: string } | null;
  replicaContainers: ReplicaRow[];
}

function toMappings(published: PublishedPort[]): PortMapping[] {
  const seen = new Set<string>();
  const mappings: PortMapping[] = [];
  for (const p of published) {
    // Docker lists a port once per address family; show it once, as bound to all.
    const key = `${p.hostPort}/${p.containerPort}/${p.protocol}`;
    const hostIp = p.hostIp === "::" || p.hostIp === "0.0.0.0" ? "" : p.hostIp;
    if (hostIp === "" && seen.has(key)) continue;
    seen.add(key);
    mappings.push({ hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol === "udp" ? "udp" : "tcp" });
  }
  return mappings.sort((a, b) => (a.hostPort ?? 0) - (b.hostPort ?? 0) || a.containerPort - b.containerPort);
}

export function podRow(pod: ObservedPod): PodRow {
  const sandbox = pod.sandbox;
  const serving = pod.replicas.filter((r) => r.running && sandbox?.running && r.joinedSandboxId === sandbox.id);
  const running = new Set(serving.map((r) => r.number)).size;
  const asked = askedReplicas(pod);
  const generations = new Set(pod.replicas.map((r) => r.generation));
  // Two specs side by side, or two containers for one number: a change under way or interrupted.
  const changing = generations.size > 1 || asked < pod.replicas.length;
  const status: PodStatus = !sandbox?.running
    ? "stopped"
    : changing
      ? "updating"
      : running === asked
        ? "running"
        : "degraded";
  const current = currentSpec(pod);
  return {
    name: pod.name,
    image: current?.replica.image ?? "",
    status,
    replicas: { running, asked },
    ports: sandbox?.running ? toMappings(sandbox.ports) : (sandbox?.spec?.sandbox.ports ?? []),
    created: sandbox?.created ?? Math.min(...pod.replicas.map((r) => r.created)),
    sandbox: sandbox ? { id: sandbox.id, state: sandbox.state } : null,
    replicaContainers: pod.replicas.map((r) => ({
      number: r.number,
      name: r.name,
      id: r.id,
      state: r.state,
      image: r.spec?.image ?? r.image,
      specHash: r.specHash,
      generation: r.generation,
    })),
  };
}

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join("").trimEnd()).join("\n");
}

/** Each replica and the spec it runs: two specs side by side mean a change is under way. */
export function formatReplicaTable(row: PodRow): string {
  if (row.replicaContainers.length === 0) return "no replicas";
  return formatTable([
    ["REPLICA", "CONTAINER", "STATE", "IMAGE", "SPEC", "GENERATION"],
    ...row.replicaContainers.map((r) => [String(r.number), r.name, r.state, r.image, r.specHash, String(r.generation)]),
  ]);
}

export function formatPodTable(rows: PodRow[], nowS: number): string {
  const header = ["NAME", "IMAGE", "REPLICAS", "PORTS", "STATUS", "AGE"];
  return formatTable([
    header,
    ...rows.map((r) => [
      r.name,
      r.image,
      `${r.replicas.running}/${r.replicas.asked}`,
      r.ports.map(formatPort).join(", ") || "-",
      r.status,
      formatAge(nowS - r.created),
    ]),
  ]);
}
