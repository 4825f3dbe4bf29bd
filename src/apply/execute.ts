// Applies a plan: steps in order, the actions of one step together; each action is carried
// out with the engine calls its meaning always takes (one create+start per replica, one
// stop+remove, …) and ends in a result of its own, podman's per-container report. It decides
// nothing: after a step with a failure it stops and returns every result; what happens then
// is the change flow's (apply/converge.ts).
import type { Clock } from "../clock.js";
import { SANDBOX_PROGRAM, type Engine } from "../engine/engine.js";
import { EngineError, InterruptedError, PodError, UsageError } from "../errors.js";
import { modeOf, type EngineFacts } from "../modes/index.js";
import type { Action, Plan } from "../plan/actions.js";
import type { ExecEvent } from "../plan/events.js";
import type { Probes, SandboxRef } from "../probes/probes.js";
import { targetPorts } from "../podspec/parse.js";
import type { PodSpec } from "../podspec/types.js";
import { previousName, replicaName } from "../state/labels.js";
import type { ContainerRef } from "../state/observe.js";
import { waitReady, type WaitedReplica } from "./readiness.js";
import { replicaConfig, servingRestartPolicy, sandboxConfig } from "./render.js";
import { removeRecord, writeRecord } from "./record-store.js";

/** A replica an action made, and whether it came to serve. */
export interface MadeReplica extends ContainerRef {
  number: number;
  serving: boolean;
}

export interface ActionResult {
  action: Action;
  step: number;
  ms: number;
  /** null: done. */
  error: PodError | null;
  /** Replicas the action created, serving or not (start-replicas). */
  made: MadeReplica[];
}

export interface ExecReport {
  results: ActionResult[];
  failed: ActionResult[];
  /** Stopped between steps by Ctrl-C (or SIGTERM) before the plan's end. */
  interrupted: boolean;
}

/** What carrying out a plan needs: the engine, the pod, and what earlier actions changed. */
export interface ExecContext {
  engine: Engine;
  probes: Probes;
  clock: Clock;
  emit: (e: ExecEvent) => void;
  /** The spec whose containers this plan makes. */
  spec: PodSpec;
  /** Signs the containers this plan makes. */
  key: string;
  facts: EngineFacts;
  readyTimeoutMs: number;
  /** Image id → a reference that still names it, to create replicas by name. */
  imageRefs: Record<string, string>;
  /** Whether this spec's replicas have a health check: ready then means healthy too. */
  healthChecked: boolean;
  /** The sandbox replicas join: set when the plan makes a new one. */
  sandbox: SandboxRef | null;
  /** Replicas the sandbox routes connections to (modes with routes), by id → address. */
  routes: Map<string, string>;
  /** Each number's replica kept stopped for `pod logs --previous`. */
  previous: Map<number, ContainerRef>;
}

export async function execute(plan: Plan, ctx: ExecContext, signal?: AbortSignal): Promise<ExecReport> {
  const results: ActionResult[] = [];
  for (const [i, step] of plan.steps.entries()) {
    if (signal?.aborted) return { results, failed: [], interrupted: true };
    const done = await Promise.all(step.map((action) => run(action, i + 1, ctx, signal)));
    results.push(...done);
    const failed = done.filter((r) => r.error !== null);
    if (failed.length > 0) return { results, failed, interrupted: false };
  }
  return { results, failed: [], interrupted: false };
}

function asPodError(err: unknown): PodError {
  return err instanceof PodError ? err : new EngineError(err instanceof Error ? err.message : String(err));
}

async function run(action: Action, step: number, ctx: ExecContext, signal?: AbortSignal): Promise<ActionResult> {
  const started = ctx.clock.now();
  const made: MadeReplica[] = [];
  ctx.emit({ type: "action-start", action, step });
  try {
    await perform(action, step, ctx, made, signal);
  } catch (err) {
    const error = asPodError(explainEngineRefusal(err));
    const ms = ctx.clock.now() - started;
    ctx.emit({ type: "action-failed", action, step, ms, error });
    return { action, step, ms, error, made };
  }
  const ms = ctx.clock.now() - started;
  ctx.emit({ type: "action-done", action, step, ms });
  return { action, step, ms, error: null, made };
}

