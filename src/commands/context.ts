// What every command gets: the engine (a fake in command tests), a clock, the environment,
// a reporter, and the signal that Ctrl-C raises.
import type { Clock } from "../clock.js";
import type { Engine } from "../engine.js";
import type { Reporter } from "../report.js";

export interface Deps {
  engine(): Engine;
  clock: Clock;
  environ: Record<string, string | undefined>;
  readFile(path: string): string;
  reporter(json: boolean): Reporter;
  signal?: AbortSignal;
}

/** Filled in by the handler so the CLI's one error handler can print with the right reporter. */
export interface RunState {
  reporter?: Reporter;
}
