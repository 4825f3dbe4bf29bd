// A Compose file as pod specs, one pod per service, for `pod up|down|ps -f` as they run
// today: each pod on networks and volumes that exist. Pure: the file's text, the
// environment and every other file (.env, env_file) come in through the caller, so each
// rule is a row in test/unit/compose/.
import type { Json } from "./interpolate.js";
import { isObj, type Obj, type Source } from "./context.js";
import { finishDocument, parseDocument, type DocumentInput } from "./document.js";
import { IGNORED_TOP_KEYS } from "./ignored.js";
import { podNaming } from "./naming.js";
import { serviceSpec } from "./service.js";
import type { PodSpec } from "../spec/types.js";

export { POD_EXTENSION, type PodExtension } from "./extension.js";

export interface ComposeInput extends DocumentInput {
  /** -p/--project-name: pods are named PROJECT-SERVICE, Compose-made networks and volumes PROJECT_KEY. */
  projectName: string | null;
  /** The services to load, in this order; empty: all, in the file's order. */
  services: string[];
}

export interface ComposePod {
  service: string;
  spec: PodSpec;
}

export interface ComposeResult {
  pods: ComposePod[];
  /** One line each: `FILE: PATH: ignored: WHY`, or `FILE: PATH: NOTE`. */
  warnings: string[];
}

/** The selected services of a Compose file as pod specs, and what pod could not honour. */
export function loadCompose(o: ComposeInput): ComposeResult {
  const parsed = parseDocument(o);
  const projectName = o.projectName;
  const vars = (name: string) => (name === "COMPOSE_PROJECT_NAME" && projectName !== null ? projectName : parsed.dotenv(name));
  const { d, dir, doc } = finishDocument(parsed, vars);
  const src: Source = { d, dir, doc, vars, env: o.env, readFile: o.readFile, naming: podNaming(doc, projectName) };

  for (const key of Object.keys(doc)) {
    if (IGNORED_TOP_KEYS[key] !== undefined) d.ignore([key], IGNORED_TOP_KEYS[key]!);
  }
  const services = isObj(doc["services"]) ? doc["services"] : {};
  const all = Object.keys(services);
  if (all.length === 0) d.failFile("defines no services", "add one under services:, e.g. web: {image: web}");
  for (const name of o.services) {
    if (!(name in services)) d.failFile(`has no service "${name}"`, `services in this file: ${all.join(", ")}`);
  }
  // As Compose: a service in profiles runs only when named (pod has no --profile).
  const inProfiles = (name: string) => {
    const profiles = (services[name] as Obj)["profiles"];
    return Array.isArray(profiles) && profiles.length > 0;
  };
  const selected = o.services.length > 0 ? [...new Set(o.services)] : all.filter((name) => !inProfiles(name));
  for (const name of o.services.length > 0 ? [] : all.filter(inProfiles)) {
    d.warn(["services", name], `skipped: it runs in profiles ${((services[name] as Obj)["profiles"] as Json[]).join(", ")} only; name it to load it`);
  }
  if (selected.length === 0) d.failFile("every service belongs to a profile", `name the services to load: ${all.join(", ")}`);
  const pods = selected.map((service) => ({ service, spec: serviceSpec(src, service, services[service] as Obj) }));
  return { pods, warnings: d.warnings };
}
