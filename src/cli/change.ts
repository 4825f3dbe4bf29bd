// The flow every changing command shares (up, set, scale, restart, rollback): observe; for
// --dry-run, plan and show, writing nothing; else take the pod's lock, observe again,
// converge and report. Commands differ only in the spec they ask for.
import { converge, planChange, type Change } from "../apply/converge.js";
import { ensureSandboxImage, requireImage } from "../apply/images.js";
import { LOCK_TIMEOUT_MS, withLock } from "../apply/lock.js";
import { observe } from "../apply/snapshot.js";
import type { Engine } from "../engine/engine.js";
import { ImageMissingError, PodNotFoundError } from "../errors.js";
import { formatPlan, isEmpty, stepLines } from "../plan/actions.js";
import { formatForeign, summary } from "../report/format.js";
import type { Reporter } from "../report/reporter.js";
import { diffSpecs, formatDiff } from "../spec/diff.js";
import type { PodSpec } from "../spec/types.js";
import { podExists, type ObservedPod } from "../state/observe.js";
import { podView } from "../state/status.js";
import { interruption, type Deps, type EngineTarget } from "./deps.js";

export interface ChangeRequest {
  name: string;
  target: EngineTarget;
  /** The spec to reach, given the pod as observed under the lock, and what asks for it (for the history). */
  desired(observed: ObservedPod): { spec: PodSpec; cause: string };
  restart?: boolean;
  stopTimeoutS: number | null;
  readyTimeoutMs: number;
  recreate: boolean;
  dryRun: boolean;
  /** scale, restart, set, rollback: the pod must exist. */
  mustExist: boolean;
}

export function notFound(name: string): PodNotFoundError {
  return new PodNotFoundError(`no pod named ${name} on the engine`, "`pod ps` lists the pods; `pod up` creates one");
}

/** The image id the spec runs: resolved from its reference, or checked still there. */
async function resolveImage(engine: Engine, spec: PodSpec): Promise<PodSpec> {
  if (spec.replica.imageId === "") return { ...spec, replica: { ...spec.replica, imageId: (await requireImage(engine, spec.replica.image)).id } };
  if ((await engine.image(spec.replica.imageId)) === null) {
    throw new ImageMissingError(
      `the image of that spec (${spec.replica.image}, ${spec.replica.imageId.slice(7, 19)}) is no longer on the engine`,
      `rebuild or retag it (docker build -t ${spec.replica.image} DIR), then try again`,
    );
  }
  return spec;
}

function warnForeign(reporter: Reporter, observed: ObservedPod): void {
  const view = podView(observed, null);
  for (const line of formatForeign(view)) reporter.warn(line);
}

export async function runChange(deps: Deps, reporter: Reporter, request: ChangeRequest): Promise<void> {
  const engine = deps.engine(request.target);
  const started = deps.clock.now();
  const change = ({ spec, cause }: { spec: PodSpec; cause: string }): Change => ({
    desired: spec,
    cause,
    ...(request.restart ? { restart: true } : {}),
    stopTimeoutS: request.stopTimeoutS,
    readyTimeoutMs: request.readyTimeoutMs,
    recreate: request.recreate,
  });

  const first = await observe(engine, request.name);
  if (request.mustExist && !podExists(first)) throw notFound(request.name);
  if (request.dryRun) {
    // Observe and plan only: no lock, no image build, no container.
    const asked = request.desired(first);
    const desired = await resolveImage(engine, asked.spec);
    const planned = planChange(first, change({ ...asked, spec: desired }));
    const diff = diffSpecs(first.record?.spec ?? null, desired);
    const lines = [
      planned.isNew ? `pod ${request.name} would be created` : planned.changed ? `pod ${request.name}: generation ${first.record?.generation} → ${planned.generation}` : `pod ${request.name}: spec unchanged (generation ${planned.generation})`,
      ...(diff.length > 0 && !planned.isNew ? ["changes:", ...formatDiff(diff)] : []),
      "plan:",
      ...formatPlan(planned.plan).split("\n").map((l) => `  ${l}`),
      ...(planned.plan.outage ? [`outage: the pod stops serving while its sandbox is recreated (${planned.plan.outage})${request.recreate ? "" : "; refused without --recreate"}`] : []),
    ];
    reporter.result(lines.join("\n"), {
      pod: request.name,
      dryRun: true,
      isNew: planned.isNew,
      generation: planned.generation,
      changes: diff,
      plan: planned.plan.steps.map((step, i) => ({ step: i + 1, actions: stepLines(step) })),
      outage: planned.plan.outage,
    });
    return;
  }

  interruption.graceful = true;
  await ensureSandboxImage(engine, (text) => reporter.note(text));
  const onWait = (holder: string) => reporter.note(`waiting for another pod command on ${request.name} (${holder})`);
  await withLock({ engine, pod: request.name, clock: deps.clock, timeoutMs: LOCK_TIMEOUT_MS, onWait, ...(deps.signal ? { signal: deps.signal } : {}) }, async () => {
    const observed = await observe(engine, request.name);
    if (request.mustExist && !podExists(observed)) throw notFound(request.name);
    warnForeign(reporter, observed);
    const asked = request.desired(observed);
    const desired = await resolveImage(engine, asked.spec);
    const outcome = await converge(
      { engine, clock: deps.clock, emit: (e) => reporter.event(e), ...(deps.signal ? { signal: deps.signal } : {}) },
      observed,
      change({ ...asked, spec: desired }),
    );
    if (isEmpty(outcome.plan)) reporter.note(`pod ${request.name} is up to date`);
    const view = podView({ ...outcome.after, lock: null }, null); // the lock is this command's own
    reporter.result(summary(view, deps.clock.now() - started), { pod: view, generation: outcome.record.generation, changed: outcome.changed, seconds: (deps.clock.now() - started) / 1000 });
  });
}

/** The spec the pod should run, from its record. */
export function recordedSpec(observed: ObservedPod): PodSpec {
  if (!observed.record) {
    throw new PodNotFoundError(
      `pod ${observed.name} has no record pod can read (its record and sandbox are gone)`,
      "`pod ps " + observed.name + "` shows what is left; `pod up` with its options makes it again",
    );
  }
  return observed.record.spec;
}
