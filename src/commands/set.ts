import type { Argv, CommandModule } from "yargs";
import { recordedSpec, runChange } from "../cli/change.js";
import type { Deps, RunState } from "../cli/deps.js";
import { changeOptions, changeSettings, numeric, repeatable, type ChangeFlags } from "../cli/options.js";
import { UsageError } from "../errors.js";
import { applySetFlags, type SetFlags } from "../spec/flags.js";
import { parsePodName } from "../spec/parse.js";

type SetArgs = SetFlags & ChangeFlags & { name: string };

export function setCommand(deps: Deps, state: RunState): CommandModule<object, SetArgs> {
  return {
    command: "set <name> [command..]",
    describe: "Change only what you name, starting from the pod's recorded spec (image, env, replicas, limits)",
    builder: (y) =>
      changeOptions(y)
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
        .example("$0 set web --image http_server:v2", "a new image, everything else as recorded")
        .example("$0 set web -e LOG=debug --env-rm OLD", "change the environment") as unknown as Argv<SetArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      const name = parsePodName(args.name);
      const named = [args.image, args.replicas, args.user, args.memory, args.cpus, args["stop-timeout"], args.parallel].some((v) => v !== undefined);
      const lists = [args.env, args["env-file"], args["env-rm"], args.label, args["label-rm"], args.command ?? [], args["--"] ?? []].some((l) => l.length > 0);
      if (!named && !lists) {
        throw new UsageError(`pod set ${name} names nothing to change`, "give at least one of --image, -e, --env-rm, --replicas, -u, --memory, --cpus, -l, a command, …");
      }
      // Parse once before any engine call, so bad input fails first; applied to the record under the lock.
      applySetFlags(PLACEHOLDER, args, deps);
      await runChange(deps, reporter, {
        ...changeSettings(args),
        name,
        desired: (observed) => ({ spec: applySetFlags(recordedSpec(observed), args, deps), cause: "set" }),
        recreate: false,
        mustExist: true,
      });
    },
  };
}

/** A spec to check `set`'s flags against before the record is read. */
const PLACEHOLDER = {
  name: "placeholder",
  replicas: 1,
  network: { balance: "reuseport", ports: [], networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
  replica: { image: "x", imageId: "x", entrypoint: null, command: [], env: [], labels: {}, volumes: [], user: null, memoryBytes: null, nanoCpus: null, stopTimeoutS: null, stopSignal: null },
  update: { parallel: 1, order: "start-first" },
} as const satisfies Parameters<typeof applySetFlags>[0];
