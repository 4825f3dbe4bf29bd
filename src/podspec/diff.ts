// What a change changes, field by field, for --dry-run and `pod history`. Pure. Env values
// may be secrets: only their keys are shown.
import { describeHealth } from "./health.js";
import { formatPort } from "./parse.js";
import type { PodSpec } from "./types.js";

export interface FieldChange {
  field: string;
  from: string;
  to: string;
  /** Only a new sandbox can make this change: the pod stops serving for a moment. */
  outage: boolean;
}

function list(values: string[]): string {
  return values.length === 0 ? "(none)" : values.join(" ");
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

function mib(bytes: number | null): string {
  return bytes === null ? "(none)" : `${Math.round(bytes / 1024 / 1024)}m`;
}

function cpus(nano: number | null): string {
  return nano === null ? "(none)" : String(nano / 1e9);
}

function envKeys(env: string[]): Map<string, string> {
  return new Map(env.map((e) => [e.split("=")[0]!, e.slice(e.indexOf("=") + 1)]));
}

/** `+KEY` added, `-KEY` removed, `~KEY` value changed. */
export function envChange(before: string[], after: string[]): string | null {
  const a = envKeys(before);
  const b = envKeys(after);
  const parts = [
    ...[...b.keys()].filter((k) => !a.has(k)).map((k) => `+${k}`),
    ...[...a.keys()].filter((k) => !b.has(k)).map((k) => `-${k}`),
    ...[...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).map((k) => `~${k}`),
  ];
  return parts.length > 0 ? parts.join(" ") : null;
}

export function diffSpecs(before: PodSpec | null, after: PodSpec): FieldChange[] {
  const changes: FieldChange[] = [];
  const add = (field: string, from: string, to: string, outage = false) => {
    if (from !== to) changes.push({ field, from, to, outage });
  };
  const b = before;
  const none = "(none)";
  const image = (s: PodSpec) => `${s.replica.image}${s.replica.imageId ? ` (${shortId(s.replica.imageId)})` : ""}`;
  add("image", b ? image(b) : none, image(after));
  add("entrypoint", b ? JSON.stringify(b.replica.entrypoint) : none, JSON.stringify(after.replica.entrypoint));
  add("command", b ? list(b.replica.command) : none, list(after.replica.command));
  const env = envChange(b?.replica.env ?? [], after.replica.env);
  if (env) changes.push({ field: "env", from: "", to: env, outage: false });
  add("labels", b ? JSON.stringify(b.replica.labels) : none, JSON.stringify(after.replica.labels));
  add("volumes", b ? list(b.replica.volumes) : none, list(after.replica.volumes));
  add("user", b?.replica.user ?? none, after.replica.user ?? none);
  add("memory", b ? mib(b.replica.memoryBytes) : none, mib(after.replica.memoryBytes));
  add("cpus", b ? cpus(b.replica.nanoCpus) : none, cpus(after.replica.nanoCpus));
  add("stop timeout", String(b?.replica.stopTimeoutS ?? none), String(after.replica.stopTimeoutS ?? none));
  add("stop signal", b?.replica.stopSignal ?? none, after.replica.stopSignal ?? none);
  add("health", b ? describeHealth(b.replica.health, b.network.ports) : none, describeHealth(after.replica.health, after.network.ports));
  add("replicas", b ? String(b.replicas) : none, String(after.replicas));
  const n = b?.network;
  const m = after.network;
  add("balance", n?.balance ?? none, m.balance, b !== null);
  add("ports", n ? list(n.ports.map(formatPort)) : none, list(m.ports.map(formatPort)), b !== null);
  add("networks", n ? list(n.networks.map((x) => x.name + (x.aliases.length ? `(${x.aliases.join(",")})` : ""))) : none, list(m.networks.map((x) => x.name + (x.aliases.length ? `(${x.aliases.join(",")})` : ""))), b !== null);
  add("hostname", n?.hostname ?? none, m.hostname ?? none, b !== null);
  add("dns", n ? list([...n.dns, ...n.dnsSearch, ...n.dnsOptions]) : none, list([...m.dns, ...m.dnsSearch, ...m.dnsOptions]), b !== null);
  add("extra hosts", n ? list(n.extraHosts) : none, list(m.extraHosts), b !== null);
  return changes;
}

export function formatDiff(changes: FieldChange[]): string[] {
  return changes.map((c) => (c.field === "env" ? `  env: ${c.to}` : `  ${c.field}: ${c.from} → ${c.to}${c.outage ? "  [needs a new sandbox: outage]" : ""}`));
}

/** One line for `pod history`: what changed, in few words. */
export function summarizeChange(changes: FieldChange[]): string {
  if (changes.length === 0) return "no change";
  return changes.map((c) => (c.field === "env" ? `env ${c.to}` : c.field === "replicas" ? `replicas ${c.from}→${c.to}` : c.field === "image" ? `image ${c.to}` : c.field)).join(", ");
}
