// Pods as they are, with the kernel's truth: read-only, one snapshot per call.
import type { Engine } from "../engine/engine.js";
import { modeOf } from "../modes/index.js";
import type { Probes } from "../probes/probes.js";
import { targetPorts } from "../podspec/parse.js";
import type { ObservedPod } from "../state/observe.js";
import { readPod, readPods } from "../state/snapshot.js";
import { podView, type ListenerCounts, type PodView } from "../state/status.js";

/** The kernel's truth for a running pod: how many sockets listen per port in its namespace. */
export async function listeners(probes: Probes, pod: ObservedPod): Promise<ListenerCounts | null> {
  const ports = pod.record ? targetPorts(pod.record.spec.network.ports) : [];
  // Where replicas listen in namespaces of their own, the sandbox's count says nothing.
  if (!pod.sandbox?.running || ports.length === 0 || modeOf(pod.record?.spec.network).readiness !== "listeners") return null;
  try {
    const found = await probes.listeners({ id: pod.sandbox.id, pid: pod.sandbox.pid }, ports);
    return Object.fromEntries(ports.map((p) => [p, found[p]?.count ?? 0]));
  } catch {
    return null; // a sandbox that stopped meanwhile: its state says so
  }
}

/** Every pod on the engine, each with the kernel's count of its listeners: one snapshot. */
export async function observeViews(engine: Engine, probes: Probes): Promise<{ pod: ObservedPod; view: PodView }[]> {
  const pods = await readPods(engine);
  return Promise.all(pods.map(async (pod) => ({ pod, view: podView(pod, await listeners(probes, pod)) })));
}

/** One pod, as observeViews sees each. */
export async function observeView(engine: Engine, probes: Probes, name: string): Promise<{ pod: ObservedPod; view: PodView }[]> {
  const pod = await readPod(engine, name);
  return [{ pod, view: podView(pod, await listeners(probes, pod)) }];
}