async function perform(action: Action, step: number, ctx: ExecContext, made: MadeReplica[], signal?: AbortSignal): Promise<void> {
  const { engine } = ctx;
  switch (action.kind) {
    case "create-sandbox": {
      const { config, connect } = sandboxConfig(action.spec, ctx.key, ctx.facts);
      const id = await engine.createContainer(config);
      // Made, even if what follows fails: a failed change's undo finds it by its labels.
      ctx.sandbox = { id };
      for (const n of connect) await engine.connectNetwork(n.name, id, n.aliases);
      await engine.startContainer(id);
      // A new namespace has no rules: replicas are routed as they become ready.
      ctx.routes.clear();
      return applyRoutes(ctx);
    }
    case "start-sandbox":
      await engine.startContainer(action.sandbox.id);
      ctx.sandbox = { id: action.sandbox.id };
      ctx.routes.clear();
      return applyRoutes(ctx);
    case "remove-sandbox":
      return engine.removeContainer(action.sandbox.id);
    case "stop-replica":
      // With routes, it loses its rule first, then drains; its connections keep their conntrack entries.
      if (ctx.routes.delete(action.replica.id)) await applyRoutes(ctx);
      if (!action.keep) {
        await engine.stopContainer(action.replica.id, action.timeoutS);
        return engine.removeContainer(action.replica.id);
      }
      await stopForGood(ctx, action.replica.id, action.timeoutS);
      return setAside(ctx, action.replica.number, action.replica.id);
    case "remove-replica":
      if (ctx.routes.delete(action.replica.id)) await applyRoutes(ctx);
      return engine.removeContainer(action.replica.id);
    case "rename-replica":
      return engine.renameContainer(action.replica.id, action.to);
    case "start-replicas":
      return startReplicas(action, step, ctx, made, signal);
    case "restart-replicas":
      return restartReplicas(action, step, ctx, signal);
    case "await-ready": {
      const sandbox = requireSandbox(ctx);
      const info = await engine.inspectContainer(action.replica.id);
      const waited = [{ id: action.replica.id, name: action.replica.name, restarts: info?.restartCount ?? 0 }];
      return waitReady(engine, ctx.probes, { ...readyOptions(ctx, sandbox, waited, { count: action.listeners, baseline: null }, action, step, signal), watchRestarts: true });
    }
    case "write-record":
      return writeRecord(engine, action.record, action.replaces);
    case "remove-record":
      return removeRecord(engine, action.copies);
  }
}

/** The sandbox's routing rules, replaced whole in one transaction, for modes that route. */
async function applyRoutes(ctx: ExecContext): Promise<void> {
  const ruleset = modeOf(ctx.spec.network).routes(ctx.spec.network, [...ctx.routes.values()]);
  if (ruleset === null || !ctx.sandbox) return;
  const { exitCode, output } = await ctx.engine.execWithInput(ctx.sandbox.id, [SANDBOX_PROGRAM, "nat"], ruleset);
  if (exitCode !== 0) throw new EngineError(`the sandbox could not write its NAT rules (nft exit ${exitCode}): ${output.trim()}`);
}

/** Once ready, replicas get their route (start-first: only what answers is routed). */
async function route(ctx: ExecContext, ids: string[]): Promise<void> {
  if (modeOf(ctx.spec.network).routes(ctx.spec.network, []) === null) return;
  for (const id of ids) {
    const ip = (await ctx.engine.inspectContainer(id))?.networks[0]?.ip;
    if (ip) ctx.routes.set(id, ip);
  }
  await applyRoutes(ctx);
}

function requireSandbox(ctx: ExecContext): SandboxRef {
  if (!ctx.sandbox) throw new EngineError(`pod ${ctx.spec.name} has no sandbox to run replicas in`);
  return ctx.sandbox;
}

