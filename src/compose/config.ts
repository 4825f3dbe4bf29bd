// The project as `docker compose config` prints it: interpolated, the short syntaxes in
// their long form, paths absolute, env files merged into environment, the default network
// named, every network, volume, secret and config with its Docker name. Keys in Compose's
// own order; services, networks and volumes by name. Pure.
import type { PodSpec } from "../podspec/types.js";
import { isExtension, isObj, objAt, scalar, type Obj, type Source } from "./context.js";
import type { Json } from "./interpolate.js";
import { load, type ComposeInput, type LoadedService } from "./load.js";
import { declaration, projectNaming } from "./naming.js";
import { PROJECT_FLOW, projectOf, type ComposeProject } from "./project.js";
import { hostPath } from "./volumes.js";
import { modeOf } from "../modes/index.js";

/** compose-go's ServiceConfig field order: `docker compose config` prints a service's keys so. */
const SERVICE_ORDER = (
  "profiles annotations attach build develop blkio_config cap_add cap_drop cgroup_parent cgroup cpu_count cpu_percent cpu_period cpu_quota " +
  "cpu_rt_period cpu_rt_runtime cpus cpuset cpu_shares command configs container_name credential_spec depends_on deploy device_cgroup_rules " +
  "devices dns dns_opt dns_search dockerfile domainname entrypoint provider environment env_file expose extends external_links extra_hosts " +
  "group_add gpus hostname healthcheck image init ipc isolation labels label_file links logging log_driver log_opt mem_limit mem_reservation " +
  "memswap_limit mem_swappiness mac_address models net network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports " +
  "privileged pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt " +
  "sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volume_driver volumes volumes_from working_dir pre_start post_start pre_stop"
).split(" ");
const TOP_ORDER = ["name", "services", "networks", "volumes", "secrets", "configs"];

function ordered(o: Obj, order: string[]): Obj {
  const known = order.filter((k) => o[k] !== undefined).map((k) => [k, o[k]!] as const);
  const rest = Object.keys(o)
    .filter((k) => !order.includes(k))
    .sort()
    .map((k) => [k, o[k]!] as const);
  return Object.fromEntries([...known, ...rest]);
}

const sortedKeys = (o: Obj): Obj => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));

function ports(spec: PodSpec): Json[] {
  return spec.network.ports.map((p) => ({
    mode: "ingress",
    ...(p.hostIp !== "" ? { host_ip: p.hostIp } : {}),
    target: p.containerPort,
    ...(p.hostPort !== null ? { published: String(p.hostPort) } : {}),
    protocol: p.protocol,
  }));
}

/** Compose's long volume syntax, the bind source absolute, named sources by their key. */
function volumes(cx: Source, raw: Json | undefined): Json[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.map((item, i): Json => {
    if (isObj(item)) {
      if (item["type"] !== "bind") return item;
      return { ...item, source: hostPath(cx, ["volumes", i], scalar(item["source"])), bind: { create_host_path: true, ...objAt(item, "bind") } };
    }
    const parts = scalar(item).split(":");
    if (parts.length === 1) return { type: "volume", target: parts[0]! };
    const [source, target, mode = ""] = parts as [string, string, string?];
    const options = mode.split(",");
    const readOnly: Obj = options.includes("ro") ? { read_only: true } : {};
    if (/^[./~]/.test(source)) return { type: "bind", source: hostPath(cx, ["volumes", i], source), target, ...readOnly, bind: { create_host_path: true } };
    return { type: "volume", source, target, ...readOnly, volume: options.includes("nocopy") ? { nocopy: true } : {} };
  });
}

function words(raw: Json | undefined, mapped: string[] | null): Json | undefined {
  if (raw === undefined || raw === null) return undefined;
  return mapped ?? [];
}

