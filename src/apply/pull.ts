// Images from registries, before anything else is touched: a change that needs an image
// pulls it first, outside the pod's lock, so a failed pull leaves the pod exactly as it was
// (and a new pod not made at all). `docker run --pull`'s policies; the registry asked for a
// tag's digest without pulling when the policy is `always`.
import type { ImageInfo } from "../engine/types.js";
import { EngineError } from "../errors.js";
import { parseReference, repositoryName } from "../podspec/reference.js";
import type { ImageWanted, PullPolicy } from "../podspec/types.js";
import type { FlowDeps } from "./converge.js";

/** What to do about one image, from what the engine and the registry say. Pure. */
export function pullDecision(policy: PullPolicy, local: ImageInfo | null, remoteDigest: string | null): "pull" | "keep" {
  if (policy === "never") return "keep";
  if (local === null) return "pull";
  if (policy === "missing") return "keep";
  // always: only when the registry has another image than this one under the tag.
  return remoteDigest !== null && local.repoDigests.some((d) => d.endsWith(`@${remoteDigest}`)) ? "keep" : "pull";
}

/** Whether a reference can come from a registry at all (an image id cannot). */
export function pullable(ref: string): boolean {
  return parseReference(ref).kind === "named";
}

/**
 * The image, on the engine as the policy asks: pulled when missing (or, with `always`, when
 * the registry's digest moved), with progress reported as it comes. Returns whether it pulled.
 */
export async function ensureImage(deps: FlowDeps, want: ImageWanted): Promise<boolean> {
  if (want.policy === "never" || !pullable(want.ref)) return false;
  const local = await deps.engine.image(want.ref);
  if (local !== null && want.policy === "missing") return false;
  const auth = await deps.auth(want.ref);
  const remote = want.policy === "always" ? ((await deps.engine.distribution(want.ref, auth))?.digest ?? null) : null;
  if (pullDecision(want.policy, local, remote) === "keep") {
    deps.emit({ type: "note", text: upToDate(want.ref, remote!) });
    return false;
  }
  await deps.engine.pull(want.ref, auth, (progress) => deps.emit({ type: "pull", image: want.ref, progress }), deps.signal);
  // An engine that cannot ask the registry (no /distribution) learns by pulling: maybe nothing moved.
  const pulled = local !== null && remote === null ? await deps.engine.image(want.ref) : null;
  if (pulled !== null && pulled.id === local!.id) {
    deps.emit({ type: "note", text: upToDate(want.ref, pulled.id) });
    return false;
  }
  return true;
}

function upToDate(ref: string, id: string): string {
  return `image ${ref} is up to date (${id.replace(/^sha256:/, "").slice(0, 12)})`;
}

/**
 * The digest the registry has for `ref` now: asked without a pull where the engine can, else
 * learnt by pulling (cheap when nothing moved: the layers are there) and reading the image's
 * repository digest.
 */
export async function registryDigest(deps: FlowDeps, ref: string, auth: string | null): Promise<{ digest: string; pulled: boolean }> {
  const asked = await deps.engine.distribution(ref, auth);
  if (asked) return { digest: asked.digest, pulled: false };
  await deps.engine.pull(ref, auth, () => undefined, deps.signal);
  const parsed = parseReference(ref);
  const repository = parsed.kind === "named" ? repositoryName(parsed) : ref;
  const digests = (await deps.engine.image(ref))?.repoDigests ?? [];
  // Docker names Docker Hub's images familiarly (nginx@…), Podman in full (docker.io/library/nginx@…).
  const familiar = (name: string) => name.replace(/^docker\.io\/(library\/)?/, "");
  const found = digests.find((d) => familiar(d.slice(0, d.indexOf("@"))) === familiar(repository)) ?? digests[0];
  if (!found) throw new EngineError(`look up ${ref}: the pulled image has no registry digest`);
  return { digest: found.slice(found.indexOf("@") + 1), pulled: true };
}

/**
 * What a dry run says of an image the real run would pull: the registry's digest, as the
 * image the change would run (the engine's own id comes only with the pull). null: nothing to pull.
 */
export async function previewImage(deps: FlowDeps, want: ImageWanted): Promise<ImageInfo | null> {
  if (want.policy === "never" || !pullable(want.ref)) return null;
  const local = await deps.engine.image(want.ref);
  if (local !== null && want.policy === "missing") return null;
  const asked = await deps.engine.distribution(want.ref, await deps.auth(want.ref));
  if (asked === null) {
    // The engine cannot ask the registry without a pull, and a dry run pulls nothing.
    if (local !== null) {
      deps.emit({ type: "note", text: `whether ${want.ref} moved in its registry is known only by pulling it (this engine cannot ask without one): not pulled in a dry run` });
      return null;
    }
    deps.emit({ type: "note", text: `would pull ${want.ref} (its id is known once pulled)` });
    return { id: "", user: "", repoDigests: [], healthcheck: false };
  }
  if (pullDecision(want.policy, local, asked.digest) === "keep") return null;
  return { id: asked.digest, user: local?.user ?? "", repoDigests: [], healthcheck: false };
}
