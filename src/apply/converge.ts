// observe → plan → apply → verify → record, and what happens when applying fails: a new pod
// is removed whole; an existing one converges back to its recorded spec, start-first, so it
// never serves with fewer replicas than before; the record keeps the failed attempt.
import type { Clock } from "../clock.js";
import type { Engine } from "../engine/engine.js";
import { ChangeFailedError, EngineError, InterruptedError, NotReadyError, PodError, UsageError } from "../errors.js";
import { isEmpty, type Plan } from "../plan/actions.js";
import { checkOutage, checkSameUser, effectiveUser } from "../plan/checks.js";
import { planDown } from "../plan/down.js";
import { reconcile } from "../plan/reconcile.js";
import { sameSpec } from "../spec/hash.js";
import { targetPorts } from "../spec/parse.js";
import type { PodSpec } from "../spec/types.js";
import { condition } from "../state/health.js";
import { VERSION } from "../version.js";
import { newPodKey } from "../state/labels.js";
import { podExists, type ObservedPod } from "../state/observe.js";
import { newRecord, nextGeneration, recordFailure, recordSuccess, type PodRecord } from "../state/record.js";
import { applyPlan, type ExecContext, type ExecEvent } from "./execute.js";
import { waitReady } from "./readiness.js";
import { recordIsWhole, removeRecord, writeRecord } from "./record-store.js";
import { engineFacts, observe } from "./snapshot.js";

export type ConvergeEvent = ExecEvent | { type: "note"; text: string } | { type: "warn"; text: string };

/** What converging needs from the outside world: nothing of the CLI. */
export interface ConvergeDeps {
  engine: Engine;
  clock: Clock;
  signal?: AbortSignal;
  emit: (e: ConvergeEvent) => void;
}

export interface Change {
  /** The spec to reach, its image id resolved. */
  desired: PodSpec;
  /** What asked for it, for the history: "up", "scale", "set", "rollback to 2", "agent". */
  cause: string;
  /** Replace every replica even when its spec is current. */
  restart?: boolean;
  stopTimeoutS: number | null;
  readyTimeoutMs: number;
  /** Accept an outage when the change needs a new sandbox. */
  recreate: boolean;
}

export interface Planned {
  plan: Plan;
  /** The generation new replicas are labelled with. */
  generation: number;
  /** Whether the spec differs from the record's: a change, not a repair. */
  changed: boolean;
  isNew: boolean;
}

/** The planning half, no I/O: also what --dry-run shows. */
export function planChange(observed: ObservedPod, change: Change): Planned {
  const record = observed.record;
  const isNew = !podExists(observed);
  const changed = record === null || !sameSpec(record.spec, change.desired);
  const generation = record === null ? 1 : changed ? nextGeneration(record) : record.generation;
  const plan = reconcile(change.desired, observed, generation, { restart: change.restart ?? false, stopTimeoutS: change.stopTimeoutS });
  return { plan, generation, changed, isNew };
}

export interface Outcome extends Planned {
  /** The pod as it is after the change. */
  after: ObservedPod;
  record: PodRecord;
}

/**
 * What the engine says of the images involved, asked once per image: which reference still
 * names each id (so replicas are created, and shown, by name) and the user each runs as.
 */
async function imageFacts(engine: Engine, specs: PodSpec[]): Promise<{ refs: Record<string, string>; users: Record<string, string> }> {
  const refs: Record<string, string> = {};
  const users: Record<string, string> = {};
  for (const { image, imageId } of specs.map((s) => s.replica)) {
    if (imageId in users) continue;
    const byRef = await engine.image(image);
    if (byRef?.id === imageId) {
      refs[imageId] = image;
      users[imageId] = byRef.user;
    } else {
      const byId = await engine.image(imageId);
      if (byId) users[imageId] = byId.user;
    }
  }
  return { refs, users };
}

/** New replicas beside serving ones must run as the same user (SO_REUSEPORT). */
function checkUser(observed: ObservedPod, desired: PodSpec, plan: Plan, users: Record<string, string>): void {
  const current = observed.record?.spec;
  const sandbox = observed.sandbox;
  if (!current || desired.network.balance !== "reuseport") return;
  if (!plan.steps.some((step) => step.some((a) => a.kind === "start-replicas"))) return;
  if (!observed.replicas.some((r) => condition(r, sandbox, desired.network.balance) === "running")) return;
  const before = users[current.replica.imageId];
  const after = users[desired.replica.imageId];
  if (before !== undefined && after !== undefined) checkSameUser(effectiveUser(current.replica.user, before), effectiveUser(desired.replica.user, after));
}

