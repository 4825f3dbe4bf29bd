// The agent: keeps every pod on its engine as its record says, with no command from anyone.
// It follows the engine's events and resyncs periodically (events can be missed), debounces
// bursts, takes each pod's lock like any command (and never waits for one: a command in
// progress goes first), and reuses observe → plan → apply. It never changes a spec.
import { runFlow } from "../apply/change.js";
import { describeReplica } from "../apply/readiness.js";
import type { Clock } from "../clock.js";
import type { Engine } from "../engine/engine.js";
import { ChangeFailedError, EngineUnreachableError, NotReadyError, PodBusyError, PodError } from "../errors.js";
import { formatPlan } from "../plan/actions.js";
import type { ChangeRequest } from "../plan/decide.js";
import type { FlowEvent } from "../plan/events.js";
import type { Probes } from "../probes/probes.js";
import { targetPorts } from "../podspec/parse.js";
import { Label } from "../state/labels.js";
import { recordedSpec, type ObservedPod } from "../state/observe.js";
import { newerVersion } from "../state/record.js";
import { readPods } from "../state/snapshot.js";
import { podView } from "../state/status.js";
import { VERSION } from "../version.js";
import { Schedule } from "./schedule.js";
import { optedIn, UpdatePacing, updateFailure, updateOnce } from "./updates.js";

export interface AgentDeps {
  engine: Engine;
  probes: Probes;
  auth: (ref: string) => Promise<string | null>;
  clock: Clock;
  signal: AbortSignal;
  /** One decision, one line. */
  log(line: string): void;
}

export interface AgentOptions {
  /**
   * In a container with the engine's socket bind-mounted: how long the engine may stay out of
   * reach before the agent exits, so the engine starts it again with the socket as it is now.
   * An engine restarted with live-restore replaces its socket file, and a bind mount keeps the
   * old one for ever (measured: ECONNREFUSED until the container restarts). null: never exit.
   */
  exitWhenDeafMs?: number | null;
  resyncMs: number;
  debounceMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  readyTimeoutMs: number;
}

export const DEFAULT_AGENT_OPTIONS: AgentOptions = { resyncMs: 15_000, debounceMs: 250, backoffMs: 1_000, maxBackoffMs: 300_000, readyTimeoutMs: 60_000 };

/** The lines the agent logs when the engine stops and starts answering it. */
export const AGENT_DEAF = "cannot reach the engine";
export const AGENT_HEARS = "reaches the engine again";

/** The agent gave up on a socket that no longer answers: its container is started again. */
export class AgentDeafError extends EngineUnreachableError {}

/** Retry soon when a command holds the pod. */
const BUSY_RETRY_MS = 1_000;
/** Pods repaired at once: enough that one slow repair holds back no other; few, since the engine does much of a repair one at a time (measured: four at once each took 5 s, one alone 0.8 s). */
const MAX_PARALLEL_SYNCS = 2;
/** The first crash report's pause; doubled each time. */
const CRASH_REPORT_MS = 10_000;

function oneLine(err: unknown): string {
  return err instanceof PodError ? err.message : err instanceof Error ? err.message : String(err);
}

export class Agent {
  private readonly schedule: Schedule;
  private wake: (() => void) | null = null;
  /** Restart counts last seen, per replica id: a rise between looks is a crash. */
  private readonly restarts = new Map<string, number>();
  /** Pods whose record a newer pod wrote: said once. */
  private readonly leftAlone = new Set<string>();
  /** When each crash-looping replica may be reported again, and how often it was. */
  private readonly crashReports = new Map<string, { next: number; count: number }>();
  /** When each auto-updating pod next asks its registry. */
  private readonly updates = new UpdatePacing();
  /** Pods being synced now: one sync per pod at a time. */
  private readonly syncing = new Set<string>();
  /** Since when the engine has not answered; null while it does. */
  private deafSince: number | null = null;

  constructor(
    private readonly deps: AgentDeps,
    private readonly o: AgentOptions = DEFAULT_AGENT_OPTIONS,
  ) {
    this.schedule = new Schedule(o);
    deps.signal.addEventListener("abort", () => this.halt.abort(), { once: true });
  }

