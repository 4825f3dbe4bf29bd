// Image references and registries as the engine reads them, and a failed pull (or digest
// lookup) as one ImagePullError that names the reference and its registry and never the
// credentials. Pure.
import { ImagePullError } from "../errors.js";

/**
 * `fromImage` and `tag` of POST /images/create: without a tag the engine would pull every
 * tag of the repository (`docker pull -a`), so a bare name gets `latest`; a digest goes as
 * the tag, which the engine reads as a digest.
 */
export function splitReference(ref: string): { fromImage: string; tag: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { fromImage: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(":");
  if (colon > ref.lastIndexOf("/")) return { fromImage: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { fromImage: ref, tag: "latest" };
}

/** The registry a reference names, as docker's reference.splitDockerDomain decides: docker.io unless the first part looks like a host. */
export function registryOf(ref: string): string {
  const slash = ref.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = ref.slice(0, slash);
  if (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first) return "docker.io";
  return first === "index.docker.io" ? "docker.io" : first;
}

/** The secrets of an X-Registry-Auth value (base64 of docker's AuthConfig JSON), and the value itself. */
function secretsOf(auth: string | null): string[] {
  if (!auth) return [];
  const secrets = [auth];
  try {
    const config = JSON.parse(Buffer.from(auth.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8")) as Record<string, unknown>;
    for (const key of ["password", "auth", "identitytoken", "registrytoken", "Password", "Auth", "IdentityToken", "RegistryToken"]) {
      const v = config[key];
      if (typeof v === "string" && v.length >= 3) secrets.push(v);
    }
  } catch {
    // not JSON: the value alone is the secret
  }
  return secrets;
}

/** `text` with every secret of `auth` replaced: what an engine's message may echo. */
export function redactAuth(text: string, auth: string | null): string {
  let out = text;
  for (const s of secretsOf(auth).sort((a, b) => b.length - a.length)) out = out.split(s).join("<hidden>");
  return out;
}

const UNAUTHORIZED = /unauthorized|authentication required|no basic auth credentials|incorrect username or password|\b401 Unauthorized|\b403 Forbidden|denied: access forbidden/i;
const NOT_FOUND = /manifest unknown|manifest for \S+ not found|not found: manifest|name unknown|repository does not exist|pull access denied|No such image|not found$/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|Client\.Timeout|TLS handshake timeout|network is unreachable|no route to host|connection reset by peer|dial tcp|lookup \S+ on/i;

export function pullKind(message: string, statusCode: number | null): ImagePullError["kind"] {
  // Podman 4.3 answers /distribution with a 404 that is about the engine, not the image.
  if (/^Path \S+ is not supported/.test(message)) return "other";
  if (UNAUTHORIZED.test(message)) return "unauthorized";
  if (NOT_FOUND.test(message)) return "not-found";
  if (UNREACHABLE.test(message)) return "unreachable";
  if (statusCode === 404) return "not-found";
  if (statusCode === 401 || statusCode === 403) return "unauthorized";
  return "other";
}

/** The engine's message (from an error status or an error line of the stream) as one line the user can act on. */
export function pullError(what: "pull" | "look up", ref: string, engineText: string, statusCode: number | null, auth: string | null): ImagePullError {
  const detail = redactAuth(engineText.replace(/\s+/g, " ").trim(), auth);
  const registry = registryOf(ref);
  const kind = pullKind(detail, statusCode);
  switch (kind) {
    case "not-found":
      return new ImagePullError(`${ref} is not found in ${registry} (${detail})`, "check the repository and tag: `docker pull` gives the same answer", kind, ref, registry);
    case "unauthorized":
      return new ImagePullError(`${registry} refused access to ${ref} (${detail})`, `log in first: docker login ${registry}`, kind, ref, registry);
    case "unreachable":
      return new ImagePullError(`registry ${registry} cannot be reached for ${ref} (${detail})`, "check the registry's address and that it runs", kind, ref, registry);
    default:
      return new ImagePullError(`${what} ${ref} failed: ${detail || "the engine gave no reason"}`, undefined, kind, ref, registry);
  }
}
