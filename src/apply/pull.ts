// Images from registries, before anything else is touched: a change that needs an image
// pulls it first, outside the pod's lock, so a failed pull leaves the pod exactly as it was
// (and a new pod not made at all). `docker run --pull`'s policies; the registry asked for a
// tag's digest without pulling when the policy is `always`.
import type { ImageInfo } from "../engine/types.js";
import { parseReference } from "../podspec/reference.js";
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
  const remote = want.policy === "always" ? (await deps.engine.distribution(want.ref, auth)).digest : null;
  if (pullDecision(want.policy, local, remote) === "keep") {
    deps.emit({ type: "note", text: `image ${want.ref} is up to date (${remote?.replace(/^sha256:/, "").slice(0, 12)})` });
    return false;
  }
  await deps.engine.pull(want.ref, auth, (progress) => deps.emit({ type: "pull", image: want.ref, progress }), deps.signal);
  return true;
}

/**
 * What a dry run says of an image the real run would pull: the registry's digest, as the
 * image the change would run (the engine's own id comes only with the pull). null: nothing to pull.
 */
export async function previewImage(deps: FlowDeps, want: ImageWanted): Promise<ImageInfo | null> {
  if (want.policy === "never" || !pullable(want.ref)) return null;
  const local = await deps.engine.image(want.ref);
  if (local !== null && want.policy === "missing") return null;
  const { digest } = await deps.engine.distribution(want.ref, await deps.auth(want.ref));
  if (pullDecision(want.policy, local, digest) === "keep") return null;
  return { id: digest, user: local?.user ?? "", repoDigests: [], healthcheck: false };
}
