// Applies a plan: one engine call (or one create+start, one stop+remove) per action, in the
// plan's order, reporting events. It decides nothing: what to do is in the plan; how each
// action behaves when it fails is part of that action's meaning, written here once.
import type { Clock } from "../clock.js";
import { SANDBOX_PROGRAM, type Engine } from "../engine/engine.js";
import { EngineError, InterruptedError, PodError, UsageError } from "../errors.js";
import { natRuleset } from "../modes/dnat.js";
import type { Action, Plan } from "../plan/actions.js";
import type { NetworkSpec } from "../spec/types.js";
import { previousName, replicaName } from "../state/labels.js";
import type { ContainerRef } from "../state/observe.js";
import { probeListeners, waitReady, type Listeners, type WaitedReplica } from "./readiness.js";
import { moreNetworks, REPLICA_RESTART_POLICY, replicaConfig, sandboxConfig, type EngineFacts } from "./render.js";

export type ExecEvent =
  | { type: "action-start"; action: Action; step: number }
  | { type: "action-progress"; action: Action; step: number; text: string }
  | { type: "action-done"; action: Action; step: number; ms: number }
  | { type: "action-failed"; action: Action; step: number; ms: number; error: PodError };

export interface ExecContext {
  engine: Engine;
  clock: Clock;
  signal?: AbortSignal;
  emit: (e: ExecEvent) => void;
  pod: string;
  /** Signs the containers this plan makes. */
  key: string;
  facts: EngineFacts;
  /** Ports every replica must listen on, e.g. ["8080/tcp"]. */
  ports: string[];
  balance: "reuseport" | "dnat" | "host";
  /** The pod's network (dnat writes its rules from it), and the network dnat replicas join. */
  network: NetworkSpec;
  /** dnat: replicas the sandbox sends connections to, by container id → address. */
  routes: Map<string, string>;
  readyTimeoutMs: number;
  /** Image id → a reference that still names it, to create replicas by name. */
  imageRefs: Record<string, string>;
  /** The pod's sandbox: the observed one, or the one a create-sandbox action makes. */
  sandboxId: string | null;
  /** Each number's kept previous container, replaced as new ones are set aside. */
  previous: Map<number, ContainerRef>;
}

