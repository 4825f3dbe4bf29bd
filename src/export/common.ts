// What the exporters share: a pod's docker -v strings taken apart, and numbers in the forms
// Compose and Swarm read back exactly.
import { formatBytes, formatDuration } from "../podspec/units.js";
import { formatGoDuration } from "../podspec/health.js";
import { DEFAULT_HEALTH, DEFAULT_STOP_TIMEOUT_S, type PodSpec } from "../podspec/types.js";

export interface Mount {
  kind: "bind" | "volume" | "anonymous";
  /** The host path (bind) or the volume's name; "" when anonymous. */
  source: string;
  target: string;
  /** docker -v options: ro, rw, z, Z, nocopy, propagation modes. */
  options: string[];
}

/** `SOURCE:/path[:opts]` or `/path`, as docker -v takes them. */
export function parseMount(volume: string): Mount {
  const parts = volume.split(":");
  if (parts.length === 1) return { kind: "anonymous", source: "", target: parts[0]!, options: [] };
  const [source, target, options] = parts as [string, string, string | undefined];
  const bind = /^[./~]/.test(source);
  return { kind: bind ? "bind" : "volume", source, target, options: options ? options.split(",") : [] };
}

export const PROPAGATIONS = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];

/** Named volumes, each once, in order of use. */
export function namedVolumes(spec: PodSpec): string[] {
  return [...new Set(spec.replica.volumes.map(parseMount).filter((m) => m.kind === "volume").map((m) => m.source))];
}

/** 500000000 → "0.5": exact, and a plain decimal as docker and Compose parse it. */
export function formatCpus(nanoCpus: number): string {
  return (nanoCpus / 1e9).toFixed(9).replace(/\.?0+$/, "");
}

export { formatBytes, formatDuration };

/** Compose's and Swarm's `deploy.resources`, or nothing when the pod sets no limit. */
export function composeResources(spec: PodSpec): { resources?: { limits: Record<string, string> } } {
  const limits: Record<string, string> = {};
  if (spec.replica.nanoCpus !== null) limits["cpus"] = formatCpus(spec.replica.nanoCpus);
  if (spec.replica.memoryBytes !== null) limits["memory"] = formatBytes(spec.replica.memoryBytes);
  return Object.keys(limits).length > 0 ? { resources: { limits } } : {};
}

/**
 * A `healthcheck:` in the Compose format (Compose and Swarm read it alike): the test for a
 * command, `disable` for none, and the timings set. pod's own probes have no test there
 * (only pod can run them): the timings alone, or nothing.
 */
export function composeHealthcheck(spec: PodSpec): Record<string, unknown> | null {
  const h = spec.replica.health ?? DEFAULT_HEALTH;
  if (h.check.kind === "none") return { disable: true };
  const out: Record<string, unknown> = {};
  if (h.check.kind === "cmd") out["test"] = h.check.test;
  if (h.intervalMs !== null) out["interval"] = formatGoDuration(h.intervalMs);
  if (h.timeoutMs !== null) out["timeout"] = formatGoDuration(h.timeoutMs);
  if (h.retries !== null) out["retries"] = h.retries;
  if (h.startPeriodMs !== null) out["start_period"] = formatGoDuration(h.startPeriodMs);
  return Object.keys(out).length > 0 ? out : null;
}

/** The stop timeout pod's replicas get: the spec's, else the engine's default of 10 s. */
export function stopTimeout(spec: PodSpec): number {
  return spec.replica.stopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S;
}
