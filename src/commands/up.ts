import type { Argv, CommandModule } from "yargs";
import { flowDeps, reportChange, runChange } from "./shared/change.js";
import type { Deps, RunState } from "./shared/deps.js";
import { changeOptions, changeSettings, healthOptions, numeric, repeatable, type ChangeFlags } from "./shared/options.js";
import { dockerConfigDir, startAgent } from "../agent/install.js";
import type { Engine } from "../engine/engine.js";
import { PodError, UsageError } from "../errors.js";
import { composeOptions, loadComposeProject, parseScale, projectName, refuseSpecOptions } from "./shared/compose.js";
import { LOCK_TIMEOUT_MS } from "../apply/lock.js";
import { interruptLines } from "./shared/deps.js";
import type { Reporter } from "../report/reporter.js";
import { REFUSED_NETWORK_OPTIONS, specFromFlags, type UpFlags } from "../podspec/flags.js";
import { DEFAULT_AUTO_UPDATE_S, parseAutoUpdate, parsePullPolicy } from "../podspec/image-flags.js";

/**
 * The file's project as Compose brings it up: its networks and volumes, then every service
 * (or those named, with what they depend on), dependencies first, each through the one
 * change flow and waited for as depends_on says.
 */
async function upFromCompose(deps: Deps, reporter: Reporter, args: UpArgs): Promise<void> {
  refuseSpecOptions(args);
  const services = [args.image, ...(args.command ?? [])].filter((s): s is string => typeof s === "string");
  const project = await loadComposeProject(deps, reporter, {
    file: args.file!,
    projectName: projectName(args),
    services,
    profiles: args.profile,
    scale: parseScale(args.scale),
    warn: true,
  });
  const settings = changeSettings(args);
  const engine = deps.engine(args);
  if (!settings.dryRun) deps.changing(interruptLines(project.name, false));
  const { upProject } = await import("../apply/project.js");
  let serviceStarted = deps.clock.now();
  await upProject(flowDeps(deps, engine, reporter), project, {
    dryRun: settings.dryRun,
    flow: { lockTimeoutMs: LOCK_TIMEOUT_MS, onLockWait: (holder) => reporter.note(`waiting for another pod command (${holder})`) },
    pull: args.pull === undefined ? null : parsePullPolicy(args.pull),
    recreate: args.recreate,
    stopTimeoutS: settings.stopTimeoutS,
    readyTimeoutMs: settings.readyTimeoutMs,
    cause: `up -f ${args.file}`,
    onService: (plan, result) => {
      // Services come up one after another: each one's time runs from the end of the one before.
      const since = serviceStarted;
      serviceStarted = deps.clock.now();
      if (result.kind === "job") return reporter.note(`job ${plan.service} completed (exit ${result.exitCode})`);
      reportChange(deps, reporter, { ...settings, pod: plan.spec.name, desired: () => ({ spec: plan.spec, cause: "up" }), recreate: args.recreate, mustExist: false }, result, since);
    },
  });
  if (!settings.dryRun && args.agent && deps.environ.POD_AGENT !== "0") await ensureAgent(deps, engine, reporter);
}

/** The agent keeps pods as recorded with no command: started once, said once. Its failure fails nothing. */
async function ensureAgent(deps: Deps, engine: Engine, reporter: Reporter): Promise<void> {
  try {
    const what = await startAgent(engine, (text) => reporter.note(text), dockerConfigDir(deps.environ));
    if (what !== "already running") reporter.note(`the pod agent ${what} (pod-agent): it keeps every pod as recorded, with no command; \`pod agent stop\` or POD_AGENT=0 opts out`);
  } catch (err) {
    reporter.warn(`could not start the pod agent (${err instanceof PodError ? err.message : String(err)}): pods work without it, but nothing repairs them between commands`);
  }
}

type UpArgs = UpFlags & ChangeFlags & { recreate: boolean; agent: boolean; file?: string; "project-name"?: string; profile: string[]; scale: string[]; pull?: string; "auto-update"?: boolean; "auto-update-interval"?: string };