export async function applyPlan(plan: Plan, ctx: ExecContext): Promise<void> {
  for (const [index, step] of plan.steps.entries()) {
    if (ctx.signal?.aborted) throw new InterruptedError("interrupted between steps");
    // Every action of the step finishes before the first failure is thrown.
    const results = await Promise.allSettled(step.map((a) => runAction(a, index + 1, ctx)));
    const failure = results.find((r) => r.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }
}

function asPodError(err: unknown): PodError {
  return err instanceof PodError ? err : new EngineError(err instanceof Error ? err.message : String(err));
}

async function runAction(action: Action, step: number, ctx: ExecContext): Promise<void> {
  const started = ctx.clock.now();
  ctx.emit({ type: "action-start", action, step });
  try {
    await perform(action, step, ctx);
  } catch (err) {
    const error = asPodError(err);
    ctx.emit({ type: "action-failed", action, step, ms: ctx.clock.now() - started, error });
    throw error;
  }
  ctx.emit({ type: "action-done", action, step, ms: ctx.clock.now() - started });
}

async function perform(action: Action, step: number, ctx: ExecContext): Promise<void> {
  const { engine } = ctx;
  switch (action.kind) {
    case "create-sandbox": {
      const id = await engine.createContainer(sandboxConfig(action.spec, ctx.key, ctx.facts)).catch((err) => {
        throw explainEngineRefusal(err);
      });
      try {
        for (const n of moreNetworks(action.spec)) await engine.connectNetwork(n.name, id, n.aliases);
        await engine.startContainer(id);
      } catch (err) {
        await engine.removeContainer(id);
        throw explainEngineRefusal(err);
      }
      ctx.sandboxId = id;
      // A new namespace has no rules: replicas are routed as they become ready.
      ctx.routes.clear();
      return applyRoutes(ctx);
    }
    case "start-sandbox":
      await engine.startContainer(action.sandbox.id).catch((err) => {
        throw explainEngineRefusal(err);
      });
      ctx.sandboxId = action.sandbox.id;
      ctx.routes.clear();
      return applyRoutes(ctx);
    case "remove-sandbox":
      await engine.removeContainer(action.sandbox.id);
      return;
    case "stop-replica":
      // dnat: it loses its rule first, then drains; its connections keep their conntrack entries.
      if (ctx.routes.delete(action.replica.id)) await applyRoutes(ctx);
      await engine.stopContainer(action.replica.id, action.timeoutS);
      if (action.keep) await setAside(ctx, action.replica.number, action.replica.id);
      else await engine.removeContainer(action.replica.id);
      return;
    case "remove-replica":
      if (ctx.routes.delete(action.replica.id)) await applyRoutes(ctx);
      await engine.removeContainer(action.replica.id);
      return;
    case "rename-replica":
      await engine.renameContainer(action.replica.id, action.to);
      return;
    case "start-replicas":
      return startReplicas(action, step, ctx);
    case "restart-replicas":
      return restartReplicas(action, step, ctx);
    case "await-ready": {
      const sandboxId = requireSandbox(ctx);
      const info = await engine.inspectContainer(action.replica.id);
      const waited = [{ id: action.replica.id, name: action.replica.name, restarts: info?.restartCount ?? 0 }];
      await waitReady(engine, readyOptions(ctx, sandboxId, waited, { count: action.listeners, baseline: null }, action, step));
      return;
    }
  }
}

/** dnat: the sandbox's rules, replaced whole in one nft transaction. Other modes have none. */
async function applyRoutes(ctx: ExecContext): Promise<void> {
  if (ctx.balance !== "dnat" || !ctx.sandboxId) return;
  const ruleset = natRuleset(ctx.network, [...ctx.routes.values()].map((ip) => ({ ip })), ctx.network.spread ?? "random");
  const { exitCode, output } = await ctx.engine.execWithInput(ctx.sandboxId, [SANDBOX_PROGRAM, "nat"], ruleset);
  if (exitCode !== 0) throw new EngineError(`the sandbox could not write its NAT rules (nft exit ${exitCode}): ${output.trim()}`);
}

/** dnat: once ready, replicas get their rule (start-first: only what listens is routed). */
async function route(ctx: ExecContext, ids: string[]): Promise<void> {
  if (ctx.balance !== "dnat") return;
  for (const id of ids) {
    const ip = (await ctx.engine.inspectContainer(id))?.networks[0]?.ip;
    if (ip) ctx.routes.set(id, ip);
  }
  await applyRoutes(ctx);
}

function requireSandbox(ctx: ExecContext): string {
  if (!ctx.sandboxId) throw new EngineError(`pod ${ctx.pod} has no sandbox to run replicas in`);
  return ctx.sandboxId;
}

/** Stopped, kept under a name out of the way; the number's older previous container goes. */
async function setAside(ctx: ExecContext, number: number, id: string): Promise<void> {
  const older = ctx.previous.get(number);
  if (older && older.id !== id) await ctx.engine.removeContainer(older.id);
  const name = previousName(replicaName(ctx.pod, number), id);
  await ctx.engine.renameContainer(id, name);
  ctx.previous.set(number, { id, name });
}

async function startReplicas(action: Extract<Action, { kind: "start-replicas" }>, step: number, ctx: ExecContext): Promise<void> {
  const { engine } = ctx;
  const sandboxId = requireSandbox(ctx);
  // Listeners already there are not the new replicas': only sockets added since count.
  const baseline = await probeListeners(engine, sandboxId, ctx.ports);
  const imageRef = ctx.imageRefs[action.replica.imageId] ?? action.replica.imageId;
  const made: (WaitedReplica & { number: number })[] = [];
  const started = await Promise.allSettled(
    action.numbers.map(async (number) => {
      const config = replicaConfig(action.replica, {
        pod: action.pod,
        balance: ctx.balance,
        network: ctx.network.networks[0]?.name ?? null,
        number,
        generation: action.generation,
        key: ctx.key,
        sandboxId,
        imageRef,
      });
      const id = await engine.createContainer(config);
      made.push({ id, name: config.name, restarts: 0, number });
      await engine.startContainer(id);
    }),
  );
  try {
    const failure = started.find((s) => s.status === "rejected");
    if (failure) throw explainEngineRefusal((failure as PromiseRejectedResult).reason);
    await waitReady(engine, readyOptions(ctx, sandboxId, made, { count: made.length, baseline }, action, step));
  } catch (err) {
    // What this action made never served: stopped, and kept for `pod logs --previous`.
    for (const r of made.sort((a, b) => a.number - b.number)) {
      await engine.stopContainer(r.id, 0).catch(() => undefined);
      await setAside(ctx, r.number, r.id).catch(() => engine.removeContainer(r.id));
    }
    throw err;
  }
  await Promise.all(made.map((r) => engine.setRestartPolicy(r.id, REPLICA_RESTART_POLICY)));
  await route(ctx, made.map((r) => r.id));
}

/**
 * Replicas that serve nothing — stranded in a dead namespace, or exited — started again:
 * Docker joins them to the sandbox's current namespace. Without a restart policy while
 * they are waited for, as new ones.
 */
async function restartReplicas(action: Extract<Action, { kind: "restart-replicas" }>, step: number, ctx: ExecContext): Promise<void> {
  const { engine } = ctx;
  const sandboxId = requireSandbox(ctx);
  const baseline = await probeListeners(engine, sandboxId, ctx.ports);
  const waited = await Promise.all(
    action.replicas.map(async (r) => {
      await engine.setRestartPolicy(r.id, "no");
      // They serve nothing, so nothing is lost by not waiting for a drain.
      await engine.stopContainer(r.id, 0);
      await engine.startContainer(r.id);
      const info = await engine.inspectContainer(r.id);
      return { id: r.id, name: r.name, restarts: info?.restartCount ?? 0 };
    }),
  );
  await waitReady(engine, readyOptions(ctx, sandboxId, waited, { count: waited.length, baseline }, action, step));
  await Promise.all(waited.map((r) => engine.setRestartPolicy(r.id, REPLICA_RESTART_POLICY)));
  await route(ctx, waited.map((r) => r.id));
}

function readyOptions(ctx: ExecContext, sandboxId: string, replicas: WaitedReplica[], target: { count: number; baseline: Listeners | null }, action: Action, step: number) {
  return {
    sandboxId,
    mode: ctx.balance === "dnat" ? ("addresses" as const) : ("listeners" as const),
    replicas,
    ports: ctx.ports,
    target,
    timeoutMs: ctx.readyTimeoutMs,
    clock: ctx.clock,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (text: string) => ctx.emit({ type: "action-progress", action, step, text }),
  };
}

/** Bad input only the engine can see is still bad input: one line, exit 2. */
export function explainEngineRefusal(err: unknown): unknown {
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
  const network = /network (\S+) not found/.exec(message)?.[1];
  if (network) {
    return new UsageError(`network ${network} does not exist on the engine`, `create it first (docker network create ${network}), or leave --network out`);
  }
  return err;
}
