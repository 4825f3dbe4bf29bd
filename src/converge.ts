// observe → plan → apply, and what happens when applying fails: a new pod is removed
// whole; an existing one converges back to the spec it ran before, start-first, so it never
// serves with fewer replicas than before the command.
import type { Deps } from "./commands/context.js";
import { supportsMigrateReq } from "./compat.js";
import type { Engine } from "./engine.js";
import { ChangeFailedError, EngineError, InterruptedError, PodError, UsageError } from "./errors.js";
import { applyPlan, execContext, type ExecContext } from "./execute.js";
import { Label } from "./labels.js";
import { askedReplicas, currentSpec, observePod, podExists, type ObservedPod } from "./observe.js";
import { formatPlan, isEmpty, planDown, reconcile, type Plan, type ReconcileOptions } from "./plan.js";
import type { Reporter } from "./report.js";
import { formatPort, replicaHash, sandboxHash, targetPorts, type PodSpec, type ReplicaSpec } from "./spec.js";
import { podRow } from "./status.js";
import { waitReady } from "./readiness.js";

export async function observe(engine: Engine, pod: string): Promise<ObservedPod> {
  return observePod(pod, await engine.listContainers([`${Label.pod}=${pod}`]));
}

/** Image id → a reference that still names it, so replicas show a name, not an id. */
async function imageRefs(engine: Engine, specs: ReplicaSpec[]): Promise<Record<string, string>> {
  const refs: Record<string, string> = {};
  for (const s of specs) {
    if (refs[s.imageId] === undefined && (await engine.image(s.image))?.id === s.imageId) refs[s.imageId] = s.image;
  }
  return refs;
}

export interface ConvergeOptions extends ReconcileOptions {
  readyTimeoutMs: number;
  dryRun: boolean;
}

/** The spec the pod ran before this command, to roll back to. */
function previousSpec(before: ObservedPod, fallback: PodSpec): PodSpec | null {
  const current = currentSpec(before);
  if (!current) return null;
  return {
    name: before.name,
    replicas: askedReplicas(before),
    sandbox: before.sandbox?.spec?.sandbox ?? fallback.sandbox,
    replica: current.replica,
  };
}

export async function converge(deps: Deps, reporter: Reporter, desired: PodSpec, before: ObservedPod, options: ConvergeOptions): Promise<Plan> {
  const engine = deps.engine();
  const plan = reconcile(desired, before, options);
  if (options.dryRun) {
    reporter.result(formatPlan(plan));
    return plan;
  }
  const previous = previousSpec(before, desired);
  const refs = await imageRefs(engine, previous ? [desired.replica, previous.replica] : [desired.replica]);
  const serving = before.replicas.some((r) => r.running) && before.sandbox?.running;
  if (serving && plan.steps.some((step) => step.some((a) => a.kind === "remove-sandbox"))) {
    reporter.warn(`pod ${desired.name}'s network settings changed: its sandbox and every replica are recreated, a short outage`);
  }
  const { kernelVersion } = await engine.info();
  const migrateReq = supportsMigrateReq(kernelVersion);
  if (!migrateReq && plan.steps.some((step) => step.some((a) => a.kind === "stop-replica"))) {
    reporter.warn(
      `the engine's kernel ${kernelVersion} has no net.ipv4.tcp_migrate_req (Linux 5.14+): connections queued on a stopping replica may be reset`,
    );
  }
  const context = (spec: PodSpec, sandboxId: string | null): ExecContext =>
    execContext(engine, deps.clock, (e) => reporter.event(e), {
      sandboxId,
      ports: targetPorts(spec.sandbox.ports),
      imageRefs: refs,
      readyTimeoutMs: options.readyTimeoutMs,
      migrateReq,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });

  try {
    await applyPlan(plan, context(desired, before.sandbox?.id ?? null));
  } catch (err) {
    const failure = err instanceof PodError ? err : new EngineError(String(err));
    if (failure instanceof InterruptedError) {
      throw new InterruptedError(
        `interrupted: pod ${desired.name} may be part-way through the change`,
        "`pod ps` shows where it stands; run the same command again to finish it",
      );
    }
    await rollBack(deps, reporter, desired, before, previous, options, context, failure);
  }
  await verifyServing(engine, desired, context(desired, null));
  return plan;
}

