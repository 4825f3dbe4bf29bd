// The Compose export round-trips: loadCompose of toCompose(spec) is spec, the image id aside.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toCompose } from "../../../src/export/compose.js";
import { loadCompose } from "../../../src/compose/pods.js";
import { healthFromCompose } from "../../../src/podspec/health.js";
import type { PodSpec } from "../../../src/podspec/types.js";
import { FULL, podSpec } from "../../fixtures-compose/specs.js";

function reload(text: string, o: { projectName?: string; env?: Record<string, string> } = {}) {
  return loadCompose({ path: "/elsewhere/pod.yaml", text, projectName: o.projectName ?? null, services: [], env: o.env ?? { HOME: "/home/other", X: "set" }, readFile: () => null });
}

const tcp = (hostPort: number | null, containerPort: number, hostIp = "") => ({ hostIp, hostPort, containerPort, protocol: "tcp" as const });

describe("toCompose round-trips through loadCompose", () => {
  const rows: [string, PodSpec][] = [
    ["the plainest pod", podSpec({ replicas: 1 })],
    ["no replicas", podSpec({ replicas: 0 })],
    ["every field, and values that tempt YAML and interpolation", FULL],
    ["a published port", podSpec({ network: { ports: [tcp(80, 8080)] } })],
    ["ports on every kind of address", podSpec({ network: { ports: [tcp(null, 8080), tcp(8081, 8081, "0.0.0.0"), tcp(8082, 80, "::"), tcp(null, 81, "127.0.0.1"), { hostIp: "fe80::1", hostPort: 53, containerPort: 53, protocol: "udp" }] } })],
    ["dnat", podSpec({ network: { balance: "dnat", ports: [tcp(80, 8080)] } })],
    ["the host's network", podSpec({ network: { balance: "host", ports: [tcp(null, 8080), { hostIp: "", hostPort: null, containerPort: 53, protocol: "udp" }] } })],
    ["Docker's bridge named, and a user network", podSpec({ network: { networks: [{ name: "bridge", aliases: [] }, { name: "app-net", aliases: ["w"] }] } })],
    ["a cleared entrypoint with a command", podSpec({ replica: { entrypoint: [""], command: ["/bin/server", "-v"] } })],
    ["an entrypoint alone", podSpec({ replica: { entrypoint: ["/run.sh"] } })],
    ["a command with shell words", podSpec({ replica: { command: ["sh", "-c", "echo $HOME && exit 3"] } })],
    ["a user by name", podSpec({ replica: { user: "nobody" } })],
    ["limits at their edges", podSpec({ replica: { nanoCpus: 10_000_000, memoryBytes: 6 * 1024 ** 2 + 1 } })],
    ["whole cpus, gigabytes", podSpec({ replica: { nanoCpus: 4_000_000_000, memoryBytes: 2 * 1024 ** 3 } })],
    ["a stop timeout of 0", podSpec({ replica: { stopTimeoutS: 0 } })],
    ["a stop timeout of an hour", podSpec({ replica: { stopTimeoutS: 3600 } })],
    ["one named volume used twice", podSpec({ replica: { volumes: ["data:/a", "data:/b:ro"] } })],
    ["a name with dots and underscores", podSpec({ name: "my_app.v2" })],
    ["update in batches, stop-first", podSpec({ update: { parallel: 4, order: "stop-first" } })],
    ["labels that look like other types", podSpec({ replica: { labels: { "true": "false", n: "no", "1.5": "~", empty: "" } } })],
  ];
  for (const [name, spec] of rows) {
    it(name, () => {
      const { pods, warnings } = reload(toCompose(spec));
      expect(warnings).toEqual([]);
      expect(pods).toEqual([{ service: spec.name, spec: { ...spec, replica: { ...spec.replica, imageId: "" } }, pull: null }]);
    });
  }

  it("x-pod names the pod itself, whatever the project; a project name names neither its networks nor volumes", () => {
    const spec = podSpec({ network: { networks: [{ name: "front", aliases: [] }] }, replica: { volumes: ["data:/d"] } });
    const { pods } = reload(toCompose(spec), { projectName: "shop" });
    expect(pods[0]!.spec.name).toBe("web");
    expect([pods[0]!.spec.network.networks, pods[0]!.spec.replica.volumes]).toEqual([[{ name: "front", aliases: [] }], ["data:/d"]]);
  });
});

describe("toCompose: the file", () => {
  it("reads as plain Compose: long-syntax ports, declared networks and volumes, x-pod", () => {
    const doc = parse(toCompose(FULL)) as Record<string, any>;
    const web = doc["services"]["shop_web.v2"];
    expect(web["ports"][0]).toEqual({ target: 8080, published: 80, protocol: "tcp" });
    expect(web["ports"][2]).toEqual({ target: 443, published: 8443, host_ip: "127.0.0.1", protocol: "tcp" });
    expect(web["deploy"]).toEqual({ replicas: 5, resources: { limits: { cpus: "0.333333333", memory: "512m" } }, update_config: { parallelism: 2, order: "stop-first" } });
    expect(web["x-pod"]).toEqual({ name: FULL.name, balance: "dnat" });
    expect(web["stop_grace_period"]).toBe("1m30s");
    expect(doc["networks"]).toEqual({ front: { name: "front", external: true }, back: { name: "back", external: true } });
    expect(doc["volumes"]).toEqual({ data: { name: "data" }, logs: { name: "logs" } });
    expect(web["environment"]).toContain("DOLLAR=$$HOME and $$$$ and $${X:-y}");
  });

  it("starts with a comment saying what it is", () => {
    expect(toCompose(podSpec()).split("\n")[0]).toBe("# The pod web, exported by pod: `pod up -f FILE` runs it again.");
  });
});

describe("toCompose: the replica's health check", () => {
  const none = { intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null };
  const withHealth = (health: NonNullable<PodSpec["replica"]["health"]>) => podSpec({ network: { ports: [tcp(80, 8080)] }, replica: { health } });
  const rows: [string, NonNullable<PodSpec["replica"]["health"]>, Record<string, unknown> | undefined, Record<string, unknown> | undefined][] = [
    [
      "a command: healthcheck, with Go durations",
      { check: { kind: "cmd", test: ["CMD-SHELL", "curl -f localhost"] }, intervalMs: 1500, timeoutMs: 1.5, retries: 2, startPeriodMs: 3_600_000 },
      { test: ["CMD-SHELL", "curl -f localhost"], interval: "1.5s", timeout: "1.5ms", retries: 2, start_period: "1h0m0s" },
      undefined,
    ],
    ["none: disable", { check: { kind: "none" }, ...none }, { disable: true }, undefined],
    ["pod's http probe: x-pod, its timings in healthcheck", { check: { kind: "http", path: "/health", port: 9090 }, ...none, retries: 3 }, { retries: 3 }, { http: "/health", port: 9090 }],
    ["pod's tcp probe at Docker's defaults", { check: { kind: "tcp", port: null }, ...none }, undefined, { tcp: true }],
    ["the image's at other timings", { check: { kind: "image" }, ...none, intervalMs: 2000 }, { interval: "2s" }, undefined],
  ];
  for (const [situation, health, healthcheck, probe] of rows) {
    it(situation, () => {
      const web = (parse(toCompose(withHealth(health))) as Record<string, any>)["services"]["web"];
      expect(web["healthcheck"]).toEqual(healthcheck);
      expect(web["x-pod"]["health"]).toEqual(probe);
      // read back as the Compose loader will: the same check
      expect(healthFromCompose(web["healthcheck"], web["x-pod"]["health"])).toEqual({ health, ignored: [] });
    });
  }
});