/**
 * Stopped so that it stays stopped. Podman restarts a container by the policy it was created
 * with whenever it exits on its own; a stop that finds it between two restarts (304) does not
 * count as the user's, and one that lands as a crashing process exits can lose the race with
 * Podman's own restart (both seen on Podman 4.3). So on such an engine a replica that crashed
 * (restarted before, or already down) is watched, and stopped again, until it stays down.
 */
async function stopForGood(ctx: ExecContext, id: string, timeoutS: number | null): Promise<void> {
  const { engine, clock } = ctx;
  const stopped = await engine.stopContainer(id, timeoutS);
  if (!ctx.facts.fixedRestartPolicy) return;
  let last = await engine.inspectContainer(id);
  if (!last || last.restartPolicy === "no" || (stopped && last.restartCount === 0)) return;
  const deadline = clock.now() + STOP_FOR_GOOD_MS;
  let quietSince = clock.now();
  while (clock.now() < deadline) {
    await clock.sleep(RESTART_POLL_MS);
    const now = await engine.inspectContainer(id);
    if (!now) return;
    if (now.running || now.restartCount !== last.restartCount) {
      await engine.stopContainer(id, timeoutS);
      quietSince = clock.now();
    } else if (clock.now() - quietSince >= STAYS_DOWN_MS) {
      return;
    }
    last = now;
  }
}

/** How often a kept container is looked at while Podman may restart it. */
const RESTART_POLL_MS = 100;
/** Down this long with no restart: it stays down (a crash loop restarts about ten times a second here). */
const STAYS_DOWN_MS = 1_500;
const STOP_FOR_GOOD_MS = 15_000;

/** Stopped, kept under a name out of the way; the number's older previous container goes. */
async function setAside(ctx: ExecContext, number: number, id: string): Promise<void> {
  const older = ctx.previous.get(number);
  if (older && older.id !== id) await ctx.engine.removeContainer(older.id);
  const name = previousName(replicaName(ctx.spec.name, number), id);
  await ctx.engine.renameContainer(id, name);
  ctx.previous.set(number, { id, name });
}

/**
 * Create and start each replica, wait until they serve, then give them the restart policy
 * that brings a crashed one back into the same namespace, and their routes. On failure the
 * replicas made are left as they are, listed in the result: converge decides what becomes
 * of them.
 */
async function startReplicas(action: Extract<Action, { kind: "start-replicas" }>, step: number, ctx: ExecContext, made: MadeReplica[], signal?: AbortSignal): Promise<void> {
  const { engine } = ctx;
  const sandbox = requireSandbox(ctx);
  const ports = targetPorts(ctx.spec.network.ports);
  // Listeners already there are not the new replicas': only sockets added since count.
  const baseline = await ctx.probes.listeners(sandbox, ports);
  const imageRef = ctx.imageRefs[action.replica.imageId] ?? action.replica.imageId;
  const started = await Promise.allSettled(
    action.numbers.map(async (number) => {
      const config = replicaConfig(action.replica, { pod: ctx.spec, number, generation: action.generation, key: ctx.key, sandboxId: sandbox.id, imageRef, servingPolicyAtCreate: ctx.facts.fixedRestartPolicy });
      const id = await engine.createContainer(config);
      made.push({ id, name: config.name, number, serving: false });
      await engine.startContainer(id);
    }),
  );
  made.sort((a, b) => a.number - b.number);
  const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  const waited = made.map((r) => ({ id: r.id, name: r.name, restarts: 0 }));
  await waitReady(engine, ctx.probes, readyOptions(ctx, sandbox, waited, { count: made.length, baseline }, action, step, signal));
  await servingPolicy(ctx, made.map((r) => r.id));
  for (const r of made) r.serving = true;
  await route(ctx, made.map((r) => r.id));
}

/**
 * Replicas that serve nothing — stranded in a dead namespace, or exited — started again:
 * Docker joins them to the sandbox's current namespace. Without a restart policy while
 * they are waited for, as new ones.
 */
