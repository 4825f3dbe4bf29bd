// How many replicas, how big, how they stop and how they are replaced: `deploy:` and its
// older spellings (scale, cpus, mem_limit), with `x-pod:` for what Compose cannot say.
import { UsageError } from "../errors.js";
import { parseCpus, parseMemory, parsePodName, parseReplicas } from "../podspec/parse.js";
import { isExtension, isObj, objAt, scalar, type Diagnostics, type Obj, type Path } from "./context.js";
import { POD_EXTENSION, type PodExtension } from "./extension.js";
import { GENERIC, IGNORED_DEPLOY_KEYS } from "./ignored.js";
import type { Json } from "./interpolate.js";
import { parseBytes, parseDuration } from "../podspec/units.js";

export function extension(d: Diagnostics, path: Path, raw: Json | undefined): PodExtension {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) d.fail(path, "must be a mapping", `write ${POD_EXTENSION}: {balance: dnat, replicas: 3}`);
  const out: PodExtension = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "balance") {
      if (value !== "reuseport" && value !== "dnat" && value !== "host") {
        d.fail([...path, key], `"${scalar(value)}" is not a way to share a port`, "use reuseport (replicas bind with SO_REUSEPORT), dnat (the sandbox spreads connections) or host");
      }
      out.balance = value;
    } else if (key === "replicas") {
      out.replicas = d.reuse([...path, key], () => parseReplicas(scalar(value)));
    } else if (key === "name") {
      out.name = d.reuse([...path, key], () => parsePodName(scalar(value)));
    } else if (key === "health") {
      // pod's own probe (the export writes it): {http: /health} or {tcp: true}, and a port.
      if (!isObj(value)) d.fail([...path, key], "must be a mapping", "write health: {http: /health} or health: {tcp: true, port: 8080}");
      out.health = value as PodExtension["health"];
    } else {
      d.fail([...path, key], `unknown key "${key}"`, `${POD_EXTENSION} takes name, balance, replicas and health`);
    }
  }
  return out;
}

export function deployWarnings(d: Diagnostics, path: Path, deploy: Obj, restart: boolean): void {
  const mapped = new Set(["replicas", "resources", "update_config", "mode", ...(restart ? ["restart_policy"] : [])]);
  for (const key of Object.keys(deploy)) {
    if (!isExtension(key) && !mapped.has(key)) d.ignore([...path, key], IGNORED_DEPLOY_KEYS[key] ?? GENERIC);
  }
  if (deploy["mode"] !== undefined && deploy["mode"] !== "replicated") {
    d.ignore([...path, "mode"], `pod runs replicas on one host; the replica count applies (mode ${scalar(deploy["mode"])} has no meaning here)`);
  }
  const resources = objAt(deploy, "resources");
  for (const key of Object.keys(resources)) {
    if (key === "limits" || isExtension(key)) continue;
    d.ignore([...path, "resources", key], key === "reservations" ? "pod reserves nothing; only limits apply" : GENERIC);
  }
  const limits = objAt(resources, "limits");
  for (const key of Object.keys(limits)) {
    if (key !== "cpus" && key !== "memory" && !isExtension(key)) d.ignore([...path, "resources", "limits", key], GENERIC);
  }
  const update = objAt(deploy, "update_config");
  for (const key of Object.keys(update)) {
    if (key !== "parallelism" && key !== "order" && !isExtension(key)) {
      d.ignore([...path, "update_config", key], "pod replaces replicas in batches, each batch once the last one listens, and keeps the old ones when a new one fails");
    }
  }
}

export function replicas(d: Diagnostics, at: Path, s: Obj, deploy: Obj, ext: PodExtension, scaled: number | undefined): number {
  if (scaled !== undefined) return scaled;
  if (ext.replicas !== undefined) return ext.replicas;
  const fromDeploy = deploy["replicas"];
  const scale = s["scale"];
  if (fromDeploy !== undefined && scale !== undefined && scalar(fromDeploy) !== scalar(scale)) {
    d.fail([...at, "scale"], `is ${scalar(scale)} while deploy.replicas is ${scalar(fromDeploy)}`, "keep one of them (Compose refuses distinct values too)");
  }
  const raw = fromDeploy ?? scale;
  if (raw === undefined || raw === null) return 1;
  return d.reuse([...at, fromDeploy !== undefined ? "deploy" : "scale", ...(fromDeploy !== undefined ? ["replicas"] : [])], () => parseReplicas(scalar(raw)));
}

export function parallel(d: Diagnostics, path: Path, raw: Json | undefined, replicaCount: number): number {
  if (raw === undefined || raw === null) return 1;
  const n = d.reuse(path, () => parseReplicas(scalar(raw), "--parallel"));
  // Swarm's parallelism 0 replaces every replica at once.
  return n === 0 ? Math.max(replicaCount, 1) : n;
}

export function memory(d: Diagnostics, at: Path, limits: Obj, s: Obj): number | null {
  const fromDeploy = limits["memory"];
  const legacy = s["mem_limit"];
  const raw = fromDeploy ?? legacy;
  const path: Path = fromDeploy !== undefined ? [...at, "deploy", "resources", "limits", "memory"] : [...at, "mem_limit"];
  if (raw === undefined || raw === null) return null;
  const bytes = parseBytes(scalar(raw));
  if (bytes === null) d.fail(path, `"${scalar(raw)}" is not a size`, "write a number with an optional unit k, m or g (binary), e.g. 512m or 1.5g");
  try {
    parseMemory(String(bytes));
  } catch (err) {
    if (err instanceof UsageError) d.fail(path, `"${scalar(raw)}" is below Docker's minimum of 6m`, "give each replica at least 6m");
    throw err;
  }
  if (fromDeploy !== undefined && legacy !== undefined && parseBytes(scalar(legacy)) !== bytes) {
    d.fail([...at, "mem_limit"], `is ${scalar(legacy)} while deploy.resources.limits.memory is ${scalar(fromDeploy)}`, "keep one of them");
  }
  return bytes;
}

export function cpus(d: Diagnostics, at: Path, limits: Obj, s: Obj): number | null {
  const fromDeploy = limits["cpus"];
  const legacy = s["cpus"];
  const raw = fromDeploy ?? legacy;
  if (raw === undefined || raw === null) return null;
  const path: Path = fromDeploy !== undefined ? [...at, "deploy", "resources", "limits", "cpus"] : [...at, "cpus"];
  const nano = d.reuse(path, () => parseCpus(scalar(raw)));
  if (fromDeploy !== undefined && legacy !== undefined && Math.round(Number(legacy) * 1e9) !== nano) {
    d.fail([...at, "cpus"], `is ${scalar(legacy)} while deploy.resources.limits.cpus is ${scalar(fromDeploy)}`, "keep one of them");
  }
  return nano;
}

export function gracePeriod(d: Diagnostics, path: Path, raw: Json | undefined): number | null {
  if (raw === undefined || raw === null) return null;
  const seconds = parseDuration(scalar(raw));
  if (seconds === null || seconds < 0) d.fail(path, `"${scalar(raw)}" is not a duration`, "write a duration such as 10s, 1m30s or 500ms");
  // Docker counts whole seconds: round up, so the grace period is never cut short.
  const whole = seconds <= 0 ? 0 : Math.ceil(seconds - 1e-9);
  if (whole > 3600) d.fail(path, `${scalar(raw)} is longer than pod's limit of 1h`, "give each replica at most 1h to stop");
  return whole;
}
