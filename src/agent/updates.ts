// Auto-update: for each pod that opted in, the agent asks the registry for its tag's digest
// (without pulling), and when it moved, rolls the pod out through the same change flow as
// `pod up --pull always`: pulled first, start-first, the readiness gate, an automatic
// rollback. What watchtower users bolt on, without the restart in place. The pacing is pure
// bookkeeping (`UpdatePacing`), so its rules are a table test.
import { runFlow } from "../apply/change.js";
import type { FlowDeps } from "../apply/converge.js";
import { pullable, registryDigest } from "../apply/pull.js";
import { ChangeFailedError, PodBusyError, PodError } from "../errors.js";
import { parseReference } from "../podspec/reference.js";
import type { PodSpec } from "../podspec/types.js";
import type { ObservedPod } from "../state/observe.js";

/** The longest pause after registry errors: an hour, or the pod's own interval if longer. */
const MAX_BACKOFF_MS = 3_600_000;

interface Pace {
  intervalMs: number;
  next: number;
  failures: number;
}

/** When each opted-in pod is due a look at its registry. */
export class UpdatePacing {
  private readonly pods = new Map<string, Pace>();

  /** The pods that opted in now, as the last listing says; others are forgotten. */
  follow(pods: { name: string; intervalS: number }[], now: number): void {
    const names = new Set(pods.map((p) => p.name));
    for (const name of this.pods.keys()) if (!names.has(name)) this.pods.delete(name);
    for (const p of pods) {
      const known = this.pods.get(p.name);
      const intervalMs = p.intervalS * 1000;
      // A new pod is looked at once it has had a first interval to settle.
      if (!known) this.pods.set(p.name, { intervalMs, next: now + intervalMs, failures: 0 });
      else if (known.intervalMs !== intervalMs) this.pods.set(p.name, { ...known, intervalMs, next: Math.min(known.next, now + intervalMs) });
    }
  }

  due(now: number): string[] {
    return [...this.pods].filter(([, p]) => p.next <= now).map(([name]) => name).sort();
  }

  /** Looked at: next after a whole interval. */
  checked(name: string, now: number): void {
    const p = this.pods.get(name);
    if (p) this.pods.set(name, { ...p, next: now + p.intervalMs, failures: 0 });
  }

  /** The registry (or the rollout) failed: the interval doubled per failure in a row, capped. Returns the delay. */
  failed(name: string, now: number): number {
    const p = this.pods.get(name);
    if (!p) return 0;
    const delay = Math.min(p.intervalMs * 2 ** (p.failures + 1), Math.max(MAX_BACKOFF_MS, p.intervalMs));
    this.pods.set(name, { ...p, next: now + delay, failures: p.failures + 1 });
    return delay;
  }

  /** A command holds the pod: look again soon. */
  busy(name: string, now: number, retryMs: number): void {
    const p = this.pods.get(name);
    if (p) this.pods.set(name, { ...p, next: now + retryMs });
  }

  nextDue(): number | null {
    const times = [...this.pods.values()].map((p) => p.next);
    return times.length > 0 ? Math.min(...times) : null;
  }
}

/** The pods of a listing that follow their tag, and how often. */
export function optedIn(pods: ObservedPod[]): { name: string; intervalS: number }[] {
  return pods.flatMap((p) => {
    const auto = p.record?.spec.autoUpdate;
    return auto ? [{ name: p.name, intervalS: auto.intervalS }] : [];
  });
}

function short(digest: string): string {
  return digest.slice(digest.lastIndexOf(":") + 1, digest.lastIndexOf(":") + 13);
}

export type UpdateOutcome = { kind: "current" } | { kind: "updated"; from: string; to: string; generation: number | null } | { kind: "skipped"; why: string };

/**
 * One look at one opted-in pod: the registry's digest for its tag against the one it runs;
 * when they differ, the rollout. Throws the registry's or the rollout's error.
 */
export async function updateOnce(deps: FlowDeps, spec: PodSpec, readyTimeoutMs: number, log: (text: string) => void): Promise<UpdateOutcome> {
  const ref = spec.replica.image;
  const parsed = pullable(ref) ? parseReference(ref) : null;
  if (!parsed || parsed.kind !== "named" || parsed.digest !== null) return { kind: "skipped", why: "its image is pinned by digest or id: it never moves" };
  const { digest, pulled } = await registryDigest(deps, ref, await deps.auth(ref));
  const running = spec.replica.digest ?? "";
  if (running.endsWith(`@${digest}`)) return { kind: "current" };
  log(`${ref} moved in its registry: ${short(running) || "unknown"} → ${short(digest)}; pulling, then rolling out start-first`);
  const result = await runFlow(
    deps,
    {
      pod: spec.name,
      // The recorded spec, with the tag resolved again: the pulled image is the new generation.
      desired: (observed) => {
        const recorded = observed.record?.spec ?? spec;
        const { digest: _old, ...replica } = recorded.replica;
        return { spec: { ...recorded, replica: { ...replica, imageId: "" } }, cause: "auto-update" };
      },
      // Already pulled to learn the digest (an engine without /distribution): not pulled again.
      image: { ref, policy: pulled ? "missing" : "always" },
      recreate: false,
      mustExist: true,
      stopTimeoutS: null,
      readyTimeoutMs,
    },
    { dryRun: false, lockTimeoutMs: 0 },
  );
  const generation = result.kind === "applied" ? (result.after.record?.generation ?? null) : null;
  return { kind: "updated", from: running, to: digest, generation };
}

/** One line for the agent's log about a failed look or rollout; the pod keeps serving as recorded. */
export function updateFailure(err: unknown): { busy: boolean; text: string } {
  if (err instanceof PodBusyError) return { busy: true, text: "" };
  const message = err instanceof PodError ? err.message : err instanceof Error ? err.message : String(err);
  const cause = err instanceof ChangeFailedError ? ` (${err.cause.message})` : "";
  return { busy: false, text: `auto-update failed: ${message}${cause}; the pod keeps serving as recorded` };
}
