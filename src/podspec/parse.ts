// What the user asked for, parsed and checked before any engine call. Pure: no I/O here,
// so every rule is a row in test/unit/spec/parse.test.ts.
import { isIP } from "node:net";
import { UsageError } from "../errors.js";
import { lastPathComponent, parseReference } from "./reference.js";
import type { PortMapping, Protocol } from "./types.js";

export const MAX_REPLICAS = 100;
const MAX_NAME_LENGTH = 64;

function usage(what: string, hint: string): UsageError {
  return new UsageError(what, hint);
}

// ---------------------------------------------------------------------------- names

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function parsePodName(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    throw usage(
      `invalid pod name "${name}": it names containers, so Docker's rules apply`,
      `use 1 to ${MAX_NAME_LENGTH} characters from [a-zA-Z0-9_.-], starting with a letter or digit`,
    );
  }
  return name;
}

/** `registry.example/team/web:1.2` → `web`, as Compose names a service after its image. */
export function defaultPodName(image: string): string {
  const ref = parseReference(image);
  const repo = ref.kind === "named" ? lastPathComponent(ref) : "";
  if (!NAME_PATTERN.test(repo) || repo.length > MAX_NAME_LENGTH) {
    throw usage(`cannot name a pod after image "${image}"`, "give it a name with --name NAME");
  }
  return repo;
}

/** Checked with Docker's reference grammar before any engine call; kept as written. */
export function parseImageRef(image: string): string {
  parseReference(image);
  return image;
}

// ---------------------------------------------------------------------------- numbers

function wholeNumber(flag: string, raw: unknown, min: number, max: number, why: string): number {
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) {
    throw usage(`${flag} "${text}" is not a whole number`, `${why}: pass a whole number from ${min} to ${max}`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw usage(`${flag} ${text} is out of range`, `${why}: pass a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseReplicas(raw: unknown, flag = "--replicas"): number {
  return wholeNumber(flag, raw, 0, MAX_REPLICAS, `a pod runs 0 to ${MAX_REPLICAS} replicas`);
}

export function parseSeconds(flag: string, raw: unknown, max = 3600, min = 0): number {
  return wholeNumber(flag, raw, min, max, "seconds");
}

/** Replicas replaced at once: at least one, or a change would never end. */
export function parseParallel(raw: unknown): number {
  return wholeNumber("--parallel", raw, 1, MAX_REPLICAS, "replicas replaced at once");
}

const MEMORY_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MIN_MEMORY = 6 * 1024 ** 2; // Docker's own minimum
// The engine keeps a limit as an int64 of bytes, and JSON numbers stay exact up to 2^53 (8 PiB):
// more than any host has, so anything larger is a typo.
const MAX_MEMORY = Number.MAX_SAFE_INTEGER;

export function parseMemory(raw: string): number {
  const match = /^(\d+)([bkmg]?)$/i.exec(raw.trim());
  if (!match) {
    throw usage(`--memory "${raw}" is not a size`, "write a number with an optional unit b, k, m or g, e.g. 512m");
  }
  const bytes = Number(match[1]) * MEMORY_UNITS[match[2]!.toLowerCase()]!;
  if (bytes < MIN_MEMORY) {
    throw usage(`--memory "${raw}" is below Docker's minimum of 6m`, "give each replica at least 6m");
  }
  if (bytes > MAX_MEMORY) throw usage(`--memory "${raw}" is larger than any host's memory`, "give a limit like 512m or 4g");
  return bytes;
}

// Docker's own floor (it refuses less than a hundredth of a CPU), and the most CPUs a Linux
// kernel can run (NR_CPUS is at most 8192): whether the engine's host has that many is the
// engine's to say.
const MIN_CPUS = 0.01;
const MAX_CPUS = 8192;

export function parseCpus(raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0)) {
    throw usage(`--cpus "${raw}" is not a positive number`, "give a number of CPUs like 0.5 or 2");
  }
  if (value < MIN_CPUS || value > MAX_CPUS) {
    throw usage(`--cpus ${raw} is out of range`, `Docker takes ${MIN_CPUS} to the engine host's CPU count (no kernel runs more than ${MAX_CPUS}): give a number like 0.5 or 2`);
  }
  return Math.round(value * 1e9);
}

