// Registry credentials as the docker CLI finds them (docker/cli cli/config): DOCKER_AUTH_CONFIG,
// then the registry's credential helper (`credHelpers`) or the default one (`credsStore`),
// else config.json's `auths`; sent to the engine as X-Registry-Auth. I/O comes in through
// `CredentialDeps`, so every form is a unit test. Secrets leave this module only inside
// the header; no error, message or field names one.
import { join } from "node:path";
import { CredentialsError, UsageError } from "../errors.js";
import { credentialsKey, type NamedReference } from "../podspec/reference.js";

export interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CredentialDeps {
  /** The file's text; null when it does not exist. */
  readFile(path: string): string | null;
  /**
   * Runs `program` with `args`, `input` on its stdin, in `env` (its PATH finds the program).
   * Rejects with an error whose `code` is "ENOENT" when the program is not on PATH.
   */
  runHelper(program: string, args: string[], input: string, env: Environ): Promise<HelperResult>;
  /** The account's home directory, used when HOME is unset. */
  home: string;
}

export type Environ = Record<string, string | undefined>;

/** What the engine needs to pull, and where it came from (for messages; no secret in it). */
export class RegistryAuth {
  readonly #header: string;

  constructor(
    header: string,
    /** The key looked up: "127.0.0.1:5000", "https://index.docker.io/v1/". */
    readonly registry: string,
    /** Where the credentials were found: "~/.docker/config.json", "docker-credential-pass". */
    readonly source: string,
  ) {
    this.#header = header;
  }

  /** The X-Registry-Auth value. A private field: JSON.stringify and util.inspect do not show it. */
  header(): string {
    return this.#header;
  }
}

/** The docker CLI's AuthConfig, as much of it as a pull sends. */
interface AuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** docker-credential-helpers: the answer of a helper that holds nothing for the server. */
const NOT_FOUND = "credentials not found in native keychain";
/** A helper's Username when its Secret is an identity token (docker/cli native_store.go). */
const TOKEN_USERNAME = "<token>";

export function configDir(env: Environ, home: string): string {
  return env.DOCKER_CONFIG || join(home, ".docker");
}

function tilde(path: string, home: string): string {
  return home !== "" && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * JSON.parse with an error that quotes nothing: V8's messages show the text around the
 * fault, and in config.json that text is credentials.
 */
export function parseJsonQuietly(text: string, where: string, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const position = /at position (\d+)/.exec((err as Error).message);
    let at = "";
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split("\n").length;
      at = ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
    }
    throw new UsageError(`${where} is not valid JSON${at}`, hint);
  }
}

/** The docker CLI's decodeAuth: strict base64 of USER:PASSWORD, the user not empty. */
function decodeAuth(auth: string): { username: string; password: string } | null {
  if (auth.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(auth)) return null;
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1).replace(/^\0+|\0+$/g, "") };
}

const STRING_FIELDS = ["auth", "username", "password", "identitytoken", "registrytoken"] as const;

/** One `auths` entry as the docker CLI loads it; `where` names it in errors, never its values. */
function authEntry(value: unknown, where: string, hint: string): AuthConfig {
  if (!isObject(value)) throw new UsageError(`${where} must be an object`, hint);
  for (const field of STRING_FIELDS) {
    if (value[field] !== undefined && typeof value[field] !== "string") throw new UsageError(`${where}.${field} must be a string`, hint);
  }
  const entry = value as Partial<Record<(typeof STRING_FIELDS)[number], string>>;
  const config: AuthConfig = {};
  if (entry.auth) {
    const decoded = decodeAuth(entry.auth);
    if (!decoded) throw new UsageError(`${where}.auth is not the base64 of USER:PASSWORD`, hint);
    Object.assign(config, decoded);
  } else {
    if (entry.username) config.username = entry.username;
    if (entry.password) config.password = entry.password;
  }
  if (entry.identitytoken) config.identitytoken = entry.identitytoken;
  if (entry.registrytoken) config.registrytoken = entry.registrytoken;
  return config;
}

