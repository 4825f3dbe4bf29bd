// What every command gets: the engine (a fake in command tests), a clock, the environment,
// files, a reporter, and the signal that Ctrl-C raises.
import { homedir } from "node:os";
import { realClock, type Clock } from "../../clock.js";
import { DockerEngine } from "../../engine/docker.js";
import type { Engine } from "../../engine/engine.js";
import { resolveEndpoint } from "../../engine/endpoint.js";
import { Probes } from "../../probes/probes.js";
import { parseReference } from "../../podspec/reference.js";
import { chooseReporter, type ReportMode } from "../../report/choose.js";
import type { Reporter } from "../../report/reporter.js";
import { readInputFile } from "../../files.js";

/** Which engine: the global -H/--host and --context flags (else the environment and docker's config). */
export interface EngineTarget {
  host?: string | undefined;
  context?: string | undefined;
}

export interface Deps {
  engine(target: EngineTarget): Engine;
  /** What the kernel of the engine's host says (listeners, sysctls), on top of an engine. */
  probes(engine: Engine): Probes;
  /** The X-Registry-Auth value for a reference's registry, from the user's docker credentials; null: none. */
  auth(ref: string): Promise<string | null>;
  clock: Clock;
  environ: Record<string, string | undefined>;
  /** A file the user named, through readInputFile: regular files only, a few MiB at most. */
  readFile(path: string): string;
  reporter(mode: ReportMode): Promise<Reporter>;
  signal?: AbortSignal;
  /**
   * A change is under way: Ctrl-C then stops it between steps and puts the pod back, and the
   * first line says so; a second Ctrl-C quits at once, and the second line says what is left.
   * Otherwise (ps, logs -f, stats) Ctrl-C just ends what is watched.
   */
  changing(lines: InterruptLines): void;
  /** Lets the process exit: closes what `engine` opened. */
  dispose(): void;
}

export interface InterruptLines {
  first: string;
  second: string;
}

/** What Ctrl-C means during a change of `pod` (down finishes; a change is put back). */
export function interruptLines(pod: string, down: boolean): InterruptLines {
  return {
    first: down
      ? `pod: down finishes what it began, so no half-removed pod ${pod} is left (Ctrl-C again to quit at once)`
      : `pod: stopping after the current step; pod ${pod} is put back as it was (Ctrl-C again to quit at once)`,
    second: `pod: quit at once: pod ${pod} may be left half-${down ? "removed" : "changed"}; its lock ${pod}-lock is taken over by the next pod command on this host: \`pod ps ${pod}\` shows what is left, ${down ? `\`pod down ${pod}\` finishes it` : "the same command again (or the agent) finishes it"}`,
  };
}

/** Filled in by the handler so the CLI's one error handler can print with the right reporter. */
export interface RunState {
  reporter?: Reporter;
}

function readOrNull(path: string): string | null {
  try {
    return readInputFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Credentials as the docker CLI finds them; the helpers' process machinery loads only when a pull needs it. */
export async function registryHeader(ref: string, env: Record<string, string | undefined>): Promise<string | null> {
  const parsed = parseReference(ref);
  if (parsed.kind !== "named") return null;
  const [{ registryAuth }, { systemCredentialDeps }] = await Promise.all([import("../../registry/credentials.js"), import("../../registry/system.js")]);
  return (await registryAuth(parsed, env, systemCredentialDeps()))?.header() ?? null;
}

export function defaultDeps(signal?: AbortSignal, changing: (lines: InterruptLines) => void = () => undefined): Deps {
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
    probes: (engine) => new Probes(engine),
    auth: (ref) => registryHeader(ref, process.env),
    clock: realClock,
    environ: process.env,
    readFile: readInputFile,
    reporter: (mode) => chooseReporter(mode, process.env),
    ...(signal ? { signal } : {}),
    changing,
    dispose: () => engines.forEach((e) => e.close()),
  };
}