/**
 * "Up" means serving, also when the plan was empty: replicas an interrupted command left
 * starting must listen before pod says so. Nothing was changed here, so nothing rolls back.
 */
async function verifyServing(engine: Engine, desired: PodSpec, ctx: ExecContext): Promise<void> {
  const pod = await observe(engine, desired.name);
  const sandboxId = pod.sandbox?.id;
  if (!sandboxId || desired.replicas === 0 || ctx.ports.length === 0) return;
  const replicas = pod.replicas.filter((r) => r.running && r.joinedSandboxId === sandboxId);
  const target = Object.fromEntries(ctx.ports.map((p) => [p, desired.replicas]));
  await waitReady(engine, { sandboxId, replicas, ports: ctx.ports, target, timeoutMs: ctx.readyTimeoutMs, clock: ctx.clock, ...(ctx.signal ? { signal: ctx.signal } : {}) });
}

async function rollBack(
  deps: Deps,
  reporter: Reporter,
  desired: PodSpec,
  before: ObservedPod,
  previous: PodSpec | null,
  options: ConvergeOptions,
  context: (spec: PodSpec, sandboxId: string | null) => ExecContext,
  failure: PodError,
): Promise<never> {
  const engine = deps.engine();
  const existed = podExists(before);
  const wasServing = before.sandbox?.running && before.replicas.some((r) => r.running && r.joinedSandboxId === before.sandbox!.id);
  if (existed && !wasServing && previous !== null && sameSpec(previous, desired)) {
    // Nothing served before, and rolling back to what was just attempted would only repeat it.
    throw new ChangeFailedError(
      `pod ${desired.name} does not serve as asked`,
      "`pod ps " + desired.name + "` shows what is left; `pod down` removes it",
      failure,
    );
  }
  const now = await observe(engine, desired.name);
  const undo = !existed || previous === null ? planDown(now, 0) : reconcile(previous, now, { stopTimeoutS: options.stopTimeoutS ?? null });
  if (!isEmpty(undo)) reporter.note(existed ? `rolling back pod ${desired.name} to the spec it ran before` : `removing what this command created`);
  try {
    await applyPlan(undo, context(previous ?? desired, now.sandbox?.id ?? null));
  } catch (undoErr) {
    const why = undoErr instanceof PodError ? undoErr.message : String(undoErr);
    throw new ChangeFailedError(
      `the change to pod ${desired.name} failed, and so did rolling it back (${why})`,
      "`pod ps` shows what is left; `pod down` removes it, `pod up` tries again",
      failure,
    );
  }
  // Bad input found only by the engine (a taken host port) is still bad input: one line, exit 2.
  if (failure instanceof UsageError) throw failure;
  throw new ChangeFailedError(
    existed
      ? `the change to pod ${desired.name} failed and was rolled back: its replicas serve as before`
      : `pod ${desired.name} could not start and was removed: nothing is left behind`,
    undefined,
    failure,
  );
}

function sameSpec(a: PodSpec, b: PodSpec): boolean {
  return a.replicas === b.replicas && replicaHash(a.replica) === replicaHash(b.replica) && sandboxHash(a.sandbox) === sandboxHash(b.sandbox);
}

export function summary(pod: ObservedPod): string {
  const row = podRow(pod);
  const ports = row.ports.map(formatPort).join(", ") || "none";
  return [
    `pod ${row.name}: ${row.replicas.running}/${row.replicas.asked} replicas ready (${row.status})`,
    `  ports  ${ports}`,
    `  image  ${row.image}`,
  ].join("\n");
}