interface DockerConfig {
  auths: Map<string, unknown>;
  credsStore: string;
  credHelpers: Record<string, string>;
}

function loadConfig(path: string, shown: string, deps: CredentialDeps): DockerConfig {
  const empty: DockerConfig = { auths: new Map(), credsStore: "", credHelpers: {} };
  let text: string | null;
  try {
    text = deps.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${shown}${code ? ` (${code})` : ""}`, "make it readable, or point DOCKER_CONFIG at another directory");
  }
  // As the docker CLI: no file, an empty file or `null` mean no settings.
  if (text === null || text.trim() === "") return empty;
  const hint = `fix ${shown} (docker login rewrites it), or point DOCKER_CONFIG at another directory`;
  const config = parseJsonQuietly(text, shown, hint);
  if (config === null) return empty;
  if (!isObject(config)) throw new UsageError(`${shown} is not a docker client configuration (not an object)`, hint);
  const { auths, credsStore, credHelpers } = config;
  if (auths !== undefined && auths !== null && !isObject(auths)) throw new UsageError(`${shown}: auths must be an object`, hint);
  if (credsStore !== undefined && typeof credsStore !== "string") throw new UsageError(`${shown}: credsStore must be a string`, hint);
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isObject(credHelpers) || Object.values(credHelpers).some((h) => typeof h !== "string")) {
      throw new UsageError(`${shown}: credHelpers must map registries to helper names`, hint);
    }
  }
  return {
    auths: new Map(Object.entries((auths as Record<string, unknown> | undefined) ?? {})),
    credsStore: (credsStore as string | undefined) ?? "",
    credHelpers: (credHelpers as Record<string, string> | undefined) ?? {},
  };
}

/** docker/cli's ConvertToHostname: `https://host:5000/v1/` → `host:5000`, for keys old CLIs wrote. */
function hostOf(key: string): string {
  let rest = key;
  const scheme = rest.indexOf("://");
  if (scheme >= 0) rest = rest.slice(scheme + 3);
  const slash = rest.indexOf("/");
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** The file store's lookup: the key as written, else a key whose host is the registry. */
function fromAuths(auths: Map<string, unknown>, key: string, shown: string, hint: string): AuthConfig | null {
  let found: [string, unknown] | null = auths.has(key) ? [key, auths.get(key)] : null;
  if (!found) {
    for (const entry of auths) {
      if (hostOf(entry[0]) === key) {
        found = entry;
        break;
      }
    }
  }
  if (!found) return null;
  return authEntry(found[1], `${shown}: auths[${JSON.stringify(found[0])}]`, hint);
}

/** The first line of a helper's complaint, unless it might hold what it was asked for. */
function complaint(r: HelperResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split("\n")[0]!.trim();
  if (text === "" || /secret|password|token/i.test(text)) return "";
  return `: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`;
}

/** docker-credential-helpers' `get`: the server URL on stdin, {ServerURL, Username, Secret} on stdout. */
async function fromHelper(name: string, key: string, why: string, env: Environ, deps: CredentialDeps): Promise<AuthConfig | null> {
  const program = `docker-credential-${name}`;
  let r: HelperResult;
  try {
    r = await deps.runHelper(program, ["get"], key, env);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CredentialsError(`${program} (${why}) is not on PATH`, `install it, or change ${why}`);
    }
    throw new CredentialsError(`${program} (${why}) could not be run for ${key}: ${(err as Error).message}`, `check the helper, or change ${why}`);
  }
  if (r.code !== 0) {
    if (r.stdout.trim() === NOT_FOUND || r.stderr.trim() === NOT_FOUND) return null;
    throw new CredentialsError(`${program} get failed for ${key} (exit ${r.code})${complaint(r)}`, `check the helper, or run \`docker login ${loginTarget(key)}\``);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(r.stdout);
  } catch {
    answer = null;
  }
  if (!isObject(answer) || typeof answer.Secret !== "string" || (answer.Username !== undefined && typeof answer.Username !== "string")) {
    throw new CredentialsError(`${program} get answered ${key} with something other than {ServerURL, Username, Secret}`, `check the helper, or change ${why}`);
  }
  const username = (answer.Username as string | undefined) ?? "";
  if (answer.Secret === "") return null;
  if (username === TOKEN_USERNAME) return { identitytoken: answer.Secret };
  return { username, password: answer.Secret };
}

/** What `docker login` takes for the key: nothing for Docker Hub, else the registry. */
function loginTarget(key: string): string {
  return hostOf(key) === "index.docker.io" ? "" : key;
}

function hasSecret(c: AuthConfig): boolean {
  return !!(c.username || c.password || c.identitytoken || c.registrytoken);
}

/**
 * The docker CLI's EncodeAuthConfig: Go's base64.URLEncoding of the JSON, empty fields left
 * out. That alphabet keeps its '=' padding, which the engine's decoder wants and Node's
 * "base64url" drops.
 */
export function encodeAuthConfig(c: AuthConfig, serverAddress: string): string {
  const json: Record<string, string> = {};
  if (c.username) json.username = c.username;
  if (c.password) json.password = c.password;
  json.serveraddress = serverAddress;
  if (c.identitytoken) json.identitytoken = c.identitytoken;
  if (c.registrytoken) json.registrytoken = c.registrytoken;
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * The X-Registry-Auth for pulling `ref`, as `docker pull` would send it, or null when docker
 * holds no credentials for its registry (a public pull). `env` is the whole process
 * environment: DOCKER_CONFIG, HOME, DOCKER_AUTH_CONFIG, and what helpers need (PATH finds
 * them; pass and secretservice need HOME, GNUPGHOME, DBUS_SESSION_BUS_ADDRESS).
 */
export async function registryAuth(ref: NamedReference, env: Environ, deps: CredentialDeps): Promise<RegistryAuth | null> {
  const key = credentialsKey(ref);
  // As the docker CLI: $HOME when set, else the account's home directory.
  const home = env.HOME || deps.home;
  const path = join(configDir(env, home), "config.json");
  const shown = tilde(path, home);
  const hint = `fix ${shown} (docker login rewrites it), or point DOCKER_CONFIG at another directory`;

  // DOCKER_AUTH_CONFIG: config.json's `auths` in a variable, looked at first (docker CLI 28).
  const inline = env.DOCKER_AUTH_CONFIG;
  if (inline) {
    const inlineHint = "fix DOCKER_AUTH_CONFIG, which holds {\"auths\": {REGISTRY: {\"auth\": BASE64}}}, or unset it";
    const parsed = parseJsonQuietly(inline, "DOCKER_AUTH_CONFIG", inlineHint);
    const auths = isObject(parsed) && isObject(parsed.auths) ? parsed.auths : null;
    if (!auths) throw new UsageError("DOCKER_AUTH_CONFIG has no auths object", inlineHint);
    if (key in auths) {
      const found = authEntry(auths[key], `DOCKER_AUTH_CONFIG: auths[${JSON.stringify(key)}]`, inlineHint);
      if (hasSecret(found)) return new RegistryAuth(encodeAuthConfig(found, key), key, "DOCKER_AUTH_CONFIG");
    }
  }

  const config = loadConfig(path, shown, deps);
  const helper = config.credHelpers[key] ?? config.credsStore;
  if (helper) {
    const why = config.credHelpers[key] !== undefined ? `credHelpers in ${shown}` : `credsStore in ${shown}`;
    const found = await fromHelper(helper, key, why, env, deps);
    return found && hasSecret(found) ? new RegistryAuth(encodeAuthConfig(found, key), key, `docker-credential-${helper}`) : null;
  }
  const found = fromAuths(config.auths, key, shown, hint);
  return found && hasSecret(found) ? new RegistryAuth(encodeAuthConfig(found, key), key, shown) : null;
}
