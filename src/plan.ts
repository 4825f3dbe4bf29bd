// reconcile(spec, observed) → plan. Pure: no engine, no clock, ordered output, so every
// situation is a row in test/unit/plan.test.ts compared as text.
import { asideName, replicaName, sandboxName } from "./labels.js";
import { currentSpec, type ObservedPod, type ObservedReplica } from "./observe.js";
import { replicaHash, sandboxHash, type PodSpec, type ReplicaSpec } from "./spec.js";

export interface ContainerRef {
  id: string;
  name: string;
}

export type Action =
  | { kind: "create-sandbox"; spec: PodSpec; generation: number; reason: string }
  | { kind: "remove-sandbox"; sandbox: ContainerRef; reason: string }
  /** Create and start replicas together, then wait until each runs and listens. */
  | { kind: "start-replicas"; pod: string; numbers: number[]; replica: ReplicaSpec; generation: number; reason: string }
  /** Graceful: the stop signal, the drain, a kill only after the stop timeout; then remove. */
  | { kind: "stop-replica"; replica: ContainerRef; number: number; timeoutS: number | null; reason: string }
  /** At once: the replica serves nothing (exited, stranded, never started). */
  | { kind: "remove-replica"; replica: ContainerRef; number: number; reason: string }
  | { kind: "rename-replica"; replica: ContainerRef; to: string; reason: string }
  /** Wait until the pod's namespace holds `listeners` listeners per port, `replica` among them. */
  | { kind: "await-ready"; replica: ContainerRef; listeners: number; reason: string };

/** Steps run in order; the actions of one step run together. */
export interface Plan {
  pod: string;
  generation: number;
  steps: Action[][];
}

export interface ReconcileOptions {
  /** Replace every replica even when its spec is current (`pod restart`). */
  restart?: boolean;
  /** How many replicas a rolling replacement changes at once. */
  parallel?: number;
  /** Stop timeout for graceful stops; null leaves each container's own. */
  stopTimeoutS?: number | null;
}

