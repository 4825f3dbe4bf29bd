// Every changing command (up, set, scale, restart, rollback, down) hands its request to the
// one change flow (apply/change.ts) and reports what came of it. Commands differ only in the
// spec they ask for.
import { runFlow, type FlowResult } from "../../apply/change.js";
import type { FlowDeps } from "../../apply/converge.js";
import type { Engine } from "../../engine/engine.js";
import { LOCK_TIMEOUT_MS } from "../../apply/lock.js";
import type { ChangeRequest } from "../../plan/decide.js";
import { dryRunJson, dryRunText } from "../../report/dry-run.js";
import { summary } from "../../report/format.js";
import type { Reporter } from "../../report/reporter.js";
import { podView } from "../../state/status.js";
import { interruptLines, type Deps, type EngineTarget } from "./deps.js";

export interface ChangeCommand extends ChangeRequest {
  target: EngineTarget;
  dryRun: boolean;
}

export async function runChange(deps: Deps, reporter: Reporter, command: ChangeCommand): Promise<void> {
  const engine = deps.engine(command.target);
  const started = deps.clock.now();
  const down = command.desired === RemovePod.desired;
  if (!command.dryRun) deps.changing(interruptLines(command.pod, down));
  const result = await runFlow(
    flowDeps(deps, engine, reporter),
    command,
    {
      dryRun: command.dryRun,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
      onLockWait: (holder) => reporter.note(`waiting for another pod command on ${command.pod} (${holder})`),
      // Down of a pod that is not there takes no lock.
      lookFirst: down,
    },
  );
  reportChange(deps, reporter, command, result, started);
}

/** What the change flow needs of a command's deps: the engine, its probes, credentials, the clock, the reporter. */
export function flowDeps(deps: Deps, engine: Engine, reporter: Reporter): FlowDeps {
  return { engine, probes: deps.probes(engine), auth: deps.auth, clock: deps.clock, emit: (e) => reporter.event(e), ...(deps.signal ? { signal: deps.signal } : {}) };
}

/** What came of one change, said: the dry run's plan (and its refusal), "removed", or the pod's summary. */
export function reportChange(deps: Deps, reporter: Reporter, command: ChangeCommand, result: FlowResult, started: number): void {
  const down = command.desired === RemovePod.desired;
  const { decision, snapshot } = result;
  if (result.kind === "dry-run") {
    for (const line of decision.warnings) reporter.warn(line);
    reporter.result(dryRunText(decision, snapshot.pod, command.recreate), dryRunJson(decision, snapshot.pod));
    // A dry run gives the real run's verdict, and its exit code.
    if (decision.refusal) throw decision.refusal;
    return;
  }
  if (down) {
    if (decision.isNew) {
      for (const line of decision.warnings) reporter.warn(line);
      reporter.note(`no pod named ${command.pod}: nothing to remove`);
      return reporter.result("", { pod: command.pod, removed: false });
    }
    return reporter.result(`pod ${command.pod} removed`, { pod: command.pod, removed: true });
  }
  const pod = result.kind === "applied" ? result.after : snapshot.pod;
  if (result.kind === "in-sync" || result.kind === "stopped") {
    for (const line of decision.warnings) reporter.warn(line);
    reporter.note(`pod ${command.pod} is up to date`);
  }
  const view = podView({ ...pod, lock: null }, null); // the lock is this command's own
  const seconds = (deps.clock.now() - started) / 1000;
  reporter.result(summary(view, deps.clock.now() - started), { pod: view, generation: pod.record?.generation ?? null, changed: result.kind === "applied" && decision.changed, seconds });
}

/** The request of `down`: the pod should not exist. */
export const RemovePod = { desired: (): null => null };