export async function converge(deps: ConvergeDeps, observed: ObservedPod, change: Change): Promise<Outcome> {
  const { engine } = deps;
  const planned = planChange(observed, change);
  const { plan, isNew } = planned;
  checkOutage(change.desired.name, plan.outage, change.recreate);
  const { refs, users } = await imageFacts(engine, observed.record ? [change.desired, observed.record.spec] : [change.desired]);
  checkUser(observed, change.desired, plan, users);
  const facts = await engineFacts(engine);
  if (!facts.migrateReq && plan.steps.some((s) => s.some((a) => a.kind === "stop-replica"))) {
    deps.emit({
      type: "warn",
      text: `the engine's kernel ${facts.kernelVersion} has no net.ipv4.tcp_migrate_req (Linux 5.14+): connections queued on a stopping replica may be reset`,
    });
  }
  if (plan.outage) deps.emit({ type: "warn", text: `pod ${change.desired.name} is recreated (${plan.outage}): a short outage` });
  if (change.desired.network.balance === "host" && !isEmpty(plan) && (await engine.hostSysctl("net.ipv4.tcp_migrate_req")) === "0") {
    deps.emit({
      type: "warn",
      text: "the host's net.ipv4.tcp_migrate_req is 0, and on the host's network pod cannot set it per pod: connections queued on a stopping replica may be reset; set it on the host with `sysctl -w net.ipv4.tcp_migrate_req=1` (and in /etc/sysctl.d/ to keep it)",
    });
  }

  const now = () => new Date(deps.clock.now()).toISOString();
  // A new pod's record comes first: its key signs every container made for it.
  let record: PodRecord;
  if (observed.record) record = observed.record;
  else {
    record = newRecord(change.desired, observed.key ?? newPodKey(), now(), change.cause, VERSION);
    await writeRecord(engine, record, observed.recordCopies);
  }
  const context = (spec: PodSpec, sandboxId: string | null, pod: ObservedPod, signal?: AbortSignal): ExecContext => ({
    engine,
    clock: deps.clock,
    emit: deps.emit,
    pod: spec.name,
    key: record.key,
    facts,
    ports: targetPorts(spec.network.ports),
    balance: spec.network.balance,
    network: spec.network,
    // dnat: what the sandbox routes to now: the replicas that run in the current namespace.
    routes: new Map(
      pod.replicas
        .filter((r) => condition(r, pod.sandbox, spec.network.balance) === "running" && r.networks[0]?.ip)
        .map((r) => [r.id, r.networks[0]!.ip] as const),
    ),
    readyTimeoutMs: change.readyTimeoutMs,
    imageRefs: refs,
    sandboxId,
    previous: new Map(pod.previous.map((r) => [r.number, { id: r.id, name: r.name }])),
    ...(signal ? { signal } : {}),
  });

  const exec = context(change.desired, observed.sandbox?.id ?? null, observed, deps.signal);
  try {
    await applyPlan(plan, exec);
  } catch (err) {
    const failure = err instanceof PodError ? err : new EngineError(String(err));
    // A repair (the spec unchanged, nothing replaced) has nothing earlier to go back to:
    // undoing it would only repeat it. Say what failed; the failed replicas are set aside.
    if (!isNew && !planned.changed && !change.restart && !(failure instanceof InterruptedError)) {
      throw new ChangeFailedError(`pod ${change.desired.name} could not be brought back to its record`, "`pod ps " + change.desired.name + "` shows each replica; `pod logs " + change.desired.name + " --previous` the failed ones", failure);
    }
    await rollBack(deps, change, record, isNew, planned.changed, failure, context);
  }

  // Containers kept for `pod logs --previous` last until the next success: this one.
  if (!isEmpty(plan)) {
    const stale = observed.previous.filter((p) => exec.previous.get(p.number)?.id === p.id);
    await Promise.all(stale.map((p) => engine.removeContainer(p.id)));
  }
  const after = await observe(engine, change.desired.name);
  const onEngine = after.record ?? record;
  if (isNew || planned.changed) {
    record = { ...recordSuccess(onEngine, change.desired, now(), change.cause, planned.changed && !isNew), writer: VERSION };
    await writeRecord(engine, record, after.recordCopies);
  } else if (!recordIsWhole(after)) {
    // A record copy was lost, or only the containers told the intent: write it whole again.
    record = { ...onEngine, revision: onEngine.revision + 1 };
    await writeRecord(engine, record, after.recordCopies);
  }
  await verifyServing(deps, after, change);
  return { ...planned, after: { ...after, record }, record };
}

