import { existsSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import type { Reporter } from "../report/reporter.js";
import { loadComposeProject } from "./shared/compose.js";
import { readPod } from "../state/snapshot.js";
import type { Deps, RunState } from "./shared/deps.js";
import { numeric } from "./shared/options.js";
import { UsageError, notFound } from "../errors.js";
import { formatLogLine } from "../report/logs.js";
import { parsePodName, parseSince } from "../podspec/parse.js";
import { podExists } from "../state/observe.js";
import { followLogs, readLogs } from "../watch/logs.js";

interface LogsArgs {
  name?: string;
  file?: string;
  "project-name"?: string;
  replicas?: string[];
  follow: boolean;
  tail?: string;
  since?: string;
  timestamps: boolean;
  previous: boolean;
  host?: string;
  context?: string;
}

export function logsCommand(deps: Deps, state: RunState): CommandModule<object, LogsArgs> {
  return {
    command: "logs [name] [replicas..]",
    describe: "Every replica's output, merged in time order, each line prefixed by its replica",
    builder: (y) =>
      (y
        .positional("name", { type: "string", describe: "The pod; with --file, a service of the file" })
        .positional("replicas", { type: "string", array: true, describe: "Replica numbers or names (default: all)" })
        .option("follow", { type: "boolean", alias: "f", default: false, describe: "Keep following, replicas that start later included" })
        .option("tail", numeric("Only the last N lines of each replica (all: every line)"))
        .option("since", { type: "string", describe: "Only lines since a time: 10m, 1h, 2026-11-22T10:00:00Z" })
        .option("timestamps", { type: "boolean", alias: "t", default: false, describe: "Show the engine's timestamps" })
        .option("previous", { type: "boolean", default: false, describe: "The last replaced or failed container of each replica number" })
        .option("file", { type: "string", describe: "A compose file: NAME and what follows are its services (default: all), their lines merged", group: "Compose:" })
        .option("project-name", { type: "string", describe: "With --file: the project's name", group: "Compose:" })
        .example("$0 logs web", "every replica's lines, in time order")
        .example("$0 logs web 2 -f --tail 10", "follow replica 2")
        .example("$0 logs web --previous", "why the last change failed, after its rollback")
        .example("$0 logs --file compose.yaml api web -f", "a compose project's services, merged, followed") as unknown) as Argv<LogsArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("human"));
      // `pod logs -f compose.yaml`, as docker compose users type it (`docker compose -f FILE
      // logs`): a compose file in the pod's place reads as --file, and the -f before it named
      // the file, so it does not also follow; `pod logs --file FILE -f` follows.
      if (args.file !== undefined) return projectLogs(deps, reporter, { ...args, name: args.name ?? "" });
      if (args.name === undefined) throw new UsageError("pod logs needs a pod's name, or --file and a compose file", "`pod ps` lists the pods");
      if (/\.ya?ml$/.test(args.name) && existsSync(args.name)) return projectLogs(deps, reporter, { ...args, file: args.name, name: "", follow: false });
      const name = parsePodName(args.name);
      const numbers = (args.replicas ?? []).map((r) => {
        const n = Number(/^\d+$/.test(r) ? r : r.startsWith(`${name}-`) ? r.slice(name.length + 1) : NaN);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${r}" is not a replica of pod ${name}`, `name replicas by number (1, 2) or by name (${name}-1)`);
        return n;
      });
      // "all" is docker's spelling of no limit.
      const tail = args.tail === undefined || args.tail === "all" ? null : /^\d+$/.test(args.tail) ? Number(args.tail) : NaN;
      if (Number.isNaN(tail)) throw new UsageError(`--tail "${args.tail}" is not a number of lines`, "give a whole number, e.g. --tail 20, or all");
      const since = args.since === undefined ? null : parseSince(args.since, deps.clock.now());
      const engine = deps.engine(args);
      const pod = await readPod(engine, name);
      if (!podExists(pod)) throw notFound(name);
      const request = { pod: name, numbers, follow: args.follow, tail, since, previous: args.previous };
      const kept = args.previous ? pod.previous : pod.replicas;
      // A number with no container would print nothing and succeed, as if it had no output.
      const missing = numbers.find((n) => !kept.some((c) => c.number === n) && !(args.follow && !args.previous && n <= (pod.record?.spec.replicas ?? 0)));
      if (missing !== undefined) {
        const have = [...new Set(kept.map((c) => c.number))].sort((a, b) => a - b);
        throw new UsageError(
          `pod ${name} has no ${args.previous ? "previous container of replica" : "replica"} ${missing}`,
          have.length > 0 ? `its ${args.previous ? "previous containers are of replicas" : "replicas are"} ${have.join(", ")}` : "`pod ps " + name + "` shows its replicas",
        );
      }
      const containers = kept.filter((c) => numbers.length === 0 || numbers.includes(c.number)).map((c) => c.name);
      const format = {
        width: Math.max(0, ...containers.map((c) => c.length)),
        timestamps: args.timestamps,
        colour: process.stdout.isTTY === true && !deps.environ.NO_COLOR,
      };
      if (args.previous && pod.previous.length === 0) reporter.note(`pod ${name} keeps no previous container: nothing was replaced or failed since its last successful change`);
      const stop = new AbortController();
      deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
      if (!args.follow) {
        for (const line of await readLogs(engine, pod, request, stop.signal)) reporter.result(formatLogLine(line, format));
        return;
      }
      await followLogs(engine, pod, request, stop.signal, (line) => reporter.result(formatLogLine(line, { ...format, width: Math.max(format.width, line.container.length) })));
    },
  };
}

/** A compose project's services (or those named), every replica's lines merged across them. */
async function projectLogs(deps: Deps, reporter: Reporter, args: LogsArgs): Promise<void> {
  const services = [args.name ?? "", ...(args.replicas ?? [])].filter((s) => s !== "");
  const project = await loadComposeProject(deps, reporter, { file: args.file!, projectName: args["project-name"] ?? null, services, profiles: [], withDependencies: false, warn: false });
  const engine = deps.engine(args);
  const pods = (await Promise.all(project.services.map((s) => readPod(engine, s.spec.name)))).filter(podExists);
  if (pods.length === 0) throw new UsageError(`no pod of ${args.file} is on the engine`, "`pod up --file " + args.file + "` brings the project up");
  const tail = args.tail === undefined || args.tail === "all" ? null : Number(args.tail);
  if (Number.isNaN(tail)) throw new UsageError(`--tail "${args.tail}" is not a number of lines`, "give a whole number, e.g. --tail 20, or all");
  const since = args.since === undefined ? null : parseSince(args.since, deps.clock.now());
  const width = Math.max(0, ...pods.flatMap((p) => p.replicas.map((r) => r.name.length)));
  const format = { width, timestamps: args.timestamps, colour: process.stdout.isTTY === true && !deps.environ.NO_COLOR };
  const stop = new AbortController();
  deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const request = (pod: string) => ({ pod, numbers: [], follow: args.follow, tail, since, previous: args.previous });
  if (!args.follow) {
    const lines = (await Promise.all(pods.map((p) => readLogs(engine, p, request(p.name), stop.signal)))).flat().sort((a, b) => a.time - b.time);
    for (const line of lines) reporter.result(formatLogLine(line, format));
    return;
  }
  await Promise.all(pods.map((p) => followLogs(engine, p, request(p.name), stop.signal, (line) => reporter.result(formatLogLine(line, { ...format, width: Math.max(format.width, line.container.length) })))));
}