  /** Stops every loop: the caller's signal, or the agent giving up on a deaf socket. */
  private readonly halt = new AbortController();
  private get signal(): AbortSignal {
    return this.halt.signal;
  }

  private log(pod: string, text: string): void {
    this.deps.log(`${new Date(this.deps.clock.now()).toISOString()} ${pod}: ${text}`);
  }

  private touch(pod: string, cause: string): void {
    this.schedule.touch(pod, this.deps.clock.now(), cause);
    this.wake?.();
  }

  /** Runs until the signal aborts. */
  async run(): Promise<void> {
    this.deps.log(`${new Date(this.deps.clock.now()).toISOString()} agent: watching the pods on ${this.deps.engine.address}`);
    await this.resyncAll("agent started");
    try {
      await Promise.all([this.follow(), this.resyncEvery(), this.work(), this.updateEvery()]);
    } catch (err) {
      this.halt.abort();
      throw err;
    }
  }

  private async resyncAll(cause: string): Promise<void> {
    try {
      const pods = await readPods(this.deps.engine);
      this.reached();
      for (const pod of pods) if (pod.record) this.touch(pod.name, cause);
      this.updates.follow(optedIn(pods), this.deps.clock.now());
    } catch (err) {
      this.unreachable(err);
    }
  }

  /**
   * The engine answered: said once after it did not. `pod agent status` reads these two lines
   * (AGENT_DEAF, AGENT_HEARS) to tell whether the agent hears the engine, and since when.
   */
  private reached(): void {
    if (this.deafSince === null) return;
    const seconds = ((this.deps.clock.now() - this.deafSince) / 1000).toFixed(1);
    this.deafSince = null;
    this.deps.log(`${new Date(this.deps.clock.now()).toISOString()} agent: ${AGENT_HEARS} after ${seconds}s`);
  }

  private unreachable(err: unknown): void {
    const now = this.deps.clock.now();
    if (this.deafSince === null) {
      this.deafSince = now;
      this.deps.log(`${new Date(now).toISOString()} agent: ${AGENT_DEAF} at ${this.deps.engine.address} (${oneLine(err)})`);
    }
    const limit = this.o.exitWhenDeafMs ?? null;
    // A refused connection is final for a bind-mounted socket file: whatever listened on it is
    // gone, and an engine that starts makes a new file. Waiting longer only delays the heal.
    const refused = err instanceof EngineUnreachableError && err.code === "ECONNREFUSED";
    if (limit !== null && (refused || now - this.deafSince >= limit)) {
      const why = refused ? "its socket refuses connections (an engine that restarts makes a new socket file)" : `${((now - this.deafSince) / 1000).toFixed(1)}s without the engine`;
      this.deps.log(`${new Date(now).toISOString()} agent: exiting: ${why}, so that the engine starts it again on its current socket`);
      throw new AgentDeafError(`the agent has not reached the engine at ${this.deps.engine.address} for ${Math.round((now - this.deafSince) / 1000)}s`);
    }
  }

  private async resyncEvery(): Promise<void> {
    while (!this.signal.aborted) {
      await this.sleep(this.o.resyncMs);
      await this.resyncAll("periodic resync");
    }
  }

