// Docker's image reference grammar (github.com/distribution/reference, as the docker CLI and
// the engine apply it): `[DOMAIN/]PATH[:TAG][@DIGEST]`, familiar names normalised to
// `docker.io/library/NAME`. Pure. Checked part by part rather than with one big regular
// expression so that a refusal names the part that is wrong (distribution says only
// "invalid reference format"), and so that no input, however long, can make a regular
// expression backtrack. npm's ports of the package neither name the part nor follow its
// rules for uppercase domains and the length limit.
import { UsageError } from "../errors.js";

export const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_PREFIX = "library/";
const DEFAULT_TAG = "latest";
/** distribution's RepositoryNameTotalLengthMax: the path, after normalisation. */
export const MAX_PATH_LENGTH = 255;
/** Where the docker CLI keeps (and `docker login` writes) Docker Hub's credentials. */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

/** A name in a registry, normalised: `nginx` is docker.io, library/nginx, no tag. */
export interface NamedReference {
  kind: "named";
  /** host[:port] of the registry: "docker.io", "127.0.0.1:5000", "[::1]:5000". */
  domain: string;
  /** The repository in that registry: "library/nginx", "team/web". */
  path: string;
  /** As written, or null: `canonical` says `latest` for it. */
  tag: string | null;
  digest: string | null;
}

/** An image on the engine named by its id (`sha256:…` or the bare 64 hex digits): never pulled. */
export interface ImageIdReference {
  kind: "id";
  id: string;
}

export type Reference = NamedReference | ImageIdReference;

// ---------------------------------------------------------------------------- grammar

// path-component := alpha-numeric [separator alpha-numeric]*, separator := [_.] | __ | [-]+.
// Linear: a separator run can only be read one way.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
// tag := [\w][\w.-]{0,127}
const TAG = /^\w[\w.-]*$/;
const MAX_TAG_LENGTH = 128;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
/** go-digest's registered algorithms and the length of their lowercase hex. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

const HINT = "write [HOST[:PORT]/]NAME[:TAG][@DIGEST], e.g. http_server, web:1.2 or 127.0.0.1:5000/team/web:1.0";
const PATH_HINT = "a name is lowercase letters and digits, separated by '.', '_', '__' or '-', in parts split by '/'";

/** The input as the error shows it: quoted, control characters visible, long input cut. */
function shown(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function refuse(text: string, what: string, hint = HINT): UsageError {
  return new UsageError(`invalid image ${shown(text)}: ${what}`, hint);
}

/** Why `digest` is not a digest go-digest accepts, or null. */
function digestFault(digest: string): string | null {
  const colon = digest.indexOf(":");
  const algorithm = colon < 0 ? digest : digest.slice(0, colon);
  const hex = colon < 0 ? "" : digest.slice(colon + 1);
  if (colon < 0 || !DIGEST_ALGORITHM.test(algorithm)) return `digest ${shown(digest)} is not ALGORITHM:HEX`;
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `digest algorithm ${shown(algorithm)} is not supported (sha256, sha384 or sha512)`;
  if (!/^[a-f0-9]*$/.test(hex)) return `a ${algorithm} digest is lowercase hex digits, not ${shown(hex, 20)}`;
  if (hex.length !== length) return `a ${algorithm} digest has ${length} hex digits, this one ${hex.length}`;
  return null;
}

function isDomain(text: string): boolean {
  // host [":" port], host := domain-name | "[" IPv6 "]"
  let host = text;
  const close = text.lastIndexOf("]");
  const colon = text.lastIndexOf(":");
  if (colon > close) {
    if (!PORT.test(text.slice(colon + 1))) return false;
    host = text.slice(0, colon);
  }
  if (host.startsWith("[")) return IPV6_HOST.test(host);
  return host.split(".").every((c) => DOMAIN_COMPONENT.test(c));
}

/** docker's splitDockerDomain: the first part is a registry only when it looks like one; whether library/ was added. */
function splitDomain(name: string): [string, string, boolean] {
  const slash = name.indexOf("/");
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_PREFIX + name, true];
  const first = name.slice(0, slash);
  let rest = name.slice(slash + 1);
  let domain: string;
  if (first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
  } else {
    domain = DEFAULT_DOMAIN;
    rest = name;
  }
  if (domain === DEFAULT_DOMAIN && !rest.includes("/")) return [domain, OFFICIAL_PREFIX + rest, true];
  return [domain, rest, false];
}

/**
 * Parses an image reference as `docker run` and `docker pull` do, or throws one UsageError
 * (exit 2) naming the part that is wrong. A bare or `sha256:`-prefixed 64-digit hex string
 * is an image id, as with `docker run`.
 */
