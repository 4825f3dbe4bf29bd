// The Swarm export: a Compose-format stack file valid against the Compose specification's
// schema, using only keys `docker stack deploy` (the 3.8 file format) knows, faithful to the pod.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { swarmExport, toSwarmStack } from "../../../src/export/swarm.js";
import { validateCompose } from "../../../src/compose/schema.js";
import type { Json } from "../../../src/compose/interpolate.js";
import type { PodSpec } from "../../../src/podspec/types.js";
import { FULL, podSpec } from "../../fixtures-compose/specs.js";

type Obj = Record<string, any>;

// The keys the 3.8 stack format allows where the export writes (docker/cli's schema, by name).
const STACK_KEYS: Record<string, string[]> = {
  top: ["version", "services", "networks", "volumes", "secrets", "configs"],
  service: ["deploy", "command", "entrypoint", "environment", "labels", "user", "stop_signal", "stop_grace_period", "ports", "networks", "volumes", "hostname", "dns", "dns_search", "extra_hosts", "image", "healthcheck"],
  healthcheck: ["test", "interval", "timeout", "retries", "start_period", "disable"],
  deploy: ["mode", "endpoint_mode", "replicas", "labels", "rollback_config", "update_config", "resources", "restart_policy", "placement"],
  update: ["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"],
  port: ["mode", "target", "published", "protocol"],
  mount: ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs"],
  network: ["name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels"],
  volume: ["name", "driver", "driver_opts", "external", "labels"],
};

function stack(spec: PodSpec): Obj {
  const text = toSwarmStack(spec);
  const doc = parse(text) as Obj;
  validateCompose(doc as Json, "stack.yaml");
  const keys = (o: Obj | undefined, allowed: string) => expect(Object.keys(o ?? {}).filter((k) => !STACK_KEYS[allowed]!.includes(k))).toEqual([]);
  keys(doc, "top");
  for (const s of Object.values(doc["services"] as Obj)) {
    keys(s, "service");
    keys(s["deploy"], "deploy");
    keys(s["deploy"]["update_config"], "update");
    keys(s["deploy"]["rollback_config"], "update");
    for (const p of s["ports"] ?? []) keys(p, "port");
    for (const m of s["volumes"] ?? []) keys(m, "mount");
    keys(s["healthcheck"], "healthcheck");
    // The 3.x format reads cpus and memory as strings only.
    for (const v of Object.values((s["deploy"]["resources"]?.["limits"] ?? {}) as Obj)) expect(typeof v).toBe("string");
  }
  for (const n of Object.values((doc["networks"] ?? {}) as Obj)) keys(n, "network");
  for (const v of Object.values((doc["volumes"] ?? {}) as Obj)) keys(v, "volume");
  return doc;
}

const tcp = (hostPort: number | null, containerPort: number, hostIp = "") => ({ hostIp, hostPort, containerPort, protocol: "tcp" as const });

describe("toSwarmStack: valid stack files for varied pods", () => {
  const rows: [string, PodSpec][] = [
    ["the plainest pod", podSpec()],
    ["every field", FULL],
    ["the host's network", podSpec({ network: { balance: "host", ports: [tcp(null, 8080)] } })],
    ["Docker's bridge", podSpec({ network: { networks: [{ name: "bridge", aliases: [] }] } })],
    ["no replicas", podSpec({ replicas: 0 })],
  ];
  for (const [name, spec] of rows) it(name, () => expect(Object.keys(stack(spec)["services"])).toEqual([spec.name]));
});

