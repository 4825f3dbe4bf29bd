// The root: registers the commands, and is the one place errors are printed and turned
// into an exit code. Nobody else calls process.exit.
import yargs, { type Argv } from "yargs";
import { agentCommand } from "../commands/agent.js";
import { downCommand } from "../commands/down.js";
import { historyCommand } from "../commands/history.js";
import { psCommand } from "../commands/ps.js";
import { restartCommand } from "../commands/restart.js";
import { rollbackCommand } from "../commands/rollback.js";
import { scaleCommand } from "../commands/scale.js";
import { setCommand } from "../commands/set.js";
import { upCommand } from "../commands/up.js";
import { PodError, UsageError } from "../errors.js";
import type { Deps, RunState } from "./deps.js";

export function buildParser(deps: Deps, state: RunState): Argv {
  return yargs()
    .scriptName("pod")
    .usage("$0 <command>\n\nRun N replicas of one server behind one published port, with no proxy.")
    // Arguments after -- reach the container verbatim: no number parsing anywhere.
    .parserConfiguration({ "populate--": true, "parse-numbers": false, "parse-positional-numbers": false })
    .command(upCommand(deps, state))
    .command(setCommand(deps, state))
    .command(scaleCommand(deps, state))
    .command(restartCommand(deps, state))
    .command(rollbackCommand(deps, state))
    .command(historyCommand(deps, state))
    .command(psCommand(deps, state))
    .command(downCommand(deps, state))
    .command(agentCommand(deps, state))
    .option("host", { type: "string", alias: "H", global: true, describe: "Engine to talk to, e.g. unix:///var/run/docker.sock or ssh://user@host" })
    .option("context", { type: "string", global: true, describe: "Docker context to use (see docker context ls)" })
    .option("debug", { type: "boolean", default: false, global: true, describe: "Print stacks with errors" })
    .demandCommand(1, "name a command: up, set, scale, restart, rollback, history, ps or down")
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

/** Runs one command line; returns the exit code. */
export async function run(argv: string[], deps: Deps): Promise<number> {
  const state: RunState = {};
  const debug = argv.includes("--debug");
  try {
    await buildParser(deps, state).parseAsync(argv);
    return 0;
  } catch (err) {
    const reporter = state.reporter ?? (await deps.reporter("human"));
    reporter.error(err, debug);
    return err instanceof PodError ? err.exitCode : 1;
  } finally {
    state.reporter?.close();
    deps.dispose();
  }
}
