// Writing a pod's record: two copies of the new revision first (so losing any one container
// loses nothing), then the older revisions go. Creation is the commit point: a write
// interrupted half-way leaves the newest complete revision readable.
import type { Engine } from "../engine/engine.js";
import type { ObservedPod } from "../state/observe.js";
import type { PodRecord } from "../state/record.js";
import { recordConfig } from "./render.js";

export async function writeRecord(engine: Engine, record: PodRecord, before: ObservedPod["recordCopies"]): Promise<void> {
  await Promise.all((["a", "b"] as const).map((copy) => engine.createContainer(recordConfig(record, copy))));
  await Promise.all(before.filter((c) => c.revision !== record.revision).map((c) => engine.removeContainer(c.id)));
}

export async function removeRecord(engine: Engine, copies: ObservedPod["recordCopies"]): Promise<void> {
  await Promise.all(copies.map((c) => engine.removeContainer(c.id)));
}

/** Whether the newest revision is held twice, as it should be. */
export function recordIsWhole(pod: ObservedPod): boolean {
  const revision = pod.record?.revision;
  return !pod.recovered && pod.recordCopies.filter((c) => c.revision === revision).length >= 2;
}
