// Which Docker names a compose file's services, networks and volumes get. One strategy
// per way of running the file, so no step of the mapping asks which one it is in.
import type { Naming } from "./context.js";
export type { Naming } from "./context.js";
import type { Diagnostics, Obj } from "./context.js";
import { isExtension, isObj } from "./context.js";

/** A top-level network or volume as declared: whether it is, whether external, its `name:`. */
export interface Declaration {
  declared: boolean;
  external: boolean;
  /** `name:`, or external's deprecated `name:`; null when neither is given. */
  given: string | null;
  settings: Obj;
}

export function declaration(doc: Obj, kind: "networks" | "volumes" | "secrets" | "configs", key: string): Declaration {
  const top = isObj(doc[kind]) ? (doc[kind] as Obj) : {};
  if (!(key in top)) return { declared: false, external: false, given: null, settings: {} };
  const settings = isObj(top[key]) ? (top[key] as Obj) : {};
  const external = settings["external"];
  const externalName = isObj(external) && typeof external["name"] === "string" ? external["name"] : null;
  const given = typeof settings["name"] === "string" ? settings["name"] : externalName;
  return { declared: true, external: external === true || isObj(external), given, settings };
}


/** Settings of a network or volume a project creates that pod carries to the engine. */
export const NETWORK_SETTINGS = ["name", "external", "driver", "driver_opts", "internal", "labels"];
export const VOLUME_SETTINGS = ["name", "external", "driver", "driver_opts", "labels"];

/**
 * A Compose project's names, as Compose gives them: pods PROJECT-SERVICE (so replicas are
 * PROJECT-SERVICE-N), networks and volumes PROJECT_KEY unless external or named, and
 * PROJECT_default for the services that name no network. Each service is known on its
 * networks by its service name.
 */
export function projectNaming(doc: Obj, project: string): Naming {
  const name = (kind: "networks" | "volumes", key: string): string | undefined => {
    const decl = declaration(doc, kind, key);
    if (!decl.declared) return kind === "networks" && key === "default" ? `${project}_default` : undefined;
    if (decl.given !== null) return decl.given;
    return decl.external ? key : `${project}_${key}`;
  };
  const unsupported = (d: Diagnostics, kind: "networks" | "volumes", key: string, allowed: string[]) => {
    const decl = declaration(doc, kind, key);
    if (decl.external) return;
    for (const setting of Object.keys(decl.settings)) {
      if (!allowed.includes(setting) && !isExtension(setting)) {
        d.ignore([kind, key, setting], `pod creates ${kind} with ${allowed.filter((a) => a !== "name" && a !== "external").join(", ")} only`);
      }
    }
  };
  return {
    pod: (service) => `${project}-${service}`,
    network: (key) => name("networks", key),
    volume: (key) => name("volumes", key),
    implicitNetworks: ["default"],
    aliases: (service) => [service],
    usedNetwork: (d, key) => unsupported(d, "networks", key, NETWORK_SETTINGS),
    usedVolume: (d, key) => unsupported(d, "volumes", key, VOLUME_SETTINGS),
  };
}

/**
 * Each service a pod of its own, on networks and volumes that exist: a pod is named after
 * its service, or PROJECT-SERVICE with a project name (-p); pod creates no networks and no
 * volumes. A network or named volume is Docker's object named by its `name:`, else
 * (external) by its key, else as Compose names what it creates: PROJECT_KEY with a project
 * name, the bare KEY without. The network `default` (Compose's own per-project network) is
 * Docker's default bridge unless it has a `name:`. A network Compose would have created
 * gets a warning that it must exist (Docker creates a missing named volume by itself; a
 * missing network fails `up`).
 */
export function podNaming(doc: Obj, projectName: string | null): Naming {
  const name = (kind: "networks" | "volumes", key: string): string | undefined => {
    const decl = declaration(doc, kind, key);
    if (kind === "networks" && key === "default" && decl.given === null && !decl.external) return "bridge";
    if (!decl.declared) return undefined;
    if (decl.given !== null) return decl.given;
    if (decl.external) return key;
    return projectName !== null ? `${projectName}_${key}` : key;
  };
  const created = (kind: "networks" | "volumes", key: string) => {
    const decl = declaration(doc, kind, key);
    return decl.declared && !decl.external ? decl : null;
  };
  return {
    pod: (service) => (projectName !== null ? `${projectName}-${service}` : service),
    network: (key) => name("networks", key),
    volume: (key) => name("volumes", key),
    implicitNetworks: [],
    aliases: () => [],
    usedNetwork(d, key) {
      const decl = created("networks", key);
      if (decl === null || (key === "default" && decl.given === null)) return;
      const docker = name("networks", key)!;
      d.warn(["networks", key], `pod creates no networks: the pod joins the Docker network "${docker}", which must exist (docker network create ${docker})`);
      for (const setting of Object.keys(decl.settings)) {
        if (setting !== "name" && setting !== "external" && !isExtension(setting)) {
          d.ignore(["networks", key, setting], "pod creates no networks; create it with docker network create");
        }
      }
    },
    usedVolume(d, key) {
      const decl = created("volumes", key);
      if (decl === null) return;
      for (const setting of Object.keys(decl.settings)) {
        if (setting !== "name" && setting !== "external" && !isExtension(setting)) {
          d.ignore(["volumes", key, setting], "Docker creates the volume with its default driver when a replica first mounts it");
        }
      }
    },
  };
}
