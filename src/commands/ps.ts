import type { CommandModule } from "yargs";
import { loadComposeProject } from "./shared/compose.js";
import type { Deps, RunState } from "./shared/deps.js";
import { repeatable } from "./shared/options.js";
import { PodNotFoundError, UsageError } from "../errors.js";
import { formatForeign, formatHealthNotes, formatPodTable, formatReplicaTable } from "../report/format.js";
import { viewDocument } from "../report/inspect.js";
import { Label } from "../state/labels.js";
import { podExists } from "../state/observe.js";
import { lastExitsFrom, podView } from "../state/status.js";
import { observeView, observeViews } from "../watch/views.js";

interface PsArgs {
  name?: string;
  file?: string;
  "project-name"?: string;
  profile: string[];
  json: boolean;
  quiet: boolean;
  format?: string;
  host?: string;
  context?: string;
}

export function psCommand(deps: Deps, state: RunState): CommandModule<object, PsArgs> {
  return {
    command: "ps [name]",
    aliases: ["ls"],
    describe: "List every pod on the engine; with a name, each of its replicas and why it serves or not",
    builder: (y) =>
      y
        .option("json", { type: "boolean", default: false, describe: "A JSON array, stable for scripts (same as --format json)" })
        .option("format", { type: "string", describe: "table or json" })
        .option("quiet", { type: "boolean", alias: "q", default: false, describe: "Only pod names" })
        .option("file", { type: "string", alias: "f", describe: "Only the pods of a compose file's services" })
        .option("project-name", { type: "string", alias: "p", describe: "With -f: pods are named PROJECT-SERVICE" })
        .option("profile", { ...repeatable, describe: "With -f: services of this profile too (default: COMPOSE_PROFILES)" })
        .example("$0 ps", "every pod")
        .example("$0 ps web", "pod web and each replica: state, restarts, last exit, OOM")
        .example("$0 ps -f compose.yaml", "the pods of a compose file"),
    handler: async (args) => {
      const format = args.format ?? (args.json ? "json" : "table");
      if (format !== "json" && format !== "table") throw new UsageError(`--format ${format} is not a format pod knows`, "use table or json");
      const reporter = (state.reporter = await deps.reporter(format === "json" ? "document" : "human"));
      const engine = deps.engine(args);
      // The file's warnings are up's to say: ps only finds its pods.
      const fromFile = args.file === undefined ? null : new Set((await loadComposeProject(deps, reporter, { file: args.file, projectName: args["project-name"] ?? null, services: [], profiles: args.profile, warn: false })).services.map((p) => p.spec.name));
      const probes = deps.probes(engine);
      // With a name, only that pod is read.
      const all = (args.name !== undefined ? await observeView(engine, probes, args.name) : await observeViews(engine, probes)).filter((p) => fromFile === null || fromFile.has(p.view.name));
      const found = all.filter((p) => podExists(p.pod));
      if (args.name !== undefined && found.length === 0) {
        const ignored = all.flatMap((p) => formatForeign(p.view));
        throw new PodNotFoundError(`no pod named ${args.name} on the engine${ignored.length > 0 ? ` (${ignored.length} containers carry its labels, but pod did not make them)` : ""}`, "`pod ps` lists the pods");
      }
      const now = deps.clock.now();
      let pods = found.map((p) => p.view);
      if (args.name !== undefined) {
        // A restarted replica's state forgets its last exit: the engine's recent events remember.
        const { pod, view } = found[0]!;
        const since = Math.min(now, ...pod.replicas.map((r) => r.created));
        const exits = lastExitsFrom(await engine.pastEvents([`${Label.pod}=${pod.name}`], since).catch(() => []));
        pods = [podView(pod, view.listeners, exits)];
      }
      if (args.quiet) return reporter.result(pods.map((v) => v.name).join("\n"), pods.map((v) => v.name));
      if (format === "json") return reporter.result("", pods.map(viewDocument));
      if (pods.length === 0) return reporter.result("no pods", []);
      const table = formatPodTable(pods, now);
      if (args.name === undefined) return reporter.result(table, pods);
      const v = pods[0]!;
      const notes = formatHealthNotes(v);
      reporter.result([table, "", formatReplicaTable(v, now), ...(notes.length > 0 ? ["", ...notes] : []), ...(v.foreign.length > 0 ? ["", ...formatForeign(v)] : [])].join("\n"), pods);
    },
  };
}