function service(cx: Source, raw: Obj, loaded: LoadedService, project: ComposeProject): Obj {
  const spec = project.services.find((s) => s.service === loaded.service)!.spec;
  const out: Obj = { ...raw };
  delete out["env_file"];
  const env = spec.replica.env;
  if (env.length > 0) out["environment"] = Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  else delete out["environment"];
  if (raw["command"] !== undefined) out["command"] = words(raw["command"], spec.replica.command)!;
  if (raw["entrypoint"] !== undefined) out["entrypoint"] = words(raw["entrypoint"], spec.replica.entrypoint)!;
  if (raw["ports"] !== undefined) out["ports"] = ports(spec);
  const mounted = volumes(cx, raw["volumes"]);
  if (mounted) out["volumes"] = mounted;
  if (raw["labels"] !== undefined) out["labels"] = Object.fromEntries(Object.entries(spec.replica.labels).filter(([k]) => !k.startsWith("com.docker.compose.")));
  if (loaded.dependsOn.length > 0) {
    out["depends_on"] = Object.fromEntries(loaded.dependsOn.map((d) => [d.service, { condition: d.condition, ...(d.restart ? { restart: true } : {}), required: d.required }]));
  } else delete out["depends_on"];
  if (raw["network_mode"] === undefined && !modeOf(spec.network).hostNamespace) {
    const settings = objAt(raw, "networks");
    out["networks"] = Object.fromEntries(loaded.joins.map(({ key }) => [key, isObj(settings[key]) ? settings[key]! : null]));
  }
  for (const key of ["dns", "dns_search", "dns_opt", "tmpfs"]) if (typeof raw[key] === "string") out[key] = [raw[key]];
  for (const kind of ["secrets", "configs"] as const) {
    if (Array.isArray(raw[kind])) out[kind] = (raw[kind] as Json[]).map((item) => (isObj(item) ? item : { source: scalar(item) }));
  }
  return ordered(out, SERVICE_ORDER);
}

function declared(doc: Obj, kind: "networks" | "volumes" | "secrets" | "configs", keys: string[], name: (key: string) => string, cx: Source): Obj {
  const out: Obj = {};
  for (const key of [...keys].sort()) {
    const decl = declaration(doc, kind, key);
    const settings: Obj = { ...decl.settings };
    if (typeof settings["file"] === "string") settings["file"] = hostPath(cx, [kind, key, "file"], settings["file"]);
    if (isObj(settings["external"])) settings["external"] = true;
    out[key] = ordered({ name: name(key), ...settings }, ["name", "driver", "driver_opts", "ipam", "file", "environment", "content", "external", "internal", "attachable", "labels"]);
  }
  return out;
}

/** The normalised project, and the file's warnings. */
export function composeConfig(o: ComposeInput): { model: Obj; project: ComposeProject; warnings: string[] } {
  const loaded = load(o, PROJECT_FLOW);
  const project = projectOf(loaded, o.path);
  const name = project.name;
  const naming = projectNaming(loaded.doc, name);
  const cx: Source = { d: loaded.d, dir: loaded.dir, doc: loaded.doc, vars: loaded.vars, env: o.env, readFile: o.readFile, naming, restart: true };
  const raw = objAt(loaded.doc, "services");
  const services: Obj = {};
  for (const s of loaded.services) services[s.service] = service(cx, objAt(raw, s.service), s, project);
  const used = (kind: "secrets" | "configs") => [...new Set(loaded.services.flatMap((s) => (Array.isArray(objAt(raw, s.service)[kind]) ? (objAt(raw, s.service)[kind] as Json[]).map((i) => (isObj(i) ? scalar(i["source"]) : scalar(i))) : [])))];
  const model: Obj = {
    name,
    services: sortedKeys(services),
    networks: declared(loaded.doc, "networks", loaded.usedNetworks, (k) => naming.network(k)!, cx),
    volumes: declared(loaded.doc, "volumes", loaded.usedVolumes, (k) => naming.volume(k)!, cx),
    secrets: declared(loaded.doc, "secrets", used("secrets"), (k) => objectName(loaded.doc, "secrets", k, name), cx),
    configs: declared(loaded.doc, "configs", used("configs"), (k) => objectName(loaded.doc, "configs", k, name), cx),
  };
  for (const key of Object.keys(loaded.doc)) if (isExtension(key)) model[key] = loaded.doc[key]!;
  for (const key of ["networks", "volumes", "secrets", "configs"]) if (Object.keys(model[key] as Obj).length === 0) delete model[key];
  return { model: ordered(model, TOP_ORDER), project, warnings: loaded.d.warnings };
}

/** Compose names secrets and configs as it names volumes: PROJECT_KEY, unless named or external. */
function objectName(doc: Obj, kind: "secrets" | "configs", key: string, project: string): string {
  const decl = declaration(doc, kind, key);
  return decl.given ?? (decl.external ? key : `${project}_${key}`);
}
