import type { CommandModule } from "yargs";
import { runChange } from "./shared/change.js";
import { recordedSpec } from "../state/observe.js";
import type { Deps, RunState } from "./shared/deps.js";
import { changeOptions, changeSettings, type ChangeFlags } from "./shared/options.js";
import { parsePodName, parseReplicas } from "../podspec/parse.js";

interface ScaleArgs extends ChangeFlags {
  name: string;
  replicas: string;
}

export function scaleCommand(deps: Deps, state: RunState): CommandModule<object, ScaleArgs> {
  return {
    command: "scale <name> <replicas>",
    describe: "Converge a pod to N replicas: add the lowest free numbers, stop the highest gracefully",
    builder: (y) =>
      changeOptions(y)
        .positional("name", { type: "string", demandOption: true })
        .positional("replicas", { type: "string", demandOption: true })
        .example("$0 scale web 5", "five replicas of web's recorded spec")
        .example("$0 scale web 0", "keep the sandbox and its port, stop every replica"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      const name = parsePodName(args.name);
      const replicas = parseReplicas(args.replicas, "replicas");
      await runChange(deps, reporter, {
        ...changeSettings(args),
        pod: name,
        desired: (observed) => ({ spec: { ...recordedSpec(observed), replicas }, cause: `scale to ${replicas}` }),
        recreate: false,
        mustExist: true,
      });
    },
  };
}
