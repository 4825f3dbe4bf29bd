// The root: registers the commands, and is the one place errors are printed and turned
// into an exit code. Nobody else calls process.exit.
import yargs, { type Argv, type CommandModule } from "yargs";
import { agentCommand } from "../commands/agent.js";
import { configCommand } from "../commands/config.js";
import { downCommand } from "../commands/down.js";
import { execCommand } from "../commands/exec.js";
import { exportCommand } from "../commands/export.js";
import { historyCommand } from "../commands/history.js";
import { inspectCommand } from "../commands/inspect.js";
import { statsCommand } from "../commands/stats.js";
import { logsCommand } from "../commands/logs.js";
import { psCommand } from "../commands/ps.js";
import { restartCommand } from "../commands/restart.js";
import { rollbackCommand } from "../commands/rollback.js";
import { scaleCommand } from "../commands/scale.js";
import { setCommand } from "../commands/set.js";
import { upCommand } from "../commands/up.js";
import { completeCommand, completionCommand } from "../commands/completion.js";
import { versionCommand } from "../commands/version.js";
import { redactingEngine } from "../engine/redacting.js";
import { PodError, UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { bindValues, commandWord, shapeOf, unknownOption, type CommandShape } from "../commands/shared/introspect.js";
import type { Deps, RunState } from "../commands/shared/deps.js";

/** Every command, in the order `pod --help` lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function commands(deps: Deps, state: RunState): CommandModule<any, any>[] {
  const shapes = (): CommandShape[] => commands(deps, state).map(shapeOf);
  return [
    upCommand(deps, state),
    setCommand(deps, state),
    scaleCommand(deps, state),
    restartCommand(deps, state),
    rollbackCommand(deps, state),
    historyCommand(deps, state),
    psCommand(deps, state),
    logsCommand(deps, state),
    execCommand(deps, state),
    inspectCommand(deps, state),
    statsCommand(deps, state),
    downCommand(deps, state),
    exportCommand(deps, state),
    configCommand(deps, state),
    agentCommand(deps, state),
    versionCommand(deps, state),
    completionCommand(deps, state),
    completeCommand(deps, state, shapes),
  ];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/** An unknown command, named, with the nearest one. */
function refuseUnknownCommand(argv: string[], modules: CommandModule<any, any>[]): void {
  const first = commandWord(argv);
  if (first === undefined || namedCommand(modules, argv) || first === "help") return;
  const names = modules.map((m) => String(m.command ?? "").split(" ")[0]!).filter((n) => !n.startsWith("__"));
  const near = names.map((n) => [n, distance(first, n)] as const).sort((a, b) => a[1] - b[1])[0];
  throw new UsageError(`unknown command "${first}"`, `${near && near[1] <= 2 ? `did you mean \`pod ${near[0]}\`? ` : ""}\`pod --help\` lists the commands`);
}

function refuseUnknownOption(argv: string[], shape: CommandShape): void {
  const unknown = unknownOption(argv, shape);
  if (!unknown) return;
  const { token, command } = unknown;
  if (token === "-d" || token === "--detach") {
    throw new UsageError(`unknown option ${token}`, `pod ${command} already runs detached: leave ${token} out`);
  }
  if (/^-[^-]{2,}/.test(token) && command === "up") {
    throw new UsageError(`unknown option ${token}`, 'an image name cannot start with "-"; see `pod up --help` for the options');
  }
  throw new UsageError(`unknown option ${token}`, `\`pod ${command} --help\` lists its options`);
}

/** The command a command line names, if it names one: its module alone is registered then. */
function namedCommand(modules: CommandModule<any, any>[], argv: string[]): CommandModule<any, any> | undefined {
  const first = commandWord(argv);
  return modules.find((m) => {
    const name = String(m.command ?? "").split(" ")[0];
    const aliases = Array.isArray(m.aliases) ? m.aliases : m.aliases ? [m.aliases] : [];
    return name === first || aliases.includes(first);
  });
}

