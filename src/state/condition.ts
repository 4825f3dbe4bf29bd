// What each replica's state means for serving. Pure facts from one snapshot: a replica
// serves only if it runs in the pod's current network (and, checked apart, listens).
import { modeOf } from "../modes/index.js";
import type { NetworkSpec } from "../podspec/types.js";
import type { ObservedReplica, ObservedSandbox } from "./observe.js";

/**
 * - running: up, in the pod's current network;
 * - stranded: up, but in a namespace that is gone (its sandbox restarted or stopped after it started);
 * - orphaned: joined a sandbox that no longer exists (or another one): it can never serve;
 * - restarting: the engine's restart policy is bringing it back;
 * - exited: stopped or never started;
 * - paused: frozen by someone, left alone.
 */
export type Condition = "running" | "stranded" | "orphaned" | "restarting" | "exited" | "paused";

export function condition(r: ObservedReplica, sandbox: ObservedSandbox | null, network: Pick<NetworkSpec, "balance"> | null | undefined): Condition {
  if (r.restarting) return "restarting";
  if (r.state === "paused") return "paused";
  if (!r.running) return "exited";
  return modeOf(network).placement(r, sandbox);
}
