// The root: registers the commands, and is the one place errors are printed and turned
// into an exit code. Nobody else calls process.exit.
import { readFileSync } from "node:fs";
import yargs, { type Argv } from "yargs";
import { realClock } from "./clock.js";
import { downCommand } from "./commands/down.js";
import type { Deps, RunState } from "./commands/context.js";
import { psCommand } from "./commands/ps.js";
import { restartCommand } from "./commands/restart.js";
import { scaleCommand } from "./commands/scale.js";
import { upCommand } from "./commands/up.js";
import { DockerEngine, engineAddress } from "./engine.js";
import { PodError, UsageError } from "./errors.js";
import { chooseReporter, type Reporter } from "./report.js";

export function buildParser(deps: Deps, state: RunState): Argv {
  return yargs()
    .scriptName("pod")
    .usage("$0 <command>\n\nRun N replicas of one server behind one published port, with no proxy.")
    .parserConfiguration({ "populate--": true })
    .command(upCommand(deps, state))
    .command(scaleCommand(deps, state))
    .command(restartCommand(deps, state))
    .command(downCommand(deps, state))
    .command(psCommand(deps, state))
    .option("debug", { type: "boolean", default: false, describe: "Print stacks with errors" })
    .demandCommand(1, "name a command: up, scale, restart, down or ps")
    .strict()
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 120))
    .fail((message, err) => {
      if (err) throw err;
      throw new UsageError(message, "see `pod --help`");
    })
    .exitProcess(false);
}

export function defaultDeps(signal?: AbortSignal): Deps {
  let engine: DockerEngine | undefined;
  return {
    engine: () => (engine ??= new DockerEngine(engineAddress(process.env))),
    clock: realClock,
    environ: process.env,
    readFile: (path) => readFileSync(path, "utf8"),
    reporter: (json) => chooseReporter(json, process.env),
    ...(signal ? { signal } : {}),
  };
}

/** Runs one command line; returns the exit code. */
export async function run(argv: string[], deps: Deps): Promise<number> {
  const state: RunState = {};
  const debug = argv.includes("--debug");
  try {
    await buildParser(deps, state).parseAsync(argv);
    return 0;
  } catch (err) {
    const reporter: Reporter = state.reporter ?? deps.reporter(false);
    reporter.error(err, debug);
    return err instanceof PodError ? err.exitCode : 1;
  } finally {
    state.reporter?.close();
  }
}

/** The entry point of bin/pod: Ctrl-C asks the command to stop between steps; twice, at once. */
export async function main(argv: string[]): Promise<void> {
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write("\npod: stopping after the current step (Ctrl-C again to quit at once)\n");
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.exitCode = await run(argv, defaultDeps(abort.signal));
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}