function ref(c: { id: string; name: string }): ContainerRef {
  return { id: c.id, name: c.name };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Among containers claiming one replica number, the one to keep: serving, current, newest. */
function pickKeeper(candidates: ObservedReplica[], serving: (r: ObservedReplica) => boolean, hash: string): ObservedReplica | null {
  const live = candidates.filter(serving);
  if (live.length === 0) return null;
  return [...live].sort(
    (a, b) => Number(b.specHash === hash) - Number(a.specHash === hash) || b.generation - a.generation || b.created - a.created,
  )[0]!;
}

export function reconcile(desired: PodSpec, observed: ObservedPod, options: ReconcileOptions = {}): Plan {
  const hash = replicaHash(desired.replica);
  const current = currentSpec(observed);
  const generation = current === null ? 1 : current.hash === hash ? current.generation : current.generation + 1;
  const steps: Action[][] = [];
  const stopTimeoutS = options.stopTimeoutS ?? null;
  const pod = desired.name;
  const sandbox = observed.sandbox;

  const startAll = (reason: string): void => {
    if (desired.replicas > 0) {
      steps.push([{ kind: "start-replicas", pod, numbers: range(1, desired.replicas), replica: desired.replica, generation, reason }]);
    }
  };

  // The sandbox comes first and everything follows it: a new sandbox means new replicas.
  const sandboxProblem =
    sandbox === null
      ? observed.replicas.length === 0
        ? "pod absent"
        : "sandbox missing"
      : !sandbox.running
        ? `sandbox ${sandbox.state}`
        : sandbox.specHash !== sandboxHash(desired.sandbox)
          ? "network settings changed"
          : // With no replica left to carry the spec, the sandbox must record it; nothing serves, so nothing is lost.
            desired.replicas === 0 && sandbox.replicaHash !== hash
            ? "spec changed, no replica to carry it"
            : null;

  if (sandboxProblem !== null) {
    const teardown: Action[] = observed.replicas.map((r) =>
      r.running && sandbox?.running
        ? { kind: "stop-replica", replica: ref(r), number: r.number, timeoutS: stopTimeoutS, reason: sandboxProblem }
        : { kind: "remove-replica", replica: ref(r), number: r.number, reason: sandboxProblem },
    );
    if (teardown.length > 0) steps.push(teardown);
    if (sandbox) steps.push([{ kind: "remove-sandbox", sandbox: ref(sandbox), reason: sandboxProblem }]);
    steps.push([{ kind: "create-sandbox", spec: desired, generation, reason: sandboxProblem }]);
    startAll(sandboxProblem);
    return { pod, generation, steps };
  }

  const serving = (r: ObservedReplica): boolean => r.running && r.joinedSandboxId === sandbox!.id;
  const byNumber = new Map<number, ObservedReplica[]>();
  for (const r of observed.replicas) byNumber.set(r.number, [...(byNumber.get(r.number) ?? []), r]);

  // 1. Clear what serves nothing, and duplicates left by an interrupted replacement.
  const keep = new Map<number, ObservedReplica>();
  const adopt: Action[] = [];
  const clear: Action[] = [];
  const servingNow = observed.replicas.filter(serving).length;
  const renames: Action[] = [];
  for (const [number, candidates] of [...byNumber].sort(([a], [b]) => a - b)) {
    const keeper = number >= 1 ? pickKeeper(candidates, serving, hash) : null;
    if (keeper) keep.set(number, keeper);
    // A replica left by an interrupted replacement may still be starting: it must listen
    // before the one it replaces stops, as in any start-first step.
    if (keeper && candidates.some((r) => r !== keeper && serving(r))) {
      adopt.push({ kind: "await-ready", replica: ref(keeper), listeners: servingNow, reason: "finishing an interrupted replacement" });
    }
    for (const r of candidates) {
      if (r === keeper) continue;
      if (serving(r)) {
        clear.push({ kind: "stop-replica", replica: ref(r), number, timeoutS: stopTimeoutS, reason: "duplicate number" });
      } else {
        const why = !r.running ? r.state : r.joinedSandboxId === null ? "not in the pod's network" : "stranded in an old sandbox's network";
        clear.push({ kind: "remove-replica", replica: ref(r), number, reason: why });
      }
    }
    if (keeper && number <= desired.replicas && keeper.name !== replicaName(pod, number)) {
      renames.push({ kind: "rename-replica", replica: ref(keeper), to: replicaName(pod, number), reason: "back to its own name" });
    }
  }
  if (adopt.length > 0) steps.push(adopt);
  if (clear.length > 0) steps.push(clear);
  if (renames.length > 0) steps.push(renames);

  // 2. Add the lowest free numbers.
  const missing = range(1, desired.replicas).filter((n) => !keep.has(n));
  if (missing.length > 0) {
    const reason = missing.some((n) => byNumber.has(n)) ? "replacing replicas that serve nothing" : "scale up";
    steps.push([{ kind: "start-replicas", pod, numbers: missing, replica: desired.replica, generation, reason }]);
  }

  // 3. Remove the highest numbers, one at a time, each a graceful stop.
  const extras = [...keep.keys()].filter((n) => n > desired.replicas).sort((a, b) => b - a);
  for (const n of extras) {
    const r = keep.get(n)!;
    steps.push([{ kind: "stop-replica", replica: ref(r), number: n, timeoutS: stopTimeoutS, reason: "scale down" }]);
  }

  // 4. Replace outdated replicas start-first: the old one steps aside under another name,
  //    the new one starts and listens, then the old one stops.
  const outdated = [...keep.entries()]
    .filter(([n, r]) => n <= desired.replicas && (options.restart || r.specHash !== hash))
    .sort(([a], [b]) => a - b);
  const batch = Math.max(1, options.parallel ?? 1);
  const reason = options.restart ? "restart" : "spec changed";
  for (let i = 0; i < outdated.length; i += batch) {
    const chunk = outdated.slice(i, i + batch);
    steps.push(chunk.map(([n, r]) => ({ kind: "rename-replica", replica: ref(r), to: asideName(pod, n, r.id), reason }) as Action));
    steps.push([{ kind: "start-replicas", pod, numbers: chunk.map(([n]) => n), replica: desired.replica, generation, reason }]);
    steps.push(
      chunk.map(
        ([n, r]) =>
          ({ kind: "stop-replica", replica: { id: r.id, name: asideName(pod, n, r.id) }, number: n, timeoutS: stopTimeoutS, reason: "replaced" }) as Action,
      ),
    );
  }

  return { pod, generation, steps };
}

/** `down`: replicas first, then the sandbox, then nothing. Works on any half of a pod. */
export function planDown(observed: ObservedPod, timeoutS: number | null): Plan {
  const steps: Action[][] = [];
  const replicas: Action[] = observed.replicas.map((r) =>
    r.running
      ? { kind: "stop-replica", replica: ref(r), number: r.number, timeoutS, reason: "down" }
      : { kind: "remove-replica", replica: ref(r), number: r.number, reason: "down" },
  );
  if (replicas.length > 0) steps.push(replicas);
  if (observed.sandbox) steps.push([{ kind: "remove-sandbox", sandbox: ref(observed.sandbox), reason: "down" }]);
  return { pod: observed.name, generation: 0, steps };
}

export function isEmpty(plan: Plan): boolean {
  return plan.steps.length === 0;
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case "create-sandbox":
      return `create sandbox ${sandboxName(a.spec.name)} (${a.reason})`;
    case "remove-sandbox":
      return `remove sandbox ${a.sandbox.name} (${a.reason})`;
    case "start-replicas":
      return `start replica${a.numbers.length > 1 ? "s" : ""} ${a.numbers.map((n) => replicaName(a.pod, n)).join(", ")} (${a.reason})`;
    case "stop-replica":
      return `stop replica ${a.replica.name} (${a.reason})`;
    case "remove-replica":
      return `remove replica ${a.replica.name} (${a.reason})`;
    case "rename-replica":
      return `rename replica ${a.replica.name} to ${a.to} (${a.reason})`;
    case "await-ready":
      return `wait for replica ${a.replica.name} to listen (${a.reason})`;
  }
}

/** One line per action, numbered by step: actions sharing a number run together. */
export function formatPlan(plan: Plan): string {
  if (plan.steps.length === 0) return "nothing to do";
  return plan.steps.flatMap((step, i) => step.map((a) => `${i + 1}. ${describeAction(a)}`)).join("\n");
}