export function parseReference(text: string): Reference {
  if (text === "") throw refuse(text, "an image reference cannot be empty");
  if (IDENTIFIER.test(text)) return { kind: "id", id: `sha256:${text}` };
  if (text.startsWith("sha256:") && digestFault(text) === null) return { kind: "id", id: text };

  // reference := name [":" tag] ["@" digest]; neither a name nor a tag holds "@".
  const at = text.indexOf("@");
  let digest: string | null = null;
  let rest = text;
  if (at >= 0) {
    digest = text.slice(at + 1);
    rest = text.slice(0, at);
    if (digest === "") throw refuse(text, "the digest after '@' is empty");
    if (digest.includes("@")) throw refuse(text, "it holds more than one '@'");
    const fault = digestFault(digest);
    if (fault) throw refuse(text, fault);
  }

  // The tag starts at the first ':' after the last '/': a ':' before it is a registry port.
  const colon = rest.indexOf(":", rest.lastIndexOf("/") + 1);
  const tag = colon >= 0 ? rest.slice(colon + 1) : null;
  if (colon >= 0) rest = rest.slice(0, colon);
  if (rest === "") throw refuse(text, `it has no repository name before '${tag !== null ? ":" : "@"}'`);
  if (tag !== null) {
    if (tag === "") throw refuse(text, "the tag after ':' is empty");
    if (tag.length > MAX_TAG_LENGTH) throw refuse(text, `a tag is at most ${MAX_TAG_LENGTH} characters, this one ${tag.length}`);
    if (!TAG.test(tag)) {
      throw refuse(text, `tag ${shown(tag, 40)} is not a tag`, "a tag is letters, digits, '_', '.' and '-', not starting with '.' or '-'");
    }
  }

  const [domain, path, official] = splitDomain(rest);
  if (domain !== DEFAULT_DOMAIN && !isDomain(domain)) {
    throw refuse(text, `${shown(domain, 40)} is neither a registry address (HOST[:PORT], IPv6 in brackets) nor a name`, PATH_HINT);
  }
  if (path.length > MAX_PATH_LENGTH) {
    // Docker counts a Docker Hub name as library/NAME: say the limit for what was typed.
    const typed = official ? path.length - OFFICIAL_PREFIX.length : path.length;
    const limit = official ? `${MAX_PATH_LENGTH - OFFICIAL_PREFIX.length} characters (Docker Hub counts ${OFFICIAL_PREFIX}NAME)` : `${MAX_PATH_LENGTH} characters`;
    throw refuse(text, `a repository name is at most ${limit}, this one ${typed}`, "use a shorter name");
  }
  for (const component of path.split("/")) {
    if (component === "") throw refuse(text, "the repository name has an empty part ('//' or a '/' at an end)", PATH_HINT);
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      throw refuse(text, `the repository name ${shown(familiarPath(domain, path), 60)} must be lowercase`, "write it in lowercase: registries keep names in lowercase");
    }
    throw refuse(text, `${shown(component, 40)} is not a valid part of a repository name`, PATH_HINT);
  }
  return { kind: "named", domain, path, tag, digest };
}

// ---------------------------------------------------------------------------- forms

function familiarPath(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`;
  const short = path.startsWith(OFFICIAL_PREFIX) ? path.slice(OFFICIAL_PREFIX.length) : path;
  return short.includes("/") ? path : short;
}

function suffix(ref: NamedReference): string {
  return `${ref.tag !== null ? `:${ref.tag}` : ""}${ref.digest !== null ? `@${ref.digest}` : ""}`;
}

/** `docker.io/library/nginx`: the repository, fully qualified, without tag or digest. */
export function repositoryName(ref: NamedReference): string {
  return `${ref.domain}/${ref.path}`;
}

/**
 * What to pull, as docker's ParseDockerRef gives it: `docker.io/library/nginx:latest`; a
 * digest wins over a tag (`…/nginx@sha256:…`), since the digest is what is fetched.
 */
export function canonicalReference(ref: NamedReference): string {
  if (ref.digest !== null) return `${repositoryName(ref)}@${ref.digest}`;
  return `${repositoryName(ref)}:${ref.tag ?? DEFAULT_TAG}`;
}

/** As docker shows it: `nginx:1.2`, `team/web`, `127.0.0.1:5000/team/web:1.0`; tag and digest as written. */
export function familiarReference(ref: Reference): string {
  if (ref.kind === "id") return ref.id;
  return familiarPath(ref.domain, ref.path) + suffix(ref);
}

/** The key the docker CLI stores the registry's credentials under (config.json `auths`, credential helpers). */
export function credentialsKey(ref: NamedReference): string {
  return ref.domain === DEFAULT_DOMAIN ? DOCKER_HUB_AUTH_KEY : ref.domain;
}

/** The repository's last path component: `127.0.0.1:5000/team/web:1.0` → `web`. */
export function lastPathComponent(ref: NamedReference): string {
  return ref.path.slice(ref.path.lastIndexOf("/") + 1);
}
