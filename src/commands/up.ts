import type { Argv, CommandModule } from "yargs";
import { converge, observe, summary } from "../converge.js";
import { UsageError } from "../errors.js";
import { ensureSandboxImage, requireImage } from "../images.js";
import { LABEL_PREFIX } from "../labels.js";
import {
  checkPortConflicts,
  defaultPodName,
  parseCpus,
  parseEnv,
  parseEnvFile,
  parseExtraHost,
  parseImageRef,
  parseLabels,
  parseMemory,
  parsePodName,
  parsePublish,
  parseReplicas,
  parseSeconds,
  parseVolume,
  type PodSpec,
} from "../spec.js";
import { lockedPod, type Deps, type RunState } from "./context.js";
import type { Engine } from "../engine.js";
import { checkSameUser, effectiveUser } from "../compat.js";
import { currentSpec, type ObservedPod } from "../observe.js";

/** Refuses, before anything starts, new replicas that could not join the serving ones' port group. */
async function checkUserUnchanged(engine: Engine, pod: ObservedPod, next: string): Promise<void> {
  const current = currentSpec(pod);
  if (!current || !pod.replicas.some((r) => r.running)) return;
  const image = await engine.image(current.replica.imageId);
  if (image) checkSameUser(effectiveUser(current.replica.user, image.user), next);
}

/**
 * docker-run options that set a container's network. Replicas share the sandbox's network,
 * where Docker refuses them ("conflicting options"), so pod refuses them first.
 */
const REFUSED_NETWORK_OPTIONS: Record<string, string> = {
  expose: "ports are published on the sandbox with -p",
  link: "links are a legacy network setting; use --add-host NAME:IP for names",
  ip: "the sandbox's address is Docker's to assign",
  ip6: "the sandbox's address is Docker's to assign",
  "mac-address": "the sandbox's address is Docker's to assign",
  "network-alias": "aliases belong to the sandbox's network endpoint",
  net: "use --network for the sandbox's network",
};

export interface UpArgs {
  image: string;
  command?: string[];
  "--"?: string[];
  name?: string;
  replicas: string;
  publish: string[];
  env: string[];
  "env-file": string[];
  label: string[];
  volume: string[];
  user?: string;
  memory?: string;
  cpus?: string;
  "stop-timeout"?: string;
  hostname?: string;
  dns: string[];
  "dns-search": string[];
  "dns-option": string[];
  "add-host": string[];
  network?: string;
  "ready-timeout": string;
  parallel: string;
  "dry-run": boolean;
  [refused: string]: unknown;
}

