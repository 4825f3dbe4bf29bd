// A Compose file as pod specs: one pod per service. Pure: the file's text, the environment
// and every other file (.env, env_file) come in through the caller, so each rule is a row
// in test/unit/spec/compose.test.ts.
//
// The steps are Compose's own: .env read (the environment wins over it), the YAML
// interpolated (${VAR:-default} and friends) and cast, then checked against the Compose
// specification's schema, then each selected service mapped. Keys pod cannot honour are
// named in a warning with the reason; nothing is dropped silently.
//
// Names:
// - a pod is named after its service, or PROJECT-SERVICE with a project name (-p);
// - pod creates no networks and no volumes. A network or named volume is Docker's object
//   named by its `name:`, else (external) by its key, else as Compose names what it
//   creates: PROJECT_KEY with a project name, the bare KEY without. The network `default`
//   (Compose's own per-project network) is Docker's default bridge unless it has a `name:`.
//   A network or volume a service uses must be declared at the top level, as Compose
//   requires. A network Compose would have created gets a warning that it must exist
//   (Docker creates a missing named volume by itself; a missing network fails `up`).
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isIP } from "node:net";
import { parseAllDocuments } from "yaml";
import { UsageError } from "../errors.js";
import { LABEL_PREFIX } from "../state/labels.js";
import { parseDotenv, DotenvError } from "./compose/dotenv.js";
import { POD_EXTENSION, type PodExtension } from "./compose/extension.js";
import { interpolateTree, joinPath, TemplateError, type Json, type Lookup } from "./compose/interpolate.js";
import { validateCompose } from "./compose/schema.js";
import { shellSplit, ShellwordsError } from "./compose/shellwords.js";
import { parseBytes, parseDuration } from "./compose/units.js";
import {
  checkPortConflicts,
  parseCpus,
  parseEnv,
  parseEnvFile,
  parseExtraHost,
  parseImageRef,
  parseLabels,
  parseMemory,
  parsePodName,
  parsePublish,
  parseReplicas,
  parseVolume,
} from "./parse.js";
import type { Balance, NetworkAttachment, PodSpec, PortMapping } from "./types.js";

export { POD_EXTENSION, type PodExtension };

export interface ComposeInput {
  /**
   * The compose file as the user named it: messages name it, and relative paths (.env,
   * env_file, bind mounts) start from its directory. Bind mounts become absolute paths, so
   * a relative `path` is taken from the process's working directory.
   */
  path: string;
  text: string;
  /** -p/--project-name: pods are named PROJECT-SERVICE, Compose-made networks and volumes PROJECT_KEY. */
  projectName: string | null;
  /** The services to load, in this order; empty: all, in the file's order. */
  services: string[];
  /** pod's environment: wins over .env, as in Compose. */
  env: Record<string, string | undefined>;
  /** A file's text, or null when there is no such file. */
  readFile(path: string): string | null;
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

type Obj = { [key: string]: Json };
type Path = (string | number)[];

const isObj = (v: Json | undefined): v is Obj => v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
const isExtension = (key: string) => key.startsWith("x-");
const scalar = (v: Json | undefined): string => (v === null || v === undefined ? "" : String(v));

// ---------------------------------------------------------------------------- what pod ignores

/** Service keys pod does not map, and why. Any key not here and not mapped gets GENERIC. */
const IGNORED_SERVICE_KEYS: Record<string, string> = {
  restart: "pod restarts crashed replicas itself (unless-stopped)",
  healthcheck: "pod counts a replica ready when it listens on every published port",
  depends_on: "each service is a pod of its own; bring them up in order with pod up",
  container_name: "pod names the containers <pod>-sandbox and <pod>-<n>",
  expose: "expose only documents ports; pod publishes the ports under ports:",
  links: "links are legacy networking: put the pods on one network and use their names",
  external_links: "links are legacy networking: put the pods on one network and use their names",
  logging: "replicas log with the engine's default log driver",
  profiles: "pod loads a service in profiles when it is named",
  secrets: "pod mounts no secrets: use env_file or a bind mount",
  configs: "pod mounts no configs: use a bind mount",
  pull_policy: "pod never pulls: the image must be on the engine",
  platform: "the engine runs images of its own platform",
  extends: "pod reads each service as written, without merging another one into it",
  develop: "pod has no watch mode",
  mac_address: "the sandbox owns the network; Docker assigns its address",
  domainname: "the sandbox owns the pod's names",
  label_file: "pod reads labels from labels: only",
  annotations: "pod's spec has no annotations",
  attach: "pod never attaches to a replica's output; see pod logs",
};
const GENERIC = "pod's spec has no such setting, so replicas run without it";

const IGNORED_DEPLOY_KEYS: Record<string, string> = {
  restart_policy: IGNORED_SERVICE_KEYS["restart"]!,
  rollback_config: "when a new replica fails, pod removes it and keeps the old ones",
  placement: "pod runs every replica on one host",
  endpoint_mode: "the sandbox is the pod's one endpoint",
  labels: "those are Swarm's service labels; container labels go under labels:",
};

const IGNORED_TOP_KEYS: Record<string, string> = {
  version: "the version key is obsolete, as Compose says too",
  name: "pod names each pod after its service (pass a project name for PROJECT-SERVICE)",
  secrets: "pod mounts no secrets: use env_file or a bind mount",
  configs: "pod mounts no configs: use a bind mount",
  include: "pod reads one file: services of included files are not loaded",
  [POD_EXTENSION]: "x-pod belongs inside a service",
};

// ---------------------------------------------------------------------------- the loader

class Loader {
  readonly warnings: string[] = [];
  readonly dir: string;
  readonly file: string;
  doc: Obj = {};
  project: Lookup = () => undefined;

