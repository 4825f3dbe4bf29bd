// Pods as they are, with the kernel's truth: read-only, one snapshot per call.
import { probeListeners } from "../apply/readiness.js";
import { observeEvery } from "../apply/snapshot.js";
import type { Engine } from "../engine/engine.js";
import { targetPorts } from "../spec/parse.js";
import type { ObservedPod } from "../state/observe.js";
import { podView, type ListenerCounts, type PodView } from "../state/status.js";

/** The kernel's truth for a running pod: how many sockets listen per port in its namespace. */
export async function listeners(engine: Engine, pod: ObservedPod): Promise<ListenerCounts | null> {
  const ports = pod.record ? targetPorts(pod.record.spec.network.ports) : [];
  if (!pod.sandbox?.running || ports.length === 0 || pod.record?.spec.network.balance === "dnat") return null;
  try {
    const found = await probeListeners(engine, pod.sandbox.id, ports, pod.sandbox.pid);
    return Object.fromEntries(ports.map((p) => [p, found[p]?.count ?? 0]));
  } catch {
    return null; // a sandbox that stopped meanwhile: its state says so
  }
}

/** Every pod on the engine, each with the kernel's count of its listeners: one snapshot. */
export async function observeViews(engine: Engine): Promise<{ pod: ObservedPod; view: PodView }[]> {
  const pods = await observeEvery(engine);
  return Promise.all(pods.map(async (pod) => ({ pod, view: podView(pod, await listeners(engine, pod)) })));
}

