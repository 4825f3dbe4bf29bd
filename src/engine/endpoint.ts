// Which engine to talk to, decided as the docker CLI decides (docker/cli: cli/command/cli.go
// resolveContextName and resolveDefaultDockerEndpoint, opts/hosts.go ParseHost, the context
// store), checked against docker 28.2. Pure: files come through `readFile`.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { readFailure, UsageError } from "../errors.js";

/** PEM text. */
export interface EngineTls {
  ca: string | null;
  cert: string | null;
  key: string | null;
  verify: boolean;
}

export interface Endpoint {
  /** `unix:///path`, `tcp://host:port[/base]` or `ssh://[user@]host[:port]`, normalized. */
  host: string;
  /** Only for tcp hosts: docker ignores TLS settings on unix sockets and over ssh. */
  tls: EngineTls | null;
  /** "default" or the context's name. */
  context: string;
  /** How the engine was chosen, for messages: "--host", "DOCKER_CONTEXT=foo", … */
  source: string;
}

export interface EndpointInputs {
  host?: string;
  context?: string;
  env: Record<string, string | undefined>;
  home: string;
  /** The file's text; null when it does not exist. */
  readFile(path: string): string | null;
}

export const DEFAULT_HOST = "unix:///var/run/docker.sock";
/** Docker's default when TLS is on and no host is named. */
const DEFAULT_TLS_HOST = "tcp://localhost:2376";
const HOST_FORMS = "unix:///path/to/socket, tcp://host:port or ssh://[user@]host[:port]";

export function resolveEndpoint(i: EndpointInputs): Endpoint {
  const host = i.host?.trim() || undefined;
  const context = i.context || undefined;
  if (host && context) {
    throw new UsageError(
      "conflicting options: cannot specify both --host and --context",
      "use --host to name an engine, or --context to use one of docker's contexts, not both",
    );
  }
  if (host) return defaultContext(i, host, "--host");
  if (context) return namedContext(i, context, `--context ${context}`);
  // As docker: a set DOCKER_HOST means the default context, whatever DOCKER_CONTEXT says.
  if (i.env.DOCKER_HOST) return defaultContext(i, i.env.DOCKER_HOST, "DOCKER_HOST");
  if (i.env.DOCKER_CONTEXT) return namedContext(i, i.env.DOCKER_CONTEXT, `DOCKER_CONTEXT=${i.env.DOCKER_CONTEXT}`);
  const config = configPath(i);
  const current = currentContext(i, config);
  if (current) return namedContext(i, current, `current context ${current} in ${tilde(i, config)}`);
  return defaultContext(i, undefined, "default");
}

function configDir(i: EndpointInputs): string {
  return i.env.DOCKER_CONFIG || join(i.home, ".docker");
}

function configPath(i: EndpointInputs): string {
  return join(configDir(i), "config.json");
}

function tilde(i: EndpointInputs, path: string): string {
  return path.startsWith(i.home + "/") ? "~" + path.slice(i.home.length) : path;
}

function read(i: EndpointInputs, path: string): string | null {
  try {
    return i.readFile(path);
  } catch (err) {
    const { why, hint } = readFailure(err);
    throw new UsageError(`cannot read ${tilde(i, path)} (${why})`, hint ?? "fix its permissions, or pass --host");
  }
}

