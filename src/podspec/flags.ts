// The command line as a spec, checked before any engine call. Pure: files and the
// environment come in through `io`. Shared by `up` (a whole spec) and `set` (changes to
// the recorded one).
import { readFailure, UsageError } from "../errors.js";
import { LABEL_PREFIX } from "./types.js";
import { applyHealthFlags, isDefaultHealth, type HealthFlags } from "./health.js";
import {
  checkEnvSize,
  checkLabelSize,
  checkPortConflicts,
  defaultPodName,
  parseCpus,
  parseDnsServer,
  parseEnv,
  parseEnvFile,
  parseExtraHost,
  parseHostname,
  parseImageRef,
  parseLabels,
  parseMemory,
  parseNetworkName,
  parseParallel,
  parsePodName,
  parsePublish,
  parseReplicas,
  parseSeconds,
  parseStopSignal,
  parseVolume,
} from "./parse.js";
import { DEFAULT_HEALTH, type Balance, type HealthSpec, type NetworkSpec, type PodSpec, type ReplicaSpec } from "./types.js";
import { modeOf } from "../modes/index.js";

export interface SpecIo {
  environ: Record<string, string | undefined>;
  readFile(path: string): string;
}

/**
 * docker-run options that set a container's own network. Replicas share the sandbox's
 * network, where Docker refuses them ("conflicting options"), so pod refuses them first.
 */
export const REFUSED_NETWORK_OPTIONS: Record<string, string> = {
  expose: "ports are published on the sandbox with -p",
  link: "links are a legacy network setting; use --add-host NAME:IP for names",
  ip: "the sandbox's address is Docker's to assign",
  ip6: "the sandbox's address is Docker's to assign",
  "mac-address": "the sandbox's address is Docker's to assign",
  net: "use --network for the sandbox's network",
};

export interface UpFlags extends HealthFlags {
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
  "stop-signal"?: string;
  entrypoint?: string;
  hostname?: string;
  dns: string[];
  "dns-search": string[];
  "dns-option": string[];
  "add-host": string[];
  network: string[];
  "network-alias": string[];
  balance: string;
  spread?: string;
  parallel: string;
  [other: string]: unknown;
}

function readEnvFiles(paths: string[], io: SpecIo): string[] {
  return paths.flatMap((path) => {
    let text: string;
    try {
      text = io.readFile(path);
    } catch (err) {
      const { why, hint } = readFailure(err);
      throw new UsageError(`--env-file ${path} cannot be read (${why})`, hint ?? "give the path of a readable file");
    }
    return parseEnvFile(text, path);
  });
}

export function parseBalance(raw: string): Balance {
  if (raw === "reuseport" || raw === "dnat") return raw;
  throw new UsageError(`--balance "${raw}" is not a way to share a port`, "use reuseport (the default: replicas bind with SO_REUSEPORT) or dnat (for servers that do not)");
}

function networkFrom(flags: UpFlags): NetworkSpec {
  for (const [option, why] of Object.entries(REFUSED_NETWORK_OPTIONS)) {
    if (flags[option] !== undefined) throw new UsageError(`--${option} is a network option, and replicas share the sandbox's network`, why);
  }
  const networks = flags.network.map((n) => parseNetworkName(n));
  for (const alias of flags["network-alias"]) parseNetworkName(alias, "--network-alias");
  const ports = flags.publish.flatMap(parsePublish);
  checkPortConflicts(ports);
  const shared = {
    ports,
    hostname: flags.hostname !== undefined ? parseHostname(flags.hostname) : null,
    dns: flags.dns.map(parseDnsServer),
    dnsSearch: flags["dns-search"],
    dnsOptions: flags["dns-option"],
    extraHosts: flags["add-host"].map(parseExtraHost),
  };
  const bad = networks.find((n) => n === "none" || n.startsWith("container:"));
  if (bad !== undefined) {
    throw new UsageError(
      `--network ${bad} would take the pod out of its own namespace`,
      "the sandbox owns the network and publishes the ports: name a bridge or user-defined network, host, or leave --network out",
    );
  }
  if (networks.includes("host")) return hostNetwork(flags, shared);
  if (flags["network-alias"].length > 0 && networks.every((n) => n === "bridge")) {
    throw new UsageError("--network-alias needs a user-defined network", "Docker resolves names on user networks only: add --network NAME (docker network create NAME)");
  }
  const balance = parseBalance(flags.balance);
  const mode = modeOf({ balance });
  if (flags.spread !== undefined && !mode.spreads) throw new UsageError("--spread applies to --balance dnat", "add --balance dnat, or leave --spread out");
  if (flags.spread !== undefined && flags.spread !== "random" && flags.spread !== "round-robin") {
    throw new UsageError(`--spread "${flags.spread}" is not a way to pick a replica`, "use random (the default) or round-robin");
  }
  return {
    balance,
    ...(mode.spreads ? { spread: (flags.spread ?? "random") as "random" | "round-robin" } : {}),
    networks: [...new Set(networks)].map((name) => ({ name, aliases: name === "bridge" ? [] : flags["network-alias"] })),
    ...shared,
  };
}

/**
 * --network host: replicas bind in the host's own namespace with SO_REUSEPORT. No NAT, no
 * bridge: -p names the ports they listen on, and everything a namespace of its own would
 * give (hostname, DNS, aliases, mappings) has no meaning.
 */
