import type { Argv, CommandModule } from "yargs";
import { readPod } from "../state/snapshot.js";
import { notFound } from "../errors.js";
import { recordedSpec } from "../state/observe.js";
import type { Deps, RunState } from "./shared/deps.js";
import { parsePodName } from "../podspec/parse.js";
import { podExists } from "../state/observe.js";

interface ExportArgs {
  name: string;
  to: "kubernetes" | "swarm" | "compose";
  host?: string;
  context?: string;
}

export function exportCommand(deps: Deps, state: RunState): CommandModule<object, ExportArgs> {
  return {
    command: "export <name>",
    describe: "The pod's recorded spec as Kubernetes objects, a Swarm stack or a compose file, on stdout",
    builder: (y) =>
      (y
        .positional("name", { type: "string", demandOption: true })
        .option("to", { type: "string", choices: ["kubernetes", "swarm", "compose"], demandOption: true, describe: "What to write" })
        .example("$0 export web --to kubernetes > web.yaml", "a Deployment and a Service (kubectl apply -f web.yaml)")
        .example("$0 export web --to swarm > stack.yaml", "a stack file (docker stack deploy -c stack.yaml web)")
        .example("$0 export web --to compose > compose.yaml", "a compose file that pod up -f runs again") as unknown) as Argv<ExportArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("human"));
      const name = parsePodName(args.name);
      const pod = await readPod(deps.engine(args), name);
      if (!podExists(pod)) throw notFound(name);
      const spec = recordedSpec(pod);
      // The exporters (and YAML) load only for this command.
      let out: { yaml: string; notes: string[] };
      if (args.to === "kubernetes") out = (await import("../export/kubernetes.js")).kubernetesExport(spec);
      else if (args.to === "swarm") out = (await import("../export/swarm.js")).swarmExport(spec);
      else out = { yaml: (await import("../export/compose.js")).toCompose(spec), notes: [] };
      for (const note of out.notes) reporter.warn(note);
      // The one place pod writes environment values: the file must run the pod elsewhere.
      if (spec.replica.env.length > 0) {
        reporter.warn(`the export carries the values of the pod's ${spec.replica.env.length} environment variable${spec.replica.env.length > 1 ? "s" : ""}: keep the file as private as they are`);
      }
      reporter.result(out.yaml.replace(/\n$/, ""));
    },
  };
}
