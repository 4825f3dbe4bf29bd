// Tables and summaries, from pure views. docker-ps-style columns: padded, no borders.
import { formatPort } from "../podspec/parse.js";
import { modeOf } from "../modes/index.js";
import { foreignLines } from "../state/observe.js";
import type { PodView } from "../state/status.js";

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join("").trimEnd()).join("\n");
}

/** The ports column: published mappings, or on the host's network the ports bound there. */
export function portsText(v: PodView): string {
  if (!modeOf({ balance: v.balance as "reuseport" }).publishes) return v.ports.map((p) => `host:${p.containerPort}/${p.protocol}`).join(", ") || "-";
  return v.ports.map(formatPort).join(", ") || "-";
}

export function statusText(v: PodView): string {
  // A pod scaled to 0 serves nothing by request: "running" with 0/0 would read as a fault.
  if (v.replicas.asked === 0 && v.status === "running") return "scaled to 0";
  return v.reasons.length > 0 ? `${v.status}: ${v.reasons.join(", ")}` : v.status;
}

function ago(iso: string | null, nowMs: number): string {
  return iso ? formatAge((nowMs - Date.parse(iso)) / 1000) : "-";
}

export function formatPodTable(views: PodView[], nowMs: number): string {
  return formatTable([
    ["NAME", "IMAGE", "READY", "PORTS", "STATUS", "AGE"],
    ...views.map((v) => [v.name, v.image + (v.autoUpdate !== null ? " (auto-update)" : ""), `${v.replicas.ready}/${v.replicas.asked}`, portsText(v), statusText(v), ago(v.created, nowMs)]),
  ]);
}

/**
 * Each replica: its state, why it serves or not, restarts, last exit, OOM, when it started.
 * A number the record asks for with no container at all is a row too: lost.
 */
export function formatReplicaTable(v: PodView, nowMs: number): string {
  const have = new Set(v.replicaContainers.map((r) => r.number));
  const lost = Array.from({ length: v.replicas.asked }, (_, i) => i + 1).filter((n) => !have.has(n));
  if (v.replicaContainers.length === 0 && lost.length === 0) return "no replicas";
  const rows = [
    ...v.replicaContainers.map((r) => ({
      number: r.number,
      cells: [
        String(r.number),
        r.name,
        r.condition === "running" || r.condition === "exited" ? r.state : `${r.state} (${r.condition})`,
        r.health?.status ?? "-",
        String(r.restarts),
        r.exitCode === null ? "-" : String(r.exitCode),
        r.oomKilled ? "yes" : "no",
        ago(r.startedAt, nowMs),
        r.image + (r.current ? "" : " (old spec)"),
        String(r.generation),
      ],
    })),
    ...lost.map((n) => ({ number: n, cells: [String(n), "-", "lost (no container)", "-", "-", "-", "-", "-", "-", "-"] })),
  ].sort((a, b) => a.number - b.number);
  return formatTable([["REPLICA", "CONTAINER", "STATE", "HEALTH", "RESTARTS", "LAST EXIT", "OOM", "STARTED", "IMAGE", "GEN"], ...rows.map((r) => r.cells)]);
}

/** Each unhealthy (or starting) replica's last check output, after the replica table. */
export function formatHealthNotes(v: PodView): string[] {
  return v.replicaContainers
    .filter((r) => r.health && r.health.status !== "healthy" && r.health.lastOutput)
    .map((r) => `${r.name} ${r.health!.status}${r.health!.failingStreak > 0 ? ` (${r.health!.failingStreak} failed checks in a row)` : ""}: ${r.health!.lastOutput.split("\n").at(-1)}`);
}

export function formatForeign(v: PodView): string[] {
  return foreignLines(v);
}

/** What a changing command prints when it ends: a line, then the pod's facts in aligned columns. */
export function summary(v: PodView, elapsedMs: number | null): string {
  const ports = portsText(v).replace(/^-$/, "none");
  const took = elapsedMs === null ? "" : ` in ${(elapsedMs / 1000).toFixed(1)}s`;
  const head =
    v.replicas.asked === 0
      ? `pod ${v.name}: no replicas, as asked (${statusText(v)}; the sandbox keeps the ports)${took}`
      : `pod ${v.name}: ${v.replicas.ready}/${v.replicas.asked} replicas ready (${statusText(v)})${took}`;
  const facts: [string, string][] = [["ports", ports], ["image", v.image], ...(v.generation !== null ? [["generation", String(v.generation)] as [string, string]] : [])];
  const width = Math.max(...facts.map(([k]) => k.length));
  return [head, ...facts.map(([k, value]) => `  ${k.padEnd(width)}  ${value}`)].join("\n");
}