/**
 * A stop signal as Docker takes it: a Linux signal's name, with or without SIG
 * (SIGTERM, term, RTMIN+3), or its number. Docker accepts any number and fails only at
 * stop time, so numbers outside Linux's 1 to 64 are refused here.
 */
const SIGNALS = new Set([
  "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
  "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM",
  "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
]);

export function parseStopSignal(raw: string, flag = "--stop-signal"): string {
  const text = raw.trim();
  const name = text.toUpperCase().replace(/^SIG/, "");
  const realtime = /^RTMIN\+(\d+)$/.exec(name)?.[1] ?? /^RTMAX-(\d+)$/.exec(name)?.[1];
  const ok = /^\d+$/.test(text) ? Number(text) >= 1 && Number(text) <= 64 : SIGNALS.has(name) || (realtime !== undefined && Number(realtime) >= 1 && Number(realtime) <= 15);
  if (!ok) throw usage(`${flag} "${raw}" is not a signal`, "name a Linux signal, e.g. SIGTERM, SIGQUIT or SIGINT, or give its number from 1 to 64");
  return raw;
}

// ---------------------------------------------------------------------------- ports

function portNumber(text: string, spec: string): number {
  if (!/^\d+$/.test(text)) {
    throw usage(`--publish "${spec}": "${text}" is not a port number`, "write [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp]");
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw usage(`--publish "${spec}": port ${text} is out of range`, "ports go from 1 to 65535");
  }
  return port;
}

function portRange(text: string, spec: string): number[] {
  const [first, last, ...rest] = text.split("-");
  if (rest.length > 0 || first === "" || last === "") throw usage(`--publish "${spec}": "${text}" is not a port or range`, "write a port like 80 or a range like 8000-8010");
  const start = portNumber(first!, spec);
  const end = last === undefined ? start : portNumber(last, spec);
  if (end < start) throw usage(`--publish "${spec}": range ${text} runs backwards`, "write the lower port first");
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** Docker's `-p [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, ranges included. */
export function parsePublish(spec: string): PortMapping[] {
  let rest = spec.trim();
  let protocol: Protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== "tcp" && proto !== "udp") {
      throw usage(`--publish "${spec}": unknown protocol "${proto}"`, "pod publishes tcp or udp");
    }
    protocol = proto;
    rest = rest.slice(0, slash);
  }

  let hostIp = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") {
      throw usage(`--publish "${spec}": malformed IPv6 address`, "write it as [::1]:HOST_PORT:CONTAINER_PORT");
    }
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
    if (hostIp.includes("%")) {
      // Docker drops the zone and would publish on the address of every interface.
      throw usage(`--publish "${spec}": a zoned address (${hostIp}) cannot be published by Docker`, "publish on a global IPv6 address, or on [::] for every address");
    }
    if (isIP(hostIp) !== 6) throw usage(`--publish "${spec}": "${hostIp}" is not an IPv6 address`, "write it as [::1]:HOST_PORT:CONTAINER_PORT");
  }

  const parts = rest.split(":");
  let hostPart = "";
  let containerPart: string;
  if (parts.length === 1) {
    containerPart = parts[0]!;
  } else if (parts.length === 2) {
    [hostPart, containerPart] = parts as [string, string];
  } else if (parts.length === 3 && hostIp === "") {
    [hostIp, hostPart, containerPart] = parts as [string, string, string];
    if (isIP(hostIp) !== 4) {
      throw usage(`--publish "${spec}": "${hostIp}" is not an IPv4 address`, "write IP:HOST_PORT:CONTAINER_PORT, IPv6 in brackets");
    }
  } else {
    throw usage(`--publish "${spec}" is malformed`, "write [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], e.g. 80:8080");
  }
  if (containerPart === "") {
    throw usage(`--publish "${spec}" has no container port`, "write [IP:][HOST_PORT:]CONTAINER_PORT, e.g. 80:8080");
  }

  const containerPorts = portRange(containerPart, spec);
  const hostPorts = hostPart === "" ? null : portRange(hostPart, spec);
  if (hostPorts && hostPorts.length !== containerPorts.length) {
    throw usage(`--publish "${spec}": host and container ranges differ in length`, "give ranges of the same size");
  }
  return containerPorts.map((containerPort, i) => ({
    hostIp,
    hostPort: hostPorts ? hostPorts[i]! : null,
    containerPort,
    protocol,
  }));
}

