// `-f compose.yaml`: the file read, checked and turned into pod specs (or a project), and
// the options the commands that take -f share. The Compose reader (YAML, the Compose
// schema) loads only here: compiling the schema costs a quarter of a second no other
// command should pay.
import type { Argv } from "yargs";
import type { ComposeInput } from "../../compose/load.js";
import type { ComposeResult } from "../../compose/pods.js";
import type { ComposeProject } from "../../compose/project.js";
import { readFailure, UsageError } from "../../errors.js";
import type { Reporter } from "../../report/reporter.js";
import { REFUSED_NETWORK_OPTIONS } from "../../podspec/flags.js";
import { parseReplicas } from "../../podspec/parse.js";
import { repeatable } from "./options.js";
import type { Deps } from "./deps.js";

export interface ComposeRequest {
  file: string;
  projectName: string | null;
  services: string[];
  /** --profile. */
  profiles?: string[];
  /** --scale SERVICE=N, parsed. */
  scale?: Record<string, number>;
  /** Named services bring their dependencies (up); down does not. */
  withDependencies?: boolean;
  /**
   * Whether to say the file's warnings: the command that changes something says them once;
   * ps and down, which only find the pods, stay quiet.
   */
  warn: boolean;
}

/** A file the compose file names (.env, env_file, secrets): null when there is none, else its text or one line why not. */
function readBeside(deps: Deps, path: string): string | null {
  try {
    return deps.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    const { why, hint } = readFailure(err);
    throw new UsageError(`${path} cannot be read (${why})`, hint ?? "make it readable, or fix the path in the compose file");
  }
}

function input(deps: Deps, o: ComposeRequest): ComposeInput {
  let text: string;
  try {
    text = deps.readFile(o.file);
  } catch (err) {
    const { why, hint } = readFailure(err);
    throw new UsageError(`-f ${o.file} cannot be read (${why})`, hint ?? "give the path of a compose file");
  }
  return {
    path: o.file,
    text,
    projectName: o.projectName,
    services: o.services,
    ...(o.profiles ? { profiles: o.profiles } : {}),
    ...(o.scale ? { scale: o.scale } : {}),
    ...(o.withDependencies !== undefined ? { withDependencies: o.withDependencies } : {}),
    env: deps.environ,
    readFile: (path) => readBeside(deps, path),
  };
}

/** The file's services as pods, each named after its service (PROJECT-SERVICE with -p): today's per-pod flow. */
export async function loadComposeFile(deps: Deps, reporter: Reporter, o: ComposeRequest): Promise<ComposeResult> {
  const request = input(deps, o);
  const { loadCompose } = await import("../../compose/pods.js");
  const result = loadCompose(request);
  if (o.warn) for (const w of result.warnings) reporter.warn(w);
  return result;
}

/** The file as Compose decides the project: names, networks, volumes, services in dependency order. */
export async function loadComposeProject(deps: Deps, reporter: Reporter, o: ComposeRequest): Promise<ComposeProject> {
  const request = input(deps, o);
  const { loadProject } = await import("../../compose/project.js");
  const { project, warnings } = loadProject(request);
  if (o.warn) for (const w of warnings) reporter.warn(w);
  return project;
}

/** The normalised project `pod config` prints, and the project itself. */
export async function loadComposeModel(deps: Deps, reporter: Reporter, o: ComposeRequest): Promise<{ model: object; project: ComposeProject }> {
  const request = input(deps, o);
  const { composeConfig } = await import("../../compose/config.js");
  const { model, project, warnings } = composeConfig(request);
  if (o.warn) for (const w of warnings) reporter.warn(w);
  return { model, project };
}

/** A value of -p that a pod user means as a port: with -f, Compose's -p names the project. */
const looksLikePort = (v: string) => /[:/[]/.test(v) || /^\d+(-\d+)?$/.test(v);

/**
 * The project name with -f: --project-name, or -p as Compose users type it (up's -p is
 * --publish without -f). A port given there is refused rather than taken for a name.
 */
export function projectName(args: { "project-name"?: string; publish?: string[] }): string | null {
  const p = args.publish ?? [];
  if (args["project-name"] !== undefined && p.length > 0) throw new UsageError("-p and --project-name both name the project", "give one of them");
  if (p.length > 1) throw new UsageError("with -f, -p names the project (as docker compose -p does), once", "ports come from the compose file's ports:");
  if (p.length === 1 && looksLikePort(p[0]!)) {
    throw new UsageError(`with -f, -p names the project, as docker compose -p does: "${p[0]}" is a port`, "ports come from the compose file's ports: (to name a project so, write --project-name)");
  }
  return args["project-name"] ?? p[0] ?? null;
}

/** --scale SERVICE=N, as Compose's (N from 0 to pod's limit). */
export function parseScale(raw: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of raw) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`--scale "${entry}" is not SERVICE=N`, "e.g. --scale web=3");
    out[entry.slice(0, eq)] = parseReplicas(entry.slice(eq + 1), `--scale ${entry.slice(0, eq)}=`);
  }
  return out;
}

/**
 * up's options that make a spec from the command line. With -f the file is the whole spec,
 * so each is refused rather than ignored, with where the file says the same.
 */
const SPEC_OPTIONS: Record<string, string> = {
  name: "each pod is named after its service (PROJECT-SERVICE with -p)",
  replicas: "set deploy.replicas in the file, or pass --scale SERVICE=N",
  env: "put it under the service's environment: in the file",
  "env-file": "list it under the service's env_file: in the file",
  label: "put it under the service's labels: in the file",
  volume: "put it under the service's volumes: in the file",
  user: "set the service's user: in the file",
  memory: "set deploy.resources.limits.memory in the file",
  cpus: "set deploy.resources.limits.cpus in the file",
  entrypoint: "set the service's entrypoint: in the file",
  "stop-timeout": "set the service's stop_grace_period: in the file",
  "stop-signal": "set the service's stop_signal: in the file",
  hostname: "set the service's hostname: in the file",
  dns: "set the service's dns: in the file",
  "dns-search": "set the service's dns_search: in the file",
  "dns-option": "set the service's dns_opt: in the file",
  "add-host": "set the service's extra_hosts: in the file",
  network: "list the service's networks: in the file",
  "network-alias": "give aliases under the service's networks: in the file",
  balance: "set x-pod: {balance: ...} in the service",
  spread: "set x-pod: {balance: dnat} in the service",
  parallel: "set deploy.update_config.parallelism in the file",
};

/** Refuses, with -f, every option that would set a spec from the command line. */
export function refuseSpecOptions(args: Record<string, unknown>): void {
  for (const [option, where] of Object.entries(SPEC_OPTIONS)) {
    const value = args[option];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    throw new UsageError(`with -f, --${option} is not taken: the compose file is the whole spec`, where);
  }
  for (const option of Object.keys(REFUSED_NETWORK_OPTIONS)) {
    if (args[option] !== undefined) throw new UsageError(`with -f, --${option} is not taken: the compose file is the whole spec`, "write the service's own key in the file");
  }
  if (Array.isArray(args["--"]) && args["--"].length > 0) {
    throw new UsageError("with -f, a command after -- is not taken: the compose file is the whole spec", "set the service's command: in the file");
  }
}

/** -f's companions on up, down, ps and config: spelled once. */
export function composeOptions<T>(y: Argv<T>) {
  return y
    .option("file", { type: "string", alias: "f", describe: "A compose file: each service (or those named) becomes a pod", group: "Compose:" })
    .option("profile", { ...repeatable, describe: "With -f: enable services of this profile (default: COMPOSE_PROFILES)", group: "Compose:" });
}