/**
 * replicas, balance and parallel have no yargs default, so that -f can tell whether they
 * were given: without -f they get their defaults here.
 */
function withDefaults(args: UpArgs): UpFlags {
  const given = args as Partial<UpFlags>;
  return { ...args, replicas: given.replicas ?? "1", balance: given.balance ?? "reuseport", parallel: given.parallel ?? "1" };
}

export function upCommand(deps: Deps, state: RunState): CommandModule<object, UpArgs> {
  return {
    command: "up [image] [command..]",
    describe: "Create or update a pod: a sandbox that publishes the ports, and N replicas sharing them",
    builder: (y) => {
      const b = y
        .positional("image", { type: "string", describe: "The image, pulled when the engine lacks it (--pull); with -f, a service of the file" })
        .positional("command", { type: "string", array: true, describe: "Command for every replica (or after --)" })
        .option("name", { type: "string", describe: "Pod name (default: the image's repository name)", group: "Pod:" })
        .option("replicas", { ...numeric("How many replicas, 0 to 100 (0 keeps only the sandbox)"), defaultDescription: "1", group: "Pod:" })
        .option("publish", { ...repeatable, alias: "p", describe: "[IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], on the sandbox", group: "Pod:" })
        .option("env", { ...repeatable, alias: "e", describe: "KEY=VALUE, or KEY to pass yours", group: "Replicas:" })
        .option("env-file", { ...repeatable, describe: "File of KEY=VALUE lines", group: "Replicas:" })
        .option("label", { ...repeatable, alias: "l", describe: "KEY=VALUE label", group: "Replicas:" })
        .option("volume", { ...repeatable, alias: "v", describe: "SOURCE:/path[:ro], or /path for an anonymous volume", group: "Replicas:" })
        .option("user", { type: "string", alias: "u", describe: "USER[:GROUP] (the same for all: SO_REUSEPORT groups one uid)", group: "Replicas:" })
        .option("memory", { type: "string", alias: "m", describe: "Memory limit per replica, e.g. 256m", group: "Replicas:" })
        .option("cpus", { ...numeric("CPUs per replica, e.g. 0.5"), group: "Replicas:" })
        .option("entrypoint", { type: "string", describe: "Overwrite the image's entrypoint", group: "Replicas:" })
        .option("stop-timeout", { ...numeric("Seconds to drain after the stop signal before a kill"), group: "Replicas:" })
        .option("stop-signal", { type: "string", describe: "Signal that stops a replica (default: the image's)", group: "Replicas:" })
        .option("hostname", { type: "string", describe: "Hostname of the pod", group: "Network (sandbox):" })
        .option("dns", { ...repeatable, describe: "DNS server", group: "Network (sandbox):" })
        .option("dns-search", { ...repeatable, describe: "DNS search domain", group: "Network (sandbox):" })
        .option("dns-option", { ...repeatable, describe: "DNS option", group: "Network (sandbox):" })
        .option("add-host", { ...repeatable, describe: "HOST:IP in /etc/hosts", group: "Network (sandbox):" })
        .option("network", { ...repeatable, describe: "Network the pod joins, repeatable (default bridge); host: the host's own", group: "Network (sandbox):" })
        .option("network-alias", { ...repeatable, describe: "Another name for the pod on its user networks", group: "Network (sandbox):" })
        .option("balance", { type: "string", choices: ["reuseport", "dnat"], defaultDescription: "reuseport", describe: "How replicas share the port: SO_REUSEPORT, or DNAT for servers without it", group: "Network (sandbox):" })
        .option("spread", { type: "string", choices: ["random", "round-robin"], describe: "With --balance dnat: how a connection picks a replica (default random)", group: "Network (sandbox):" })
        .option("pull", { type: "string", describe: "missing (default): pull when the engine lacks the image; always: also when the registry has a newer one; never: use only what the engine has", group: "Image:" })
        .option("auto-update", { type: "boolean", describe: "The agent follows the tag: when the registry's digest moves, it rolls the pod out, start-first", group: "Image:" })
        .option("auto-update-interval", { ...numeric(`Seconds between the agent's registry checks (default ${DEFAULT_AUTO_UPDATE_S})`), group: "Image:" })
        .option("project-name", { type: "string", describe: "With -f: pods are named PROJECT-SERVICE (-p says the same with -f, as in docker compose)", group: "Compose:" })
        .option("scale", { ...repeatable, describe: "With -f: SERVICE=N replicas, over the file's count", group: "Compose:" });
      let c = changeOptions(healthOptions(composeOptions(b)))
        .option("parallel", { ...numeric("Replicas replaced at once when the spec changes"), defaultDescription: "1", group: "Change:" })
        .option("recreate", { type: "boolean", default: false, describe: "Accept an outage when other ports or network settings need a new sandbox", group: "Change:" })
        .option("agent", { type: "boolean", default: true, describe: "Start the pod agent if it is not running (--no-agent, or POD_AGENT=0, opts out)", group: "Change:" })
        .example("$0 up --replicas 3 -p 80:8080 http_server", "three replicas behind port 80")
        .example("$0 up --name web -e MODE=prod --replicas 5 -p 80:8080 http_server:v2", "change a pod's image, env and count, start-first")
        .example("$0 up --dry-run --replicas 4 -p 80:8080 http_server", "show what would change")
        .example("$0 up --network host -p 8080 --replicas 3 http_server", "replicas on the host's own network")
        .example("$0 up --balance dnat -p 80:80 --replicas 3 nginx", "a server without SO_REUSEPORT: the sandbox spreads connections with DNAT")
        .example("$0 up -f compose.yaml", "each service of a compose file as a pod (deploy.replicas for the count)")
        .example("$0 up --replicas 3 -p 80:8080 --health-http /health --health-interval 2s http_server", "ready once each replica answers /health; checked every 2s")
        .example("$0 up --replicas 3 -p 80:8080 --auto-update 127.0.0.1:5000/team/web:1.0", "pulled from a registry; the agent rolls out each new push of the tag")
        .example("$0 up -f compose.yaml --scale web=5 web", "service web (and what it depends on) with 5 replicas")
        .example("$0 up --network appnet --network-alias api -p 80:8080 http_server", "reachable as http_server and api from siblings on appnet");
      for (const option of Object.keys(REFUSED_NETWORK_OPTIONS)) c = c.option(option, { type: "string", hidden: true });
      return c as unknown as Argv<UpArgs>;
    },
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "events" : "human"));
      if (args.file !== undefined) return upFromCompose(deps, reporter, args);
      if (args.image === undefined) throw new UsageError("pod up needs an image, or -f and a compose file", "e.g. pod up --replicas 3 -p 80:8080 http_server, or pod up -f compose.yaml");
      if (args.scale.length > 0) throw new UsageError("--scale SERVICE=N needs -f and a compose file", "without one, --replicas N sets the count");
      if (args.profile.length > 0) throw new UsageError("--profile needs -f and a compose file", "profiles choose services of a compose file");
      const policy = parsePullPolicy(args.pull);
      const autoUpdate = parseAutoUpdate(args["auto-update"], args["auto-update-interval"]);
      const spec = { ...specFromFlags(withDefaults(args), deps), ...(autoUpdate ? { autoUpdate } : {}) };
      await runChange(deps, reporter, {
        ...changeSettings(args),
        pod: spec.name,
        image: { ref: spec.replica.image, policy },
        desired: () => ({ spec, cause: "up" }),
        recreate: args.recreate,
        mustExist: false,
      });
      if (!args["dry-run"] && args.agent && deps.environ.POD_AGENT !== "0") await ensureAgent(deps, deps.engine(args), reporter);
    },
  };
}
