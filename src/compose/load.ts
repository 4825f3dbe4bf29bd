// The steps every way of running a compose file shares: the document read, the project
// named, the services chosen and ordered, each mapped to a pod's spec, and the checks
// that span services. Pure: files and the environment come in through the input.
import { portConflict, formatPort } from "../podspec/parse.js";
import type { PodSpec, PortMapping } from "../podspec/types.js";
import { isObj, list, type Diagnostics, type Obj, type Source } from "./context.js";
import { selectServices, type Dependency } from "./depends.js";
import { finishDocument, parseDocument, type DocumentInput } from "./document.js";
import type { Lookup } from "./interpolate.js";
import type { Naming } from "./naming.js";
import { serviceSpec, type MappedService } from "./service.js";
import { modeOf } from "../modes/index.js";

export interface ComposeInput extends DocumentInput {
  /** -p/--project-name, or null. */
  projectName: string | null;
  /** The services named on the command line, in that order; empty: all that are enabled. */
  services: string[];
  /** --profile; empty or absent: COMPOSE_PROFILES from the environment or .env. */
  profiles?: string[];
  /** --scale SERVICE=N: replica counts that win over the file's. */
  scale?: Record<string, number>;
  /** Whether named services bring what they depend on (default true: up; down passes false). */
  withDependencies?: boolean;
}

/** How one way of running the file names things and what it honours. */
export interface Flow {
  /** The project's name; `raw` is the file before interpolation, `vars` the environment then .env. */
  projectName(o: ComposeInput, d: Diagnostics, dir: string, raw: Obj, vars: Lookup): string | null;
  naming(doc: Obj, projectName: string | null): Naming;
  /** Whether ReplicaSpec.restart is applied (else `restart:` is warned about). */
  restart: boolean;
  /** Top-level keys this flow reads but does not honour, with the reason. */
  ignoredTop: Record<string, string>;
}

export interface LoadedService extends MappedService {
  service: string;
  dependsOn: Dependency[];
}

export interface Loaded {
  d: Diagnostics;
  dir: string;
  doc: Obj;
  /** The project's variables: the environment, then .env, COMPOSE_PROJECT_NAME the project's. */
  vars: Lookup;
  projectName: string | null;
  /** Dependencies first. */
  services: LoadedService[];
  /** Keys of the top-level networks and volumes the services use, in the order first used. */
  usedNetworks: string[];
  usedVolumes: string[];
}

export function load(o: ComposeInput, flow: Flow): Loaded {
  const parsed = parseDocument(o);
  const projectName = flow.projectName(o, parsed.d, parsed.dir, parsed.raw, parsed.dotenv);
  const vars: Lookup = (name) => (name === "COMPOSE_PROJECT_NAME" && projectName !== null ? projectName : parsed.dotenv(name));
  const { d, dir, doc } = finishDocument(parsed, vars);

  const naming = flow.naming(doc, projectName);
  const usedNetworks = new Set<string>();
  const usedVolumes = new Set<string>();
  const recording: Naming = {
    ...naming,
    usedNetwork: (diag, key) => (usedNetworks.add(key), naming.usedNetwork(diag, key)),
    usedVolume: (diag, key) => (usedVolumes.add(key), naming.usedVolume(diag, key)),
  };
  const src: Source = { d, dir, doc, vars, env: o.env, readFile: o.readFile, naming: recording, restart: flow.restart };

  for (const key of Object.keys(doc)) {
    if (flow.ignoredTop[key] !== undefined) d.ignore([key], flow.ignoredTop[key]!);
  }
  const services = (isObj(doc["services"]) ? doc["services"] : {}) as Record<string, Obj>;
  if (Object.keys(services).length === 0) d.failFile("defines no services", "add one under services:, e.g. web: {image: web}");
  const profiles = o.profiles && o.profiles.length > 0 ? o.profiles : list(vars("COMPOSE_PROFILES")?.split(",")).map((p) => p.trim()).filter(Boolean);
  const selection = selectServices(d, services, { named: o.services, profiles, withDependencies: o.withDependencies ?? true });
  for (const [service] of Object.entries(o.scale ?? {})) {
    if (!selection.order.includes(service)) {
      const known = service in services;
      d.failFile(`--scale ${service}: ${known ? "is not among the services this command brings up" : "no such service in this file"}`, `services here: ${selection.order.join(", ")}`);
    }
  }
  const loaded = selection.order.map((service) => ({
    service,
    ...serviceSpec(src, service, services[service]!, o.scale?.[service]),
    dependsOn: selection.dependsOn.get(service) ?? [],
  }));
  refuseSharedHostPorts(d, loaded);
  return { d, dir, doc, vars, projectName, services: loaded, usedNetworks: [...usedNetworks], usedVolumes: [...usedVolumes] };
}

/** The host ports a pod binds: its published ones, or on the host's network its replicas' own. */
function hostPorts(spec: PodSpec): PortMapping[] {
  return modeOf(spec.network).hostPorts(spec.network.ports);
}

/** Two services publishing one host port: the second would fail after the first is up (issue 20, defect 4). */
function refuseSharedHostPorts(d: Diagnostics, services: LoadedService[]): void {
  const all = services.flatMap(({ service, spec }) => hostPorts(spec).map((p) => ({ ...p, service })));
  const conflict = portConflict(all);
  if (conflict === null) return;
  // One service's own ports were checked where they were read: these are two services'.
  const [a, b] = conflict;
  d.fail(
    ["services", b.service, "ports"],
    `host port ${b.hostPort}/${b.protocol} is published by services.${a.service} too (${formatPort(a)} and ${formatPort(b)})`,
    "one service's replicas share a port; two services cannot: give one of them another host port",
  );
}
