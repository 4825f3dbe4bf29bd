// Applies a plan: one engine call (or one create+start, one stop+remove) per action, in
// the plan's order, reporting events. It decides nothing: what to do is in the plan.
import type { Clock } from "./clock.js";
import { replicaConfig, sandboxConfig } from "./containers.js";
import type { Engine } from "./engine.js";
import { EngineError, InterruptedError, PodError, UsageError } from "./errors.js";
import { replicaName } from "./labels.js";
import type { Action, Plan } from "./plan.js";
import { probeListeners, waitReady, type ListenerCounts, type ReplicaRef, type WaitReadyOptions } from "./readiness.js";

export type ExecEvent =
  | { type: "action-start"; action: Action }
  | { type: "action-progress"; action: Action; text: string }
  | { type: "action-done"; action: Action; ms: number }
  | { type: "action-failed"; action: Action; error: PodError };

export interface ExecContext {
  engine: Engine;
  clock: Clock;
  /** The pod's sandbox: the observed one, or the one a create-sandbox action makes. */
  sandboxId: string | null;
  /** Ports every replica must listen on, e.g. ["8080/tcp"]. */
  ports: string[];
  /** Image id → a reference that still names it, to create replicas by name. */
  imageRefs: Record<string, string>;
  readyTimeoutMs: number;
  /** Whether the engine's kernel has net.ipv4.tcp_migrate_req. */
  migrateReq: boolean;
  signal?: AbortSignal;
  emit: (e: ExecEvent) => void;
}

/** A context for applying plans; `down` needs only the defaults. */
export function execContext(
  engine: Engine,
  clock: Clock,
  emit: (e: ExecEvent) => void,
  more: Partial<Omit<ExecContext, "engine" | "clock" | "emit">> = {},
): ExecContext {
  return { engine, clock, emit, sandboxId: null, ports: [], imageRefs: {}, readyTimeoutMs: 0, migrateReq: true, ...more };
}

export async function applyPlan(plan: Plan, ctx: ExecContext): Promise<void> {
  for (const step of plan.steps) {
    if (ctx.signal?.aborted) throw new InterruptedError("interrupted between steps");
    // Every action of the step finishes before the first failure (a PodError: runAction made it one) is thrown.
    const failure = (await Promise.allSettled(step.map((a) => runAction(a, ctx)))).find((r) => r.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }
}

async function runAction(action: Action, ctx: ExecContext): Promise<void> {
  const started = ctx.clock.now();
  ctx.emit({ type: "action-start", action });
  try {
    await perform(action, ctx);
  } catch (err) {
    const error = err instanceof PodError ? err : new EngineError(String(err));
    ctx.emit({ type: "action-failed", action, error });
    throw error;
  }
  ctx.emit({ type: "action-done", action, ms: ctx.clock.now() - started });
}

async function perform(action: Action, ctx: ExecContext): Promise<void> {
  const { engine } = ctx;
  switch (action.kind) {
    case "create-sandbox": {
      const id = await engine.createContainer(sandboxConfig(action.spec, action.generation, ctx.migrateReq));
      try {
        await engine.startContainer(id);
      } catch (err) {
        await engine.removeContainer(id);
        throw explainStartFailure(err);
      }
      ctx.sandboxId = id;
      return;
    }
    case "remove-sandbox":
      await engine.removeContainer(action.sandbox.id);
      return;
    case "stop-replica":
      await engine.stopContainer(action.replica.id, action.timeoutS);
      await engine.removeContainer(action.replica.id);
      return;
    case "remove-replica":
      await engine.removeContainer(action.replica.id);
      return;
    case "rename-replica":
      await engine.renameContainer(action.replica.id, action.to);
      return;
    case "start-replicas":
      return startReplicas(action, ctx);
    case "await-ready": {
      if (!ctx.sandboxId) throw new EngineError("no sandbox to wait in");
      const target = Object.fromEntries(ctx.ports.map((p) => [p, action.listeners]));
      return waitReady(engine, readyOptions(ctx, ctx.sandboxId, [action.replica], target, action));
    }
  }
}

async function startReplicas(action: Extract<Action, { kind: "start-replicas" }>, ctx: ExecContext): Promise<void> {
  const { engine } = ctx;
  const sandboxId = ctx.sandboxId;
  if (!sandboxId) throw new EngineError("no sandbox to start replicas in");
  // Count the listeners already there, so only the new replicas' sockets count for them.
  const baseline = await probeListeners(engine, sandboxId, ctx.ports);
  const imageRef = ctx.imageRefs[action.replica.imageId] ?? action.replica.imageId;
  const started = await Promise.allSettled(
    action.numbers.map(async (n) => {
      const config = replicaConfig(action.pod, action.replica, n, action.generation, sandboxId, imageRef);
      const id = await engine.createContainer(config);
      await engine.startContainer(id);
      return { id, name: replicaName(action.pod, n) };
    }),
  );
  const failure = started.find((s) => s.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const replicas = started.map((s) => (s as PromiseFulfilledResult<{ id: string; name: string }>).value);
  const target = Object.fromEntries(ctx.ports.map((p) => [p, (baseline[p] ?? 0) + replicas.length]));
  await waitReady(engine, readyOptions(ctx, sandboxId, replicas, target, action));
}

function readyOptions(ctx: ExecContext, sandboxId: string, replicas: ReplicaRef[], target: ListenerCounts, action: Action): WaitReadyOptions {
  return {
    sandboxId,
    replicas,
    ports: ctx.ports,
    target,
    timeoutMs: ctx.readyTimeoutMs,
    clock: ctx.clock,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (text) => ctx.emit({ type: "action-progress", action, text }),
  };
}

/** A taken host port is bad input, not an engine fault: say which and what to do. */
function explainStartFailure(err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  const port = /Bind for (\S+) failed: port is already allocated/.exec(message)?.[1] ?? /listen \w+ (\S+): bind: address already in use/.exec(message)?.[1];
  if (port) {
    return new UsageError(`host port ${port} is already in use`, "another container or program holds it: pick a free host port with -p HOST_PORT:CONTAINER_PORT");
  }
  return err;
}