/**
 * "Up" means serving, also when the plan was empty: every asked replica runs in the current
 * namespace and the namespace holds one listener per replica on every port. Nothing was
 * changed here, so nothing rolls back.
 */
async function verifyServing(deps: ConvergeDeps, pod: ObservedPod, change: Change): Promise<void> {
  const desired = change.desired;
  const sandbox = pod.sandbox;
  const ports = targetPorts(desired.network.ports);
  if (!sandbox || desired.replicas === 0) return;
  const replicas = pod.replicas.filter((r) => r.number <= desired.replicas);
  const notServing = replicas.filter((r) => condition(r, sandbox, desired.network.balance) !== "running");
  if (notServing.length > 0) {
    throw new NotReadyError(
      `pod ${desired.name} does not serve as asked: ${notServing.map((r) => `${r.name} is ${condition(r, sandbox, desired.network.balance)}`).join(", ")}`,
      "`pod ps " + desired.name + "` shows each replica; `pod logs " + desired.name + "` shows why",
      [],
    );
  }
  if (ports.length === 0) return;
  await waitReady(deps.engine, {
    sandboxId: sandbox.id,
    mode: desired.network.balance === "dnat" ? "addresses" : "listeners",
    replicas: replicas.map((r) => ({ id: r.id, name: r.name, restarts: r.restartCount })),
    ports,
    target: { count: desired.replicas, baseline: null },
    timeoutMs: change.readyTimeoutMs,
    clock: deps.clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
}

async function rollBack(
  deps: ConvergeDeps,
  change: Change,
  record: PodRecord,
  isNew: boolean,
  changed: boolean,
  failure: PodError,
  context: (spec: PodSpec, sandboxId: string | null, pod: ObservedPod, signal?: AbortSignal) => ExecContext,
): Promise<never> {
  const { engine } = deps;
  const name = change.desired.name;
  const interrupted = failure instanceof InterruptedError;
  try {
    const now = await observe(engine, name);
    if (isNew) {
      deps.emit({ type: "note", text: `removing what this command created` });
      // Down is never interrupted: the pod is removed whole.
      await applyPlan(planDown(now, 0), context(change.desired, now.sandbox?.id ?? null, now));
      await removeRecord(engine, now.recordCopies);
    } else {
      const undo = reconcile(record.spec, now, record.generation, { stopTimeoutS: change.stopTimeoutS });
      if (!isEmpty(undo)) deps.emit({ type: "note", text: `rolling back pod ${name} to generation ${record.generation}` });
      // The undo runs to its end: a second Ctrl-C is what stops it (bin/pod exits at once).
      await applyPlan(undo, context(record.spec, now.sandbox?.id ?? null, now));
      if (changed) {
        const after = await observe(engine, name);
        const failed = recordFailure(after.record ?? record, change.desired, new Date(deps.clock.now()).toISOString(), change.cause, interrupted ? "interrupted" : failure.message);
        await writeRecord(engine, failed, after.recordCopies);
      }
    }
  } catch (undoErr) {
    const why = undoErr instanceof PodError ? undoErr.message : String(undoErr);
    throw new ChangeFailedError(
      `the change to pod ${name} failed, and so did undoing it (${why})`,
      "`pod ps " + name + "` shows what is left; the agent (or `pod up` with the previous spec) restores it, `pod down` removes it",
      failure,
    );
  }
  if (interrupted) {
    throw new InterruptedError(isNew ? `interrupted: pod ${name} was not created, and nothing is left` : `interrupted: pod ${name} was put back as it was`);
  }
  // Bad input found only by the engine (a taken host port) is still bad input: one line, exit 2.
  if (failure instanceof UsageError) throw failure;
  throw new ChangeFailedError(
    isNew ? `pod ${name} could not start and was removed: nothing is left behind` : `the change to pod ${name} failed and was rolled back: it serves as before`,
    isNew ? undefined : "`pod logs " + name + " --previous` shows the failed replicas' logs",
    failure,
  );
}
