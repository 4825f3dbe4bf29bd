// A pod's status: a pure tally of its record, its containers' states and, when probed, the
// listeners in its namespace (podman's pod status, with the kernel's truth added).
import type { PublishedPort } from "../engine/types.js";
import { replicaHash } from "../podspec/hash.js";
import type { PortMapping } from "../podspec/types.js";
import { modeOf } from "../modes/index.js";
import { condition, type Condition } from "./condition.js";
import type { ObservedPod, ObservedReplica } from "./observe.js";

export type PodStatus = "running" | "degraded" | "updating" | "stopped";

/** Listening sockets per port in the pod's namespace, when probed. */
export type ListenerCounts = Record<string, number>;

/** What the engine's recent events tell of a container's last exit, which a restart wipes from its state. */
export type LastExits = Map<string, { exitCode: number; oom: boolean }>;

export interface ReplicaView {
  number: number;
  name: string;
  id: string;
  state: string;
  condition: Condition;
  restarts: number;
  /** Its last exit code: from its state when stopped, else from the engine's events; null if unknown. */
  exitCode: number | null;
  oomKilled: boolean;
  /** ISO time of the last start, null if never started. */
  startedAt: string | null;
  image: string;
  generation: number;
  specHash: string;
  /** Whether it runs the recorded spec. */
  current: boolean;
  /** Its health check's verdict and last output; null without a check. */
  health: { status: string; failingStreak: number; lastOutput: string } | null;
}

export interface PodView {
  name: string;
  image: string;
  /** The digest it runs, pinned in the record (repo digest, else image id). */
  digest: string | null;
  /** Seconds between the agent's registry checks when it follows its tag; null: it does not. */
  autoUpdate: number | null;
  status: PodStatus;
  /** Why it is degraded, updating or stopped, e.g. "1 lost", "2 stranded". */
  reasons: string[];
  replicas: { ready: number; asked: number };
  ports: PortMapping[];
  /** ISO time the pod's sandbox was made. */
  created: string | null;
  generation: number | null;
  balance: string;
  sandbox: { id: string; state: string; startedAt: string | null } | null;
  listeners: ListenerCounts | null;
  replicaContainers: ReplicaView[];
  foreign: { id: string; name: string; why: string }[];
}

/** The newest exit of each container among the engine's events (die carries exitCode; oom comes before it). */
export function lastExitsFrom(events: { action: string; id: string; attributes: Record<string, string>; time: number }[]): LastExits {
  const exits: LastExits = new Map();
  const oom = new Set<string>();
  for (const e of [...events].sort((a, b) => a.time - b.time)) {
    if (e.action === "oom") oom.add(e.id);
    if (e.action === "die") {
      exits.set(e.id, { exitCode: Number(e.attributes.exitCode ?? -1), oom: oom.has(e.id) });
      oom.delete(e.id);
    }
  }
  return exits;
}

function iso(ms: number): string | null {
  return ms > 0 ? new Date(ms).toISOString() : null;
}

function toMappings(published: PublishedPort[]): PortMapping[] {
  const seen = new Set<string>();
  const mappings: PortMapping[] = [];
  for (const p of published) {
    // Docker lists a port published on "" once per address family: show it once.
    const key = `${p.hostPort}/${p.containerPort}/${p.protocol}`;
    const wildcard = p.hostIp === "::" || p.hostIp === "0.0.0.0" || p.hostIp === "";
    if (wildcard && seen.has(key)) continue;
    seen.add(key);
    mappings.push({ hostIp: p.hostIp === "0.0.0.0" ? "" : p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol === "udp" ? "udp" : "tcp" });
  }
  return mappings.sort((a, b) => (a.hostPort ?? 0) - (b.hostPort ?? 0) || a.containerPort - b.containerPort);
}

function tally(reasons: Map<string, number>, what: string): void {
  reasons.set(what, (reasons.get(what) ?? 0) + 1);
}