/** The command line as a spec, checked before any engine call. `imageId` comes later. */
export function specFromArgs(args: UpArgs, deps: Pick<Deps, "environ" | "readFile">): PodSpec {
  for (const [option, why] of Object.entries(REFUSED_NETWORK_OPTIONS)) {
    if (args[option] !== undefined) {
      throw new UsageError(`--${option} is a network option, and replicas share the sandbox's network`, why);
    }
  }
  if (args.network !== undefined && /^(host|none|container:.*)$/.test(args.network)) {
    throw new UsageError(
      `--network ${args.network} would take the pod out of its own namespace`,
      "the sandbox owns the network and publishes the ports: name a bridge or user-defined network, or leave --network out",
    );
  }
  const image = parseImageRef(args.image);
  const name = parsePodName(args.name ?? defaultPodName(image));
  const ports = args.publish.flatMap(parsePublish);
  checkPortConflicts(ports);
  const fileEntries = args["env-file"].flatMap((path) => {
    let text: string;
    try {
      text = deps.readFile(path);
    } catch (err) {
      throw new UsageError(`--env-file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, "give the path of a readable file");
    }
    return parseEnvFile(text, path);
  });
  const command = [...(args.command ?? []), ...(args["--"] ?? [])].map(String);
  return {
    name,
    replicas: parseReplicas(args.replicas),
    sandbox: {
      ports,
      hostname: args.hostname ?? null,
      dns: args.dns,
      dnsSearch: args["dns-search"],
      dnsOptions: args["dns-option"],
      extraHosts: args["add-host"].map(parseExtraHost),
      network: args.network ?? null,
    },
    replica: {
      image,
      imageId: "",
      command,
      env: parseEnv(args.env, fileEntries, deps.environ),
      labels: parseLabels(args.label, LABEL_PREFIX),
      volumes: args.volume.map(parseVolume),
      user: args.user ?? null,
      memoryBytes: args.memory !== undefined ? parseMemory(args.memory) : null,
      nanoCpus: args.cpus !== undefined ? parseCpus(args.cpus) : null,
      stopTimeoutS: args["stop-timeout"] !== undefined ? parseSeconds("--stop-timeout", args["stop-timeout"]) : null,
    },
  };
}

// Repeatable like Docker's flags: one value each time (an array option would swallow the image).
const list = {
  type: "string",
  default: [] as string[],
  coerce: (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String),
} as const;

export function readyTimeoutOption<T>(y: Argv<T>) {
  return y
    .option("ready-timeout", { type: "string", default: "60", describe: "Seconds each new replica has to listen", group: "Readiness:" })
    .option("dry-run", { type: "boolean", default: false, describe: "Print the plan and change nothing" });
}

export function upCommand(deps: Deps, state: RunState): CommandModule<object, UpArgs> {
  return {
    command: "up <image> [command..]",
    describe: "Create or update a pod: a sandbox that publishes the ports, and N replicas sharing them",
    builder: (y) => {
      let b = readyTimeoutOption(y)
        .positional("image", { type: "string", demandOption: true, describe: "Image on the engine (pod never pulls)" })
        .positional("command", { type: "string", array: true, describe: "Command for every replica (or after --)" })
        .option("name", { type: "string", describe: "Pod name (default: the image's repository name)" })
        .option("replicas", { type: "string", default: "1", describe: "How many replicas (0 keeps only the sandbox)" })
        .option("publish", { ...list, alias: "p", describe: "[IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], on the sandbox" })
        .option("env", { ...list, alias: "e", describe: "KEY=VALUE, or KEY to pass yours", group: "Replicas:" })
        .option("env-file", { ...list, describe: "File of KEY=VALUE lines", group: "Replicas:" })
        .option("label", { ...list, alias: "l", describe: "KEY=VALUE label", group: "Replicas:" })
        .option("volume", { ...list, alias: "v", describe: "SOURCE:/path[:ro]", group: "Replicas:" })
        .option("user", { type: "string", alias: "u", describe: "USER[:GROUP] (the same for all: SO_REUSEPORT groups one uid)", group: "Replicas:" })
        .option("memory", { type: "string", describe: "Memory limit per replica, e.g. 256m", group: "Replicas:" })
        .option("cpus", { type: "string", describe: "CPUs per replica, e.g. 0.5", group: "Replicas:" })
        .option("stop-timeout", { type: "string", describe: "Seconds to drain after SIGTERM before a kill", group: "Replicas:" })
        .option("hostname", { type: "string", describe: "Hostname of the pod", group: "Network (sandbox):" })
        .option("dns", { ...list, describe: "DNS server", group: "Network (sandbox):" })
        .option("dns-search", { ...list, describe: "DNS search domain", group: "Network (sandbox):" })
        .option("dns-option", { ...list, describe: "DNS option", group: "Network (sandbox):" })
        .option("add-host", { ...list, describe: "HOST:IP in /etc/hosts", group: "Network (sandbox):" })
        .option("network", { type: "string", describe: "Network the sandbox joins (default bridge)", group: "Network (sandbox):" })
        .option("parallel", { type: "string", default: "1", describe: "Replicas replaced at once when the spec changes", group: "Readiness:" });
      for (const option of Object.keys(REFUSED_NETWORK_OPTIONS)) b = b.option(option, { type: "string", hidden: true });
      return b as unknown as Argv<UpArgs>;
    },
    handler: async (args) => {
      const reporter = (state.reporter = deps.reporter(false));
      const spec = specFromArgs(args, deps);
      const readyTimeoutMs = parseSeconds("--ready-timeout", args["ready-timeout"]) * 1000;
      const parallel = parseReplicas(args.parallel, "--parallel") || 1;
      const engine = deps.engine();
      const image = await requireImage(engine, spec.replica.image);
      spec.replica.imageId = image.id;
      await ensureSandboxImage(engine, (t) => reporter.note(t));
      await lockedPod(deps, reporter, spec.name, async () => {
        const before = await observe(engine, spec.name);
        await checkUserUnchanged(engine, before, effectiveUser(spec.replica.user, image.user));
        const plan = await converge(deps, reporter, spec, before, { readyTimeoutMs, parallel, dryRun: args["dry-run"] });
        if (args["dry-run"]) return;
        if (plan.steps.length === 0) reporter.note(`pod ${spec.name} is up to date`);
        reporter.result(summary(await observe(engine, spec.name)));
      });
    },
  };
}
