import type { Argv, CommandModule } from "yargs";
import { runChange } from "./shared/change.js";
import { recordedSpec } from "../state/observe.js";
import type { Deps, RunState } from "./shared/deps.js";
import { changeOptions, changeSettings, healthOptions, numeric, repeatable, type ChangeFlags } from "./shared/options.js";
import { UsageError } from "../errors.js";
import { applySetFlags, type SetFlags } from "../podspec/flags.js";
import { parseAutoUpdate, parsePullPolicy } from "../podspec/image-flags.js";
import { namesHealth } from "../podspec/health.js";
import { parsePodName } from "../podspec/parse.js";
import type { PodSpec } from "../podspec/types.js";

type SetArgs = SetFlags & ChangeFlags & { name: string; pull?: string; "auto-update"?: boolean; "auto-update-interval"?: string };

export function setCommand(deps: Deps, state: RunState): CommandModule<object, SetArgs> {
  return {
    command: "set <name> [command..]",
    describe: "Change only what you name, starting from the pod's recorded spec (image, env, replicas, limits)",
    builder: (y) =>
      healthOptions(changeOptions(y))
        .positional("name", { type: "string", demandOption: true })
        .positional("command", { type: "string", array: true, describe: "A new command for every replica (or after --)" })
        .option("image", { type: "string", describe: "A new image" })
        .option("replicas", numeric("A new replica count"))
        .option("env", { ...repeatable, alias: "e", describe: "Set KEY=VALUE (or KEY to pass yours)" })
        .option("env-file", { ...repeatable, describe: "Set the KEY=VALUE lines of a file" })
        .option("env-rm", { ...repeatable, describe: "Remove the variable KEY" })
        .option("label", { ...repeatable, alias: "l", describe: "Set a label KEY=VALUE" })
        .option("label-rm", { ...repeatable, describe: "Remove the label KEY" })
        .option("user", { type: "string", alias: "u", describe: "A new USER[:GROUP] (\"\" for the image's)" })
        .option("memory", { type: "string", alias: "m", describe: "A new memory limit (\"\" for none)" })
        .option("cpus", numeric("A new CPU limit (\"\" for none)"))
        .option("stop-timeout", numeric("A new drain time in seconds"))
        .option("parallel", numeric("Replicas replaced at once, from now on"))
        .option("pull", { type: "string", describe: "With --image: missing (default), always or never, as docker run --pull" })
        .option("auto-update", { type: "boolean", describe: "Opt in to (or, --no-auto-update, out of) following the image's tag" })
        .option("auto-update-interval", numeric("Seconds between the agent's registry checks"))
        .example("$0 set web --image http_server:v2", "a new image, everything else as recorded")
        .example("$0 set web -e LOG=debug --env-rm OLD", "change the environment")
        .example("$0 set web --health-http /health --health-retries 2", "check each replica's /health from now on") as unknown as Argv<SetArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      const name = parsePodName(args.name);
      const named = [args.image, args.replicas, args.user, args.memory, args.cpus, args["stop-timeout"], args.parallel, args["auto-update"], args["auto-update-interval"]].some((v) => v !== undefined);
      const lists = [args.env, args["env-file"], args["env-rm"], args.label, args["label-rm"], args.command ?? [], args["--"] ?? []].some((l) => l.length > 0);
      if (!named && !lists && !namesHealth(args)) {
        throw new UsageError(`pod set ${name} names nothing to change`, "give at least one of --image, -e, --env-rm, --replicas, -u, --memory, --cpus, -l, --health-*, a command, …");
      }
      // Parse once before any engine call, so bad input fails first; applied to the record under the lock.
      applySetFlags(PLACEHOLDER, args, deps);
      const policy = parsePullPolicy(args.pull);
      const autoUpdate = args["auto-update"] === undefined && args["auto-update-interval"] === undefined ? undefined : parseAutoUpdate(args["auto-update"] ?? true, args["auto-update-interval"]);
      const withSettings = (spec: PodSpec): PodSpec => (autoUpdate === undefined ? spec : { ...spec, autoUpdate });
      await runChange(deps, reporter, {
        ...changeSettings(args),
        pod: name,
        ...(args.image !== undefined ? { image: { ref: args.image, policy } } : {}),
        desired: (observed) => ({ spec: withSettings(applySetFlags(recordedSpec(observed), args, deps)), cause: "set" }),
        recreate: false,
        mustExist: true,
      });
    },
  };
}

/**
 * A spec to check `set`'s flags against before the record is read: a TCP port and pod's probe,
 * so only the flags themselves can fail here (whether --health-port fits the recorded check
 * is known under the lock).
 */
const PLACEHOLDER = {
  name: "placeholder",
  replicas: 1,
  network: { balance: "reuseport", ports: [{ hostIp: "", hostPort: 80, containerPort: 80, protocol: "tcp" }], networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
  replica: {
    image: "x", imageId: "x", entrypoint: null, command: [], env: [], labels: {}, volumes: [], user: null, memoryBytes: null, nanoCpus: null, stopTimeoutS: null, stopSignal: null,
    health: { check: { kind: "tcp", port: null }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null },
  },
  update: { parallel: 1, order: "start-first" },
} as const satisfies Parameters<typeof applySetFlags>[0];