function hostNetwork(flags: UpFlags, shared: Omit<NetworkSpec, "balance" | "networks">): NetworkSpec {
  if (flags.network.length > 1) throw new UsageError("--network host cannot be combined with other networks", "give --network host alone");
  if (flags.balance !== "reuseport") throw new UsageError(`--balance ${flags.balance} has no meaning with --network host`, "on the host's network replicas share the port with SO_REUSEPORT: leave --balance out");
  const mapped = shared.ports.find((p) => p.hostPort !== null || p.hostIp !== "");
  if (mapped) {
    throw new UsageError(
      `-p ${mapped.hostIp ? `${mapped.hostIp}:` : ""}${mapped.hostPort ?? ""}:${mapped.containerPort} maps a port, and with --network host the host port is the container port`,
      `write -p ${mapped.containerPort}${mapped.protocol === "udp" ? "/udp" : ""}: the port the replicas listen on`,
    );
  }
  const refused = [
    ["--hostname", shared.hostname !== null],
    ["--dns", shared.dns.length + shared.dnsSearch.length + shared.dnsOptions.length > 0],
    ["--add-host", shared.extraHosts.length > 0],
    ["--network-alias", flags["network-alias"].length > 0],
  ].find(([, given]) => given);
  if (refused) throw new UsageError(`${refused[0]} has no meaning with --network host`, "the host's own name, resolver and hosts file apply: leave it out");
  return { balance: "host", networks: [], ...shared };
}

/** `--entrypoint ""` clears the image's entrypoint, as with docker run. */
function parseEntrypoint(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  return raw === "" ? [""] : [raw];
}

/** A replica's check, left out when it is the image's own (as records before health checks). */
function withHealth(replica: ReplicaSpec, health: HealthSpec): ReplicaSpec {
  const { health: _old, ...rest } = replica;
  return isDefaultHealth(health) ? rest : { ...rest, health };
}

function replicaFrom(flags: UpFlags, image: string, network: NetworkSpec, io: SpecIo): ReplicaSpec {
  const replica: ReplicaSpec = {
    image,
    imageId: "",
    entrypoint: parseEntrypoint(flags.entrypoint),
    command: [...(flags.command ?? []), ...(flags["--"] ?? [])].map(String),
    env: parseEnv(flags.env, readEnvFiles(flags["env-file"], io), io.environ),
    labels: parseLabels(flags.label, LABEL_PREFIX),
    volumes: flags.volume.map(parseVolume),
    user: flags.user ?? null,
    memoryBytes: flags.memory !== undefined ? parseMemory(flags.memory) : null,
    nanoCpus: flags.cpus !== undefined ? parseCpus(flags.cpus) : null,
    stopTimeoutS: flags["stop-timeout"] !== undefined ? parseSeconds("--stop-timeout", flags["stop-timeout"]) : null,
    stopSignal: flags["stop-signal"] !== undefined ? parseStopSignal(flags["stop-signal"]) : null,
  };
  return withHealth(replica, applyHealthFlags(DEFAULT_HEALTH, flags, network.ports));
}

/** `up`: the whole spec. Omitted flags mean their defaults, as with `docker compose up`. */
export function specFromFlags(flags: UpFlags, io: SpecIo): PodSpec {
  const image = parseImageRef(flags.image);
  const name = parsePodName(flags.name ?? defaultPodName(image));
  const network = networkFrom(flags);
  return {
    name,
    replicas: parseReplicas(flags.replicas),
    network,
    replica: replicaFrom(flags, image, network, io),
    update: { parallel: parseParallel(flags.parallel), order: "start-first" },
  };
}

export interface SetFlags extends HealthFlags {
  image?: string;
  replicas?: string;
  env: string[];
  "env-file": string[];
  "env-rm": string[];
  label: string[];
  "label-rm": string[];
  user?: string;
  memory?: string;
  cpus?: string;
  "stop-timeout"?: string;
  parallel?: string;
  command?: string[];
  "--"?: string[];
}

function envKey(entry: string): string {
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** `set`: the recorded spec with only the named fields changed. */
export function applySetFlags(spec: PodSpec, flags: SetFlags, io: SpecIo): PodSpec {
  const replica = { ...spec.replica, labels: { ...spec.replica.labels } };
  if (flags.image !== undefined) {
    replica.image = parseImageRef(flags.image);
    replica.imageId = "";
    delete replica.digest;
  }
  const removeEnv = new Set(flags["env-rm"]);
  const added = parseEnv(flags.env, readEnvFiles(flags["env-file"], io), io.environ);
  const addedKeys = new Set(added.map(envKey));
  replica.env = [...spec.replica.env.filter((e) => !removeEnv.has(envKey(e)) && !addedKeys.has(envKey(e))), ...added];
  Object.assign(replica.labels, parseLabels(flags.label, LABEL_PREFIX));
  for (const key of flags["label-rm"]) delete replica.labels[key];
  if (flags.user !== undefined) replica.user = flags.user === "" ? null : flags.user;
  if (flags.memory !== undefined) replica.memoryBytes = flags.memory === "" ? null : parseMemory(flags.memory);
  if (flags.cpus !== undefined) replica.nanoCpus = flags.cpus === "" ? null : parseCpus(flags.cpus);
  if (flags["stop-timeout"] !== undefined) replica.stopTimeoutS = parseSeconds("--stop-timeout", flags["stop-timeout"]);
  const command = [...(flags.command ?? []), ...(flags["--"] ?? [])].map(String);
  if (command.length > 0) replica.command = command;
  // What was added is checked as it is parsed; the whole, with what the record holds, here.
  checkEnvSize(replica.env);
  checkLabelSize(replica.labels);
  return {
    ...spec,
    replicas: flags.replicas !== undefined ? parseReplicas(flags.replicas) : spec.replicas,
    replica: withHealth(replica, applyHealthFlags(replica.health ?? DEFAULT_HEALTH, flags, spec.network.ports)),
    update: flags.parallel !== undefined ? { ...spec.update, parallel: parseParallel(flags.parallel) } : spec.update,
  };
}
