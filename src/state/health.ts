// What each replica's state means for serving. Pure facts from one snapshot: a replica
// serves only if it runs in the sandbox's current namespace (and, checked apart, listens).
import type { Balance } from "../spec/types.js";
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

export function condition(r: ObservedReplica, sandbox: ObservedSandbox | null, balance: Balance): Condition {
  if (r.restarting) return "restarting";
  if (r.state === "paused") return "paused";
  if (!r.running) return "exited";
  // On the host's network replicas do not depend on the sandbox at all.
  if (balance === "host") return "running";
  // dnat: each replica has its own namespace, but is reached only through the sandbox's
  // rules, which a sandbox restart loses: one that started before the sandbox's last start
  // is not routed any more. reuseport: it must have joined this very sandbox.
  if (balance === "reuseport" && (!sandbox || r.joinedSandboxId !== sandbox.id)) return "orphaned";
  if (!sandbox) return "orphaned";
  // Docker keeps a restarted sandbox's id but gives it a new namespace: a replica that
  // started before the sandbox's last start is still in the old one.
  if (!sandbox.running || r.startedAt < sandbox.startedAt) return "stranded";
  return "running";
}
