import type { CommandModule } from "yargs";
import { converge, observe, summary } from "../converge.js";
import type { Engine } from "../engine.js";
import { PodNotFoundError } from "../errors.js";
import { ensureSandboxImage } from "../images.js";
import { askedReplicas, currentSpec, podExists, type ObservedPod } from "../observe.js";
import type { Reporter } from "../report.js";
import { parsePodName, parseReplicas, parseSeconds, type PodSpec } from "../spec.js";
import { lockedPod, type Deps, type RunState } from "./context.js";
import { readyTimeoutOption } from "./up.js";

/** The spec the pod runs now, from its labels: what `scale` and `restart` converge to. */
export function recordedSpec(pod: ObservedPod, replicas: number): PodSpec {
  const current = currentSpec(pod);
  const sandbox = pod.sandbox?.spec?.sandbox;
  if (!current || !sandbox) {
    throw new PodNotFoundError(`pod ${pod.name} has lost its record (no sandbox spec)`, "recreate it with `pod up`");
  }
  return { name: pod.name, replicas, sandbox, replica: current.replica };
}

/** Runs `change` on an existing pod, under its lock: shared by `scale` and `restart`. */
export async function changeExisting(
  deps: Deps,
  reporter: Reporter,
  name: string,
  change: (engine: Engine, pod: ObservedPod) => Promise<void>,
): Promise<void> {
  const engine = deps.engine();
  const notFound = () => new PodNotFoundError(`no pod named ${name} on the engine`, "`pod ps` lists the pods; `pod up` creates one");
  if (!podExists(await observe(engine, name))) throw notFound();
  await ensureSandboxImage(engine, (t) => reporter.note(t));
  await lockedPod(deps, reporter, name, async () => {
    const pod = await observe(engine, name);
    if (!podExists(pod)) throw notFound();
    await change(engine, pod);
  });
}

interface ScaleArgs {
  name: string;
  replicas: string;
  timeout?: string;
  "ready-timeout": string;
  "dry-run": boolean;
}

export function scaleCommand(deps: Deps, state: RunState): CommandModule<object, ScaleArgs> {
  return {
    command: "scale <name> <replicas>",
    describe: "Converge a pod to N replicas: add the lowest free numbers, stop the highest gracefully",
    builder: (y) =>
      readyTimeoutOption(y)
        .positional("name", { type: "string", demandOption: true })
        .positional("replicas", { type: "string", demandOption: true })
        .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill (default: the replica's stop timeout)" }),
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(false));
      const name = parsePodName(args.name);
      const replicas = parseReplicas(args.replicas, "replicas");
      const readyTimeoutMs = parseSeconds("--ready-timeout", args["ready-timeout"]) * 1000;
      const stopTimeoutS = args.timeout !== undefined ? parseSeconds("--timeout", args.timeout) : null;
      await changeExisting(deps, reporter, name, async (engine, pod) => {
        const plan = await converge(deps, reporter, recordedSpec(pod, replicas), pod, { readyTimeoutMs, stopTimeoutS, dryRun: args["dry-run"] });
        if (args["dry-run"]) return;
        if (plan.steps.length === 0) reporter.note(`pod ${name} already has ${askedReplicas(pod)} replicas`);
        reporter.result(summary(await observe(engine, name)));
      });
    },
  };
}
