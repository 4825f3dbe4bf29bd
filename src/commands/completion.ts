import type { Argv, CommandModule } from "yargs";
import { readPod } from "../state/snapshot.js";
import { candidates, completing, completionScript, needsEngine } from "./shared/completion.js";
import type { Deps, RunState } from "./shared/deps.js";
import type { CommandShape } from "./shared/introspect.js";
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

/** Hidden: what the completion scripts ask. Pod names and generations come from the engine, quietly, and only when asked for. */
export function completeCommand(deps: Deps, state: RunState, shapes: () => CommandShape[]): CommandModule<object, CompleteArgs> {
  return {
    command: "__complete [words..]",
    describe: false,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter("human"));
      const words = [...(args.words ?? []), ...(args["--"] ?? [])].map(String);
      const all = shapes();
      let pods: string[] = [];
      let generations: string[] = [];
      const what = completing(words, all);
      if (needsEngine(what)) {
        try {
          const engine = deps.engine({});
          if (what.kind === "values" && what.pod !== null) {
            const record = (await readPod(engine, what.pod)).record;
            generations = (record?.history ?? []).filter((g) => g.status === "ok" && g.number !== record!.generation).map((g) => String(g.number));
          } else {
            // Every pod has a record (its image) or a sandbox: one listing of each.
            const [records, sandboxes] = await Promise.all([engine.listImages([`${Label.role}=record`]), engine.listContainers([`${Label.role}=sandbox`])]);
            pods = [...new Set([...records, ...sandboxes].map((c) => c.labels[Label.pod]!).filter(Boolean))].sort();
          }
        } catch {
          // no engine: nothing to offer from it
        }
      }
      const found = candidates(words, all, { pods: () => pods, generations: () => generations });
      if (found.length > 0) reporter.result(found.join("\n"));
    },
  };
}