/**
 * The parser. Given the command line, only the command it names is registered (start-up
 * time: `pod ps` need not build sixteen other commands); without one, all of them, for the
 * listing, suggestions and errors.
 */
export function buildParser(deps: Deps, state: RunState, argv?: string[], all = commands(deps, state)): Argv {
  const named = argv ? namedCommand(all, argv) : undefined;
  const modules = named ? [named] : all;
  let parser = yargs();
  for (const m of modules) parser = parser.command(m);
  return parser
    .scriptName("pod")
    .usage("$0 <command>\n\nRun N replicas of one server behind one published port, with no proxy.")
    // Arguments after -- reach the container verbatim: no number parsing anywhere.
    .parserConfiguration({ "populate--": true, "parse-numbers": false, "parse-positional-numbers": false })
    .command({
      command: "help [command]",
      describe: "Help for a command: pod help up",
      // run() reads `pod help X` as `pod X --help`; this entry lists it.
      handler: () => undefined,
    })
    .option("host", { type: "string", alias: "H", global: true, describe: "Engine to talk to, e.g. unix:///var/run/docker.sock or ssh://user@host" })
    .option("context", { type: "string", global: true, describe: "Docker context to use (see docker context ls)" })
    .option("debug", { type: "boolean", default: false, global: true, describe: "Print stacks with errors" })
    .demandCommand(1, "name a command, e.g. pod up, pod ps (pod --help lists them)")
    .strict()
    .help()
    .alias("h", "help")
    .version("version", "Show pod's version", VERSION)
    .wrap(Math.min(120, process.stdout.columns || 120))
    .fail((message, err) => {
      if (err) throw err;
      throw usageFromYargs(message, named);
    })
    .exitProcess(false);
}

/** yargs's own complaints, as one line that says what to do. */
function usageFromYargs(message: string, named: CommandModule<any, any> | undefined): UsageError {
  const words = String(named?.command ?? "").split(" ");
  const help = named ? `\`pod ${words[0]} --help\` shows how` : "`pod --help` lists the commands";
  if (/^Not enough non-option arguments/.test(message) && named) {
    const missing = words.filter((w) => w.startsWith("<")).map((w) => w.slice(1, -1).toUpperCase());
    return new UsageError(`pod ${words[0]} needs ${missing.join(" and ")}`, help);
  }
  const choice = /Argument: ([\w-]+), Given: ("[^"]*"), Choices: (.*)$/s.exec(message);
  if (choice) {
    const [, arg, given, choices] = choice;
    const option = words.some((w) => w.replace(/[<>[\].]/g, "") === arg) ? "" : `--${arg} `;
    return new UsageError(`${option}${given} is not one of ${choices!.replace(/"/g, "")}`, help);
  }
  return new UsageError(message.replace(/\s*\n\s*/g, " "), help);
}

/** Runs one command line; returns the exit code. */
export async function run(argv: string[], given: Deps): Promise<number> {
  const state: RunState = {};
  // Engine errors can echo env values: hidden before any command sees them.
  const deps: Deps = { ...given, engine: (target) => redactingEngine(given.engine(target)) };
  const debug = argv.includes("--debug");
  try {
    if (commandWord(argv) === "help") {
      const i = argv.indexOf("help");
      const topic = argv[i + 1];
      argv = [...argv.slice(0, i), ...(topic && !topic.startsWith("-") ? [topic, "--help"] : ["--help"])];
    }
    const all = commands(deps, state);
    refuseUnknownCommand(argv, all);
    // Only a line with options needs the command's shape (a yargs instance of its own).
    const named = namedCommand(all, argv);
    if (named && argv.some((t) => t.startsWith("-") && t !== "--")) {
      const shape = shapeOf(named);
      refuseUnknownOption(argv, shape);
      argv = bindValues(argv, shape);
    }
    // Help and --version text goes through the reporter like every other output.
    let output = "";
    await buildParser(deps, state, argv, all).parseAsync(argv, {}, (_err, _argv, text) => {
      output = text;
    });
    if (output) (state.reporter ??= await deps.reporter("human")).result(output);
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
