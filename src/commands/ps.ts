import type { CommandModule } from "yargs";
import { Label } from "../labels.js";
import { observeAll } from "../observe.js";
import { PodNotFoundError } from "../errors.js";
import { formatPodTable, formatReplicaTable, podRow } from "../status.js";
import type { Deps, RunState } from "./context.js";

interface PsArgs {
  name?: string;
  json: boolean;
}

export function psCommand(deps: Deps, state: RunState): CommandModule<object, PsArgs> {
  return {
    command: "ps [name]",
    aliases: ["ls"],
    describe: "List every pod on the engine; with a name, that pod's replicas and the spec each runs",
    builder: (y) => y.option("json", { type: "boolean", default: false, describe: "A JSON array, stable for scripts" }),
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(args.json));
      const containers = await deps.engine().listContainers([Label.pod]);
      const rows = observeAll(containers)
        .map(podRow)
        .filter((r) => args.name === undefined || r.name === args.name);
      if (args.name !== undefined && rows.length === 0) {
        throw new PodNotFoundError(`no pod named ${args.name} on the engine`, "`pod ps` lists the pods");
      }
      if (args.json) {
        reporter.result(JSON.stringify(rows, null, 2));
      } else if (rows.length === 0) {
        reporter.result("no pods");
      } else {
        const table = formatPodTable(rows, Math.floor(deps.clock.now() / 1000));
        reporter.result(args.name === undefined ? table : `${table}\n\n${formatReplicaTable(rows[0]!)}`);
      }
    },
  };
}
