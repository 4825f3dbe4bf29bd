// networks and balance modes, through the exported parser against the fake engine: what it asks of
// Docker, what it prints, its exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string, files: Record<string, string> = {}) {
  const { deps, captured } = fakeDeps(engine, files);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

describe("networks", () => {
  it("--network host puts the sandbox and the replicas on the host's network, and warns when tcp_migrate_req is 0", async () => {
    engine.hostSysctls["net.ipv4.tcp_migrate_req"] = "0";
    const r = await pod("up --network host -p 8080 --replicas 2 web");
    expect(r.code, r.err).toBe(0);
    expect(engine.find("web-sandbox")!.config.HostConfig).toMatchObject({ NetworkMode: "host" });
    expect(engine.find("web-sandbox")!.config.HostConfig.PortBindings).toBeUndefined();
    expect(engine.find("web-1")!.config.HostConfig.NetworkMode).toBe("host");
    expect(r.err).toContain("warning: the host's net.ipv4.tcp_migrate_req is 0");
  });

  it("a pod on user networks is known there by its name and its aliases", async () => {
    for (const name of ["front", "back"]) await engine.createNetwork({ name, labels: {} });
    const r = await pod("up --network front --network back --network-alias api -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    const sandbox = engine.find("web-sandbox")!.config;
    expect(sandbox.HostConfig.NetworkMode).toBe("front");
    expect(sandbox.NetworkingConfig).toEqual({ EndpointsConfig: { front: { Aliases: ["web", "api"] } } });
    expect(engine.calls).toContain("connect web-sandbox back");
  });
});

describe("--balance dnat", () => {
  it("routes each replica once it answers at its address, and unroutes it before it stops", async () => {
    const r = await pod("up --balance dnat --replicas 2 -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    const sandbox = engine.find("web-sandbox")!.config;
    expect(sandbox.HostConfig).toMatchObject({ CapAdd: ["NET_ADMIN"], Sysctls: { "net.ipv4.ip_forward": "1" } });
    expect(engine.find("web-1")!.config.HostConfig.NetworkMode).toBe("bridge");
    const ip = (name: string) => `10.0.0.${engine.find(name)!.id.slice(2)}`;
    const rules = engine.rulesets["web-sandbox"]!;
    expect(rules.at(-1)).toContain(`tcp dport 8080 dnat to numgen random mod 2 map { 0 : ${[ip("web-1"), ip("web-2")].sort()[0]}, 1 : ${[ip("web-1"), ip("web-2")].sort()[1]} }`);
    const before = rules.length;
    engine.calls.length = 0;
    expect((await pod("scale web 1")).code).toBe(0);
    // The rule goes first, then the stop.
    const order = engine.calls.filter((c) => c.startsWith("exec web-sandbox") || c === "stop web-2");
    expect(order).toEqual(["exec web-sandbox /pod-sandbox nat", "stop web-2"]);
    expect(rules.slice(before).at(-1)).toContain(`map { 0 : ${ip("web-1")} }`);
  });

  it("a restarted sandbox loses its rules: its replicas are restarted and routed again", async () => {
    await pod("up --balance dnat --spread round-robin --replicas 2 -p 80:8080 web");
    await engine.restart("web-sandbox");
    expect(JSON.parse((await pod("ps --json")).out)[0]).toMatchObject({ status: "degraded", reasons: ["2 stranded"] });
    expect((await pod("scale web 2")).code).toBe(0);
    expect(engine.rulesets["web-sandbox"]!.at(-1)).toContain("numgen inc mod 2");
  });
});

describe("checked before anything is made", () => {
  it("a network that does not exist: one line, exit 2, no container", async () => {
    const r = await pod("up --network nosuch -p 80:8080 web");
    expect([r.code, r.errLines]).toEqual([2, ["pod: network nosuch does not exist on the engine; create it first (docker network create nosuch), or leave --network out"]]);
    expect(engine.names()).toEqual([]);
  });

  it("a publish address the engine's host does not have: one line, exit 2, no container", async () => {
    const r = await pod("up -p 192.0.2.77:80:8080 web");
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toContain("cannot publish on 192.0.2.77:80: that address is not on the engine's host");
    expect(engine.names()).toEqual([]);
  });
});
