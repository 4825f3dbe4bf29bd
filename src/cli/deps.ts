// What every command gets: the engine (a fake in command tests), a clock, the environment,
// files, a reporter, and the signal that Ctrl-C raises.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { realClock, type Clock } from "../clock.js";
import { DockerEngine } from "../engine/docker.js";
import type { Engine } from "../engine/engine.js";
import { resolveEndpoint } from "../engine/endpoint.js";
import { chooseReporter, type ReportMode } from "../report/choose.js";
import { readInputFile } from "../spec/input.js";
import type { Reporter } from "../report/reporter.js";

/** Which engine: the global -H/--host and --context flags (else the environment and docker's config). */
export interface EngineTarget {
  host?: string | undefined;
  context?: string | undefined;
}

export interface Deps {
  engine(target: EngineTarget): Engine;
  clock: Clock;
  environ: Record<string, string | undefined>;
  /** A file the user named, whole: only a regular file, at most MAX_INPUT_BYTES (else InputFileError). */
  readFile(path: string): string;
  reporter(mode: ReportMode): Promise<Reporter>;
  signal?: AbortSignal;
  /** Lets the process exit: closes what `engine` opened. */
  dispose(): void;
}

/**
 * Whether a change is under way: Ctrl-C then stops between steps and puts the pod back,
 * saying so. Otherwise (ps, logs -f, stats) it just ends what is being watched.
 */
export const interruption = { graceful: false, message: "pod: stopping after the current step (Ctrl-C again to quit at once)" };

/** Filled in by the handler so the CLI's one error handler can print with the right reporter. */
export interface RunState {
  reporter?: Reporter;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export function defaultDeps(signal?: AbortSignal): Deps {
  const engines: DockerEngine[] = [];
  return {
    engine: (target) => {
      const endpoint = resolveEndpoint({
        ...(target.host ? { host: target.host } : {}),
        ...(target.context ? { context: target.context } : {}),
        env: process.env,
        home: homedir(),
        readFile: readOrNull,
      });
      const engine = new DockerEngine(endpoint);
      engines.push(engine);
      return engine;
    },
    clock: realClock,
    environ: process.env,
    // Capped, and only regular files: a FIFO or /dev/zero would block or fill memory.
    readFile: (path) => readInputFile(path),
    reporter: (mode) => chooseReporter(mode, process.env),
    ...(signal ? { signal } : {}),
    dispose: () => engines.forEach((e) => e.close()),
  };
}
