import type { CommandModule } from "yargs";
import { readPod } from "../state/snapshot.js";
import { notFound } from "../errors.js";
import type { Deps, RunState } from "./shared/deps.js";
import { inspectDocument } from "../report/inspect.js";
import { parsePodName } from "../podspec/parse.js";
import { Label } from "../state/labels.js";
import { podExists } from "../state/observe.js";
import { lastExitsFrom, podView } from "../state/status.js";
import { listeners } from "../watch/views.js";

interface InspectArgs {
  name: string;
  host?: string;
  context?: string;
}

export function inspectCommand(deps: Deps, state: RunState): CommandModule<object, InspectArgs> {
  return {
    command: "inspect <name>",
    describe: "JSON of a pod: its record, spec, network, each replica and its generations",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }).example("$0 inspect web", "everything pod knows of web"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("document"));
      const name = parsePodName(args.name);
      const engine = deps.engine(args);
      const pod = await readPod(engine, name);
      if (!podExists(pod)) throw notFound(name);
      const since = Math.min(deps.clock.now(), ...pod.replicas.map((r) => r.created));
      const exits = lastExitsFrom(await engine.pastEvents([`${Label.pod}=${name}`], since).catch(() => []));
      reporter.result("", inspectDocument(pod, podView(pod, await listeners(deps.probes(engine), pod), exits)));
    },
  };
}
