// `x-pod`: the service-level extension that carries what Compose cannot say. Read by
// loadCompose, written by the Compose export; kept apart so the exporters load no schema.
import type { ComposePodProbe } from "../podspec/health.js";
import type { Balance } from "../podspec/types.js";

export const POD_EXTENSION = "x-pod";

/** `x-pod:` in a service. Every field is optional; unknown fields are refused. */
export interface PodExtension {
  /** The pod's own name, instead of PROJECT-SERVICE (as container_name names a container). */
  name?: string;
  /** How replicas share the published ports (the default: reuseport). */
  balance?: Balance;
  /** Overrides deploy.replicas, e.g. to run 3 with pod where `docker compose up` runs 1. */
  replicas?: number;
  /** pod's own probe ({http: /health} or {tcp: true}, and a port); healthcheck: gives its timings. */
  health?: ComposePodProbe;
}
