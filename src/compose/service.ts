// One service as one pod's spec. Each key is mapped by the step that owns it; a key pod
// cannot honour is named in a warning with the reason.
import { parsePodName } from "../podspec/parse.js";
import type { PodSpec, PullPolicy } from "../podspec/types.js";
import { isExtension, objAt, type Diagnostics, type Obj, type Path, type Source } from "./context.js";
import { command, entrypoint } from "./command.js";
import { labels, serviceEnv } from "./environment.js";
import { POD_EXTENSION } from "./extension.js";
import { healthFromCompose, type ComposeHealthcheck } from "../podspec/health.js";
import { healthcheck } from "./health.js";
import { GENERIC, IGNORED_SERVICE_KEYS } from "./ignored.js";
import { image } from "./image.js";
import { network } from "./network.js";
import { cpus, deployWarnings, extension, gracePeriod, memory, parallel, replicas } from "./resources.js";
import { restartPolicy } from "./restart.js";
import { fileMounts } from "./secrets.js";
import { volumes } from "./volumes.js";

/** The service keys some step maps, whichever flow runs the file. */
const MAPPED = new Set([
  "image", "command", "entrypoint", "ports", "environment", "env_file", "volumes", "user",
  "stop_signal", "stop_grace_period", "deploy", "networks", "network_mode", "hostname",
  "dns", "dns_search", "dns_opt", "extra_hosts", "labels", "scale", "cpus", "mem_limit",
  "healthcheck", "secrets", "configs", "profiles", "depends_on", "pull_policy",
]);

export interface MappedService {
  spec: PodSpec;
  /** The file's networks the pod joins, by key, with their Docker names. */
  joins: { key: string; name: string }[];
  /** `pull_policy:`, as `--pull` spells it; null when the file says none (the command's, or missing). */
  pull: PullPolicy | null;
}

/**
 * Compose's pull_policy as docker run's --pull: if_not_present is missing; `build` would
 * build, which pod does not.
 */
function pullPolicy(d: Diagnostics, at: Path, raw: unknown): PullPolicy | null {
  if (raw === undefined || raw === null) return null;
  const value = String(raw);
  if (value === "always" || value === "never" || value === "missing") return value;
  if (value === "if_not_present") return "missing";
  if (value === "build") d.fail(at, "is build, and pod does not build images", "build it first (docker compose build), then use pull_policy: missing or never");
  // The schema admits no other value.
  return d.fail(at, `"${value}" is not a pull policy`, "use always, never, missing or if_not_present");
}

/** `scaled`: --scale's count for this service, which wins over the file's. */
export function serviceSpec(src: Source, service: string, s: Obj, scaled?: number): MappedService {
  const d: Diagnostics = src.d;
  const at: Path = ["services", service];
  const ext = extension(d, [...at, POD_EXTENSION], s[POD_EXTENSION]);
  // x-pod: {name: …} names the pod itself, as container_name names a container (an export's round trip).
  const podName = ext.name ?? src.naming.pod(service);
  const name = d.reuse(at, () => parsePodName(podName));
  const img = image(src, service, s, podName);

  for (const key of Object.keys(s)) {
    if (MAPPED.has(key) || isExtension(key) || (key === "restart" && src.restart)) continue;
    d.ignore([...at, key], IGNORED_SERVICE_KEYS[key] ?? GENERIC);
  }

  const deploy = objAt(s, "deploy");
  deployWarnings(d, [...at, "deploy"], deploy, src.restart);
  const count = replicas(d, at, s, deploy, ext, scaled);
  const limits = objAt(objAt(deploy, "resources"), "limits");
  const update = objAt(deploy, "update_config");
  const net = network(src, at, s, ext);
  // pod's own probe (x-pod: health) takes healthcheck:'s timings; Docker's checks come from healthcheck: alone.
  const health = ext.health ? d.reuse([...at, "x-pod", "health"], () => healthFromCompose(objAt(s, "healthcheck") as ComposeHealthcheck, ext.health).health) : healthcheck(d, at, s);
  const restart = src.restart ? restartPolicy(d, at, s) : undefined;

  const spec: PodSpec = {
    name,
    replicas: count,
    network: net.spec,
    replica: {
      image: img,
      imageId: "",
      entrypoint: entrypoint(d, [...at, "entrypoint"], s["entrypoint"]),
      command: command(d, [...at, "command"], s["command"]),
      env: serviceEnv(src, at, s),
      labels: labels(src, [...at, "labels"], s["labels"]),
      volumes: [...volumes(src, [...at, "volumes"], s["volumes"]), ...fileMounts(src, at, s, "secrets"), ...fileMounts(src, at, s, "configs")],
      user: s["user"] === undefined || s["user"] === null ? null : String(s["user"]),
      memoryBytes: memory(d, at, limits, s),
      nanoCpus: cpus(d, at, limits, s),
      stopTimeoutS: gracePeriod(d, [...at, "stop_grace_period"], s["stop_grace_period"]),
      stopSignal: typeof s["stop_signal"] === "string" ? s["stop_signal"] : null,
      ...(health ? { health } : {}),
      ...(restart ? { restart } : {}),
    },
    update: {
      parallel: parallel(d, [...at, "deploy", "update_config", "parallelism"], update["parallelism"], count),
      order: update["order"] === "stop-first" ? "stop-first" : "start-first",
    },
  };
  refuseSharedTargets(d, at, spec.replica.volumes);
  return { spec, joins: net.joins, pull: pullPolicy(d, [...at, "pull_policy"], s["pull_policy"]) };
}

/** Two mounts at one path in the container (a volume and a secret, say): Docker refuses the container. */
function refuseSharedTargets(d: Diagnostics, at: Path, mounts: string[]): void {
  const seen = new Set<string>();
  for (const mount of mounts) {
    const parts = mount.split(":");
    const target = parts.length === 1 ? parts[0]! : parts[1]!;
    if (seen.has(target)) d.fail(at, `mounts two things at ${target} (volumes, secrets and configs share the container's paths)`, "give one of them another target");
    seen.add(target);
  }
}
