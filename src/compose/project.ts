// A Compose file as Compose decides the project: its name (-p, COMPOSE_PROJECT_NAME,
// `name:`, the directory), every object named and labelled as Compose names and labels
// it, the networks and volumes to create, and the services in dependency order, each a
// pod's spec. Pure: what exists on the engine comes in through missingExternals' caller.
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { PodSpec, PullPolicy } from "../podspec/types.js";
import { keyValues, scalar, type Obj } from "./context.js";
import type { Dependency } from "./depends.js";
import { finishName } from "./document.js";
import { IGNORED_TOP_KEYS } from "./ignored.js";
import { networkLabels, serviceLabels, volumeLabels, type ProjectIdentity } from "./labels.js";
import { load, type ComposeInput, type Flow, type Loaded } from "./load.js";
import { declaration, projectNaming } from "./naming.js";
import { projectName } from "./project-name.js";

export type { ComposeInput } from "./load.js";
export type { Condition, Dependency } from "./depends.js";

export interface ServicePlan {
  service: string;
  /**
   * The pod: named PROJECT-SERVICE (replicas PROJECT-SERVICE-N, the sandbox
   * PROJECT-SERVICE-sandbox); on each project network with the service's name as an alias;
   * Compose's labels in replica.labels (the renderer adds container-number per replica).
   */
  spec: PodSpec;
  /** The project's networks the pod joins, by key (none on the host's network or with network_mode). */
  networks: { key: string; name: string }[];
  /** Dependencies among the project's selected services, each to reach its condition before this one starts. */
  dependsOn: Dependency[];
  /** For the sandbox: Compose's project and service labels, without a container number (it serves no traffic). */
  sandboxLabels: Record<string, string>;
  /** The service's pull_policy; null: the command's --pull, else missing. */
  pull: PullPolicy | null;
}

export interface ProjectNetwork {
  key: string;
  /** Docker's name: PROJECT_KEY, or `name:`, or (external) the key. */
  name: string;
  /** Exists already; pod neither creates nor removes it. */
  external: boolean;
  /** null: the engine's default (bridge). */
  driver: string | null;
  driverOpts: Record<string, string>;
  internal: boolean;
  /** Compose's labels and the file's, for a network pod creates; empty for an external one. */
  labels: Record<string, string>;
}

export interface ProjectVolume {
  key: string;
  name: string;
  external: boolean;
  driver: string | null;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

export interface ComposeProject {
  name: string;
  /** Absolute: the compose file's directory. */
  workingDir: string;
  /** Absolute paths of the compose files, as Compose's config_files label lists them. */
  files: string[];
  /** Dependencies first; down goes in reverse. */
  services: ServicePlan[];
  /** Those the selected services use. */
  networks: ProjectNetwork[];
  volumes: ProjectVolume[];
}

export interface ProjectResult {
  project: ComposeProject;
  /** One line each, naming the file and the key. */
  warnings: string[];
}

/** Compose's names, Compose's restart policies, `name:` honoured. */
export const PROJECT_FLOW: Flow = {
  projectName: (o, d, dir, raw, vars) =>
    projectName({
      flag: o.projectName,
      fromEnv: vars("COMPOSE_PROJECT_NAME"),
      declared: raw["name"] === undefined || raw["name"] === null ? undefined : finishName(d, dir, raw["name"], vars),
      dir,
      file: d.file,
    }).name,
  naming: (doc, name) => projectNaming(doc, name!),
  restart: true,
  ignoredTop: Object.fromEntries(Object.entries(IGNORED_TOP_KEYS).filter(([key]) => key !== "name")),
};

const strings = (raw: Obj[string] | undefined): Record<string, string> => Object.fromEntries(keyValues(raw).map(([k, v]) => [k, v ?? ""]));

function networks(loaded: Loaded, project: string): ProjectNetwork[] {
  return loaded.usedNetworks.map((key) => {
    const decl = declaration(loaded.doc, "networks", key);
    const s = decl.settings;
    return {
      key,
      name: projectNaming(loaded.doc, project).network(key)!,
      external: decl.external,
      driver: decl.external || s["driver"] === undefined ? null : scalar(s["driver"]),
      driverOpts: decl.external ? {} : strings(s["driver_opts"]),
      internal: !decl.external && s["internal"] === true,
      labels: decl.external ? {} : { ...strings(s["labels"]), ...networkLabels(project, key) },
    };
  });
}

function volumes(loaded: Loaded, project: string): ProjectVolume[] {
  return loaded.usedVolumes.map((key) => {
    const decl = declaration(loaded.doc, "volumes", key);
    const s = decl.settings;
    return {
      key,
      name: projectNaming(loaded.doc, project).volume(key)!,
      external: decl.external,
      driver: decl.external || s["driver"] === undefined ? null : scalar(s["driver"]),
      driverOpts: decl.external ? {} : strings(s["driver_opts"]),
      labels: decl.external ? {} : { ...strings(s["labels"]), ...volumeLabels(project, key) },
    };
  });
}

/** A loaded file as its project: Compose's labels on each pod, the networks and volumes used. */
export function projectOf(loaded: Loaded, path: string): ComposeProject {
  const name = loaded.projectName!;
  const id: ProjectIdentity = { name, workingDir: resolve(loaded.dir), files: [resolve(path)] };
  const services = loaded.services.map(({ service, spec, joins, dependsOn, pull }): ServicePlan => {
    const labels = serviceLabels(id, service, dependsOn.map((dep) => `${dep.service}:${dep.condition}:${dep.restart}`));
    return {
      service,
      spec: { ...spec, replica: { ...spec.replica, labels: { ...spec.replica.labels, ...labels } } },
      networks: joins,
      dependsOn,
      sandboxLabels: labels,
      pull,
    };
  });
  return { ...id, services, networks: networks(loaded, name), volumes: volumes(loaded, name) };
}

/** The project a compose file describes, as Compose would bring it up; and what pod could not honour. */
export function loadProject(o: ComposeInput): ProjectResult {
  const loaded = load(o, PROJECT_FLOW);
  return { project: projectOf(loaded, o.path), warnings: loaded.d.warnings };
}

export interface Missing {
  kind: "network" | "volume";
  key: string;
  name: string;
}

/** External networks and volumes of the project that the engine does not have: Compose refuses to start then. */
export function missingExternals(project: ComposeProject, existingNetworks: Iterable<string>, existingVolumes: Iterable<string>): Missing[] {
  const nets = new Set(existingNetworks);
  const vols = new Set(existingVolumes);
  return [
    ...project.networks.filter((n) => n.external && !nets.has(n.name)).map((n) => ({ kind: "network" as const, key: n.key, name: n.name })),
    ...project.volumes.filter((v) => v.external && !vols.has(v.name)).map((v) => ({ kind: "volume" as const, key: v.key, name: v.name })),
  ];
}

/** missingExternals as one line naming the file and the key, exit 2, before anything is created. */
export function refuseMissingExternals(project: ComposeProject, existingNetworks: Iterable<string>, existingVolumes: Iterable<string>): void {
  const missing = missingExternals(project, existingNetworks, existingVolumes);
  const first = missing[0];
  if (first === undefined) return;
  const others = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
  throw new UsageError(
    `${project.files[0]}: ${first.kind}s.${first.key}: the external ${first.kind} "${first.name}" does not exist${others}`,
    `create it first (docker ${first.kind} create ${first.name}), or remove external: true to let pod create it with the project`,
  );
}
