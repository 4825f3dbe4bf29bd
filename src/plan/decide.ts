// What a changing command means, given one snapshot: the spec to reach, the plan, its
// generation, every check's verdict and the warnings. Pure — the real run and --dry-run both
// call it on what they observed, so both give the same verdict and exit code.
import { notFound, PodError } from "../errors.js";
import type { ImageInfo } from "../engine/types.js";
import { modeOf } from "../modes/index.js";
import { sameSpec } from "../podspec/hash.js";
import type { ImageWanted, PodSpec } from "../podspec/types.js";
import { foreignLines, podExists, type ObservedPod } from "../state/observe.js";
import { nextGeneration } from "../state/record.js";
import type { Snapshot } from "../state/snapshot.js";
import { isEmpty, type Plan } from "./actions.js";
import { checkOutage, checkSandboxNetwork, checkUser, resolveImage } from "./checks.js";
import { planDown } from "./down.js";
import { reconcile } from "./reconcile.js";

export interface ChangeRequest {
  pod: string;
  /**
   * The spec to reach given the pod as observed, and what asks for it (for the history):
   * "up", "scale to 3", "rollback to generation 2", "agent". null: the pod should not exist (down).
   * It may throw a PodError (e.g. no such generation): that is the change's refusal.
   */
  desired(observed: ObservedPod): { spec: PodSpec; cause: string } | null;
  /** Replace every replica even when its spec is current (`pod restart`). */
  restart?: boolean;
  /** Accept an outage when the change needs a new sandbox. */
  recreate: boolean;
  /** scale, restart, set, rollback: the pod must exist. */
  mustExist: boolean;
  stopTimeoutS: number | null;
  readyTimeoutMs: number;
  /** The image the command line names, pulled (as its policy says) before anything else. */
  image?: ImageWanted;
}

export interface Decision {
  pod: string;
  /** The spec to reach, its image id resolved; null for down. */
  desired: PodSpec | null;
  cause: string;
  plan: Plan;
  /** The generation new replicas are labelled with. */
  generation: number;
  /** Whether the spec differs from the record's: a change, not a repair. */
  changed: boolean;
  /** Whether nothing of the pod is on the engine yet. */
  isNew: boolean;
  /** Why the change may not go ahead (a dry run exits with it too), or null. */
  refusal: PodError | null;
  warnings: string[];
  /** The record must be written even if the plan is empty: a copy lost, rebuilt from the containers, a generation left pending, a setting changed. */
  recordStale: boolean;
  /** Image id → a reference that still names it, so replicas are created (and shown) by name. */
  imageRefs: Record<string, string>;
  /** The recorded image is gone from the engine, but pinned by a registry digest: pull this, and look again. */
  pullPinned: string | null;
  /** Image id → whether it has a HEALTHCHECK of its own (the snapshot's images). */
  imageHealthchecks: Record<string, boolean>;
}

/** What is worth asking the engine about for this request: the asked spec's and the recorded one's images, the asked spec's networks. */
export function wantsOf(request: ChangeRequest, observed: ObservedPod): { images: string[]; networks: string[] } {
  const specs: PodSpec[] = observed.record ? [observed.record.spec] : [];
  let asked: PodSpec | null = null;
  try {
    asked = request.desired(observed)?.spec ?? null;
    if (asked) specs.push(asked);
  } catch {
    // The request's own refusal: decide() reports it.
  }
  return { images: specs.flatMap((s) => [s.replica.image, s.replica.imageId]), networks: asked?.network.networks.map((n) => n.name) ?? [] };
}

/** What the engine answered, by image id. */
function byId(images: Record<string, ImageInfo | null>): Record<string, ImageInfo> {
  const ids: Record<string, ImageInfo> = {};
  for (const info of Object.values(images)) if (info) ids[info.id] = info;
  return ids;
}

function healthchecksOf(images: Record<string, ImageInfo | null>): Record<string, boolean> {
  return Object.fromEntries(Object.values(images).flatMap((i) => (i ? [[i.id, i.healthcheck] as const] : [])));
}

