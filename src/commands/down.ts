import type { CommandModule } from "yargs";
import { applyPlan } from "../apply/execute.js";
import { hasSandboxImage } from "../apply/images.js";
import { LOCK_TIMEOUT_MS, withLock } from "../apply/lock.js";
import { removeRecord } from "../apply/record-store.js";
import { engineFacts, observe } from "../apply/snapshot.js";
import { interruption, type Deps, type RunState } from "../cli/deps.js";
import { repeatable, stopTimeout } from "../cli/options.js";
import { formatPlan } from "../plan/actions.js";
import { planDown } from "../plan/down.js";
import { formatForeign } from "../report/format.js";
import { parsePodName } from "../spec/parse.js";
import { loadComposeFile } from "../cli/compose.js";
import { UsageError } from "../errors.js";
import { podExists, type ObservedPod } from "../state/observe.js";
import { podView } from "../state/status.js";
import type { Engine } from "../engine/engine.js";
import type { Reporter } from "../report/reporter.js";
import type { Clock } from "../clock.js";

interface DownArgs {
  name?: string;
  services?: string[];
  file?: string;
  "project-name"?: string;
  profile: string[];
  timeout?: string;
  "dry-run": boolean;
  json: boolean;
  host?: string;
  context?: string;
}

/** Replicas, then the sandbox, then the record: what is left can always be found and finished. */
async function removePod(engine: Engine, clock: Clock, reporter: Reporter, pod: ObservedPod, timeoutS: number | null): Promise<void> {
  const facts = await engineFacts(engine);
  // Not interruptible: once begun, down finishes, so no half-removed pod is left.
  await applyPlan(planDown(pod, timeoutS), {
    engine,
    clock,
    emit: (e) => reporter.event(e),
    pod: pod.name,
    key: pod.key ?? "",
    facts,
    ports: [],
    balance: "reuseport",
    network: { balance: "reuseport", ports: [], networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
    routes: new Map(),
    readyTimeoutMs: 0,
    imageRefs: {},
    sandboxId: null,
    previous: new Map(),
  });
  await removeRecord(engine, pod.recordCopies);
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
        .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill (default: the replica's stop timeout)" })
        .option("dry-run", { type: "boolean", default: false, describe: "Print the plan and change nothing" })
        .option("json", { type: "boolean", default: false, describe: "Progress as NDJSON events on stdout, then the result" })
        .example("$0 down web", "remove pod web")
        .example("$0 down -f compose.yaml", "remove the pods of a compose file's services"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      if (args.file !== undefined) {
        const services = [args.name, ...(args.services ?? [])].filter((s): s is string => typeof s === "string");
        // Named services alone, without what they depend on, dependents first; the file's warnings are up's to say.
        const { pods } = await loadComposeFile(deps, reporter, { file: args.file, projectName: args["project-name"] ?? null, services, profiles: args.profile, withDependencies: false, warn: false });
        for (const { spec } of [...pods].reverse()) await downOne(deps, reporter, args, spec.name);
        return;
      }
      if (args.name === undefined) throw new UsageError("pod down needs a pod's name, or -f and a compose file", "`pod ps` lists the pods");
      await downOne(deps, reporter, args, parsePodName(args.name));
    },
  };
}

/** Replicas, then the sandbox, then the record, under the pod's lock; a dry run shows the plan. */
async function downOne(deps: Deps, reporter: Reporter, args: DownArgs, name: string): Promise<void> {
  const timeoutS = stopTimeout(args.timeout);
  const engine = deps.engine(args);
  const first = await observe(engine, name);
  for (const line of formatForeign(podView(first, null))) reporter.warn(line);
  if (!podExists(first)) {
    reporter.note(`no pod named ${name}: nothing to remove`);
    reporter.result("", { pod: name, removed: false });
    return;
  }
  if (args["dry-run"]) {
    reporter.result(`${formatPlan(planDown(first, timeoutS))}\nthen its record (${first.recordCopies.length} containers)`, { pod: name, dryRun: true });
    return;
  }
  Object.assign(interruption, { graceful: true, message: "pod: down finishes what it began, so no half-removed pod is left (Ctrl-C again to quit at once)" });
  // The lock container needs the sandbox image; a pod whose image is gone is still removed.
  if (await hasSandboxImage(engine)) {
    await withLock({ engine, pod: name, clock: deps.clock, timeoutMs: LOCK_TIMEOUT_MS, onWait: (h) => reporter.note(`waiting for another pod command on ${name} (${h})`) }, async () =>
      removePod(engine, deps.clock, reporter, await observe(engine, name), timeoutS),
    );
  } else {
    await removePod(engine, deps.clock, reporter, first, timeoutS);
  }
  reporter.result(`pod ${name} removed`, { pod: name, removed: true });
}
