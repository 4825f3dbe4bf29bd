// The one change flow, for every changing command (up, set, scale, restart, rollback, down)
// and for the agent: lock → one snapshot → decide (pure: plan and every check) → converge
// (apply, verify, roll back on failure). A dry run is the snapshot and the decision alone,
// with no lock and no write. kubelet's SyncPod, compose's reconcile → planExecutor.
import type { Decision } from "../plan/decide.js";
import { checksHealth } from "../plan/checks.js";
import { decide, wantsOf, type ChangeRequest } from "../plan/decide.js";
import { isEmpty } from "../plan/actions.js";
import type { EngineFacts } from "../modes/index.js";
import { readSnapshot, type Snapshot } from "../state/snapshot.js";
import { converge, verifyServing, type FlowDeps, type Outcome } from "./converge.js";
import type { ImageInfo } from "../engine/types.js";
import { ImagePullError } from "../errors.js";
import { ensureSandboxImage } from "./images.js";
import { ensureImage, previewImage } from "./pull.js";
import { withLock } from "./lock.js";

export interface FlowOptions {
  /** Observe and decide only: no lock, no image build, no container. */
  dryRun: boolean;
  /** How long to wait for another command's lock; 0: give up at once (the agent). */
  lockTimeoutMs: number;
  onLockWait?: (holder: string) => void;
  /**
   * Look before locking, and stop there when the pod is as asked (the agent, down): a pod
   * in sync costs one snapshot and no write. Commands lock first and look once.
   */
  lookFirst?: boolean;
  /** Engine facts already known (the agent reads them once). */
  facts?: EngineFacts;
  /**
   * Asked after each look (`look`: before the lock; `apply`: under it, right before anything
   * is done): false stops the flow there, with nothing done. The agent leaves alone what it
   * must not touch, and says what it is about to do.
   */
  accept?: (snapshot: Snapshot, decision: Decision, stage: "look" | "apply") => boolean;
  /** Networks a dry run of a project would have made before this pod: checked as there. */
  wouldMakeNetworks?: string[];
}

export type FlowResult =
  | { kind: "dry-run"; snapshot: Snapshot; decision: Decision }
  /** Found nothing to do. */
  | { kind: "in-sync"; snapshot: Snapshot; decision: Decision }
  /** Stopped by `accept`, with nothing done. */
  | { kind: "stopped"; snapshot: Snapshot; decision: Decision }
  | ({ kind: "applied"; snapshot: Snapshot } & Outcome);

/** Nothing to run and nothing to record. */
function nothingToDo(decision: Decision): boolean {
  return decision.refusal === null && isEmpty(decision.plan) && !decision.changed && !decision.recordStale;
}

export async function runFlow(deps: FlowDeps, request: ChangeRequest, options: FlowOptions): Promise<FlowResult> {
  const read = async (images: Record<string, ImageInfo> = {}): Promise<{ snapshot: Snapshot; decision: Decision }> => {
    const read = await readSnapshot(deps.engine, deps.probes, request.pod, (pod) => wantsOf(request, pod), options.facts);
    const made = Object.fromEntries((options.wouldMakeNetworks ?? []).map((n) => [n, true]));
    const snapshot = { ...read, images: { ...read.images, ...images }, networks: { ...read.networks, ...made } };
    return { snapshot, decision: decide(snapshot, request) };
  };
  // The recorded image gone from the engine, but pinned by its registry digest: pulled back by it.
  const look = async () => {
    const seen = await read();
    if (seen.decision.pullPinned === null) return seen;
    await ensureImage(deps, { ref: seen.decision.pullPinned, policy: "missing" });
    return read();
  };
  if (options.dryRun) {
    // What the real run would pull is asked of the registry, not pulled.
    const preview = request.image ? await previewImage(deps, request.image) : null;
    if (preview?.id) deps.emit({ type: "note", text: `would pull ${request.image!.ref} (${preview.id.replace(/^sha256:/, "").slice(0, 12)})` });
    return { kind: "dry-run", ...(await read(preview ? { [request.image!.ref]: preview } : {})) };
  }
  // Before anything is touched, and outside the lock: a failed pull changes nothing.
  if (request.image) {
    await ensureImage(deps, request.image).catch((err: unknown) => {
      throw err instanceof ImagePullError ? err.beforeAnyChange() : err;
    });
  }
  if (options.lookFirst) {
    const first = await look();
    if (options.accept && !options.accept(first.snapshot, first.decision, "look")) return { kind: "stopped", ...first };
    if (first.decision.refusal) throw first.decision.refusal;
    // Nobody else at work on the pod, and nothing to do (or, for down, no pod): no lock needed.
    const gone = first.decision.desired === null && first.decision.isNew;
    if (gone || (first.snapshot.pod.lock === null && first.decision.desired !== null && nothingToDo(first.decision))) return { kind: "in-sync", ...first };
  }
  // The lock container is made from the sandbox image; a pod whose image is gone is still removed.
  const canLock = await ensureSandboxImage(deps.engine, (text) => deps.emit({ type: "note", text }), { build: request.desired !== null });
  const apply = async (): Promise<FlowResult> => {
    const { snapshot, decision } = await look();
    if (decision.refusal) throw decision.refusal;
    if (decision.desired === null && decision.isNew) return { kind: "in-sync", snapshot, decision };
    if (decision.desired !== null && nothingToDo(decision)) {
      // Up to date; still, "up" means serving.
      await verifyServing(deps, snapshot.pod, decision.desired, request.readyTimeoutMs, checksHealth(decision.desired.replica, decision.imageHealthchecks));
      return { kind: "in-sync", snapshot, decision };
    }
    if (options.accept && !options.accept(snapshot, decision, "apply")) return { kind: "stopped", snapshot, decision };
    return { kind: "applied", snapshot, ...(await converge(deps, snapshot, decision, request)) };
  };
  if (!canLock) return apply();
  return withLock(
    { engine: deps.engine, pod: request.pod, clock: deps.clock, timeoutMs: options.lockTimeoutMs, ...(options.onLockWait ? { onWait: options.onLockWait } : {}), ...(deps.signal && request.desired !== null ? { signal: deps.signal } : {}) },
    apply,
  );
}
