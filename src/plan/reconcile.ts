// reconcile(desired, observed) → plan. Pure: no engine, no clock, ordered output, so every
// situation is a row in test/unit/plan/reconcile.test.ts, compared as text. The phases run
// in the order a pod depends on them: the sandbox, then repairs, scale, and the rollout.
import { networkHash, replicaHash } from "../podspec/hash.js";
import type { PodSpec } from "../podspec/types.js";
import { condition, type Condition } from "../state/condition.js";
import { asideName, replicaName } from "../state/labels.js";
import type { ObservedPod, ObservedReplica } from "../state/observe.js";
import type { Action, NumberedRef, Plan } from "./actions.js";

export interface ReconcileOptions {
  /** Replace every replica even when its spec is current (`pod restart`). */
  restart?: boolean;
  /** Stop timeout for graceful stops; null leaves each container's own. */
  stopTimeoutS?: number | null;
}

interface Ctx {
  desired: PodSpec;
  observed: ObservedPod;
  generation: number;
  hash: string;
  stopTimeoutS: number | null;
  restart: boolean;
  steps: Action[][];
}

function ref(r: ObservedReplica, name = r.name): NumberedRef {
  return { id: r.id, name, number: r.number };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function push(ctx: Ctx, step: Action[]): void {
  if (step.length > 0) ctx.steps.push(step);
}

function startReplicas(ctx: Ctx, numbers: number[], reason: string): Action {
  return { kind: "start-replicas", pod: ctx.desired.name, numbers, replica: ctx.desired.replica, generation: ctx.generation, reason };
}

/**
 * Phase 1, the sandbox: everything follows it. A sandbox of other network settings, or none,
 * means a new one and new replicas; a stopped one is started, and its replicas with it.
 * Returns the reason everything was (re)made, or null when the replicas phases should run.
 */
function sandboxPhase(ctx: Ctx): string | null {
  const { observed, desired } = ctx;
  const sandbox = observed.sandbox;
  const wanted = networkHash(desired.network);
  const problem =
    sandbox === null
      ? observed.replicas.length === 0 && observed.record === null
        ? "pod absent"
        : "sandbox missing"
      : sandbox.networkHash !== wanted
        ? "network settings changed"
        : !sandbox.hasProbe && usesPodProbe(desired)
          ? "the sandbox predates pod's own health probes"
          : null;
  if (problem === null) return null;

  const teardown: Action[] = observed.replicas.map((r) =>
    condition(r, sandbox, desired.network) === "running"
      ? { kind: "stop-replica", replica: ref(r), timeoutS: ctx.stopTimeoutS, keep: false, reason: problem }
      : { kind: "remove-replica", replica: ref(r), reason: problem },
  );
  push(ctx, teardown);
  if (sandbox) push(ctx, [{ kind: "remove-sandbox", sandbox: { id: sandbox.id, name: sandbox.name }, reason: problem }]);
  push(ctx, [{ kind: "create-sandbox", pod: desired.name, spec: desired, reason: problem }]);
  if (desired.replicas > 0) push(ctx, [startReplicas(ctx, range(1, desired.replicas), problem)]);
  return problem;
}

/** --health-http and --health-tcp run pod's probe program, which replicas mount from their sandbox. */
function usesPodProbe(spec: PodSpec): boolean {
  const kind = spec.replica.health?.check.kind;
  return kind === "http" || kind === "tcp";
}

interface Sorted {
  /** The replica that keeps each number, serving now or brought back. */
  keep: Map<number, ObservedReplica>;
  revive: ObservedReplica[];
}

/** Among containers claiming one number, the one to keep: serving, current, newest. */
function pickKeeper(candidates: ObservedReplica[], conditions: Map<ObservedReplica, Condition>, hash: string): ObservedReplica | null {
  const rank = (r: ObservedReplica): number => {
    const c = conditions.get(r)!;
    if (c === "running" || c === "paused") return 3;
    if (c === "restarting") return 2;
    // Stopped or stranded, but of the current spec: worth starting again rather than replacing.
    if ((c === "stranded" || c === "exited") && r.specHash === hash) return 1;
    return 0;
  };
  const best = [...candidates]
    .filter((r) => rank(r) > 0)
    .sort((a, b) => rank(b) - rank(a) || Number(b.specHash === hash) - Number(a.specHash === hash) || b.generation - a.generation || b.created - a.created)[0];
  return best ?? null;
}

/**
 * Phase 2, repairs: per replica number, keep one container; start again the kept ones that
 * serve nothing (stranded in a dead namespace, exited); clear the rest — duplicates left by
 * an interrupted replacement stop gracefully once their successor listens.
 */
function repairPhase(ctx: Ctx): Sorted {
  const { observed, hash } = ctx;
  const sandbox = observed.sandbox!;
  const network = ctx.desired.network;
  const conditions = new Map(observed.replicas.map((r) => [r, condition(r, sandbox, network)] as const));
  const byNumber = new Map<number, ObservedReplica[]>();
  for (const r of observed.replicas) byNumber.set(r.number, [...(byNumber.get(r.number) ?? []), r]);

  const servingNow = observed.replicas.filter((r) => conditions.get(r) === "running").length;
  const keep = new Map<number, ObservedReplica>();
  const revive: ObservedReplica[] = [];
  const adopt: Action[] = [];
  const clear: Action[] = [];
  const renames: Action[] = [];
  for (const [number, candidates] of [...byNumber].sort(([a], [b]) => a - b)) {
    const keeper = number >= 1 ? pickKeeper(candidates, conditions, hash) : null;
    if (keeper) {
      keep.set(number, keeper);
      const c = conditions.get(keeper)!;
      if (c === "stranded" || c === "exited") revive.push(keeper);
    }
    const servingOthers = candidates.filter((r) => r !== keeper && conditions.get(r) === "running");
    if (keeper && conditions.get(keeper) === "running" && servingOthers.length > 0) {
      // Left by an interrupted replacement, it may still be starting: it must listen before
      // the one it replaces stops, as in any start-first step.
      adopt.push({ kind: "await-ready", replica: ref(keeper), listeners: servingNow, reason: "finishing an interrupted replacement" });
    }
    for (const r of candidates) {
      if (r === keeper) continue;
      const c = conditions.get(r)!;
      if (c === "running") clear.push({ kind: "stop-replica", replica: ref(r), timeoutS: ctx.stopTimeoutS, keep: false, reason: "duplicate number" });
      else clear.push({ kind: "remove-replica", replica: ref(r), reason: c === "exited" ? r.state : c });
    }
    if (keeper && number <= ctx.desired.replicas && keeper.name !== replicaName(ctx.desired.name, number)) {
      renames.push({ kind: "rename-replica", replica: ref(keeper), to: replicaName(ctx.desired.name, number), reason: "back to its own name" });
    }
  }
  push(ctx, adopt);
  push(ctx, clear);
  push(ctx, renames);
  const toRevive = revive.filter((r) => r.number <= ctx.desired.replicas);
  if (toRevive.length > 0) {
    const stranded = toRevive.some((r) => conditions.get(r) === "stranded");
    push(ctx, [{ kind: "restart-replicas", replicas: toRevive.map((r) => ref(r, replicaName(ctx.desired.name, r.number))), reason: stranded ? "stranded in a dead network namespace" : "exited" }]);
  }
  return { keep, revive };
}

/** Phase 3, scale: add the lowest free numbers together; stop the highest, one at a time. */
function scalePhase(ctx: Ctx, keep: Map<number, ObservedReplica>, lost: Set<number>): void {
  const missing = range(1, ctx.desired.replicas).filter((n) => !keep.has(n));
  if (missing.length > 0) {
    push(ctx, [startReplicas(ctx, missing, missing.every((n) => lost.has(n)) ? "replacing lost replicas" : missing.some((n) => lost.has(n)) ? "replacing lost replicas, scale up" : "scale up")]);
  }
  const extras = [...keep.keys()].filter((n) => n > ctx.desired.replicas).sort((a, b) => b - a);
  for (const n of extras) {
    push(ctx, [{ kind: "stop-replica", replica: ref(keep.get(n)!), timeoutS: ctx.stopTimeoutS, keep: false, reason: "scale down" }]);
  }
}

/**
 * Phase 4, the rollout: outdated replicas are replaced, `update.parallel` at a time.
 * Start-first: the old one steps aside under another name, the new one starts and listens,
 * then the old one stops. Stop-first (Compose's other order): stop, then start.
 */
function rolloutPhase(ctx: Ctx, keep: Map<number, ObservedReplica>, revived: Set<ObservedReplica>): void {
  const current = [...keep.entries()].filter(([n]) => n <= ctx.desired.replicas).sort(([a], [b]) => a - b);
  const outdated = current.filter(([, r]) => r.specHash !== ctx.hash || (ctx.restart && !revived.has(r)));
  const reasons = new Map(outdated.map(([n]) => [n, ctx.restart ? "restart" : "spec changed"]));
  // A replica its health check judges unhealthy is replaced, start-first, one per plan — but
  // only beside a healthy one: when every replica is unhealthy, the cause is elsewhere
  // (the service, what it depends on), and replacing them in a loop would not help.
  const sick = current.filter(([n, r]) => !reasons.has(n) && r.health?.status === "unhealthy");
  const healthyBeside = current.some(([, r]) => !revived.has(r) && r.running && r.health?.status !== "unhealthy");
  if (sick.length > 0 && healthyBeside) {
    outdated.push(sick[0]!);
    reasons.set(sick[0]![0], "unhealthy");
  }
  const batch = Math.max(1, ctx.desired.update.parallel);
  for (let i = 0; i < outdated.length; i += batch) {
    const chunk = outdated.slice(i, i + batch);
    const reason = reasons.get(chunk[0]![0])!;
    if (ctx.desired.update.order === "stop-first") {
      push(ctx, chunk.map(([, r]) => ({ kind: "stop-replica", replica: ref(r), timeoutS: ctx.stopTimeoutS, keep: true, reason }) as Action));
      push(ctx, [startReplicas(ctx, chunk.map(([n]) => n), reason)]);
      continue;
    }
    push(ctx, chunk.map(([, r]) => ({ kind: "rename-replica", replica: ref(r), to: asideName(r.createdAs, r.id), reason }) as Action));
    push(ctx, [startReplicas(ctx, chunk.map(([n]) => n), reason)]);
    push(ctx, chunk.map(([, r]) => ({ kind: "stop-replica", replica: ref(r, asideName(r.createdAs, r.id)), timeoutS: ctx.stopTimeoutS, keep: true, reason: "replaced" }) as Action));
  }
}

/**
 * `generation` labels the replicas this plan creates: the record's current one, or the
 * number the change will get.
 */
export function reconcile(desired: PodSpec, observed: ObservedPod, generation: number, options: ReconcileOptions = {}): Plan {
  const ctx: Ctx = {
    desired,
    observed,
    generation,
    hash: replicaHash(desired.replica),
    stopTimeoutS: options.stopTimeoutS ?? null,
    restart: options.restart ?? false,
    steps: [],
  };
  const serving = observed.sandbox?.running === true && observed.replicas.some((r) => condition(r, observed.sandbox, desired.network) === "running");
  const remade = sandboxPhase(ctx);
  if (remade !== null) {
    return { pod: desired.name, steps: ctx.steps, outage: serving ? remade : null };
  }
  const sandbox = observed.sandbox!;
  if (!sandbox.running) {
    // Started again, it gets a new namespace: every replica must follow it there.
    push(ctx, [{ kind: "start-sandbox", sandbox: { id: sandbox.id, name: sandbox.name }, reason: `sandbox ${sandbox.state}` }]);
  }
  const numbersBefore = new Set(observed.replicas.map((r) => r.number));
  const { keep, revive } = repairPhase(ctx);
  const lost = new Set([...numbersBefore].filter((n) => !keep.has(n)));
  for (let n = 1; n <= Math.min(desired.replicas, observed.record?.spec.replicas ?? 0); n++) if (!numbersBefore.has(n)) lost.add(n);
  scalePhase(ctx, keep, lost);
  rolloutPhase(ctx, keep, new Set(revive));
  return { pod: desired.name, steps: ctx.steps, outage: null };
}