/** Whether binding `a` and `b` on one port would collide: "" is both families' wildcard. */
function overlaps(a: string, b: string): boolean {
  if (a === b || a === "" || b === "") return true;
  const covers = (wild: string, ip: string) => (wild === "0.0.0.0" && isIP(ip) === 4) || (wild === "::" && isIP(ip) === 6);
  return covers(a, b) || covers(b, a);
}

/**
 * The first two mappings that would bind one host port on overlapping addresses, or null.
 * Grouped by port first: a range of thousands of ports is not compared pair by pair.
 */
export function portConflict<T extends PortMapping>(ports: T[]): [T, T] | null {
  const byPort = new Map<string, T[]>();
  for (const p of ports) {
    if (p.hostPort === null) continue;
    const key = `${p.hostPort}/${p.protocol}`;
    const seen = byPort.get(key) ?? [];
    const other = seen.find((q) => overlaps(q.hostIp, p.hostIp));
    if (other) return [other, p];
    seen.push(p);
    byPort.set(key, seen);
  }
  return null;
}

/** Refuses one host port twice: Docker would fail late, after creating the sandbox. */
export function checkPortConflicts(ports: PortMapping[]): void {
  const conflict = portConflict(ports);
  if (conflict) {
    const [a, b] = conflict;
    throw usage(
      `host port ${a.hostPort}/${a.protocol} is published twice (${formatPort(a)} and ${formatPort(b)})`,
      "a host port can carry one mapping: pick another host port for one of them",
    );
  }
}

/** As docker ps shows it; "" (every address, both families) as 0.0.0.0, IPv6 in brackets. */
export function formatPort(p: PortMapping): string {
  const ip = p.hostIp === "" ? "0.0.0.0" : p.hostIp.includes(":") ? `[${p.hostIp}]` : p.hostIp;
  return `${ip}:${p.hostPort ?? "*"}->${p.containerPort}/${p.protocol}`;
}

/** The distinct ports the replicas must listen on, e.g. ["8080/tcp"]. */
export function targetPorts(ports: PortMapping[]): string[] {
  return [...new Set(ports.map((p) => `${p.containerPort}/${p.protocol}`))].sort();
}

// ---------------------------------------------------------------------------- env, labels, volumes

const ENV_KEY = /^[^=\s][^=]*$/;

/** What pod sets in every replica's environment itself (the hostname is the pod's, not the replica's). */
export const RESERVED_ENV = ["POD_NAME", "POD_REPLICA"];

/**
 * How much environment a spec may carry. The kernel refuses to start a process whose
 * environment string is longer than MAX_ARG_STRLEN (32 pages: 128 KiB with its NUL), or
 * whose arguments and environment together pass a quarter of the stack limit (2 MiB with
 * the usual 8 MiB), with "argument list too long", after everything was created. A pod's
 * record also keeps its spec once per generation (21 copies) in labels that every command and
 * the agent read: 256 KiB and 1024 variables leave room for the image's own environment and
 * the command, and keep a record to a few MiB. Labels are metadata, copied onto every
 * container and into the record the same way: 64 KiB.
 */
export const ENV_LIMITS = { entryBytes: 128 * 1024 - 1, totalBytes: 256 * 1024, count: 1024, labelBytes: 64 * 1024 };

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");
const kib = (n: number): string => `${Math.ceil(n / 1024)} KiB`;

/** A variable's name as messages show it: printable as is, else quoted with escapes. Never its value. */
function shownKey(key: string): string {
  return /^[\x21-\x7e]{1,80}$/.test(key) ? key : JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
}

/** One KEY=VALUE a process can be started with: no NUL anywhere, no string the kernel refuses. */
function checkEnvEntry(key: string, entry: string): void {
  if (RESERVED_ENV.includes(key)) {
    throw usage(`variable ${key} is set by pod itself (every replica gets POD_NAME and POD_REPLICA, its number)`, "choose another name for yours");
  }
  if (entry.includes("\0")) {
    throw usage(`variable ${shownKey(key)} holds a NUL byte, which no process environment can carry (the value is not shown: it may be a secret)`, "remove the NUL from it");
  }
  if (bytes(entry) > ENV_LIMITS.entryBytes) {
    throw usage(
      `variable ${shownKey(key)} is ${kib(bytes(entry))}, and the kernel starts no process with one variable over 128 KiB`,
      "pass large data in a file instead (-v), and its path in the variable",
    );
  }
}

