// What the user asked for, parsed and checked before any engine call. Pure: no I/O here,
// so every rule is a row in test/unit/spec/parse.test.ts.
import { isIP } from "node:net";
import { UsageError } from "../errors.js";
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
  const withoutDigest = image.split("@")[0]!;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const repoAndTag = withoutDigest.slice(lastSlash + 1);
  const repo = repoAndTag.split(":")[0]!;
  if (!NAME_PATTERN.test(repo) || repo.length > MAX_NAME_LENGTH) {
    throw usage(`cannot name a pod after image "${image}"`, "give it a name with --name NAME");
  }
  return repo;
}

export function parseImageRef(image: string): string {
  // Docker's reference grammar is broad; catch what can never be a reference.
  if (image.length === 0 || /\s/.test(image) || image.startsWith("-")) {
    throw usage(`invalid image "${image}"`, "name an image on the engine, e.g. http_server or web:1.2");
  }
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

export function parseSeconds(flag: string, raw: unknown, max = 3600): number {
  return wholeNumber(flag, raw, 0, max, "seconds");
}

const MEMORY_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MIN_MEMORY = 6 * 1024 ** 2; // Docker's own minimum

export function parseMemory(raw: string): number {
  const match = /^(\d+)([bkmg]?)$/i.exec(raw.trim());
  if (!match) {
    throw usage(`--memory "${raw}" is not a size`, "write a number with an optional unit b, k, m or g, e.g. 512m");
  }
  const bytes = Number(match[1]) * MEMORY_UNITS[match[2]!.toLowerCase()]!;
  if (bytes < MIN_MEMORY) {
    throw usage(`--memory "${raw}" is below Docker's minimum of 6m`, "give each replica at least 6m");
  }
  return bytes;
}

export function parseCpus(raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0)) {
    throw usage(`--cpus "${raw}" is not a positive number`, "give a number of CPUs like 0.5 or 2");
  }
  return Math.round(value * 1e9);
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
  if (rest.length > 0) throw usage(`--publish "${spec}": "${text}" is not a port or range`, "write a port like 80 or a range like 8000-8010");
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

/**
 * Docker's `-e KEY=VALUE` and `-e KEY` (taken from pod's own environment, dropped when
 * unset). `fileEntries` come first so `-e` overrides the file, as in `docker run`.
 */
export function parseEnv(flags: string[], fileEntries: string[], environ: Record<string, string | undefined>): string[] {
  const result = new Map<string, string>();
  for (const entry of [...fileEntries, ...flags]) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (!ENV_KEY.test(key)) {
      throw usage(`--env "${entry}" has no variable name`, "write KEY=VALUE, or KEY to pass pod's own value");
    }
    if (eq >= 0) result.set(key, entry.slice(eq + 1));
    else if (environ[key] !== undefined) result.set(key, environ[key]!);
  }
  return [...result].map(([k, v]) => `${k}=${v}`);
}

/** The lines of a Docker env file: KEY=VALUE or KEY; blank lines and # comments skipped. */
export function parseEnvFile(text: string, path: string): string[] {
  const entries: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimStart();
    if (line === "" || line.startsWith("#")) return;
    const key = line.split("=")[0]!;
    if (!ENV_KEY.test(key) || /\s/.test(key)) {
      throw usage(`--env-file ${path}:${i + 1}: "${raw}" is not KEY=VALUE`, "fix that line or remove it");
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
  return labels;
}

export function parseVolume(spec: string): string {
  const parts = spec.split(":");
  const target = parts.length === 1 ? parts[0]! : parts[1]!;
  if (parts.length > 3 || parts.some((p) => p === "") || !target.startsWith("/")) {
    throw usage(`--volume "${spec}" is malformed`, "write SOURCE:/container/path[:ro], or /container/path for an anonymous volume");
  }
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


// ---------------------------------------------------------------------------- time

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * `--since` as docker logs takes it: a duration back from now (10m, 1h30m), an RFC 3339
 * time, or Unix seconds. Returns Unix seconds.
 */
export function parseSince(raw: string, nowMs: number): number {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^(\d+(\.\d+)?[smhd])+$/.test(text)) {
    const seconds = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)].reduce((sum, m) => sum + Number(m[1]) * DURATION_UNITS[m[2]!]!, 0);
    return nowMs / 1000 - seconds;
  }
  const time = Date.parse(text);
  if (!Number.isNaN(time)) return time / 1000;
  throw usage(`--since "${raw}" is not a time`, "give a duration back from now (10m, 1h30m), a time like 2026-11-22T10:00:00Z, or Unix seconds");
}
