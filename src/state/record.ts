// A pod's record of intent: what it should be (spec, replica count), its generation and the
// generations before it. It lives in the labels of never-started containers on the engine,
// written anew under the pod's lock on each change, so any machine that reaches the engine
// can manage the pod and no local file is needed. Pure: encoding, and history rules.
import { redactHistory } from "../podspec/redact.js";
import type { PodSpec } from "../podspec/types.js";

export type GenerationStatus = "ok" | "failed" | "pending";

export interface Generation {
  number: number;
  /** ISO time the change was applied. */
  at: string;
  spec: PodSpec;
  status: GenerationStatus;
  /** The command that made it, e.g. "up", "scale", "set", "rollback to 2". */
  cause: string;
  /** Why a failed change failed, in one line. */
  error?: string;
}

export interface PodRecord {
  version: 1;
  /** The pod version that wrote it: an older agent leaves such a pod alone rather than misread it. */
  writer?: string;
  pod: string;
  /** Signs every container of the pod (see state/labels.ts ownerProof). */
  key: string;
  /** Bumped on every write; the newest revision on the engine wins. */
  revision: number;
  /** The generation the pod should run: its spec is `spec`. */
  generation: number;
  spec: PodSpec;
  /** Oldest first, failed changes included; bounded. */
  history: Generation[];
}

/** How many generations a record keeps: enough to look back, small enough for a label. */
export const HISTORY_LIMIT = 20;

export function encodeRecord(record: PodRecord): string {
  return JSON.stringify(record);
}

export function decodeRecord(text: string | undefined, pod: string): PodRecord | null {
  if (!text) return null;
  try {
    const r = JSON.parse(text) as PodRecord;
    if (r.version !== 1 || r.pod !== pod || typeof r.revision !== "number" || !r.spec || !Array.isArray(r.history)) return null;
    // Records written before engine errors were redacted may hold env values in a failure's text.
    return redactHistory(r);
  } catch {
    return null;
  }
}

function bounded(history: Generation[]): Generation[] {
  return history.slice(-HISTORY_LIMIT);
}

/** The record of a pod being created: its first generation, pending until it serves. */
export function newRecord(spec: PodSpec, key: string, at: string, cause: string, writer?: string): PodRecord {
  return {
    version: 1,
    ...(writer ? { writer } : {}),
    pod: spec.name,
    key,
    revision: 1,
    generation: 1,
    spec,
    history: [{ number: 1, at, spec, status: "pending", cause }],
  };
}

/** The number the next change gets: failed attempts use numbers too. */
export function nextGeneration(record: PodRecord): number {
  return Math.max(record.generation, ...record.history.map((g) => g.number)) + 1;
}

/**
 * After a change succeeded: the pod runs `spec` now. A spec equal to the current one (a
 * restart, a repair) makes no new generation; a pending first generation becomes ok.
 */
export function recordSuccess(record: PodRecord, spec: PodSpec, at: string, cause: string, changed: boolean): PodRecord {
  if (!changed) {
    const history = record.history.map((g) => (g.number === record.generation && g.status === "pending" ? { ...g, status: "ok" as const } : g));
    return { ...record, revision: record.revision + 1, spec, history };
  }
  const number = nextGeneration(record);
  return {
    ...record,
    revision: record.revision + 1,
    generation: number,
    spec,
    history: bounded([...record.history, { number, at, spec, status: "ok", cause }]),
  };
}

/** After a change failed and was undone: the intent stays; the attempt is kept, as failed. */
export function recordFailure(record: PodRecord, spec: PodSpec, at: string, cause: string, error: string): PodRecord {
  const number = nextGeneration(record);
  return {
    ...record,
    revision: record.revision + 1,
    history: bounded([...record.history, { number, at, spec, status: "failed", cause, error }]),
  };
}

/** The generation `rollback` goes to: GEN if given, else the newest ok one before the current. */
export function rollbackTarget(record: PodRecord, to: number | null): { target: Generation } | { refusal: string } {
  if (to !== null) {
    const g = record.history.find((h) => h.number === to);
    if (!g) return { refusal: `pod ${record.pod} has no generation ${to} in its history` };
    if (g.status !== "ok") return { refusal: `generation ${to} of pod ${record.pod} ${g.status === "failed" ? "failed" : "never finished"}, so it is no rollback target` };
    if (g.number === record.generation) return { refusal: `pod ${record.pod} already runs generation ${to}` };
    return { target: g };
  }
  const g = record.history.filter((h) => h.status === "ok" && h.number < record.generation).at(-1);
  return g ? { target: g } : { refusal: `pod ${record.pod} has no earlier successful generation to go back to` };
}

/** "0.10.2" > "0.9.9": numeric, part by part. */
export function newerVersion(a: string, b: string): boolean {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}
