// Apply a decision → verify → record, and what happens when applying fails: a new pod is
// removed whole; an existing one converges back to its recorded spec, start-first, so it
// never serves with fewer replicas than before; the record keeps the failed attempt. Every
// engine call goes through the executor; the decisions of what to run are made here.
import type { Clock } from "../clock.js";
import type { Engine } from "../engine/engine.js";
import { ChangeFailedError, InterruptedError, NotReadyError, PodError, UsageError } from "../errors.js";
import { modeOf, type EngineFacts } from "../modes/index.js";
import { isEmpty, type Action, type Plan } from "../plan/actions.js";
import { checksHealth } from "../plan/checks.js";
import { isRepair, type ChangeRequest, type Decision } from "../plan/decide.js";
import { planDown } from "../plan/down.js";
import { reconcile } from "../plan/reconcile.js";
import type { Probes } from "../probes/probes.js";
import { targetPorts } from "../podspec/parse.js";
import type { PodSpec } from "../podspec/types.js";
import { condition } from "../state/condition.js";
import { newPodKey } from "../state/labels.js";
import type { ObservedPod } from "../state/observe.js";
import { newRecord, recordFailure, recordSuccess, type PodRecord } from "../state/record.js";
import { readPod, type Snapshot } from "../state/snapshot.js";
import { VERSION } from "../version.js";
import { execute, type ActionResult, type ExecContext, type ExecReport } from "./execute.js";
import type { FlowEvent } from "../plan/events.js";
import { waitReady } from "./readiness.js";

/** What converging needs from the outside world: nothing of the CLI. */
export interface FlowDeps {
  engine: Engine;
  probes: Probes;
  clock: Clock;
  signal?: AbortSignal;
  emit: (e: FlowEvent) => void;
  /** The X-Registry-Auth value for pulling a reference, from the user's docker credentials; null: anonymous. */
  auth: (ref: string) => Promise<string | null>;
}

export interface Outcome {
  decision: Decision;
  /** The pod as it is after the change (its record the one written). */
  after: ObservedPod;
}

function plan(pod: string, ...steps: Action[][]): Plan {
  return { pod, steps: steps.filter((s) => s.length > 0), outage: null };
}

function context(deps: FlowDeps, spec: PodSpec, key: string, pod: ObservedPod, facts: EngineFacts, decision: Decision, readyTimeoutMs: number, emit = deps.emit): ExecContext {
  return {
    engine: deps.engine,
    probes: deps.probes,
    clock: deps.clock,
    emit,
    spec,
    key,
    facts,
    readyTimeoutMs,
    imageRefs: decision.imageRefs,
    healthChecked: checksHealth(spec.replica, decision.imageHealthchecks),
    sandbox: pod.sandbox ? { id: pod.sandbox.id, pid: pod.sandbox.pid } : null,
    // With routes: what the sandbox routes to now, the replicas that run in the current namespace.
    routes: new Map(
      pod.replicas.filter((r) => condition(r, pod.sandbox, spec.network) === "running" && r.networks[0]?.ip).map((r) => [r.id, r.networks[0]!.ip] as const),
    ),
    previous: new Map(pod.previous.map((r) => [r.number, { id: r.id, name: r.name }])),
  };
}