/** The environment as a whole: what the kernel will start, and what a record can carry. */
export function checkEnvSize(env: string[]): void {
  if (env.length > ENV_LIMITS.count) {
    throw usage(`the environment has ${env.length} variables, more than the ${ENV_LIMITS.count} pod allows`, "pass configuration in a file instead (-v), or fewer variables");
  }
  const total = env.reduce((sum, e) => sum + bytes(e) + 1, 0);
  if (total > ENV_LIMITS.totalBytes) {
    throw usage(
      `the environment is ${kib(total)} in ${env.length} variables, more than the ${kib(ENV_LIMITS.totalBytes)} pod allows (the kernel starts no process past 2 MiB of arguments and environment)`,
      "pass large values in a file instead (-v), and their paths in variables",
    );
  }
}

/** Labels as a whole: each container carries them, and the record once per generation. */
export function checkLabelSize(labels: Record<string, string>): void {
  const total = Object.entries(labels).reduce((sum, [k, v]) => sum + bytes(k) + bytes(v) + 2, 0);
  if (total > ENV_LIMITS.labelBytes) {
    throw usage(`the labels are ${kib(total)}, more than the ${kib(ENV_LIMITS.labelBytes)} pod allows`, "labels are metadata: keep them short, and data in a volume");
  }
}

/**
 * Docker's `-e KEY=VALUE` and `-e KEY` (taken from pod's own environment, dropped when
 * unset). `fileEntries` come first so `-e` overrides the file, as in `docker run`. Every
 * message names the variable only: values may be secrets.
 */
export function parseEnv(flags: string[], fileEntries: string[], environ: Record<string, string | undefined>): string[] {
  const result = new Map<string, string>();
  for (const entry of [...fileEntries, ...flags]) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (!ENV_KEY.test(key)) {
      throw usage(`--env "${eq < 0 ? shownKey(key) : `${key}=…`}" has no variable name`, "write KEY=VALUE, or KEY to pass pod's own value");
    }
    if (eq >= 0) result.set(key, entry.slice(eq + 1));
    else if (environ[key] !== undefined) result.set(key, environ[key]!);
    if (result.has(key)) checkEnvEntry(key, `${key}=${result.get(key)}`);
    else if (RESERVED_ENV.includes(key)) checkEnvEntry(key, key);
  }
  const env = [...result].map(([k, v]) => `${k}=${v}`);
  checkEnvSize(env);
  return env;
}

/** The lines of a Docker env file: KEY=VALUE or KEY; blank lines and # comments skipped. */
export function parseEnvFile(text: string, path: string): string[] {
  const entries: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimStart();
    if (line === "" || line.startsWith("#")) return;
    const key = line.split("=")[0]!;
    if (!ENV_KEY.test(key) || /\s/.test(key)) {
      throw usage(`--env-file ${path}:${i + 1}: ${shownKey(key)} is not a variable name`, "write KEY=VALUE on that line, or remove it");
    }
    if (line.includes("\0")) {
      throw usage(`--env-file ${path}:${i + 1}: variable ${shownKey(key)} holds a NUL byte (the value is not shown: it may be a secret)`, "remove the NUL from it");
    }
    entries.push(line);
  });
  return entries;
}

export function parseLabels(flags: string[], reservedPrefix: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of flags) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key === "") throw usage(`--label "${entry}" has no key`, "write KEY=VALUE");
    if (key.startsWith(reservedPrefix)) {
      throw usage(`--label "${key}" uses pod's own prefix ${reservedPrefix}`, "those labels record the pod; choose another key");
    }
    labels[key] = eq < 0 ? "" : entry.slice(eq + 1);
  }
  checkLabelSize(labels);
  return labels;
}

