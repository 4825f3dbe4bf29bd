// What a plan is made of, and how it reads. Each action is one thing the executor does
// with one engine call (or one create+start, one stop+remove), deciding nothing.
import type { ContainerRef, RecordCopy } from "../state/observe.js";
import type { PodRecord } from "../state/record.js";
import { replicaName, sandboxName } from "../state/labels.js";
import type { PodSpec, ReplicaSpec } from "../podspec/types.js";

export interface NumberedRef extends ContainerRef {
  number: number;
}

export type Action =
  | { kind: "create-sandbox"; pod: string; spec: PodSpec; reason: string }
  /** An existing sandbox, stopped: started again, it gets a new namespace. */
  | { kind: "start-sandbox"; sandbox: ContainerRef; reason: string }
  | { kind: "remove-sandbox"; sandbox: ContainerRef; reason: string }
  /** Create and start replicas together, then wait until each runs and listens. */
  | { kind: "start-replicas"; pod: string; numbers: number[]; replica: ReplicaSpec; generation: number; reason: string }
  /** Existing replicas that serve nothing (stranded, exited): started again, into the current namespace. */
  | { kind: "restart-replicas"; replicas: NumberedRef[]; reason: string }
  /**
   * Graceful: the stop signal, the drain, a kill only after the stop timeout; then removed,
   * or with `keep` set aside stopped as the number's previous container, for its logs.
   */
  | { kind: "stop-replica"; replica: NumberedRef; timeoutS: number | null; keep: boolean; reason: string }
  /** At once: the replica serves nothing (exited, orphaned, never started). */
  | { kind: "remove-replica"; replica: NumberedRef; reason: string }
  | { kind: "rename-replica"; replica: NumberedRef; to: string; reason: string }
  /** Wait until `replica`, left starting by an interrupted command, runs and the namespace holds `listeners` per port. */
  | { kind: "await-ready"; replica: NumberedRef; listeners: number; reason: string }
  /** The pod's record, a new revision: written whole before the revisions it replaces go. */
  | { kind: "write-record"; record: PodRecord; replaces: RecordCopy[]; reason: string }
  /** Every copy of the record: the last thing `down` removes. */
  | { kind: "remove-record"; copies: RecordCopy[]; reason: string };

export type { RecordCopy } from "../state/observe.js";

export type ActionKind = Action["kind"];

/** Steps run in order; the actions of one step run together. */
export interface Plan {
  pod: string;
  steps: Action[][];
  /** Why the plan interrupts service (a new sandbox while replicas serve), or null. */
  outage: string | null;
}

export function isEmpty(plan: Plan): boolean {
  return plan.steps.length === 0;
}

/** Names, shortened when many: "web-1, web-2" or "web-2 … web-100". */
export function nameList(names: string[]): string {
  return names.length <= 3 ? names.join(", ") : `${names[0]} … ${names.at(-1)}`;
}

/** "replica web-1", or "3 replicas: web-1, web-2, web-3". */
function counted(names: string[]): string {
  return names.length === 1 ? `replica ${names[0]}` : `${names.length} replicas: ${nameList(names)}`;
}

/** The containers an action acts on, by name. */
export function containerNames(a: Action): string[] {
  switch (a.kind) {
    case "create-sandbox":
      return [sandboxName(a.pod)];
    case "start-sandbox":
    case "remove-sandbox":
      return [a.sandbox.name];
    case "start-replicas":
      return a.numbers.map((n) => replicaName(a.pod, n));
    case "restart-replicas":
      return a.replicas.map((r) => r.name);
    case "write-record":
    case "remove-record":
      return [];
    default:
      return [a.replica.name];
  }
}

/** The replica numbers an action acts on. */
export function replicaNumbers(a: Action): number[] {
  switch (a.kind) {
    case "start-replicas":
      return a.numbers;
    case "restart-replicas":
      return a.replicas.map((r) => r.number);
    case "stop-replica":
    case "remove-replica":
    case "rename-replica":
    case "await-ready":
      return [a.replica.number];
    default:
      return [];
  }
}

/** Whether the action makes the pod stop serving for a moment. */
export function isOutage(a: Action): boolean {
  return a.kind === "remove-sandbox" || a.kind === "create-sandbox" || a.kind === "start-sandbox";
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case "create-sandbox":
      return `create sandbox ${sandboxName(a.pod)} (${a.reason})`;
    case "start-sandbox":
      return `start sandbox ${a.sandbox.name} (${a.reason})`;
    case "remove-sandbox":
      return `remove sandbox ${a.sandbox.name} (${a.reason})`;
    case "start-replicas":
      return `start ${counted(a.numbers.map((n) => replicaName(a.pod, n)))} (${a.reason})`;
    case "restart-replicas":
      return `restart ${counted(a.replicas.map((r) => r.name))} (${a.reason})`;
    case "stop-replica":
      return `stop replica ${a.replica.name} (${a.reason})`;
    case "remove-replica":
      return `remove replica ${a.replica.name} (${a.reason})`;
    case "rename-replica":
      return `rename replica ${a.replica.name} to ${a.to} (${a.reason})`;
    case "await-ready":
      return `wait for replica ${a.replica.name} to listen (${a.reason})`;
    case "write-record":
      return `write the record: generation ${a.record.generation}, revision ${a.record.revision} (${a.reason})`;
    case "remove-record":
      return `remove the record (${a.reason})`;
  }
}

/**
 * One line per step: actions of one kind and reason in a step are folded into one line with
 * a count, so `scale 100` reads as one line, not ninety-nine. Outage steps are marked.
 */
export function stepLines(step: Action[], markOutage = false): string[] {
  const groups = new Map<string, Action[]>();
  for (const a of step) {
    const key = `${a.kind}\n${a.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const mark = markOutage && isOutage(first) ? "  [outage]" : "";
    if (group.length === 1) return describeAction(first) + mark;
    const names = group.flatMap(containerNames);
    const verb = first.kind.split("-")[0];
    return `${verb} ${group.length} replicas: ${nameList(names)} (${first.reason})${mark}`;
  });
}

/** The plan as text, numbered by step: lines sharing a number run together. */
export function formatPlan(plan: Plan): string {
  if (plan.steps.length === 0) return "nothing to do";
  // Steps of one action each, of one kind and reason in a row (a scale-down stops replicas one
  // at a time), read as one line: `2-11. stop 10 replicas, one at a time: …`.
  const lines: string[] = [];
  for (let i = 0; i < plan.steps.length; ) {
    const run = sameInARow(plan.steps, i);
    if (run > 1) {
      const actions = plan.steps.slice(i, i + run).map((s) => s[0]!);
      const mark = plan.outage !== null && isOutage(actions[0]!) ? "  [outage]" : "";
      lines.push(`${i + 1}-${i + run}. ${actions[0]!.kind.split("-")[0]} ${run} replicas, one at a time: ${nameList(actions.flatMap(containerNames))} (${actions[0]!.reason})${mark}`);
    } else lines.push(...stepLines(plan.steps[i]!, plan.outage !== null).map((l) => `${i + 1}. ${l}`));
    i += run;
  }
  return lines.join("\n");
}

/** How many steps from `i` on hold one replica action each, of the same kind and reason. */
function sameInARow(steps: Action[][], i: number): number {
  const first = steps[i]!;
  if (first.length !== 1 || replicaNumbers(first[0]!).length !== 1) return 1;
  let n = 1;
  while (steps[i + n]?.length === 1 && steps[i + n]![0]!.kind === first[0]!.kind && steps[i + n]![0]!.reason === first[0]!.reason) n++;
  return n;
}
