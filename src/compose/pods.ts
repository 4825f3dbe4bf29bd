// A Compose file as pod specs, one pod per service, for `pod up|down|ps -f` as they run
// today: each pod on networks and volumes that exist, named after its service (or
// PROJECT-SERVICE with -p). Services come dependencies first. Pure, as load is.
import type { PodSpec, PullPolicy } from "../podspec/types.js";
import { IGNORED_TOP_KEYS } from "./ignored.js";
import { load, type ComposeInput, type Flow } from "./load.js";
import { podNaming } from "./naming.js";
import { checkProjectName } from "./project-name.js";

export { POD_EXTENSION, type PodExtension } from "./extension.js";
export type { ComposeInput } from "./load.js";

export interface ComposePod {
  service: string;
  spec: PodSpec;
  /** The service's pull_policy, as --pull spells it; null: none given. */
  pull: PullPolicy | null;
}

export interface ComposeResult {
  /** Dependencies first: up in this order, down in reverse. */
  pods: ComposePod[];
  /** One line each: `FILE: PATH: ignored: WHY`, or `FILE: PATH: NOTE`. */
  warnings: string[];
}

const PODS: Flow = {
  projectName: (o) => (o.projectName === null ? null : checkProjectName(o.projectName, "-p")),
  naming: podNaming,
  restart: false,
  ignoredTop: IGNORED_TOP_KEYS,
};

/** The selected services of a Compose file as pod specs, and what pod could not honour. */
export function loadCompose(o: ComposeInput): ComposeResult {
  const { d, services } = load(o, PODS);
  for (const { service, dependsOn } of services) {
    for (const dep of dependsOn) {
      if (dep.condition === "service_completed_successfully") {
        d.warn(["services", service, "depends_on", dep.service, "condition"], `pod up -f starts ${dep.service} first and waits until it serves, not until it completes`);
      }
      if (dep.restart) d.ignore(["services", service, "depends_on", dep.service, "restart"], `pod does not restart ${service} when ${dep.service} restarts`);
    }
  }
  return { pods: services.map(({ service, spec, pull }) => ({ service, spec, pull })), warnings: d.warnings };
}
