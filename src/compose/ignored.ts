// Keys pod reads but does not honour, each with the reason said in its warning: nothing in
// a compose file is dropped silently.
import { POD_EXTENSION } from "./extension.js";

/** Service keys pod does not map, and why. Any key not here and not mapped gets GENERIC. */
export const IGNORED_SERVICE_KEYS: Record<string, string> = {
  // Only where the flow does not apply ReplicaSpec.restart.
  restart: "pod restarts crashed replicas itself (unless-stopped)",
  container_name: "pod names the containers <pod>-sandbox and <pod>-<n>",
  expose: "expose only documents ports; pod publishes the ports under ports:",
  links: "links are legacy networking: put the pods on one network and use their names",
  external_links: "links are legacy networking: put the pods on one network and use their names",
  logging: "replicas log with the engine's default log driver",
  platform: "the engine runs images of its own platform",
  extends: "pod reads each service as written, without merging another one into it",
  develop: "pod has no watch mode",
  mac_address: "the sandbox owns the network; Docker assigns its address",
  domainname: "the sandbox owns the pod's names",
  label_file: "pod reads labels from labels: only",
  annotations: "pod's spec has no annotations",
  attach: "pod never attaches to a replica's output; see pod logs",
};

export const GENERIC = "pod's spec has no such setting, so replicas run without it";

export const IGNORED_DEPLOY_KEYS: Record<string, string> = {
  restart_policy: IGNORED_SERVICE_KEYS["restart"]!,
  rollback_config: "when a new replica fails, pod removes it and keeps the old ones",
  placement: "pod runs every replica on one host",
  endpoint_mode: "the sandbox is the pod's one endpoint",
  labels: "those are Swarm's service labels; container labels go under labels:",
};

export const IGNORED_TOP_KEYS: Record<string, string> = {
  version: "the version key is obsolete, as Compose says too",
  name: "pod names each pod after its service (pass a project name for PROJECT-SERVICE)",
  include: "pod reads one file: services of included files are not loaded",
  [POD_EXTENSION]: "x-pod belongs inside a service",
};
