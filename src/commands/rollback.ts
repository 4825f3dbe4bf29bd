import type { CommandModule } from "yargs";
import { runChange } from "./shared/change.js";
import type { Deps, RunState } from "./shared/deps.js";
import { changeOptions, changeSettings, numeric, type ChangeFlags } from "./shared/options.js";
import { PodNotFoundError, UsageError } from "../errors.js";
import { parsePodName } from "../podspec/parse.js";
import { rollbackTarget } from "../state/record.js";

interface RollbackArgs extends ChangeFlags {
  name: string;
  to?: string;
}

export function rollbackCommand(deps: Deps, state: RunState): CommandModule<object, RollbackArgs> {
  return {
    command: "rollback <name>",
    describe: "Go back, start-first, to the previous successful generation (or --to GEN)",
    builder: (y) =>
      changeOptions(y)
        .positional("name", { type: "string", demandOption: true })
        .option("to", { ...numeric("The generation to go back to (see `pod history`)"), group: "Change:" })
        .example("$0 rollback web", "back to the generation before the current one")
        .example("$0 rollback web --to 2", "back to generation 2"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      const name = parsePodName(args.name);
      const to = args.to === undefined ? null : Number(args.to);
      if (to !== null && !(/^\d+$/.test(args.to!) && to >= 1)) {
        throw new UsageError(`--to ${args.to} is not a generation number`, "`pod history " + name + "` lists them");
      }
      await runChange(deps, reporter, {
        ...changeSettings(args),
        pod: name,
        desired: (observed) => {
          if (!observed.record) throw new PodNotFoundError(`pod ${name} has no record to roll back with`, "`pod ps " + name + "` shows what is left");
          const found = rollbackTarget(observed.record, to);
          if ("refusal" in found) throw new UsageError(found.refusal, "`pod history " + name + "` lists the generations");
          return { spec: found.target.spec, cause: `rollback to ${found.target.number}` };
        },
        recreate: false,
        mustExist: true,
      });
    },
  };
}