export function podView(pod: ObservedPod, listeners: ListenerCounts | null, lastExits: LastExits = new Map()): PodView {
  const record = pod.record;
  const spec = record?.spec ?? null;
  const balance = spec?.network.balance ?? "reuseport";
  const sandbox = pod.sandbox;
  const hash = spec ? replicaHash(spec.replica) : null;
  const asked = spec?.replicas ?? new Set(pod.replicas.map((r) => r.number)).size;
  const view = (r: ObservedReplica): ReplicaView => ({
    number: r.number,
    name: r.name,
    id: r.id,
    state: r.state,
    condition: condition(r, sandbox, spec?.network),
    restarts: r.restartCount,
    exitCode: !r.running ? r.exitCode : (lastExits.get(r.id)?.exitCode ?? null),
    oomKilled: r.oomKilled || (lastExits.get(r.id)?.oom ?? false),
    startedAt: iso(r.startedAt),
    image: r.spec?.image ?? r.image,
    generation: r.generation,
    specHash: r.specHash,
    current: hash === null || r.specHash === hash,
    health: r.health ? { status: r.health.status, failingStreak: r.health.failingStreak, lastOutput: r.health.lastOutput.trim() } : null,
  });
  const replicas = pod.replicas.map(view);

  const problems = new Map<string, number>();
  let updating = false;
  let ready = 0;
  for (let n = 1; n <= asked; n++) {
    const claims = replicas.filter((r) => r.number === n);
    if (claims.length === 0) {
      tally(problems, "lost");
      continue;
    }
    if (claims.length > 1) updating = true;
    const best = claims.find((r) => r.condition === "running" && r.health?.status !== "unhealthy") ?? claims.find((r) => r.condition === "running") ?? claims[0]!;
    // Ready means running in the pod's network and, with a health check, healthy.
    if (best.condition !== "running") tally(problems, best.condition);
    else if (best.health?.status === "unhealthy") tally(problems, "unhealthy");
    else if (best.health?.status === "starting") tally(problems, "health starting");
    else ready++;
    // Killed out of memory and not back yet; one that came back and serves is healthy.
    if (best.oomKilled && best.condition !== "running") tally(problems, "oom");
    if (!best.current) updating = true;
  }
  if (replicas.some((r) => r.number > asked)) updating = true;
  if (record?.history.at(-1)?.status === "pending" && record.history.at(-1)?.number === record.generation) updating = true;
  if (pod.lock) updating = true;

  // The kernel's truth: a running replica that does not listen yet serves nothing.
  if (listeners) {
    const fewest = Math.min(...Object.values(listeners));
    if (Number.isFinite(fewest) && fewest < ready) {
      problems.set("not listening", ready - fewest);
      ready = fewest;
    }
  }

  const sandboxUp = sandbox?.running === true;
  const status: PodStatus = !sandboxUp && asked > 0 ? "stopped" : updating ? "updating" : problems.size > 0 ? "degraded" : "running";
  const reasons = [...problems].map(([what, n]) => `${n} ${what}`);
  if (!sandbox) reasons.unshift("sandbox missing");
  else if (!sandboxUp) reasons.unshift(`sandbox ${sandbox.state}`);
  return {
    name: pod.name,
    image: spec?.replica.image ?? replicas[0]?.image ?? "",
    digest: spec?.replica.digest ?? null,
    autoUpdate: spec?.autoUpdate?.intervalS ?? null,
    status,
    reasons,
    replicas: { ready, asked },
    // On the host's network nothing is published: the ports are the ones replicas bind.
    ports: sandboxUp && modeOf(spec?.network).publishes ? toMappings(sandbox!.ports) : (spec?.network.ports ?? []),
    created: sandbox ? iso(sandbox.created) : null,
    generation: record?.generation ?? null,
    balance,
    sandbox: sandbox ? { id: sandbox.id, state: sandbox.state, startedAt: iso(sandbox.startedAt) } : null,
    listeners,
    replicaContainers: replicas,
    foreign: pod.foreign.map((f) => ({ id: f.id, name: f.name, why: f.why })),
  };
}