describe("toSwarmStack: the service", () => {
  it("replicas, start-first updates that roll back, stop grace period, ports on the routing mesh", () => {
    const s = stack(podSpec({ replicas: 3, network: { ports: [tcp(80, 8080), tcp(null, 9090), { hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }] } }))["services"]["web"];
    expect(s).toEqual({
      image: "web:1",
      stop_grace_period: "10s",
      ports: [
        { target: 8080, published: 80, protocol: "tcp", mode: "ingress" },
        { target: 9090, protocol: "tcp", mode: "ingress" },
        { target: 53, published: 53, protocol: "udp", mode: "ingress" },
      ],
      deploy: {
        replicas: 3,
        update_config: { parallelism: 1, order: "start-first", failure_action: "rollback" },
        rollback_config: { parallelism: 1, order: "start-first" },
      },
    });
  });

  it("every field of FULL", () => {
    const doc = stack(FULL);
    const s = doc["services"]["shop_web.v2"];
    expect(s["entrypoint"]).toEqual(FULL.replica.entrypoint);
    expect(s["command"]).toEqual(["serve", "$$HOME", "a'b\"c", ""]);
    expect(s["environment"]).toContain("DOLLAR=$$HOME and $$$$ and $${X:-y}");
    expect(s["labels"]).toEqual({ team: "shop", on: "yes", "8080": "port", "com.example.note": "$$PATH" });
    expect([s["user"], s["stop_signal"], s["stop_grace_period"], s["hostname"], s["dns"], s["dns_search"], s["extra_hosts"]]).toEqual([
      "1000:1000",
      "SIGQUIT",
      "1m30s",
      "shop",
      ["10.0.0.2", "10.0.0.3"],
      ["svc.local"],
      ["db:10.0.0.5", "v6:::1", "gw:host-gateway"],
    ]);
    expect(s["deploy"]["resources"]).toEqual({ limits: { cpus: "0.333333333", memory: "512m" } });
    expect(s["deploy"]["update_config"]).toEqual({ parallelism: 2, order: "stop-first", failure_action: "rollback" });
    expect(s["volumes"]).toEqual([
      { type: "bind", source: "/srv/static", target: "/static", read_only: true },
      { type: "volume", source: "data", target: "/var/lib/shop" },
      { type: "volume", source: "logs", target: "/logs", volume: { nocopy: true } },
      { type: "volume", target: "/cache" },
      { type: "bind", source: "/srv/z", target: "/z", read_only: true },
      { type: "bind", source: "/srv/p", target: "/p", bind: { propagation: "rshared" } },
    ]);
    expect(s["networks"]).toEqual({ front: { aliases: ["www", "api"] }, back: null });
    expect(doc["networks"]).toEqual({ front: { external: true, name: "front" }, back: { external: true, name: "back" } });
    expect(doc["volumes"]).toEqual({ data: { name: "data" }, logs: { name: "logs" } });
  });

  it("the host's network: the replicas bind the ports themselves", () => {
    const doc = stack(podSpec({ network: { balance: "host", ports: [tcp(null, 8080)] } }));
    expect(doc["services"]["web"]["networks"]).toEqual({ host: null });
    expect(doc["services"]["web"]["ports"]).toBeUndefined();
    expect(doc["networks"]).toEqual({ host: { external: true, name: "host" } });
  });

  it("Docker's bridge is left to the stack's own network", () => {
    const doc = stack(podSpec({ network: { networks: [{ name: "bridge", aliases: [] }] } }));
    expect([doc["services"]["web"]["networks"], doc["networks"]]).toEqual([undefined, undefined]);
  });
});

describe("toSwarmStack: what it cannot carry is said", () => {
  it("FULL's notes, at the top of the file", () => {
    const { yaml, notes } = swarmExport(FULL);
    expect(notes).toEqual([
      "port 8443/tcp was bound to 127.0.0.1 only; the routing mesh publishes it on every address of every node",
      "port 5353/udp was bound to ::1 only; the routing mesh publishes it on every address of every node",
      "the SELinux label option z of /srv/z:/z:ro,z has no stack file key: relabel the host path yourself",
      "the bind-mounted paths /srv/static, /srv/z, /srv/p must exist on every node that runs a replica",
      "the resolver options ndots:2 rotate have no stack file key",
      "the networks front, back must exist as swarm-scoped overlay networks (docker network create -d overlay --attachable NAME)",
      `every node that runs a replica needs the image registry.example:5000/team/web@sha256:${"ab".repeat(32)}: from a registry the nodes reach, or built on them (then deploy with --resolve-image never)`,
    ]);
    expect(yaml.split("\n").slice(0, notes.length + 1)).toEqual(["# The pod shop_web.v2 as a Swarm stack: docker stack deploy -c FILE STACK", ...notes.map((n) => `# note: ${n}`)]);
  });

  it("one host port on two addresses is published once", () => {
    const { yaml, notes } = swarmExport(podSpec({ network: { ports: [tcp(80, 8080, "10.0.0.1"), tcp(80, 8081, "10.0.0.2")] } }));
    expect((parse(yaml) as Obj)["services"]["web"]["ports"]).toEqual([{ target: 8080, published: 80, protocol: "tcp", mode: "ingress" }]);
    expect(notes).toContain("10.0.0.2:80->8081/tcp is left out: the routing mesh publishes each port once, on every address");
  });
});

describe("toSwarmStack: the replica's health check", () => {
  const none = { intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null };
  const withHealth = (health: PodSpec["replica"]["health"]) => podSpec({ network: { ports: [tcp(80, 8080)] }, replica: { ...(health ? { health } : {}) } });
  const rows: [string, PodSpec, Obj | undefined][] = [
    [
      "a command, at its timings",
      withHealth({ check: { kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }, intervalMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 90_000 }),
      { test: ["CMD", "/http_server", "-health-check"], interval: "1s", timeout: "500ms", retries: 2, start_period: "1m30s" },
    ],
    ["none", withHealth({ check: { kind: "none" }, ...none }), { disable: true }],
    ["the image's at other timings", withHealth({ check: { kind: "image" }, ...none, retries: 4 }), { retries: 4 }],
    ["the image's own: no key", withHealth(undefined), undefined],
    ["pod's probe: its timings, no test", withHealth({ check: { kind: "http", path: "/health", port: null }, ...none, intervalMs: 2000 }), { interval: "2s" }],
  ];
  for (const [situation, spec, want] of rows) it(situation, () => expect(stack(spec)["services"]["web"]["healthcheck"]).toEqual(want));

  it("says that pod's probe has no stack file key", () => {
    expect(swarmExport(withHealth({ check: { kind: "tcp", port: null }, ...none })).notes).toContain(
      "pod's own probe (tcp on 8080) has no stack file key: Swarm runs the image's HEALTHCHECK; give the service a healthcheck test the image can run",
    );
  });
});