  /** The event stream; lost with the engine, followed again when it answers. */
  private async follow(): Promise<void> {
    let delay = 500;
    while (!this.signal.aborted) {
      try {
        for await (const e of this.deps.engine.events([Label.pod], this.signal)) {
          const pod = e.attributes[Label.pod];
          if (pod) this.touch(pod, `${e.attributes.name ?? e.id.slice(0, 12)} ${e.action}`);
          delay = 500;
        }
      } catch (err) {
        if (this.signal.aborted) return;
        this.unreachable(err);
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
      // Whatever happened while the stream was down, events of it are gone: look at everything.
      await this.resyncAll("engine events resumed");
    }
  }

  /** Waits `ms`, or less when stopped or woken. */
  private sleep(ms: number, wakeable = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener("abort", done);
        if (wakeable) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener("abort", done, { once: true });
      if (wakeable) this.wake = done;
    });
  }

  /** Opted-in pods, each at its own pace: the registry asked, the pod rolled out when its tag moved. */
  private async updateEvery(): Promise<void> {
    while (!this.signal.aborted) {
      for (const name of this.updates.due(this.deps.clock.now())) await this.update(name);
      const next = this.updates.nextDue();
      // Pods opt in between listings: the next resync tells, so look at least that often.
      await this.sleep(Math.max(0, Math.min(next === null ? this.o.resyncMs : next - this.deps.clock.now(), this.o.resyncMs)));
    }
  }

  async update(name: string): Promise<void> {
    const { engine, probes, clock, auth } = this.deps;
    try {
      const pod = (await readPods(engine)).find((p) => p.name === name);
      const spec = pod?.record?.spec;
      if (!spec?.autoUpdate || (pod?.record?.writer && newerVersion(pod.record.writer, VERSION))) return this.updates.follow([], clock.now());
      const started = clock.now();
      const outcome = await updateOnce({ engine, probes, auth, clock, emit: (e: FlowEvent) => this.onEvent(name, e) }, spec, this.o.readyTimeoutMs, (text) => this.log(name, text));
      if (outcome.kind === "updated") this.log(name, `updated to generation ${outcome.generation ?? "?"} (${outcome.to.replace(/^sha256:/, "").slice(0, 12)}) after ${((clock.now() - started) / 1000).toFixed(1)}s`);
      this.updates.checked(name, clock.now());
    } catch (err) {
      const failure = updateFailure(err);
      if (failure.busy) return this.updates.busy(name, clock.now(), BUSY_RETRY_MS);
      const delay = this.updates.failed(name, clock.now());
      this.log(name, `${failure.text}; next check in ${Math.round(delay / 1000)}s`);
    }
  }

  /**
   * Pods are repaired side by side, each by one sync at a time: a pod whose repair waits for
   * readiness (up to the ready timeout) must not hold back the heal of another.
   */
  private async work(): Promise<void> {
    const running = new Set<Promise<void>>();
    while (!this.signal.aborted) {
      const free = MAX_PARALLEL_SYNCS - this.syncing.size;
      for (const { pod, cause } of this.schedule.takeDue(this.deps.clock.now(), this.syncing, free)) {
        this.syncing.add(pod);
        const done: Promise<void> = this.sync(pod, cause).finally(() => {
          this.syncing.delete(pod);
          running.delete(done);
          this.wake?.();
        });
        running.add(done);
      }
      const next = this.syncing.size >= MAX_PARALLEL_SYNCS ? null : this.schedule.nextDue(this.syncing);
      await this.sleep(next === null ? this.o.resyncMs : Math.max(0, next - this.deps.clock.now()), true);
    }
    await Promise.all(running);
  }

  /**
   * One look at one pod: repair it to its record if it strays, through the same change flow
   * as every command. A pod in sync costs one snapshot and no write: the lock is taken only
   * when there is something to do, and never waited for (a command in progress goes first).
   */
  async sync(name: string, cause: string): Promise<void> {
    const { engine, probes, clock, auth } = this.deps;
    const request: ChangeRequest = {
      pod: name,
      // Never a change of spec, and never an outage on its own: a pod that serves is not recreated.
      desired: (observed) => ({ spec: recordedSpec(observed), cause: "agent" }),
      recreate: false,
      mustExist: false,
      stopTimeoutS: null,
      readyTimeoutMs: this.o.readyTimeoutMs,
    };
    const started = clock.now();
    try {
      const result = await runFlow({ engine, probes, auth, clock, emit: (e: FlowEvent) => this.onEvent(name, e) }, request, {
        dryRun: false,
        lockTimeoutMs: 0,
        lookFirst: true,
        accept: (snapshot, decision, stage) => {
          const record = snapshot.pod.record;
          if (!record) return false;
          if (record.writer && newerVersion(record.writer, VERSION)) {
            // A newer pod wrote this record: what it asks may mean more than this agent knows.
            if (!this.leftAlone.has(name)) this.log(name, `left alone: its record was written by pod ${record.writer}, newer than this agent (${VERSION}); \`pod agent start\` updates the agent`);
            this.leftAlone.add(name);
            return false;
          }
          if (stage === "apply") {
            const why = podView(snapshot.pod, null).reasons.join(", ") || cause;
            const steps = formatPlan(decision.plan).split("\n").map((l) => l.replace(/^\d+\. /, ""));
            this.log(name, `${why} → ${steps.join("; ")}`);
          }
          return true;
        },
      });
      if (result.kind === "stopped") return this.schedule.forget(name);
      if (result.kind === "in-sync") await this.reportCrashes(result.snapshot.pod);
      if (result.kind === "applied") {
        const view = podView({ ...result.after, lock: null }, null);
        this.log(name, `serving as recorded (${view.replicas.ready}/${view.replicas.asked}) after ${((clock.now() - started) / 1000).toFixed(1)}s`);
      }
      this.schedule.succeeded(name);
    } catch (err) {
      if (err instanceof PodBusyError) return this.schedule.busy(name, clock.now(), BUSY_RETRY_MS);
      const delay = this.schedule.failed(name, clock.now(), "retry after a failed repair");
      const cause = err instanceof ChangeFailedError ? err.cause : null;
      const details =
        cause instanceof NotReadyError ? [cause.message, ...cause.details] : cause ? [cause.message] : err instanceof NotReadyError ? err.details : [];
      this.log(name, `repair failed: ${oneLine(err)}${details.length > 0 ? ` (${details.map((d) => d.trim()).join("; ")})` : ""}; next try in ${Math.round(delay / 1000)}s`);
      this.wake?.();
    }
  }

  /** What the flow says as it repairs: the decision, once, then nothing per action. */
  private onEvent(pod: string, e: FlowEvent): void {
    if (e.type === "note") this.log(pod, e.text);
  }

  /** Replicas the engine keeps restarting: said, with why, at a backed-off pace per replica. */
  private async reportCrashes(pod: ObservedPod): Promise<void> {
    const now = this.deps.clock.now();
    const ports = targetPorts(pod.record!.spec.network.ports);
    for (const r of pod.replicas) {
      const before = this.restarts.get(r.id);
      this.restarts.set(r.id, r.restartCount);
      const crashed = r.restarting || (before !== undefined && r.restartCount > before);
      const report = this.crashReports.get(r.id) ?? { next: 0, count: 0 };
      if (!crashed || now < report.next) continue;
      const delay = Math.min(this.o.maxBackoffMs, CRASH_REPORT_MS * 2 ** report.count);
      this.crashReports.set(r.id, { next: now + delay, count: report.count + 1 });
      const lines = await describeReplica(this.deps.engine, r, ports);
      this.log(pod.name, `${r.name} keeps crashing (${r.restartCount} restarts; the engine restarts it): ${lines.map((l) => l.trim()).join("; ")}; next report in ${Math.round(delay / 1000)}s at the earliest`);
    }
    this.reportAllUnhealthy(pod, now);
  }

  /**
   * Every replica unhealthy: the planner replaces none (the cause is likely the service or
   * what it depends on, and new replicas would fare the same); said at a backed-off pace.
   */
  private reportAllUnhealthy(pod: ObservedPod, now: number): void {
    const serving = pod.replicas.filter((r) => r.running && r.number <= (pod.record?.spec.replicas ?? 0));
    const key = `unhealthy:${pod.name}`;
    if (serving.length === 0 || !serving.every((r) => r.health?.status === "unhealthy")) {
      this.crashReports.delete(key);
      return;
    }
    const report = this.crashReports.get(key) ?? { next: 0, count: 0 };
    if (now < report.next) return;
    const delay = Math.min(this.o.maxBackoffMs, CRASH_REPORT_MS * 2 ** report.count);
    this.crashReports.set(key, { next: now + delay, count: report.count + 1 });
    const last = serving[0]!.health!.lastOutput.trim().split("\n").at(-1) ?? "";
    this.log(pod.name, `all ${serving.length} replicas are unhealthy: not replacing them, since new ones would most likely fare the same (the service itself, or what it depends on)${last ? `; ${serving[0]!.name}'s check printed: ${last}` : ""}; next report in ${Math.round(delay / 1000)}s at the earliest`);
  }
}