/** Whether the newest record revision is held as it should be: in an image, read, not rebuilt from the containers. */
export function recordIsWhole(pod: ObservedPod): boolean {
  const revision = pod.record?.revision;
  return !pod.recovered && pod.recordCopies.some((c) => c.revision === revision && c.kind === "image");
}

function base(snapshot: Snapshot, request: ChangeRequest, refusal: PodError | null): Decision {
  return {
    pod: request.pod,
    desired: null,
    cause: "",
    plan: { pod: request.pod, steps: [], outage: null },
    generation: snapshot.pod.record?.generation ?? 1,
    changed: false,
    isNew: !podExists(snapshot.pod),
    refusal,
    warnings: foreignLines(snapshot.pod),
    recordStale: false,
    imageRefs: {},
    pullPinned: null,
    imageHealthchecks: healthchecksOf(snapshot.images),
  };
}

export function decide(snapshot: Snapshot, request: ChangeRequest): Decision {
  const observed = snapshot.pod;
  const isNew = !podExists(observed);
  if (request.mustExist && isNew) return base(snapshot, request, notFound(request.pod));
  let asked: ReturnType<ChangeRequest["desired"]>;
  try {
    asked = request.desired(observed);
  } catch (err) {
    if (err instanceof PodError) return base(snapshot, request, err);
    throw err;
  }
  if (asked === null) {
    // Down: replicas, then the sandbox; the record goes last, in the flow.
    return {
      ...base(snapshot, request, null),
      cause: "down",
      plan: planDown(observed, request.stopTimeoutS),
      recordStale: observed.recordCopies.length > 0,
    };
  }

  const images = byId(snapshot.images);
  const resolved = resolveImage(asked.spec, { ...snapshot.images, ...images });
  if ("refusal" in resolved) {
    const pinned = asked.spec.replica.digest;
    return { ...base(snapshot, request, resolved.refusal), pullPinned: asked.spec.replica.imageId !== "" && pinned?.includes("@") ? pinned : null };
  }
  const desired = resolved.spec;
  const record = observed.record;
  const changed = record === null || !sameSpec(record.spec, desired);
  const generation = record === null ? 1 : changed ? nextGeneration(record) : record.generation;
  const plan = reconcile(desired, observed, generation, { restart: request.restart ?? false, stopTimeoutS: request.stopTimeoutS });

  const refusal =
    checkOutage(desired.name, plan.outage, request.recreate) ?? checkUser(observed, desired, plan, images) ?? checkSandboxNetwork(desired, plan, snapshot.networks, snapshot.facts.hostAddresses);
  const warnings = foreignLines(observed);
  if (!isEmpty(plan)) warnings.push(...modeOf(desired.network).changeWarnings(snapshot.facts, plan.steps.some((s) => s.some((a) => a.kind === "stop-replica"))));
  if (plan.outage) warnings.push(`pod ${desired.name} is recreated (${plan.outage}): a short outage`);

  const pending = record !== null && record.history.at(-1)?.status === "pending" && record.history.at(-1)?.number === record.generation;
  // Settings that change no container still belong in the record.
  const settings = (s: PodSpec) => JSON.stringify([s.update, s.autoUpdate ?? null, s.replica.digest ?? null]);
  const settingChanged = record !== null && settings(record.spec) !== settings(desired);
  const imageRefs: Record<string, string> = {};
  for (const spec of [desired, ...(record ? [record.spec] : [])]) {
    if (snapshot.images[spec.replica.image]?.id === spec.replica.imageId) imageRefs[spec.replica.imageId] = spec.replica.image;
  }
  return {
    pod: request.pod,
    desired,
    cause: asked.cause,
    plan,
    generation,
    changed,
    isNew,
    refusal,
    warnings,
    recordStale: !isNew && (!recordIsWhole(observed) || pending || settingChanged),
    imageRefs,
    pullPinned: null,
    imageHealthchecks: healthchecksOf(snapshot.images),
  };
}

/** A repair — the spec unchanged, nothing replaced on purpose — has nothing earlier to go back to. */
export function isRepair(decision: Decision, request: ChangeRequest): boolean {
  return !decision.isNew && !decision.changed && !(request.restart ?? false) && decision.desired !== null;
}
