import type { CommandModule } from "yargs";
import { converge, observe, summary } from "../converge.js";
import { askedReplicas } from "../observe.js";
import { parsePodName, parseReplicas, parseSeconds } from "../spec.js";
import type { Deps, RunState } from "./context.js";
import { changeExisting, recordedSpec } from "./scale.js";
import { readyTimeoutOption } from "./up.js";

interface RestartArgs {
  name: string;
  parallel: string;
  timeout?: string;
  "ready-timeout": string;
  "dry-run": boolean;
}

export function restartCommand(deps: Deps, state: RunState): CommandModule<object, RestartArgs> {
  return {
    command: "restart <name>",
    describe: "Replace every replica with a fresh one of the same spec, start-first, one at a time",
    builder: (y) =>
      readyTimeoutOption(y)
        .positional("name", { type: "string", demandOption: true })
        .option("parallel", { type: "string", default: "1", describe: "Replicas replaced at once" })
        .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill" }),
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(false));
      const name = parsePodName(args.name);
      const parallel = parseReplicas(args.parallel, "--parallel") || 1;
      const readyTimeoutMs = parseSeconds("--ready-timeout", args["ready-timeout"]) * 1000;
      const stopTimeoutS = args.timeout !== undefined ? parseSeconds("--timeout", args.timeout) : null;
      await changeExisting(deps, reporter, name, async (engine, pod) => {
        const spec = recordedSpec(pod, askedReplicas(pod));
        await converge(deps, reporter, spec, pod, { restart: true, parallel, readyTimeoutMs, stopTimeoutS, dryRun: args["dry-run"] });
        if (!args["dry-run"]) reporter.result(summary(await observe(engine, name)));
      });
    },
  };
}
