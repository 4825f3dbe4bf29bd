// `down`: replicas first, then the sandbox; the record goes last (apply/converge.ts), so an
// interrupted down can always be finished. Works on any half of a pod. Pure.
import type { ObservedPod } from "../state/observe.js";
import type { Action, Plan } from "./actions.js";

export function planDown(observed: ObservedPod, timeoutS: number | null): Plan {
  const steps: Action[][] = [];
  const replicas: Action[] = observed.replicas.map((r) =>
    r.running
      ? { kind: "stop-replica", replica: { id: r.id, name: r.name, number: r.number }, timeoutS, keep: false, reason: "down" }
      : { kind: "remove-replica", replica: { id: r.id, name: r.name, number: r.number }, reason: "down" },
  );
  for (const r of observed.previous) replicas.push({ kind: "remove-replica", replica: { id: r.id, name: r.name, number: r.number }, reason: "down" });
  if (replicas.length > 0) steps.push(replicas);
  if (observed.sandbox) steps.push([{ kind: "remove-sandbox", sandbox: { id: observed.sandbox.id, name: observed.sandbox.name }, reason: "down" }]);
  return { pod: observed.name, steps, outage: null };
}
