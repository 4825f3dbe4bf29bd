// Writing a pod's record: the new revision first, as a label-only image; then the copies
// it replaces go — every revision older than the one before it (kept, so that losing the
// newest by hand loses little), and the never-started containers older pods kept it in.
// Creating the image is the commit point: a write interrupted half-way leaves the newest
// complete revision readable.
import type { ContainerClient, LabelledImageClient } from "../engine/engine.js";
import type { RecordCopy } from "../state/observe.js";
import type { PodRecord } from "../state/record.js";
import { recordImage } from "./render.js";

export async function writeRecord(engine: ContainerClient & LabelledImageClient, record: PodRecord, before: RecordCopy[]): Promise<void> {
  const { ref, labels } = recordImage(record);
  await engine.createLabelledImage(ref, labels);
  const stale = before.filter((c) => c.name !== ref && (c.kind === "container" || c.revision < record.revision - 1));
  await removeRecord(engine, stale);
}

export async function removeRecord(engine: ContainerClient & LabelledImageClient, copies: RecordCopy[]): Promise<void> {
  // By reference: only pod's own tag goes, even if someone tagged the same image otherwise.
  await Promise.all(copies.map((c) => (c.kind === "image" ? engine.removeImage(c.name) : engine.removeContainer(c.id))));
}
