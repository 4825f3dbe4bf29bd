// What every command gets: the engine (a fake in command tests), a clock, the environment,
// a reporter, and the signal that Ctrl-C raises.
import type { Clock } from "../clock.js";
import type { Engine } from "../engine.js";
import { withLock } from "../lock.js";
import type { Reporter } from "../report.js";

/** How long a command waits for another one on the same pod. */
const LOCK_TIMEOUT_MS = 120_000;

export interface Deps {
  engine(): Engine;
  clock: Clock;
  environ: Record<string, string | undefined>;
  readFile(path: string): string;
  reporter(json: boolean): Reporter;
  signal?: AbortSignal;
}

/** Runs `fn` holding the pod's lock, saying so if it must wait for another command. */
export function lockedPod<T>(deps: Deps, reporter: Reporter, pod: string, fn: () => Promise<T>): Promise<T> {
  const onWait = (holder: string) => reporter.note(`waiting for another pod command on ${pod} (${holder})`);
  const signal = deps.signal ? { signal: deps.signal } : {};
  return withLock({ engine: deps.engine(), pod, clock: deps.clock, timeoutMs: LOCK_TIMEOUT_MS, onWait, ...signal }, fn);
}

/** Filled in by the handler so the CLI's one error handler can print with the right reporter. */
export interface RunState {
  reporter?: Reporter;
}