function parseJson(i: EndpointInputs, path: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${tilde(i, path)} is not valid JSON (${(err as Error).message})`, `fix or remove ${what}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** config.json's currentContext; "" when the file or the key is absent. */
function currentContext(i: EndpointInputs, path: string): string {
  const text = read(i, path);
  // docker reads an empty file (or `null`) as no settings.
  if (text === null || text.trim() === "") return "";
  const config = parseJson(i, path, text, "it (docker's client configuration), or pass --host or --context");
  if (config === null) return "";
  if (!isObject(config) || (config.currentContext !== undefined && typeof config.currentContext !== "string")) {
    throw new UsageError(`${tilde(i, path)} is not a docker client configuration (currentContext must be a string)`, "fix it, or pass --host or --context");
  }
  return (config.currentContext as string | undefined) ?? "";
}

/** The context docker builds from --host, DOCKER_HOST and the DOCKER_TLS* variables. */
function defaultContext(i: EndpointInputs, rawHost: string | undefined, source: string): Endpoint {
  const tls = tlsFromEnv(i);
  const host = parseHost(rawHost ?? "", tls !== null, source);
  return { host, tls: host.startsWith("tcp://") ? tls : null, context: "default", source };
}

/**
 * DOCKER_TLS_VERIFY (any non-empty value, even "0") means TLS with verification; DOCKER_TLS
 * alone means TLS without. Then ca.pem must exist in DOCKER_CERT_PATH (default: the config
 * directory); cert.pem and key.pem are used when present.
 */
function tlsFromEnv(i: EndpointInputs): EngineTls | null {
  const verify = !!i.env.DOCKER_TLS_VERIFY;
  if (!verify && !i.env.DOCKER_TLS) return null;
  const dir = i.env.DOCKER_CERT_PATH || configDir(i);
  const ca = read(i, join(dir, "ca.pem"));
  if (ca === null) {
    throw new UsageError(
      `${verify ? "DOCKER_TLS_VERIFY" : "DOCKER_TLS"} is set but ${join(dir, "ca.pem")} does not exist`,
      "put ca.pem (and cert.pem, key.pem) in DOCKER_CERT_PATH (default ~/.docker), or unset DOCKER_TLS_VERIFY and DOCKER_TLS",
    );
  }
  return { ca, cert: read(i, join(dir, "cert.pem")), key: read(i, join(dir, "key.pem")), verify };
}

function namedContext(i: EndpointInputs, name: string, source: string): Endpoint {
  if (name === "default") {
    const fromEnv = i.env.DOCKER_HOST || undefined;
    return defaultContext(i, fromEnv, fromEnv ? `${source} (DOCKER_HOST)` : source);
  }
  // The store names a context's directories by the sha256 of its name.
  const id = createHash("sha256").update(name).digest("hex");
  const store = join(configDir(i), "contexts");
  const metaPath = join(store, "meta", id, "meta.json");
  const text = read(i, metaPath);
  if (text === null) {
    throw new UsageError(
      `context "${name}" (${source}) does not exist: pod looked for ${tilde(i, metaPath)}`,
      "`docker context ls` lists the contexts there are; or name an engine with --host",
    );
  }
  const meta = parseJson(i, metaPath, text, `context "${name}" (\`docker context rm ${name}\`)`);
  const docker = isObject(meta) && isObject(meta.Endpoints) ? meta.Endpoints.docker : undefined;
  if (!isObject(docker) || (docker.Host !== undefined && typeof docker.Host !== "string")) {
    throw new UsageError(`context "${name}" has no docker endpoint (${tilde(i, metaPath)})`, "`docker context inspect " + name + "` shows it");
  }
  const host = contextHost((docker.Host as string | undefined) ?? "", name);
  const tlsDir = join(store, "tls", id, "docker");
  const [ca, cert, key] = ["ca.pem", "cert.pem", "key.pem"].map((f) => read(i, join(tlsDir, f)));
  const skipVerify = docker.SkipTLSVerify === true;
  // As docker: TLS when the context has TLS files or says to skip verification.
  const tls = ca || cert || key || skipVerify ? { ca: ca ?? null, cert: cert ?? null, key: key ?? null, verify: !skipVerify } : null;
  return { host, tls: host.startsWith("tcp://") ? tls : null, context: name, source };
}

/**
 * A context's host is not checked by `docker context create`; docker's client then treats
 * http:// and https:// like tcp:// (TLS comes from the context, not the scheme) and an
 * empty host as the default socket.
 */
function contextHost(raw: string, name: string): string {
  const match = /^https?:\/\/(.*)$/s.exec(raw.trim());
  return parseHost(match ? `tcp://${match[1]}` : raw, false, `context ${name}`);
}

/** docker's ParseHost: trims; no scheme means tcp; defaults for empty parts. */
function parseHost(raw: string, tls: boolean, source: string): string {
  const value = raw.trim();
  if (value === "") return tls ? DEFAULT_TLS_HOST : DEFAULT_HOST;
  const cut = value.indexOf("://");
  const proto = cut < 0 ? "tcp" : value.slice(0, cut);
  const rest = cut < 0 ? value : value.slice(cut + 3);
  const bad = (why: string) => new UsageError(`invalid Docker host "${raw}" (${source}): ${why}`, `expected ${HOST_FORMS}`);
  switch (proto) {
    case "unix":
      if (rest.includes("://")) throw bad("a unix socket path cannot contain ://");
      return `unix://${rest || "/var/run/docker.sock"}`;
    case "tcp":
      return parseTcp(rest, bad);
    case "ssh":
      checkSsh(value, bad);
      return value;
    case "npipe":
    case "fd":
      throw bad(`pod does not support ${proto}:// hosts`);
    default:
      throw bad(`unknown scheme ${proto}://`);
  }
}

/** docker's ParseTCPAddr: host defaults to localhost, port to 2375 (even with TLS); a path is kept as the API's base path. */
function parseTcp(rest: string, bad: (why: string) => UsageError): string {
  const end = rest.search(/[/?#]/);
  let authority = end < 0 ? rest : rest.slice(0, end);
  let path = end < 0 ? "" : rest.slice(end).replace(/[?#].*$/s, "");
  authority = authority.slice(authority.lastIndexOf("@") + 1);
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::([^:]*))?$/.exec(authority);
  if (!m) throw bad("cannot read host:port");
  const port = m[2] ?? "";
  if (port !== "" && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) throw bad(`invalid port "${port}"`);
  if (path === "/") path = "";
  return `tcp://${m[1] || "localhost"}:${port || "2375"}${path.replace(/\/+$/, "")}`;
}

/** docker's ssh URL rules (cli/connhelper/ssh). */
function checkSsh(value: string, bad: (why: string) => UsageError): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("not a valid ssh URL");
  }
  if (url.password) throw bad("plain-text password is not supported");
  if (!url.hostname) throw bad("hostname is empty");
  if (url.search) throw bad(`query parameters are not allowed: "${url.search.slice(1)}"`);
  if (url.hash) throw bad(`fragments are not allowed: "${url.hash.slice(1)}"`);
  // docker 28 runs `docker --host unix://PATH system dial-stdio` there; pod's ssh transport cannot.
  if (url.pathname && url.pathname !== "/") throw bad("pod cannot reach a socket path over ssh (drop the path to use the remote engine's default socket)");
}
