// The default: replicas join the sandbox's network namespace (`container:<id>`) and bind the
// same port with SO_REUSEPORT; the kernel spreads new connections over them. Pure.
import type { BalanceMode } from "./mode.js";
import { publishedNetworking } from "./networking.js";

export const reuseport: BalanceMode = {
  name: "reuseport",
  // Queued connections of a closing SO_REUSEPORT listener move to a live one instead of
  // being reset: what makes scale-down and replacement lossless (Linux >= 5.14).
  sandboxNetworking: (spec, facts) => publishedNetworking(spec, facts.migrateReq ? { "net.ipv4.tcp_migrate_req": "1" } : {}, []),
  replicaNetworkMode: (_spec, sandboxId) => `container:${sandboxId}`,
  placement: (replica, sandbox) => {
    // It must have joined this very sandbox; Docker keeps a restarted sandbox's id but gives
    // it a new namespace, and a replica that started before that start is in the old one.
    if (!sandbox || replica.joinedSandboxId !== sandbox.id) return "orphaned";
    if (!sandbox.running || replica.startedAt < sandbox.startedAt) return "stranded";
    return "running";
  },
  readiness: "listeners",
  sharesSocketGroup: true,
  routes: () => null,
  changeWarnings: (facts, stops) =>
    !stops || facts.migrateReq ? [] : [`the engine's kernel ${facts.kernelVersion} has no net.ipv4.tcp_migrate_req (Linux 5.14+): connections queued on a stopping replica may be reset`],
  publishes: true,
  hostNamespace: false,
  hostPorts: (ports) => ports,
  spreads: false,
  sharedNetworkCounters: true,
};
