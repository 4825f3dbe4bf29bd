import type { CommandModule } from "yargs";
import { Label } from "../labels.js";
import { observeAll } from "../observe.js";
import { formatPodTable, podRow } from "../status.js";
import type { Deps, RunState } from "./context.js";

interface PsArgs {
  json: boolean;
}

export function psCommand(deps: Deps, state: RunState): CommandModule<object, PsArgs> {
  return {
    command: "ps",
    aliases: ["ls"],
    describe: "List every pod on the engine",
    builder: (y) => y.option("json", { type: "boolean", default: false, describe: "A JSON array, stable for scripts" }),
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(args.json));
      const containers = await deps.engine().listContainers([Label.pod]);
      const rows = observeAll(containers).map(podRow);
      if (args.json) {
        reporter.result(JSON.stringify(rows, null, 2));
      } else if (rows.length === 0) {
        reporter.result("no pods");
      } else {
        reporter.result(formatPodTable(rows, Math.floor(deps.clock.now() / 1000)));
      }
    },
  };
}
