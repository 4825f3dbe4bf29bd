import type { Argv, CommandModule } from "yargs";
import { candidates, completionScript } from "../cli/completion.js";
import type { Deps, RunState } from "../cli/deps.js";
import type { CommandShape } from "../cli/introspect.js";
import { Label } from "../state/labels.js";

interface CompletionArgs {
  shell: "bash" | "zsh" | "fish";
}

export function completionCommand(deps: Deps, state: RunState): CommandModule<object, CompletionArgs> {
  return {
    command: "completion <shell>",
    describe: "A completion script for bash, zsh or fish",
    builder: (y) =>
      (y
        .positional("shell", { type: "string", choices: ["bash", "zsh", "fish"], demandOption: true })
        .example('eval "$(pod completion bash)"', "complete pod's commands, options and pod names in bash") as unknown) as Argv<CompletionArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("human"));
      reporter.result(completionScript(args.shell));
    },
  };
}

interface CompleteArgs {
  "--"?: string[];
  words?: string[];
}

/** Hidden: what the completion scripts ask. Pod names come from the engine, quietly. */
export function completeCommand(deps: Deps, state: RunState, shapes: () => CommandShape[]): CommandModule<object, CompleteArgs> {
  return {
    command: "__complete [words..]",
    describe: false,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("human"));
      const words = [...(args.words ?? []), ...(args["--"] ?? [])].map(String);
      let names: string[] = [];
      const needsPods = candidates(words, shapes(), () => ["\u0000"]).includes("\u0000") || words.length >= 2;
      if (needsPods) {
        try {
          const listed = await deps.engine({}).listContainers([`${Label.role}=record`]);
          names = [...new Set(listed.map((c) => c.labels[Label.pod]!).filter(Boolean))];
        } catch {
          names = []; // no engine: no names
        }
      }
      const found = candidates(words, shapes(), () => names);
      if (found.length > 0) reporter.result(found.join("\n"));
    },
  };
}
