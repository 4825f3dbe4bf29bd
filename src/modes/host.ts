// --network host: the sandbox and the replicas run in the host's own namespace and bind with
// SO_REUSEPORT there. The sandbox publishes nothing; it holds the pod's place and answers the
// probe. The host's sysctls are the host's: pod cannot set tcp_migrate_req per pod. Pure.
import type { BalanceMode } from "./mode.js";

export const host: BalanceMode = {
  name: "host",
  sandboxNetworking: () => ({ HostConfig: { NetworkMode: "host" }, connect: [] }),
  replicaNetworkMode: () => "host",
  // Replicas on the host's network do not depend on the sandbox at all.
  placement: () => "running",
  readiness: "listeners",
  sharesSocketGroup: true,
  routes: () => null,
  changeWarnings: (facts) =>
    facts.hostMigrateReq === "0"
      ? [
          "the host's net.ipv4.tcp_migrate_req is 0, and on the host's network pod cannot set it per pod: connections queued on a stopping replica may be reset; set it on the host with `sysctl -w net.ipv4.tcp_migrate_req=1` (and in /etc/sysctl.d/ to keep it)",
        ]
      : [],
  publishes: false,
  hostNamespace: true,
  hostPorts: (ports) => ports.map((p) => ({ ...p, hostIp: "", hostPort: p.containerPort })),
  spreads: false,
  sharedNetworkCounters: false,
};