/** Runs a plan that must not fail half-way unnoticed: its first failure is thrown. */
async function must(report: ExecReport): Promise<void> {
  const failed = report.failed[0];
  if (failed?.error) throw failed.error;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The failure to report: bad input first (exit 2), else the first; the others listed beside it. */
function failureOf(report: ExecReport): { failure: PodError; others: PodError[] } {
  if (report.interrupted) return { failure: new InterruptedError("interrupted"), others: [] };
  const errors = report.failed.map((r) => r.error!);
  const failure = errors.find((e) => e instanceof UsageError) ?? errors[0]!;
  return { failure, others: errors.filter((e) => e !== failure) };
}

export async function converge(deps: FlowDeps, snapshot: Snapshot, decision: Decision, request: ChangeRequest): Promise<Outcome> {
  for (const text of decision.warnings) deps.emit({ type: "warn", text });
  if (decision.desired === null) return down(deps, snapshot, decision);
  const { engine, clock } = deps;
  const observed = snapshot.pod;
  const desired = decision.desired;

  // A new pod's record comes first: its key signs every container made for it.
  let record: PodRecord;
  if (observed.record) record = observed.record;
  else {
    record = newRecord(desired, observed.key ?? newPodKey(), iso(clock.now()), decision.cause, VERSION);
    await must(await execute(plan(desired.name, [{ kind: "write-record", record, replaces: observed.recordCopies, reason: "pod absent" }]), context(deps, desired, record.key, observed, snapshot.facts, decision, 0, () => undefined)));
  }

  const ctx = context(deps, desired, record.key, observed, snapshot.facts, decision, request.readyTimeoutMs);
  const report = await execute(decision.plan, ctx, deps.signal);
  if (report.interrupted || report.failed.length > 0) await recover(deps, snapshot, decision, request, record, report, ctx);

  const quiet = context(deps, desired, record.key, observed, snapshot.facts, decision, 0, () => undefined);
  // Containers kept for `pod logs --previous` last until the next success: this one.
  if (!isEmpty(decision.plan)) {
    const stale = observed.previous.filter((p) => ctx.previous.get(p.number)?.id === p.id);
    await execute(plan(desired.name, stale.map((p) => ({ kind: "remove-replica", replica: { id: p.id, name: p.name, number: p.number }, reason: "superseded" }))), quiet);
  }
  const after = await readPod(engine, desired.name);
  if (decision.isNew || decision.changed || decision.recordStale) {
    const onEngine = after.record ?? record;
    record = { ...recordSuccess(onEngine, desired, iso(clock.now()), decision.cause, decision.changed && !decision.isNew), writer: VERSION };
    await must(await execute(plan(desired.name, [{ kind: "write-record", record, replaces: after.recordCopies, reason: decision.cause }]), quiet));
  }
  await verifyServing(deps, after, desired, request.readyTimeoutMs, checksHealth(desired.replica, decision.imageHealthchecks));
  return { decision, after: { ...after, record } };
}

/** Down: replicas, then the sandbox, then the record, so what is left can always be found and finished. Never interrupted. */
async function down(deps: FlowDeps, snapshot: Snapshot, decision: Decision): Promise<Outcome> {
  const pod = snapshot.pod;
  const spec = pod.record?.spec ?? pod.sandbox?.spec ?? null;
  const ctx: ExecContext = {
    ...context(deps, spec ?? ({ name: pod.name, network: { balance: "reuseport", ports: [], networks: [] } } as unknown as PodSpec), pod.key ?? "", pod, snapshot.facts, decision, 0),
    // Down does not route: a replica's rule goes with the sandbox.
    routes: new Map(),
  };
  await must(await execute(decision.plan, ctx));
  if (pod.recordCopies.length > 0) await must(await execute(plan(pod.name, [{ kind: "remove-record", copies: pod.recordCopies, reason: "down" }]), ctx));
  return { decision, after: { ...pod, record: null, recordCopies: [], sandbox: null, replicas: [], previous: [] } };
}

/**
 * "Up" means serving, also when the plan was empty: every asked replica runs in the current
 * namespace and the namespace holds one listener per replica on every port. Nothing was
 * changed here, so nothing rolls back.
 */
export async function verifyServing(deps: FlowDeps, pod: ObservedPod, desired: PodSpec, readyTimeoutMs: number, health: boolean): Promise<void> {
  const sandbox = pod.sandbox;
  const ports = targetPorts(desired.network.ports);
  if (!sandbox || desired.replicas === 0) return;
  const replicas = pod.replicas.filter((r) => r.number <= desired.replicas);
  const notServing = replicas.filter((r) => condition(r, sandbox, desired.network) !== "running");
  if (notServing.length > 0) {
    throw new NotReadyError(
      `pod ${desired.name} does not serve as asked: ${notServing.map((r) => `${r.name} is ${condition(r, sandbox, desired.network)}`).join(", ")}`,
      "`pod ps " + desired.name + "` shows each replica; `pod logs " + desired.name + "` shows why",
      [],
    );
  }
  if (ports.length === 0) return;
  await waitReady(deps.engine, deps.probes, {
    pod: desired.name,
    watchRestarts: true,
    health,
    sandbox: { id: sandbox.id, pid: sandbox.pid },
    mode: modeOf(desired.network).readiness,
    replicas: replicas.map((r) => ({ id: r.id, name: r.name, restarts: r.restartCount })),
    ports,
    target: { count: desired.replicas, baseline: null },
    timeoutMs: readyTimeoutMs,
    clock: deps.clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
}

/** What this change made that never served: stopped, and kept for `pod logs --previous`. */
function neverServed(results: ActionResult[]): Action[] {
  return results.flatMap((r) =>
    r.made.filter((m) => !m.serving).map((m): Action => ({ kind: "stop-replica", replica: { id: m.id, name: m.name, number: m.number }, timeoutS: 0, keep: true, reason: "never served" })),
  );
}

async function recover(deps: FlowDeps, snapshot: Snapshot, decision: Decision, request: ChangeRequest, record: PodRecord, report: ExecReport, ctx: ExecContext): Promise<never> {
  const { engine } = deps;
  const desired = decision.desired!;
  const name = desired.name;
  const { failure, others } = failureOf(report);
  const interrupted = failure instanceof InterruptedError;
  const quietly = { ...ctx, emit: () => undefined, readyTimeoutMs: request.readyTimeoutMs };
  const setAside = neverServed(report.results);
  // Down and undo run to their end: a second Ctrl-C is what stops them (bin/pod exits at once).
  await execute(plan(name, setAside), quietly);
  const logsHint = setAside.length > 0 ? "`pod logs " + name + " --previous` shows the failed replicas' logs" : undefined;
  if (isRepair(decision, request) && !interrupted) {
    // Nothing earlier to go back to: undoing a repair would only repeat it. Say what failed.
    throw new ChangeFailedError(`pod ${name} could not be brought back to its record`, "`pod ps " + name + "` shows each replica" + (logsHint ? "; " + logsHint : ""), failure, others);
  }
  try {
    const now = await readPod(engine, name);
    if (decision.isNew) {
      deps.emit({ type: "note", text: `removing what this command created` });
      await must(await execute(planDown(now, 0), { ...quietly, emit: deps.emit, routes: new Map() }));
      await must(await execute(plan(name, [{ kind: "remove-record", copies: now.recordCopies, reason: "not created" }]), quietly));
    } else {
      const undo = reconcile(record.spec, now, record.generation, { stopTimeoutS: request.stopTimeoutS });
      if (!isEmpty(undo)) deps.emit({ type: "note", text: `rolling back pod ${name} to generation ${record.generation}` });
      const back = { ...context(deps, record.spec, record.key, now, snapshot.facts, decision, request.readyTimeoutMs), previous: ctx.previous };
      await must(await execute(undo, back));
      if (decision.changed) {
        const failed = recordFailure(now.record ?? record, desired, iso(deps.clock.now()), decision.cause, interrupted ? "interrupted" : failure.message);
        await must(await execute(plan(name, [{ kind: "write-record", record: failed, replaces: now.recordCopies, reason: "failed" }]), quietly));
      }
    }
  } catch (undoErr) {
    const why = undoErr instanceof PodError ? undoErr.message : String(undoErr);
    throw new ChangeFailedError(
      `the change to pod ${name} failed, and so did undoing it (${why})`,
      "`pod ps " + name + "` shows what is left; the agent (or `pod up` with the previous spec) restores it, `pod down` removes it",
      failure,
      others,
    );
  }
  if (interrupted) {
    throw new InterruptedError(decision.isNew ? `interrupted: pod ${name} was not created, and nothing is left` : `interrupted: pod ${name} was put back as it was`);
  }
  // Bad input found only by the engine (a taken host port) is still bad input: one line, exit 2.
  if (failure instanceof UsageError) throw failure;
  throw new ChangeFailedError(
    decision.isNew ? `pod ${name} could not start and was removed: nothing is left behind` : `the change to pod ${name} failed and was rolled back: it serves as before`,
    decision.isNew ? undefined : logsHint,
    failure,
    others,
  );
}