/** Docker's volume options on Linux, at most one of each kind, comma-separated: ro,z or rw,nocopy. */
const VOLUME_OPTIONS = [["rw", "ro"], ["z", "Z"], ["shared", "rshared", "slave", "rslave", "private", "rprivate"], ["nocopy"], ["consistent", "cached", "delegated"]];
/** A named volume's name, as Docker's local driver allows it. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function parseVolume(spec: string): string {
  const parts = spec.split(":");
  const target = parts.length === 1 ? parts[0]! : parts[1]!;
  if (parts.length > 3 || parts.some((p) => p === "") || !target.startsWith("/")) {
    throw usage(`--volume "${spec}" is malformed`, "write SOURCE:/container/path[:ro], or /container/path for an anonymous volume");
  }
  const source = parts.length > 1 ? parts[0]! : null;
  if (source !== null && !source.startsWith("/") && !VOLUME_NAME.test(source)) {
    throw usage(
      `--volume "${spec}": "${source}" is neither an absolute path nor a volume name`,
      source.includes("/") || source.startsWith(".") ? `a bind mount needs an absolute path, e.g. "$PWD/${source.replace(/^\.\//, "")}:${target}"` : "name a volume with [a-zA-Z0-9_.-], starting with a letter or digit",
    );
  }
  const options = parts[2]?.split(",") ?? [];
  const unknown = options.find((o) => !VOLUME_OPTIONS.some((kind) => kind.includes(o)));
  if (unknown !== undefined) throw usage(`--volume "${spec}": unknown option "${unknown}"`, "Docker takes ro or rw, z or Z, a propagation (rshared, rslave, rprivate, …) and nocopy, comma-separated");
  const twice = VOLUME_OPTIONS.find((kind) => options.filter((o) => kind.includes(o)).length > 1);
  if (twice) throw usage(`--volume "${spec}" gives ${twice.filter((o) => options.includes(o)).join(" and ")} together`, "give one of them");
  return spec;
}

export function parseExtraHost(spec: string): string {
  const colon = spec.indexOf(":");
  const ip = spec.slice(colon + 1);
  if (colon <= 0 || (isIP(ip) === 0 && ip !== "host-gateway")) {
    throw usage(`--add-host "${spec}" is malformed`, "write HOST:IP, e.g. db:10.0.0.5");
  }
  return spec;
}

/** A resolver's address: Docker writes it into resolv.conf, where only an IP means anything. */
export function parseDnsServer(raw: string): string {
  if (isIP(raw) === 0) throw usage(`--dns "${raw}" is not an IP address`, "give a DNS server's address, e.g. --dns 1.1.1.1");
  return raw;
}

/**
 * The pod's hostname: dot-separated labels of letters, digits, - and _ (the kernel takes at
 * most 64 bytes). Docker sets whatever it is given, and resolvers then refuse it.
 */
export function parseHostname(raw: string): string {
  const label = "[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?";
  if (raw.length > 64 || !new RegExp(`^${label}(\\.${label})*$`).test(raw)) {
    throw usage(`--hostname "${raw}" is not a host name`, "use letters, digits, - and _ in dot-separated parts, 64 characters at most, e.g. web-1.example");
  }
  return raw;
}

/** A network's name or id, as `docker network create` makes them; "" would match every network. */
export function parseNetworkName(raw: string, flag = "--network"): string {
  if (!NAME_PATTERN.test(raw)) throw usage(`${flag} "${raw}" is not a network name`, "name a network that `docker network ls` lists, e.g. --network appnet");
  return raw;
}

// ---------------------------------------------------------------------------- time

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * `--since` as docker logs takes it: a duration back from now (10m, 1h30m), an RFC 3339
 * time, or Unix seconds. Returns Unix seconds.
 */
export function parseSince(raw: string, nowMs: number): number {
  const text = raw.trim();
  const bad = () => usage(`--since "${raw}" is not a time`, "give a duration back from now (10m, 1h30m), a time like 2026-11-22T10:00:00Z, or Unix seconds");
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    seconds = Number(text);
    // The engine reads the seconds as an int64; a time past year 9999 is a typo.
    if (seconds > LATEST_TIME_S) throw usage(`--since ${text} is past the year 9999`, "give Unix seconds, e.g. 1767225600, or a duration back from now (10m)");
  } else if (/^(\d+(\.\d+)?[smhd])+$/.test(text)) {
    const back = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)].reduce((sum, m) => sum + Number(m[1]) * DURATION_UNITS[m[2]!]!, 0);
    seconds = nowMs / 1000 - back;
  } else {
    const time = Date.parse(text);
    if (Number.isNaN(time)) throw bad();
    seconds = time / 1000;
  }
  if (!Number.isFinite(seconds)) throw bad();
  // Before 1970 is every line the engine has.
  return Math.min(Math.max(seconds, 0), LATEST_TIME_S);
}

/** 9999-12-31T23:59:59Z. */
const LATEST_TIME_S = 253402300799;
