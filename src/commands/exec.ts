import type { Argv, CommandModule } from "yargs";
import { readPod } from "../state/snapshot.js";
import type { Deps, RunState } from "./shared/deps.js";
import { numeric } from "./shared/options.js";
import { ExitStatus, UsageError, notFound } from "../errors.js";
import { parsePodName, parseReplicas } from "../podspec/parse.js";
import { podExists } from "../state/observe.js";
import { replicaName } from "../state/labels.js";

interface ExecArgs {
  name: string;
  cmd?: string[];
  "--"?: string[];
  replica: string;
  interactive: boolean;
  tty: boolean;
  host?: string;
  context?: string;
}

export function execCommand(deps: Deps, state: RunState): CommandModule<object, ExecArgs> {
  return {
    command: "exec <name> [cmd..]",
    describe: "Run a command in a replica (replica 1 unless --replica N); pod exits with its exit code",
    builder: (y) =>
      (y
        .positional("name", { type: "string", demandOption: true })
        .positional("cmd", { type: "string", array: true, describe: "The command (after --)" })
        .option("replica", numeric("Which replica, by number", "1"))
        .option("interactive", { type: "boolean", alias: "i", default: false, describe: "Keep stdin open" })
        .option("tty", { type: "boolean", alias: "t", default: false, describe: "Give the command a terminal" })
        .example("$0 exec web -- /http_server -version", "run a command in web-1")
        .example("$0 exec web --replica 2 -it -- sh", "a shell in web-2 (if its image has one)") as unknown) as Argv<ExecArgs>,
    handler: async (args) => {
      state.reporter = await deps.reporter("human");
      const name = parsePodName(args.name);
      const number = parseReplicas(args.replica, "--replica");
      const cmd = [...(args.cmd ?? []), ...(args["--"] ?? [])].map(String);
      if (cmd.length === 0) throw new UsageError("pod exec needs a command to run", `write it after --, e.g. pod exec ${name} -- ls /`);
      if (args.tty && !process.stdin.isTTY) throw new UsageError("-t needs a terminal, and stdin is not one", "leave -t out when stdin is a pipe or a file");
      const engine = deps.engine(args);
      const pod = await readPod(engine, name);
      if (!podExists(pod)) throw notFound(name);
      const target = pod.replicas.find((r) => r.number === number && r.running && r.name === replicaName(name, number)) ?? pod.replicas.find((r) => r.number === number && r.running);
      if (!target) {
        const running = pod.replicas.filter((r) => r.running).map((r) => r.number);
        throw new UsageError(`pod ${name} has no running replica ${number}`, running.length > 0 ? `its running replicas: ${running.join(", ")}` : "none runs: `pod ps " + name + "` says why");
      }
      const raw = args.tty && process.stdin.isTTY;
      if (raw) process.stdin.setRawMode(true);
      try {
        const code = await engine.execAttached(target.id, cmd, {
          stdin: args.interactive ? process.stdin : null,
          stdout: process.stdout,
          stderr: process.stderr,
          tty: args.tty ? { rows: process.stdout.rows ?? 24, columns: process.stdout.columns ?? 80 } : null,
        });
        if (code !== 0) throw new ExitStatus(code);
      } finally {
        if (raw) process.stdin.setRawMode(false);
        if (args.interactive) process.stdin.pause();
      }
    },
  };
}
