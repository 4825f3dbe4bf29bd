// Hashes that decide what must be recreated. The replica hash leaves the replica count out,
// so scaling never recreates; the network hash covers what only a new sandbox can change.
import { createHash } from "node:crypto";
import { formatPort } from "./parse.js";
import { DEFAULT_HEALTH, type NetworkSpec, type PodSpec, type ReplicaSpec } from "./types.js";

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
}

/** Keys in a fixed order, so the hash of one spec never changes between runs. */
function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

export function replicaHash(r: ReplicaSpec): string {
  return digest([
    r.image,
    r.imageId,
    r.entrypoint,
    r.command,
    r.env,
    sorted(r.labels),
    r.volumes,
    r.user,
    r.memoryBytes,
    r.nanoCpus,
    r.stopTimeoutS,
    r.stopSignal,
    // Left out when it is the default, so pods recorded before health checks keep their hash.
    ...(r.health && JSON.stringify(r.health) !== JSON.stringify(DEFAULT_HEALTH) ? [r.health] : []),
    // Likewise only when given (compose files with restart:), so no recorded pod's hash moves.
    ...(r.restart ? [{ restart: r.restart }] : []),
  ]);
}

export function networkHash(n: NetworkSpec): string {
  return digest([
    n.balance,
    n.spread ?? "random",
    n.ports.map(formatPort),
    n.networks.map((a) => [a.name, [...a.aliases].sort()]),
    n.hostname,
    n.dns,
    n.dnsSearch,
    n.dnsOptions,
    n.extraHosts,
  ]);
}

/** Two specs that would run the same containers, the same number of them. */
export function sameSpec(a: PodSpec, b: PodSpec): boolean {
  return a.replicas === b.replicas && replicaHash(a.replica) === replicaHash(b.replica) && networkHash(a.network) === networkHash(b.network);
}
