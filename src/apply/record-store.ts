// Writing a pod's record: two copies of the new revision first (so losing any one container
// loses nothing), then the older revisions go. Creation is the commit point: a write
// interrupted half-way leaves the newest complete revision readable.
import type { ContainerClient } from "../engine/engine.js";
import type { RecordCopy } from "../plan/actions.js";
import type { PodRecord } from "../state/record.js";
import { recordConfig } from "./render.js";

export async function writeRecord(engine: ContainerClient, record: PodRecord, before: RecordCopy[]): Promise<void> {
  await Promise.all((["a", "b"] as const).map((copy) => engine.createContainer(recordConfig(record, copy))));
  await Promise.all(before.filter((c) => c.revision !== record.revision).map((c) => engine.removeContainer(c.id)));
}

export async function removeRecord(engine: ContainerClient, copies: RecordCopy[]): Promise<void> {
  await Promise.all(copies.map((c) => engine.removeContainer(c.id)));
}
