// Pod specs for the export tests: the plain one and ones that reach every field.
import type { PodSpec } from "../../src/podspec/types.js";
import { replicaSpec } from "../support/builders.js";

export function podSpec(over: { name?: string; replicas?: number; network?: Partial<PodSpec["network"]>; replica?: Partial<PodSpec["replica"]>; update?: Partial<PodSpec["update"]> } = {}): PodSpec {
  return {
    name: over.name ?? "web",
    replicas: over.replicas ?? 3,
    network: { balance: "reuseport", ports: [], networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], ...over.network },
    replica: replicaSpec({ image: "web:1", imageId: "sha256:0123", ...over.replica }),
    update: { parallel: 1, order: "start-first", ...over.update },
  };
}

const tcp = (hostPort: number | null, containerPort: number, hostIp = "") => ({ hostIp, hostPort, containerPort, protocol: "tcp" as const });

/** Every field set, and values that tempt a YAML reader or an interpolator. */
export const FULL: PodSpec = podSpec({
  name: "shop_web.v2",
  replicas: 5,
  network: {
    balance: "dnat",
    ports: [tcp(80, 8080), tcp(null, 9090), tcp(8443, 443, "127.0.0.1"), { hostIp: "::1", hostPort: 5353, containerPort: 53, protocol: "udp" }, tcp(9000, 9000), tcp(9001, 9001)],
    networks: [
      { name: "front", aliases: ["www", "api"] },
      { name: "back", aliases: [] },
    ],
    hostname: "shop",
    dns: ["10.0.0.2", "10.0.0.3"],
    dnsSearch: ["svc.local"],
    dnsOptions: ["ndots:2", "rotate"],
    extraHosts: ["db:10.0.0.5", "v6:::1", "gw:host-gateway"],
  },
  replica: {
    image: `registry.example:5000/team/web@sha256:${"ab".repeat(32)}`,
    entrypoint: ["/app/run", "--config", "/etc/app config.yaml"],
    command: ["serve", "$HOME", "a'b\"c", ""],
    env: ["A=1", "DOLLAR=$HOME and $$ and ${X:-y}", "YES=yes", "OCTAL=0o17", "EMPTY=", "EQ=a=b", "MULTI=line1\nline2", "COLON=a: b", "HASH=#x"],
    labels: { team: "shop", on: "yes", "8080": "port", "com.example.note": "$PATH" },
    volumes: ["/srv/static:/static:ro", "data:/var/lib/shop", "logs:/logs:nocopy", "/cache", "/srv/z:/z:ro,z", "/srv/p:/p:rshared"],
    user: "1000:1000",
    memoryBytes: 512 * 1024 ** 2,
    nanoCpus: 333_333_333,
    stopTimeoutS: 90,
    stopSignal: "SIGQUIT",
  },
  update: { parallel: 2, order: "stop-first" },
});
