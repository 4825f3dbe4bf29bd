import type { CommandModule } from "yargs";
import { LOCK_TIMEOUT_MS } from "../apply/lock.js";
import { flowDeps, RemovePod, reportChange, runChange } from "./shared/change.js";
import { loadComposeProject } from "./shared/compose.js";
import { interruptLines } from "./shared/deps.js";
import type { Deps, RunState } from "./shared/deps.js";
import { numeric, repeatable, stopTimeout } from "./shared/options.js";
import { UsageError } from "../errors.js";
import type { Reporter } from "../report/reporter.js";
import { parsePodName } from "../podspec/parse.js";

interface DownArgs {
  name?: string;
  services?: string[];
  file?: string;
  "project-name"?: string;
  profile: string[];
  volumes: boolean;
  timeout?: string;
  "dry-run": boolean;
  json: boolean;
  host?: string;
  context?: string;
}

export function downCommand(deps: Deps, state: RunState): CommandModule<object, DownArgs> {
  return {
    command: "down [name] [services..]",
    describe: "Stop and remove every replica, then the sandbox and the pod's record",
    builder: (y) =>
      y
        .positional("name", { type: "string", describe: "The pod; with -f, a service of the file" })
        .option("file", { type: "string", alias: "f", describe: "A compose file: remove the pods of its services (or those named), dependents first" })
        .option("project-name", { type: "string", alias: "p", describe: "With -f: pods are named PROJECT-SERVICE" })
        .option("profile", { ...repeatable, describe: "With -f: services of this profile too (default: COMPOSE_PROFILES)" })
        .option("volumes", { type: "boolean", alias: "v", default: false, describe: "With -f: remove the project's named volumes too (never external ones)" })
        .option("timeout", { ...numeric("Seconds to drain before a kill (default: the replica's stop timeout)"), alias: "t" })
        .option("dry-run", { type: "boolean", default: false, describe: "Print the plan and change nothing" })
        .option("json", { type: "boolean", default: false, describe: "Progress as NDJSON events on stdout, then the result" })
        .example("$0 down web", "remove pod web")
        .example("$0 down -f compose.yaml", "remove the project: its pods, dependents first, and the networks pod made")
        .example("$0 down -f compose.yaml -v", "and its named volumes"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      if (args.file !== undefined) {
        const services = [args.name, ...(args.services ?? [])].filter((s): s is string => typeof s === "string");
        // Named services alone, without what they depend on, dependents first; the file's warnings are up's to say.
        const project = await loadComposeProject(deps, reporter, { file: args.file, projectName: args["project-name"] ?? null, services, profiles: args.profile, withDependencies: false, warn: false });
        const engine = deps.engine(args);
        if (!args["dry-run"]) deps.changing(interruptLines(project.name, true));
        const { downProject } = await import("../apply/project.js");
        const command = { ...RemovePod, target: { host: args.host, context: args.context }, stopTimeoutS: stopTimeout(args.timeout), readyTimeoutMs: 0, recreate: true, mustExist: false, dryRun: args["dry-run"] };
        await downProject(flowDeps(deps, engine, reporter), project, {
          dryRun: args["dry-run"],
          flow: { lockTimeoutMs: LOCK_TIMEOUT_MS },
          stopTimeoutS: command.stopTimeoutS,
          volumes: args.volumes,
          only: services.length > 0,
          onService: (plan, result) => reportChange(deps, reporter, { ...command, pod: plan.spec.name }, result, deps.clock.now()),
        });
        return;
      }
      if (args.name === undefined) throw new UsageError("pod down needs a pod's name, or -f and a compose file", "`pod ps` lists the pods");
      await downOne(deps, reporter, args, parsePodName(args.name));
    },
  };
}

/** Down is the change whose desired state is "absent": replicas, then the sandbox, then the record, under the pod's lock. */
async function downOne(deps: Deps, reporter: Reporter, args: DownArgs, name: string): Promise<void> {
  await runChange(deps, reporter, {
    ...RemovePod,
    pod: name,
    target: { host: args.host, context: args.context },
    stopTimeoutS: stopTimeout(args.timeout),
    readyTimeoutMs: 0,
    recreate: true,
    mustExist: false,
    dryRun: args["dry-run"],
  });
}
