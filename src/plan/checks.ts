// Checks a change must pass before anything starts. Pure: each returns the refusal, or
// null, from facts the snapshot holds — so a dry run refuses exactly as the real run would.
import { ImageMissingError, UsageError, type PodError } from "../errors.js";
import type { ImageInfo } from "../engine/types.js";
import { modeOf } from "../modes/index.js";
import { familiarReference, parseReference } from "../podspec/reference.js";
import type { PodSpec, ReplicaSpec } from "../podspec/types.js";
import { condition } from "../state/condition.js";
import type { ObservedPod } from "../state/observe.js";
import type { Plan } from "./actions.js";

/** The user a replica's server runs as: the flag, else the image's USER, else root. */
export function effectiveUser(flag: string | null, imageUser: string): string {
  const user = (flag ?? imageUser).split(":")[0]!;
  return user === "" || user === "root" ? "0" : user;
}

/**
 * The kernel groups SO_REUSEPORT sockets of one effective uid only: new replicas under
 * another user than the serving ones would fail to bind beside them.
 */
export function checkSameUser(serving: string, next: string): UsageError | null {
  if (serving === next) return null;
  const name = (u: string) => (u === "0" ? "root" : u);
  return new UsageError(
    `the new replicas would run as user ${name(next)} while the serving ones run as ${name(serving)}, and SO_REUSEPORT only lets one user's sockets share a port`,
    "keep the user (-u) the same, or change it with `pod up --recreate` (a short outage)",
  );
}

/** A change that needs a new sandbox while the pod serves is an outage: refused unless asked for. */
export function checkOutage(pod: string, outage: string | null, recreate: boolean): UsageError | null {
  if (outage === null || recreate) return null;
  return new UsageError(
    `changing pod ${pod} needs a new sandbox (${outage}), and every replica stops while it is made: a short outage`,
    "pass --recreate to accept it, or keep the ports and network settings as they are (`pod inspect " + pod + "` shows them)",
  );
}

/** New replicas beside serving ones of a shared socket group must run as the same user. */
export function checkUser(observed: ObservedPod, desired: PodSpec, plan: Plan, images: Record<string, ImageInfo | null>): UsageError | null {
  const current = observed.record?.spec;
  if (!current || !modeOf(desired.network).sharesSocketGroup) return null;
  if (!plan.steps.some((step) => step.some((a) => a.kind === "start-replicas"))) return null;
  if (!observed.replicas.some((r) => condition(r, observed.sandbox, desired.network) === "running")) return null;
  const before = images[current.replica.imageId];
  const after = images[desired.replica.imageId];
  if (!before || !after) return null;
  return checkSameUser(effectiveUser(current.replica.user, before.user), effectiveUser(desired.replica.user, after.user));
}

/**
 * What pins an image: its digest in the repository the reference names (`repo@sha256:…`),
 * else any repository digest it has, else (a local build) its id.
 */
export function pinnedDigest(ref: string, image: ImageInfo): string {
  const parsed = parseReference(ref);
  const repository = parsed.kind === "named" ? familiarReference({ ...parsed, tag: null, digest: null }) : null;
  return image.repoDigests.find((d) => d.slice(0, d.lastIndexOf("@")) === repository) ?? image.repoDigests[0] ?? image.id;
}

/** The image a spec runs, by the engine's answer: its id and digest, or why it cannot run. */
export function resolveImage(spec: PodSpec, images: Record<string, ImageInfo | null>): { spec: PodSpec } | { refusal: PodError } {
  const { image, imageId } = spec.replica;
  if (imageId === "") {
    const found = images[image];
    if (!found) {
      return {
        refusal: new ImageMissingError(
          `image ${image} is not on the engine`,
          `build it first (docker build -t ${image} DIR), or pull it (docker pull ${image}, or --pull missing); \`make build\` in the pod checkout builds the sample http_server`,
        ),
      };
    }
    return { spec: { ...spec, replica: { ...spec.replica, imageId: found.id, digest: pinnedDigest(image, found) } } };
  }
  const found = images[imageId];
  if (found && spec.replica.digest === undefined) return { spec: { ...spec, replica: { ...spec.replica, digest: pinnedDigest(image, found) } } };
  if (!found) {
    return {
      refusal: new ImageMissingError(
        `the image of that spec (${image}, ${imageId.replace(/^sha256:/, "").slice(0, 12)}) is no longer on the engine`,
        `rebuild or retag it (docker build -t ${image} DIR), then try again`,
      ),
    };
  }
  return { spec };
}

/** Whether a replica of this spec has a health check, so that ready means healthy too. */
export function checksHealth(replica: ReplicaSpec, imageHealthchecks: Record<string, boolean>): boolean {
  const kind = replica.health?.check.kind ?? "image";
  if (kind === "none") return false;
  if (kind === "image") return imageHealthchecks[replica.imageId] === true;
  return true;
}

/**
 * A new sandbox needs its networks to exist and, on the engine's own host, its publish
 * addresses to be the host's: said in one line before anything is made, rather than by the
 * engine once the sandbox is half-way.
 */
export function checkSandboxNetwork(desired: PodSpec, plan: Plan, networks: Record<string, boolean>, hostAddresses: string[] | null): UsageError | null {
  if (!plan.steps.some((step) => step.some((a) => a.kind === "create-sandbox"))) return null;
  const missing = desired.network.networks.find((n) => networks[n.name] === false);
  if (missing) return new UsageError(`network ${missing.name} does not exist on the engine`, `create it first (docker network create ${missing.name}), or leave --network out`);
  if (hostAddresses === null) return null;
  const wildcard = new Set(["", "0.0.0.0", "::"]);
  const foreign = desired.network.ports.find((p) => !wildcard.has(p.hostIp) && !hostAddresses.includes(p.hostIp));
  const at = (p: { hostIp: string; hostPort: number | null }) => `${p.hostIp.includes(":") ? `[${p.hostIp}]` : p.hostIp}${p.hostPort === null ? "" : `:${p.hostPort}`}`;
  if (foreign) return new UsageError(`cannot publish on ${at(foreign)}: that address is not on the engine's host`, "publish on an address of the host (`ip addr` lists them), or leave the IP out for every address");
  return null;
}