  constructor(readonly o: ComposeInput) {
    this.file = o.path;
    this.dir = dirname(o.path);
  }

  where(path: Path): string {
    return `${this.file}: ${joinPath(path)}`;
  }

  fail(path: Path, what: string, hint: string): never {
    throw new UsageError(`${this.where(path)}: ${what}`, hint);
  }

  warn(path: Path | string, note: string): void {
    const line = `${typeof path === "string" ? `${this.file}: ${path}` : this.where(path)}: ${note}`;
    if (!this.warnings.includes(line)) this.warnings.push(line);
  }

  ignore(path: Path, why: string): void {
    this.warn(path, `ignored: ${why}`);
  }

  /** A flag parser's rule, its error restated at this place in the file. */
  reuse<T>(path: Path, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${this.where(path)}: ${err.message.replace(/^--[a-z-]+ /, "")}`, err.hint);
      throw err;
    }
  }

  // -------------------------------------------------------------------------- file to document

  readDotenv(): void {
    const envPath = join(this.dir, ".env");
    const text = this.o.readFile(envPath);
    const fromEnv: Lookup = (name) => this.o.env[name];
    let dotenv = new Map<string, string>();
    if (text !== null) {
      try {
        dotenv = parseDotenv(text, fromEnv);
      } catch (err) {
        if (err instanceof DotenvError) throw new UsageError(`${envPath}:${err.line}: ${err.message}`, "write KEY=VALUE lines (quote values with spaces or #), or fix that line");
        throw err;
      }
    }
    const projectName = this.o.projectName;
    this.project = (name) => (name === "COMPOSE_PROJECT_NAME" && projectName !== null ? projectName : (this.o.env[name] ?? dotenv.get(name)));
  }

  parseYaml(): Json {
    const docs = parseAllDocuments(this.o.text, { merge: true, uniqueKeys: true, prettyErrors: true });
    if (!Array.isArray(docs)) return null; // an empty stream
    if (docs.length > 1) {
      throw new UsageError(`${this.file}: holds ${docs.length} YAML documents`, "pod reads one document per compose file: remove the --- separators");
    }
    const doc = docs[0];
    if (!doc) return null;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      throw new UsageError(`${this.file}${at ? `:${at.line}:${at.col}` : ""}: ${firstLine(error.message)}`, "fix the YAML there: indentation, a missing colon or an unclosed quote");
    }
    for (const warning of doc.warnings) {
      const at = warning.linePos?.[0];
      this.warnings.push(`${this.file}${at ? `:${at.line}:${at.col}` : ""}: ${firstLine(warning.message)}`);
    }
    return doc.toJS({ maxAliasCount: 1000 }) as Json;
  }

  interpolate(raw: Json): Json {
    try {
      return interpolateTree(raw, this.project, (path, name) => this.warn(path, `the variable ${name} is not set: using an empty string`));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const where = `${this.file}: ${err.path}`;
      if (err.kind === "required") {
        const name = /variable (\S+)/.exec(err.message)?.[1] ?? "it";
        throw new UsageError(`${where}: ${err.message}`, `set ${name} in the environment or in ${join(this.dir, ".env")}`);
      }
      if (err.kind === "invalid") {
        // An environment value may be a secret: say where, not what.
        const message = /^services\.[^.]+\.environment\b/.test(err.path) ? "invalid interpolation in the value (not shown: it may be a secret)" : err.message;
        throw new UsageError(`${where}: ${message}`, "write $NAME or ${NAME} with a name of letters, digits and _, and $$ for a literal $");
      }
      throw new UsageError(`${where}: ${err.message}`, "write a value of the type this key takes (Compose casts it, after interpolation)");
    }
  }

  // -------------------------------------------------------------------------- the whole file

  load(): ComposeResult {
    this.readDotenv();
    const raw = this.parseYaml();
    if (raw === null) throw new UsageError(`${this.file}: is empty`, "a compose file needs services:, e.g. services: {web: {image: web}}");
    if (!isObj(raw)) throw new UsageError(`${this.file}: the top level must be a mapping`, "start the file with services:");
    const doc = this.interpolate(raw) as Obj;
    validateCompose(doc, this.file);
    this.doc = doc;

    for (const key of Object.keys(doc)) {
      if (IGNORED_TOP_KEYS[key] !== undefined) this.ignore([key], IGNORED_TOP_KEYS[key]!);
    }
    const services = isObj(doc["services"]) ? doc["services"] : {};
    const all = Object.keys(services);
    if (all.length === 0) throw new UsageError(`${this.file}: defines no services`, "add one under services:, e.g. web: {image: web}");
    for (const name of this.o.services) {
      if (!(name in services)) {
        throw new UsageError(`${this.file}: has no service "${name}"`, `services in this file: ${all.join(", ")}`);
      }
    }
    // As Compose: a service in profiles runs only when named (pod has no --profile).
    const inProfiles = (name: string) => {
      const profiles = (services[name] as Obj)["profiles"];
      return Array.isArray(profiles) && profiles.length > 0;
    };
    const selected = this.o.services.length > 0 ? [...new Set(this.o.services)] : all.filter((name) => !inProfiles(name));
    for (const name of this.o.services.length > 0 ? [] : all.filter(inProfiles)) {
      this.warn(["services", name], `skipped: it runs in profiles ${((services[name] as Obj)["profiles"] as Json[]).join(", ")} only; name it to load it`);
    }
    if (selected.length === 0) {
      throw new UsageError(`${this.file}: every service belongs to a profile`, `name the services to load: ${all.join(", ")}`);
    }
    const pods = selected.map((service) => ({ service, spec: this.service(service, services[service] as Obj) }));
    return { pods, warnings: this.warnings };
  }

  // -------------------------------------------------------------------------- one service

  service(service: string, s: Obj): PodSpec {
    const at: Path = ["services", service];
    const podName = this.o.projectName !== null ? `${this.o.projectName}-${service}` : service;
    const name = this.reuse(at, () => parsePodName(podName));
    const image = this.image(service, s, podName);
    const extension = this.extension([...at, POD_EXTENSION], s[POD_EXTENSION]);

    const handled = new Set([
      "image", "command", "entrypoint", "ports", "environment", "env_file", "volumes", "user",
      "stop_signal", "stop_grace_period", "deploy", "networks", "network_mode", "hostname",
      "dns", "dns_search", "dns_opt", "extra_hosts", "labels", "scale", "cpus", "mem_limit",
    ]);
    for (const key of Object.keys(s)) {
      if (handled.has(key) || isExtension(key)) continue;
      this.ignore([...at, key], IGNORED_SERVICE_KEYS[key] ?? GENERIC);
    }

    const deploy = isObj(s["deploy"]) ? s["deploy"] : {};
    this.deployWarnings([...at, "deploy"], deploy);
    const replicas = this.replicas(at, s, deploy, extension);
    const limits = isObj(deploy["resources"]) && isObj(deploy["resources"]["limits"]) ? deploy["resources"]["limits"] : {};
    const update = isObj(deploy["update_config"]) ? deploy["update_config"] : {};
    const serviceEnv = this.environment([...at, "environment"], s["environment"]);

    return {
      name,
      replicas,
      network: this.network(at, s, extension),
      replica: {
        image,
        imageId: "",
        entrypoint: this.entrypoint([...at, "entrypoint"], s["entrypoint"]),
        command: this.command([...at, "command"], s["command"]),
        env: this.env(at, s, serviceEnv),
        labels: this.labels([...at, "labels"], s["labels"]),
        volumes: this.volumes([...at, "volumes"], s["volumes"]),
        user: s["user"] === undefined || s["user"] === null ? null : String(s["user"]),
        memoryBytes: this.memory(at, limits, s),
        nanoCpus: this.cpus(at, limits, s),
        stopTimeoutS: this.gracePeriod([...at, "stop_grace_period"], s["stop_grace_period"]),
        stopSignal: typeof s["stop_signal"] === "string" ? s["stop_signal"] : null,
      },
      update: {
        parallel: this.parallel([...at, "deploy", "update_config", "parallelism"], update["parallelism"], replicas),
        order: update["order"] === "stop-first" ? "stop-first" : "start-first",
      },
    };
  }

  env(at: Path, s: Obj, serviceEnv: { entries: string[]; values: Map<string, string> }): string[] {
    const fromFiles = this.envFiles([...at, "env_file"], s["env_file"], serviceEnv.values);
    return this.reuse([...at, "environment"], () => parseEnv(serviceEnv.entries, fromFiles, {}));
  }

  image(service: string, s: Obj, podName: string): string {
    const build = s["build"];
    const image = typeof s["image"] === "string" ? s["image"] : null;
    if (build !== undefined) {
      const tag = image ?? podName;
      const command = this.buildCommand(build, tag);
      this.fail(
        ["services", service, "build"],
        "pod builds no images, it runs them from the engine",
        `build it first with \`${command}\`, then ${image ? "remove build: from the service" : `replace build: with image: ${tag}`}`,
      );
    }
    if (image === null) this.fail(["services", service], "has no image", "add image: NAME, an image on the engine (docker images lists them)");
    return this.reuse(["services", service, "image"], () => parseImageRef(image));
  }

  /** `docker build` with the same context, Dockerfile, target and build args. */
  buildCommand(build: Json, tag: string): string {
    const b: Obj = typeof build === "string" ? { context: build } : isObj(build) ? build : {};
    const context = typeof b["context"] === "string" ? b["context"] : ".";
    const remote = /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(context);
    const contextPath = remote || isAbsolute(context) ? context : join(this.dir, context);
    const parts = ["docker", "build", "-t", quote(tag)];
    if (typeof b["dockerfile"] === "string") {
      const dockerfile = b["dockerfile"];
      parts.push("-f", quote(isAbsolute(dockerfile) || remote ? dockerfile : join(contextPath, dockerfile)));
    }
    if (typeof b["target"] === "string") parts.push("--target", quote(b["target"]));
    for (const [key, value] of this.keyValues(b["args"])) parts.push("--build-arg", quote(value === null ? key : `${key}=${value}`));
    parts.push(quote(contextPath));
    return parts.join(" ");
  }

  extension(path: Path, raw: Json | undefined): PodExtension {
    if (raw === undefined || raw === null) return {};
    if (!isObj(raw)) this.fail(path, "must be a mapping", "write x-pod: {balance: dnat, replicas: 3}");
    const out: PodExtension = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "balance") {
        if (value !== "reuseport" && value !== "dnat" && value !== "host") {
          this.fail([...path, key], `"${scalar(value)}" is not a way to share a port`, "use reuseport (replicas bind with SO_REUSEPORT), dnat (the sandbox spreads connections) or host");
        }
        out.balance = value;
      } else if (key === "replicas") {
        out.replicas = this.reuse([...path, key], () => parseReplicas(scalar(value)));
      } else {
        this.fail([...path, key], `unknown key "${key}"`, "x-pod takes balance and replicas");
      }
    }
    return out;
  }

  deployWarnings(path: Path, deploy: Obj): void {
    const mapped = new Set(["replicas", "resources", "update_config", "mode"]);
    for (const key of Object.keys(deploy)) {
      if (!isExtension(key) && !mapped.has(key)) this.ignore([...path, key], IGNORED_DEPLOY_KEYS[key] ?? GENERIC);
    }
    if (deploy["mode"] !== undefined && deploy["mode"] !== "replicated") {
      this.ignore([...path, "mode"], `pod runs replicas on one host; the replica count applies (mode ${scalar(deploy["mode"])} has no meaning here)`);
    }
    const resources = isObj(deploy["resources"]) ? deploy["resources"] : {};
    for (const key of Object.keys(resources)) {
      if (key === "limits" || isExtension(key)) continue;
      this.ignore([...path, "resources", key], key === "reservations" ? "pod reserves nothing; only limits apply" : GENERIC);
    }
    const limits = isObj(resources["limits"]) ? resources["limits"] : {};
    for (const key of Object.keys(limits)) {
      if (key !== "cpus" && key !== "memory" && !isExtension(key)) this.ignore([...path, "resources", "limits", key], GENERIC);
    }
    const update = isObj(deploy["update_config"]) ? deploy["update_config"] : {};
    for (const key of Object.keys(update)) {
      if (key !== "parallelism" && key !== "order" && !isExtension(key)) {
        this.ignore([...path, "update_config", key], "pod replaces replicas in batches, each batch once the last one listens, and keeps the old ones when a new one fails");
      }
    }
  }

  replicas(at: Path, s: Obj, deploy: Obj, extension: PodExtension): number {
    if (extension.replicas !== undefined) return extension.replicas;
    const fromDeploy = deploy["replicas"];
    const scale = s["scale"];
    if (fromDeploy !== undefined && scale !== undefined && scalar(fromDeploy) !== scalar(scale)) {
      this.fail([...at, "scale"], `is ${scalar(scale)} while deploy.replicas is ${scalar(fromDeploy)}`, "keep one of them (Compose refuses distinct values too)");
    }
    const raw = fromDeploy ?? scale;
    if (raw === undefined || raw === null) return 1;
    return this.reuse([...at, fromDeploy !== undefined ? "deploy" : "scale", ...(fromDeploy !== undefined ? ["replicas"] : [])], () => parseReplicas(scalar(raw)));
  }

  parallel(path: Path, raw: Json | undefined, replicas: number): number {
    if (raw === undefined || raw === null) return 1;
    const n = this.reuse(path, () => parseReplicas(scalar(raw), "--parallel"));
    // Swarm's parallelism 0 replaces every replica at once.
    return n === 0 ? Math.max(replicas, 1) : n;
  }

  // -------------------------------------------------------------------------- commands

  words(path: Path, raw: Json): string[] {
    if (Array.isArray(raw)) return raw.map(scalar);
    try {
      return shellSplit(scalar(raw));
    } catch (err) {
      if (err instanceof ShellwordsError) {
        this.fail(path, `cannot split ${JSON.stringify(raw)} into arguments: ${err.message}`, `write a list, e.g. ["sh", "-c", ${JSON.stringify(scalar(raw))}] for a shell line`);
      }
      throw err;
    }
  }

  entrypoint(path: Path, raw: Json | undefined): string[] | null {
    if (raw === undefined || raw === null) return null;
    const words = this.words(path, raw);
    // [] or "" clears the image's entrypoint, as `--entrypoint ""` does.
    return words.length === 0 ? [""] : words;
  }

  command(path: Path, raw: Json | undefined): string[] {
    if (raw === undefined || raw === null) return [];
    const words = this.words(path, raw);
    if (words.length === 0) this.warn(path, "an empty command runs the image's own CMD with pod (Compose would run none)");
    return words;
  }

  // -------------------------------------------------------------------------- environment

  /** Entries of a list_or_dict: [key, value], value null when only the key is given. */
  keyValues(raw: Json | undefined): [string, string | null][] {
    if (raw === undefined || raw === null) return [];
    if (Array.isArray(raw)) {
      return raw.map((item) => {
        const text = scalar(item);
        const at = text.indexOf("=");
        return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
      });
    }
    if (isObj(raw)) return Object.entries(raw).map(([key, value]) => [key, value === null ? null : scalar(value)]);
    return [];
  }

  /** `environment:` with KEY-only entries taken from the project's environment, as Compose does. */
  environment(path: Path, raw: Json | undefined): { entries: string[]; values: Map<string, string> } {
    const values = new Map<string, string>();
    for (const [key, value] of this.keyValues(raw)) {
      if (key === "") this.fail(path, "has an entry with no variable name", 'write "KEY=VALUE" or KEY');
      const resolved = value ?? this.project(key);
      if (resolved !== undefined) values.set(key, resolved);
    }
    return { entries: [...values].map(([k, v]) => `${k}=${v}`), values };
  }

  /** `env_file:` entries in order, later files overriding earlier ones; `environment:` overrides all. */
  envFiles(path: Path, raw: Json | undefined, serviceEnv: Map<string, string>): string[] {
    if (raw === undefined || raw === null) return [];
    const items = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
    const out = new Map<string, string>();
    const lookup: Lookup = (name) => this.project(name) ?? serviceEnv.get(name);
    items.forEach((item, i) => {
      const entry = typeof item === "string" ? { path: item, required: true, format: "" } : isObj(item) ? { path: scalar(item["path"]), required: item["required"] !== false && item["required"] !== "false", format: scalar(item["format"]) } : null;
      if (entry === null) return;
      const at = typeof raw === "string" ? path : [...path, i];
      const file = isAbsolute(entry.path) ? entry.path : join(this.dir, entry.path);
      const text = this.o.readFile(file);
      if (text === null) {
        if (entry.required) this.fail(at, `env file ${file} not found`, "create it, fix the path (relative to the compose file), or mark it required: false");
        return;
      }
      if (entry.format === "raw") {
        for (const line of parseEnvFile(text, file)) {
          const eq = line.indexOf("=");
          if (eq >= 0) out.set(line.slice(0, eq), line.slice(eq + 1));
          else if (lookup(line) !== undefined) out.set(line, lookup(line)!);
        }
        return;
      }
      if (entry.format !== "") this.fail([...(at as Path), "format"], `unknown env file format "${entry.format}"`, "leave format out (Compose's .env syntax) or write raw");
      try {
        parseDotenv(text, lookup, out);
      } catch (err) {
        if (err instanceof DotenvError) throw new UsageError(`${file}:${err.line}: ${err.message}`, "write KEY=VALUE lines (quote values with spaces or #), or fix that line");
        throw err;
      }
    });
    return [...out].map(([k, v]) => `${k}=${v}`);
  }

  labels(path: Path, raw: Json | undefined): Record<string, string> {
    const entries = this.keyValues(raw).map(([key, value]) => (value === null ? key : `${key}=${value}`));
    return this.reuse(path, () => parseLabels(entries, LABEL_PREFIX));
  }

  // -------------------------------------------------------------------------- resources

  memory(at: Path, limits: Obj, s: Obj): number | null {
    const fromDeploy = limits["memory"];
    const legacy = s["mem_limit"];
    const raw = fromDeploy ?? legacy;
    const path: Path = fromDeploy !== undefined ? [...at, "deploy", "resources", "limits", "memory"] : [...at, "mem_limit"];
    if (raw === undefined || raw === null) return null;
    const bytes = parseBytes(scalar(raw));
    if (bytes === null) this.fail(path, `"${scalar(raw)}" is not a size`, "write a number with an optional unit k, m or g (binary), e.g. 512m or 1.5g");
    try {
      parseMemory(String(bytes));
    } catch (err) {
      if (err instanceof UsageError) this.fail(path, `"${scalar(raw)}" is below Docker's minimum of 6m`, "give each replica at least 6m");
      throw err;
    }
    if (fromDeploy !== undefined && legacy !== undefined && parseBytes(scalar(legacy)) !== bytes) {
      this.fail([...at, "mem_limit"], `is ${scalar(legacy)} while deploy.resources.limits.memory is ${scalar(fromDeploy)}`, "keep one of them");
    }
    return bytes;
  }

  cpus(at: Path, limits: Obj, s: Obj): number | null {
    const fromDeploy = limits["cpus"];
    const legacy = s["cpus"];
    const raw = fromDeploy ?? legacy;
    if (raw === undefined || raw === null) return null;
    const path: Path = fromDeploy !== undefined ? [...at, "deploy", "resources", "limits", "cpus"] : [...at, "cpus"];
    const nano = this.reuse(path, () => parseCpus(scalar(raw)));
    if (fromDeploy !== undefined && legacy !== undefined && Math.round(Number(legacy) * 1e9) !== nano) {
      this.fail([...at, "cpus"], `is ${scalar(legacy)} while deploy.resources.limits.cpus is ${scalar(fromDeploy)}`, "keep one of them");
    }
    return nano;
  }

  gracePeriod(path: Path, raw: Json | undefined): number | null {
    if (raw === undefined || raw === null) return null;
    const seconds = parseDuration(scalar(raw));
    if (seconds === null || seconds < 0) this.fail(path, `"${scalar(raw)}" is not a duration`, "write a duration such as 10s, 1m30s or 500ms");
    // Docker counts whole seconds: round up, so the grace period is never cut short.
    const whole = seconds <= 0 ? 0 : Math.ceil(seconds - 1e-9);
    if (whole > 3600) this.fail(path, `${scalar(raw)} is longer than pod's limit of 1h`, "give each replica at most 1h to stop");
    return whole;
  }

  // -------------------------------------------------------------------------- network

  network(at: Path, s: Obj, extension: PodExtension): PodSpec["network"] {
    const mode = typeof s["network_mode"] === "string" ? s["network_mode"] : null;
    if (mode !== null && s["networks"] !== undefined) {
      this.fail([...at, "network_mode"], "cannot be combined with networks:", "keep one of them (Compose refuses both too)");
    }
    if (mode === "none" || mode?.startsWith("container:") || mode?.startsWith("service:")) {
      this.fail([...at, "network_mode"], `"${mode}" would take the pod out of its own namespace`, "the sandbox owns the network and publishes the ports: name a network, host, or leave network_mode out");
    }
    let networks: NetworkAttachment[] =
      mode === null ? this.networks([...at, "networks"], s["networks"]) : mode === "host" ? [{ name: "host", aliases: [] }] : [{ name: mode === "default" ? "bridge" : mode, aliases: [] }];
    const bad = networks.find((n) => n.name === "none");
    if (bad) this.fail([...at, "networks"], `the network "none" would take the pod out of its own namespace`, "name a bridge or user-defined network, or leave it out");

    let balance: Balance = extension.balance ?? "reuseport";
    const onHost = networks.some((n) => n.name === "host");
    if (onHost) {
      if (networks.length > 1) this.fail([...at, "networks"], "the host network cannot be combined with other networks", "give the host network alone");
      if (extension.balance !== undefined && extension.balance !== "host") {
        this.fail([...at, POD_EXTENSION, "balance"], `${extension.balance} has no meaning on the host's network`, "on the host's network replicas share the port with SO_REUSEPORT: leave balance out");
      }
      balance = "host";
      networks = [];
    } else if (balance === "host" && networks.length > 0) {
      this.fail([...at, POD_EXTENSION, "balance"], "host cannot be combined with networks", "leave networks out, or write network_mode: host");
    }

    const ports = this.ports([...at, "ports"], s["ports"], balance === "host");
    this.reuse([...at, "ports"], () => checkPortConflicts(ports));
    const network = {
      balance,
      ports,
      networks,
      hostname: typeof s["hostname"] === "string" ? s["hostname"] : null,
      dns: this.list(s["dns"]),
      dnsSearch: this.list(s["dns_search"]),
      dnsOptions: this.list(s["dns_opt"]),
      extraHosts: this.extraHosts([...at, "extra_hosts"], s["extra_hosts"]),
    };
    if (balance === "host") {
      const refused = (
        [
          ["hostname", network.hostname !== null],
          ["dns", network.dns.length > 0],
          ["dns_search", network.dnsSearch.length > 0],
          ["dns_opt", network.dnsOptions.length > 0],
          ["extra_hosts", network.extraHosts.length > 0],
        ] as const
      ).find(([, given]) => given);
      if (refused) this.fail([...at, refused[0]], "has no meaning on the host's network", "the host's own name, resolver and hosts file apply: leave it out");
    }
    return network;
  }

  list(raw: Json | undefined): string[] {
    if (raw === undefined || raw === null) return [];
    return Array.isArray(raw) ? raw.map(scalar) : [scalar(raw)];
  }

  ports(path: Path, raw: Json | undefined, onHost: boolean): PortMapping[] {
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((item, i) => {
      const at = [...path, i];
      let spec: string;
      if (isObj(item)) {
        for (const key of Object.keys(item)) {
          if (["name", "app_protocol"].includes(key)) this.ignore([...at, key], "pod keeps no names or application protocols for ports");
        }
        if (item["target"] === undefined) this.fail(at, "has no target", "add target: the port the replicas listen on");
        const ip = scalar(item["host_ip"]);
        const published = scalar(item["published"]);
        const protocol = item["protocol"] === undefined ? "" : `/${scalar(item["protocol"])}`;
        const ipPart = ip === "" ? "" : `${isIP(ip) === 6 ? `[${ip}]` : ip}:`;
        spec = ip === "" && published === "" ? `${scalar(item["target"])}${protocol}` : `${ipPart}${published}:${scalar(item["target"])}${protocol}`;
      } else {
        spec = scalar(item);
      }
      const mappings = this.reuse(at, () => parsePublish(spec));
      if (!onHost) return mappings;
      // On the host's network the replicas' own ports are the published ones.
      return mappings.map((p) => {
        if (p.hostIp !== "" || (p.hostPort !== null && p.hostPort !== p.containerPort)) {
          this.fail(at, `"${spec}" maps a port, and on the host's network the host port is the container port`, `write "${p.containerPort}${p.protocol === "udp" ? "/udp" : ""}": the port the replicas listen on`);
        }
        return { ...p, hostPort: null };
      });
    });
  }

  extraHosts(path: Path, raw: Json | undefined): string[] {
    if (raw === undefined || raw === null) return [];
    const pairs: [Path, string, string][] = [];
    if (Array.isArray(raw)) {
      raw.forEach((item, i) => {
        const text = scalar(item);
        const eq = text.indexOf("=");
        const at = eq >= 0 ? eq : text.indexOf(":");
        pairs.push([[...path, i], at < 0 ? text : text.slice(0, at), at < 0 ? "" : text.slice(at + 1)]);
      });
    } else if (isObj(raw)) {
      for (const [host, ips] of Object.entries(raw)) {
        for (const ip of Array.isArray(ips) ? ips : [ips]) pairs.push([[...path, host], host, scalar(ip)]);
      }
    }
    return pairs.map(([at, host, ip]) => {
      const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
      return this.reuse(at, () => parseExtraHost(`${host}:${bare}`));
    });
  }

  /** A declared network or volume's Docker name: `name:`, else the key if external, else Compose's scoped name. */
  objectName(kind: "networks" | "volumes", key: string): { name: string; declared: boolean; created: boolean } {
    const top = isObj(this.doc[kind]) ? (this.doc[kind] as Obj) : {};
    if (!(key in top)) return { name: key, declared: false, created: false };
    const decl = isObj(top[key]) ? (top[key] as Obj) : {};
    const external = decl["external"];
    const externalName = isObj(external) && typeof external["name"] === "string" ? external["name"] : null;
    const isExternal = external === true || isObj(external);
    const given = typeof decl["name"] === "string" ? decl["name"] : externalName;
    if (given !== null) return { name: given, declared: true, created: !isExternal };
    if (isExternal) return { name: key, declared: true, created: false };
    return { name: this.o.projectName !== null ? `${this.o.projectName}_${key}` : key, declared: true, created: true };
  }

  networks(path: Path, raw: Json | undefined): NetworkAttachment[] {
    if (raw === undefined || raw === null) return [];
    const entries: [string, Json][] = Array.isArray(raw) ? raw.map((key) => [scalar(key), null]) : isObj(raw) ? Object.entries(raw) : [];
    const out: NetworkAttachment[] = [];
    for (const [key, settings] of entries) {
      const at: Path = Array.isArray(raw) ? [...path, raw.indexOf(key)] : [...path, key];
      const found = this.objectName("networks", key);
      let name = found.name;
      if (key === "default" && !this.hasName("networks", key)) {
        // Compose's per-project default network: pod's default is Docker's bridge.
        name = "bridge";
      } else if (!found.declared) {
        this.fail(at, `the network "${key}" is not declared`, `declare it under the top-level networks:, e.g. networks: {${key}: {external: true}} for an existing Docker network`);
      } else if (found.created) {
        this.warn(["networks", key], `pod creates no networks: the pod joins the Docker network "${name}", which must exist (docker network create ${name})`);
        this.networkWarnings(key);
      }
      const aliases: string[] = [];
      if (isObj(settings)) {
        for (const [setting, value] of Object.entries(settings)) {
          if (setting === "aliases") aliases.push(...this.list(value));
          else if (!isExtension(setting)) this.ignore([...at, setting], "pod sets only aliases on a network; Docker assigns the addresses");
        }
      }
      if (name === "bridge" && aliases.length > 0) {
        this.fail([...at, "aliases"], "Docker's default bridge resolves no names", `give ${key} a user-defined network: networks: {${key}: {name: NET, external: true}} after docker network create NET`);
      }
      const existing = out.find((n) => n.name === name);
      if (existing) existing.aliases.push(...aliases.filter((a) => !existing.aliases.includes(a)));
      else out.push({ name, aliases });
    }
    return out;
  }

  hasName(kind: "networks" | "volumes", key: string): boolean {
    const top = isObj(this.doc[kind]) ? (this.doc[kind] as Obj) : {};
    const decl = top[key];
    if (!isObj(decl)) return false;
    return typeof decl["name"] === "string" || decl["external"] === true || isObj(decl["external"]);
  }

  networkWarnings(key: string): void {
    const decl = (this.doc["networks"] as Obj)[key];
    if (!isObj(decl)) return;
    for (const setting of Object.keys(decl)) {
      if (setting !== "name" && setting !== "external" && !isExtension(setting)) {
        this.ignore(["networks", key, setting], "pod creates no networks; create it with docker network create");
      }
    }
  }

  volumeWarnings(key: string): void {
    const decl = (this.doc["volumes"] as Obj)[key];
    if (!isObj(decl) || decl["external"] === true || isObj(decl["external"])) return;
    for (const setting of Object.keys(decl)) {
      if (setting !== "name" && setting !== "external" && !isExtension(setting)) {
        this.ignore(["volumes", key, setting], "Docker creates the volume with its default driver when a replica first mounts it");
      }
    }
  }

  // -------------------------------------------------------------------------- volumes

  volumes(path: Path, raw: Json | undefined): string[] {
    if (!Array.isArray(raw)) return [];
    const out: string[] = [];
    raw.forEach((item, i) => {
      const at = [...path, i];
      const volume = isObj(item) ? this.longVolume(at, item) : this.shortVolume(at, scalar(item));
      if (volume !== null) out.push(this.reuse(at, () => parseVolume(volume)));
    });
    return out;
  }

  /** A host path: ~ from HOME, relative to the compose file's directory. */
  hostPath(at: Path, source: string): string {
    if (source === "~" || source.startsWith("~/")) {
      const home = this.o.env["HOME"];
      if (!home) this.fail(at, `"${source}" starts with ~ and HOME is not set`, "write the path out, or set HOME");
      return join(home, source.slice(1));
    }
    return resolve(this.dir, source);
  }

  namedVolume(at: Path, key: string): string {
    const found = this.objectName("volumes", key);
    if (!found.declared) {
      this.fail(at, `the volume "${key}" is not declared`, `declare it under the top-level volumes:, e.g. volumes: {${key}: {}}, or write ./${key} for a directory beside the compose file`);
    }
    if (found.created) this.volumeWarnings(key);
    return found.name;
  }

  absoluteTarget(at: Path, spec: string, target: string): void {
    if (!target.startsWith("/")) {
      this.fail(at, `"${spec}": the container path "${target}" is not absolute`, "write the path in the container from /, e.g. ./data:/data");
    }
  }

  shortVolume(at: Path, spec: string): string | null {
    const parts = spec.split(":");
    if (parts.some((p) => p === "")) this.fail(at, `"${spec}" has an empty part between colons`, "write SOURCE:TARGET[:MODE], or TARGET alone for an anonymous volume");
    if (parts.length > 3) this.fail(at, `"${spec}" has too many colons`, "write SOURCE:TARGET[:MODE]");
    const target = parts.length === 1 ? spec : parts[1]!;
    this.absoluteTarget(at, spec, target);
    if (parts.length === 1) return spec;
    const [source, , mode] = parts as [string, string, string | undefined];
    const bind = /^[./~]/.test(source);
    const options: string[] = [];
    for (const option of mode ? mode.split(",") : []) {
      if (["ro", "rw", "z", "Z", "shared", "rshared", "slave", "rslave", "private", "rprivate"].includes(option)) options.push(option);
      else if (option === "nocopy" && !bind) options.push(option);
      else this.ignore(at, `the mode "${option}" is unknown to docker -v${option === "nocopy" ? " on a bind mount" : ""}`);
    }
    const hostSide = bind ? this.hostPath(at, source) : this.namedVolume(at, source);
    return [hostSide, target, ...(options.length > 0 ? [options.join(",")] : [])].join(":");
  }

  longVolume(at: Path, v: Obj): string | null {
    const type = scalar(v["type"]);
    const target = scalar(v["target"]);
    if (target === "") this.fail(at, "has no target", "add target: the path in the container");
    this.absoluteTarget([...at, "target"], target, target);
    const options: string[] = [];
    if (v["read_only"] === true || v["read_only"] === "true") options.push("ro");
    for (const key of Object.keys(v)) {
      if (["type", "source", "target", "read_only", "bind", "volume", "tmpfs"].includes(key) || isExtension(key)) continue;
      this.ignore([...at, key], GENERIC);
    }
    const settings = (key: string): Obj => (isObj(v[key]) ? (v[key] as Obj) : {});
    switch (type) {
      case "bind": {
        const source = scalar(v["source"]);
        if (source === "") this.fail(at, "is a bind mount with no source", "add source: the path on the host (relative to the compose file)");
        for (const [key, value] of Object.entries(settings("bind"))) {
          if (key === "propagation") options.push(scalar(value));
          else if (key === "selinux") options.push(scalar(value));
          else if (key === "create_host_path") {
            if (value === false || value === "false") this.ignore([...at, "bind", key], "docker -v creates a missing host path; make sure it exists");
          } else if (!isExtension(key)) this.ignore([...at, "bind", key], GENERIC);
        }
        return [this.hostPath([...at, "source"], source), target, ...(options.length ? [options.join(",")] : [])].join(":");
      }
      case "volume": {
        const source = scalar(v["source"]);
        for (const [key, value] of Object.entries(settings("volume"))) {
          if (key === "nocopy") {
            if (value === true || value === "true") options.push("nocopy");
          } else if (key === "subpath") {
            this.fail([...at, "volume", "subpath"], "pod mounts volumes with docker -v, which cannot mount a subpath", "mount the whole volume, or bind-mount the directory");
          } else if (!isExtension(key)) this.ignore([...at, "volume", key], GENERIC);
        }
        if (source === "") return [target, ...(options.length ? [options.join(",")] : [])].join(":");
        return [this.namedVolume([...at, "source"], source), target, ...(options.length ? [options.join(",")] : [])].join(":");
      }
      case "tmpfs":
        this.ignore(at, "pod mounts with docker -v, which has no tmpfs: the path stays in the container's own filesystem");
        return null;
      default:
        this.fail([...at, "type"], `pod cannot mount a volume of type "${type}"`, "use type bind or volume");
    }
  }
}

/** yaml's messages end with the place and a code frame; the place is already in front. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The selected services of a Compose file as pod specs, and what pod could not honour. */
export function loadCompose(o: ComposeInput): ComposeResult {
  return new Loader(o).load();
}
