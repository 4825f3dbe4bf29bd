// Resource use as docker stats computes it, per replica and for the whole pod. Pure.
import type { StatsSample } from "../engine/types.js";
import { formatTable } from "./format.js";

export interface StatsRow {
  name: string;
  cpuPercent: number;
  memBytes: number;
  memLimitBytes: number;
  memPercent: number;
  netRxBytes: number | null;
  netTxBytes: number | null;
  blockReadBytes: number;
  blockWriteBytes: number;
}

export function cpuPercent(s: StatsSample): number {
  const cpu = s.cpuTotal - s.precpuTotal;
  const system = s.system - s.presystem;
  return cpu > 0 && system > 0 ? (cpu / system) * s.onlineCpus * 100 : 0;
}

/**
 * Replicas share the sandbox's network namespace, so network I/O is the pod's, read on the
 * sandbox; CPU, memory and block I/O are each replica's, and the pod's row sums them.
 */
export function statsRows(
  replicas: { name: string; sample: StatsSample }[],
  sandbox: StatsSample | null,
  sharedNetwork: boolean,
  /** Whether replicas have a memory limit: without one, each reports the host's memory, which must not be summed. */
  memoryLimited: boolean,
): { replicas: StatsRow[]; pod: StatsRow } {
  const row = (name: string, s: StatsSample, net: boolean): StatsRow => {
    const mem = Math.max(0, s.memUsage - s.memCache);
    return {
      name,
      cpuPercent: cpuPercent(s),
      memBytes: mem,
      memLimitBytes: s.memLimit,
      memPercent: s.memLimit > 0 ? (mem / s.memLimit) * 100 : 0,
      netRxBytes: net ? s.netRx : null,
      netTxBytes: net ? s.netTx : null,
      blockReadBytes: s.blkRead,
      blockWriteBytes: s.blkWrite,
    };
  };
  const rows = replicas.map((r) => row(r.name, r.sample, !sharedNetwork));
  const sum = (f: (r: StatsRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const pod: StatsRow = {
    name: "pod",
    cpuPercent: sum((r) => r.cpuPercent),
    memBytes: sum((r) => r.memBytes),
    memLimitBytes: memoryLimited ? sum((r) => r.memLimitBytes) : Math.max(0, ...rows.map((r) => r.memLimitBytes)),
    memPercent: 0,
    netRxBytes: sharedNetwork ? (sandbox?.netRx ?? 0) : sum((r) => r.netRxBytes ?? 0),
    netTxBytes: sharedNetwork ? (sandbox?.netTx ?? 0) : sum((r) => r.netTxBytes ?? 0),
    blockReadBytes: sum((r) => r.blockReadBytes),
    blockWriteBytes: sum((r) => r.blockWriteBytes),
  };
  pod.memPercent = pod.memLimitBytes > 0 ? (pod.memBytes / pod.memLimitBytes) * 100 : 0;
  return { replicas: rows, pod };
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)}${units[i]}`;
}

export function formatStats(t: { replicas: StatsRow[]; pod: StatsRow }): string {
  const line = (r: StatsRow) => [
    r.name,
    `${r.cpuPercent.toFixed(2)}%`,
    `${bytes(r.memBytes)} / ${bytes(r.memLimitBytes)}`,
    `${r.memPercent.toFixed(2)}%`,
    r.netRxBytes === null ? "(the pod's)" : `${bytes(r.netRxBytes)} / ${bytes(r.netTxBytes ?? 0)}`,
    `${bytes(r.blockReadBytes)} / ${bytes(r.blockWriteBytes)}`,
  ];
  return formatTable([["REPLICA", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O"], ...t.replicas.map(line), line(t.pod)]);
}