async function restartReplicas(action: Extract<Action, { kind: "restart-replicas" }>, step: number, ctx: ExecContext, signal?: AbortSignal): Promise<void> {
  const { engine } = ctx;
  const sandbox = requireSandbox(ctx);
  const baseline = await ctx.probes.listeners(sandbox, targetPorts(ctx.spec.network.ports));
  const waited = await Promise.all(
    action.replicas.map(async (r) => {
      if (!ctx.facts.fixedRestartPolicy) await engine.setRestartPolicy(r.id, "no");
      // They serve nothing, so nothing is lost by not waiting for a drain.
      await engine.stopContainer(r.id, 0);
      await engine.startContainer(r.id);
      const info = await engine.inspectContainer(r.id);
      return { id: r.id, name: r.name, restarts: info?.restartCount ?? 0 };
    }),
  );
  await waitReady(engine, ctx.probes, readyOptions(ctx, sandbox, waited, { count: waited.length, baseline }, action, step, signal));
  await servingPolicy(ctx, waited.map((r) => r.id));
  await route(ctx, waited.map((r) => r.id));
}

/** Replicas that serve get the policy that brings a crashed one back (at create, where it is fixed). */
async function servingPolicy(ctx: ExecContext, ids: string[]): Promise<void> {
  if (ctx.facts.fixedRestartPolicy) return;
  await Promise.all(ids.map((id) => ctx.engine.setRestartPolicy(id, servingRestartPolicy(ctx.spec.replica))));
}

function readyOptions(ctx: ExecContext, sandbox: SandboxRef, replicas: WaitedReplica[], target: { count: number; baseline: Awaited<ReturnType<Probes["listeners"]>> | null }, action: Action, step: number, signal?: AbortSignal) {
  return {
    pod: ctx.spec.name,
    sandbox,
    // New or restarted replicas have no restart policy while they are waited for, unless the
    // engine fixes it at create: then a crash shows only as a restart.
    watchRestarts: ctx.facts.fixedRestartPolicy,
    health: ctx.healthChecked,
    mode: modeOf(ctx.spec.network).readiness,
    replicas,
    ports: targetPorts(ctx.spec.network.ports),
    target,
    timeoutMs: ctx.readyTimeoutMs,
    clock: ctx.clock,
    ...(signal ? { signal } : {}),
    onProgress: (text: string) => ctx.emit({ type: "action-progress", action, step, text }),
  };
}

/** Bad input only the engine can see is still bad input: one line, exit 2. */
export function explainEngineRefusal(err: unknown): unknown {
  if (err instanceof UsageError || err instanceof InterruptedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const port = /Bind for (\S+) failed: port is already allocated/.exec(message)?.[1] ?? /listen \w+ (\S+): bind: address already in use/.exec(message)?.[1];
  if (port) {
    return new UsageError(`host port ${port} is already in use`, "another container or program holds it: pick a free host port with -p HOST_PORT:CONTAINER_PORT");
  }
  const address = /listen \w+ (\S+): bind: cannot assign requested address/.exec(message)?.[1];
  if (address) {
    return new UsageError(`cannot publish on ${address}: that address is not on the engine's host`, "publish on an address of the host, or leave the IP out for every address");
  }
  const taken = /The container name "\/?([^"]+)" is already in use/.exec(message)?.[1];
  if (taken) {
    return new UsageError(`the container name ${taken} is taken by a container pod did not make`, "pod never touches it: rename or remove it yourself, or give the pod another --name");
  }
  const cpus = /Range of CPUs is from ([\d.]+) to ([\d.]+), as there are only (\d+) CPUs available/.exec(message);
  if (cpus) return new UsageError(`--cpus is more than the engine's ${cpus[3]} CPUs`, `give ${cpus[1]} to ${cpus[2]}`);
  const network = /network (\S+) not found/.exec(message)?.[1];
  if (network) {
    return new UsageError(`network ${network} does not exist on the engine`, `create it first (docker network create ${network}), or leave --network out`);
  }
  return err;
}
