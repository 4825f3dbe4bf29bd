import type { CommandModule } from "yargs";
import { runChange } from "./shared/change.js";
import { recordedSpec } from "../state/observe.js";
import type { Deps, RunState } from "./shared/deps.js";
import { changeOptions, changeSettings, numeric, type ChangeFlags } from "./shared/options.js";
import { parseParallel, parsePodName } from "../podspec/parse.js";

interface RestartArgs extends ChangeFlags {
  name: string;
  parallel?: string;
}

export function restartCommand(deps: Deps, state: RunState): CommandModule<object, RestartArgs> {
  return {
    command: "restart <name>",
    describe: "Replace every replica with a fresh one of the same spec, start-first",
    builder: (y) =>
      changeOptions(y)
        .positional("name", { type: "string", demandOption: true })
        .option("parallel", { ...numeric("Replicas replaced at once (default: the pod's)"), group: "Change:" })
        .example("$0 restart web", "fresh replicas, one at a time, none lost"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      const name = parsePodName(args.name);
      const parallel = args.parallel !== undefined ? parseParallel(args.parallel) : null;
      await runChange(deps, reporter, {
        ...changeSettings(args),
        pod: name,
        desired: (observed) => {
          const spec = recordedSpec(observed);
          return { spec: parallel === null ? spec : { ...spec, update: { ...spec.update, parallel } }, cause: "restart" };
        },
        restart: true,
        recreate: false,
        mustExist: true,
      });
    },
  };
}
