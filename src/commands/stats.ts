import type { CommandModule } from "yargs";
import { readPod } from "../state/snapshot.js";
import { notFound } from "../errors.js";
import type { Deps, RunState } from "./shared/deps.js";
import type { Engine } from "../engine/engine.js";
import type { StatsSample } from "../engine/types.js";
import { formatStats, statsRows } from "../report/stats.js";
import { parsePodName } from "../podspec/parse.js";
import { podExists } from "../state/observe.js";

interface StatsArgs {
  name: string;
  stream: boolean;
  json: boolean;
  host?: string;
  context?: string;
}

async function sample(engine: Engine, name: string) {
  const pod = await readPod(engine, name);
  if (!podExists(pod)) throw notFound(name);
  const running = pod.replicas.filter((r) => r.running);
  const [sandbox, ...samples] = await Promise.all([pod.sandbox?.running ? engine.stats(pod.sandbox.id) : null, ...running.map((r) => engine.stats(r.id))]);
  const replicas = running.map((r, i) => ({ name: r.name, sample: samples[i] })).filter((r): r is { name: string; sample: StatsSample } => r.sample !== null && r.sample !== undefined);
  const spec = pod.record?.spec;
  return statsRows(replicas, sandbox ?? null, (spec?.network.balance ?? "reuseport") === "reuseport", spec?.replica.memoryBytes != null);
}

export function statsCommand(deps: Deps, state: RunState): CommandModule<object, StatsArgs> {
  return {
    command: "stats <name>",
    describe: "CPU, memory, network and block I/O of each replica and of the pod; live on a terminal",
    builder: (y) =>
      y
        .positional("name", { type: "string", demandOption: true })
        .option("stream", { type: "boolean", default: true, describe: "Keep updating on a terminal (--no-stream: one sample)" })
        .option("json", { type: "boolean", default: false, describe: "One sample as JSON" })
        .example("$0 stats web", "live, on a terminal")
        .example("$0 stats web --no-stream", "one sample"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "document" : "human"));
      const name = parsePodName(args.name);
      const engine = deps.engine(args);
      const live = args.stream && !args.json && process.stdout.isTTY === true;
      do {
        const table = await sample(engine, name);
        if (args.json) return reporter.result("", table);
        // Redraw in place, as docker stats does on a terminal.
        reporter.result(`${live ? "\x1b[2J\x1b[H" : ""}${formatStats(table)}`);
      } while (live && !deps.signal?.aborted);
    },
  };
}
