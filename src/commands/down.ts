import type { CommandModule } from "yargs";
import { observe } from "../converge.js";
import { applyPlan, execContext } from "../execute.js";
import { ensureSandboxImage } from "../images.js";
import { podExists } from "../observe.js";
import { formatPlan, planDown } from "../plan.js";
import { parsePodName, parseSeconds } from "../spec.js";
import { lockedPod, type Deps, type RunState } from "./context.js";

interface DownArgs {
  name: string;
  timeout?: string;
  "dry-run": boolean;
}

export function downCommand(deps: Deps, state: RunState): CommandModule<object, DownArgs> {
  return {
    command: "down <name>",
    describe: "Stop and remove every replica, then the sandbox",
    builder: (y) =>
      y
        .positional("name", { type: "string", demandOption: true })
        .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill (default: the replica's stop timeout)" })
        .option("dry-run", { type: "boolean", default: false, describe: "Print the plan and change nothing" }),
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(false));
      const name = parsePodName(args.name);
      const timeoutS = args.timeout !== undefined ? parseSeconds("--timeout", args.timeout) : null;
      const engine = deps.engine();
      if (!podExists(await observe(engine, name))) {
        reporter.note(`no pod named ${name}: nothing to remove`);
        return;
      }
      if (args["dry-run"]) {
        reporter.result(formatPlan(planDown(await observe(engine, name), timeoutS)));
        return;
      }
      await ensureSandboxImage(engine, (t) => reporter.note(t));
      await lockedPod(deps, reporter, name, async () => {
        const pod = await observe(engine, name);
        // Not interruptible: once begun, down finishes, so no half-removed pod is left.
        await applyPlan(planDown(pod, timeoutS), execContext(engine, deps.clock, (e) => reporter.event(e)));
      });
      reporter.result(`pod ${name} removed`);
    },
  };
}
