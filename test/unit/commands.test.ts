// Commands through the exported parser, against the fake engine: what they ask of Docker,
// what they print, their exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/cli.js";
import { EngineUnreachableError } from "../../src/errors.js";
import { fakeDeps, FakeEngine } from "./fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string, files: Record<string, string> = {}) {
  const { deps, captured } = fakeDeps(engine, files);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

describe("up", () => {
  it("creates the sandbox, then the replicas, and releases its lock", async () => {
    const r = await pod("up --replicas 3 -p 80:8080 web");
    expect(r.code).toBe(0);
    expect(engine.names()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    expect(engine.calls.filter((c) => c.startsWith("create"))).toEqual([
      "create web-lock",
      "create web-sandbox",
      "create web-1",
      "create web-2",
      "create web-3",
    ]);
    expect(engine.calls.at(-1)).toBe("remove web-lock");
    expect(r.out).toContain("pod web: 3/3 replicas ready (running)");
    expect(r.out).toContain("0.0.0.0:80->8080/tcp");
  });

  it("gives replicas their own network settings nowhere: all on the sandbox", async () => {
    await pod("up --replicas 1 -p 80:8080 --hostname h --dns 1.1.1.1 --add-host db:10.0.0.5 web");
    const [sandbox] = [...engine.containers.values()].filter((c) => c.config.name === "web-sandbox");
    const [replica] = [...engine.containers.values()].filter((c) => c.config.name === "web-1");
    expect(sandbox!.config.Hostname).toBe("h");
    expect(sandbox!.config.HostConfig.Dns).toEqual(["1.1.1.1"]);
    expect(sandbox!.config.HostConfig.Sysctls).toEqual({ "net.ipv4.tcp_migrate_req": "1" });
    expect(sandbox!.config.HostConfig.RestartPolicy).toEqual({ Name: "no" });
    expect(replica!.config.HostConfig.NetworkMode).toBe(`container:${sandbox!.id}`);
    expect(replica!.config.HostConfig.PortBindings).toBeUndefined();
    expect(replica!.config.Hostname).toBeUndefined();
    expect(replica!.config.Env).toEqual(["POD_NAME=web", "POD_REPLICA=1"]);
    expect(replica!.config.HostConfig.RestartPolicy).toEqual({ Name: "unless-stopped" });
  });

  it("is idempotent: the same spec again changes nothing", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = [...engine.containers.keys()].sort();
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(0);
    expect(r.err).toContain("pod web is up to date");
    expect([...engine.containers.keys()].sort()).toEqual(before);
    expect(engine.calls.filter((c) => /^(create|start|stop|rename)/.test(c))).toEqual(["create web-lock"]);
  });

  it("--dry-run prints the plan and creates nothing but its lock, which it removes", async () => {
    const r = await pod("up --replicas 2 -p 80:8080 --dry-run web");
    expect(r.out).toBe("1. create sandbox web-sandbox (pod absent)\n2. start replicas web-1, web-2 (pod absent)");
    expect(engine.names()).toEqual([]);
  });

  it("removes everything it made when a new pod's replicas fail", async () => {
    engine.crashing.add("web-2");
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(1);
    expect(engine.names()).toEqual([]);
    expect(r.err).toContain("pod web could not start and was removed");
    expect(r.err).toContain("likely cause: another socket holds the port without sharing it");
  });

  it("rolls a failed change back, keeping the replicas that served", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const serving = [...engine.containers.values()].filter((c) => c.config.name.match(/^web-\d$/)).map((c) => c.id).sort();
    engine.images["web:v2"] = "sha256:v2";
    engine.crashing.add("web-1");
    const r = await pod("up --replicas 2 -p 80:8080 web:v2");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    const after = [...engine.containers.values()].filter((c) => c.config.name.match(/^web-\d$/));
    expect(after.map((c) => c.id).sort()).toEqual(serving);
    expect(after.map((c) => c.config.name).sort()).toEqual(["web-1", "web-2"]);
  });

  const bad: [string, RegExp][] = [
    ["up --replicas abc web", /--replicas "abc" is not a whole number/],
    ["up --replicas -1 web", /--replicas -1 is out of range/],
    ["up --replicas 101 web", /--replicas 101 is out of range/],
    ["up -p 80:0 web", /port 0 is out of range/],
    ["up -p 80:70000 web", /port 70000 is out of range/],
    ["up -p 80:8080/sctp web", /unknown protocol/],
    ["up -p 80:8080 -p 80:9090 web", /host port 80\/tcp is published twice/],
    ["up --name bad/name web", /invalid pod name/],
    ["up --expose 8080 web", /--expose is a network option, and replicas share the sandbox's network/],
    ["up --link db web", /--link is a network option/],
    ["up --network host web", /--network host would take the pod out of its own namespace/],
    ["up --env-file missing.env web", /--env-file missing.env cannot be read/],
    ["up --bogus=1 web", /Unknown argument: bogus/],
    ["up", /Not enough non-option arguments/],
  ];
  for (const [line, message] of bad) {
    it(`refuses \`pod ${line}\` in one line, exit 2, with no engine call`, async () => {
      const r = await pod(line);
      expect(r.code).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/^pod: .+; .+/); // what was wrong; what to do
      expect(engine.calls).toEqual([]);
    });
  }

  it("refuses an image the engine does not have, saying how to build it, creating nothing", async () => {
    const r = await pod("up -p 80:8080 nothere");
    expect(r.code).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toContain("image nothere is not on the engine, and pod does not pull images; build it first");
    expect(engine.names()).toEqual([]);
  });
});

describe("scale", () => {
  it("converges up and down, highest numbers leaving first", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    expect((await pod("scale web 3")).code).toBe(0);
    expect(engine.names()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    engine.calls.length = 0;
    const r = await pod("scale web 1");
    expect(r.code).toBe(0);
    expect(engine.calls.filter((c) => c.startsWith("stop"))).toEqual(["stop web-3", "stop web-2"]);
    expect(engine.names()).toEqual(["web-1", "web-sandbox"]);
  });

  it("refuses a pod that does not exist, creating nothing", async () => {
    const r = await pod("scale nope 3");
    expect(r.code).toBe(1);
    expect(r.err).toBe("pod: no pod named nope on the engine; `pod ps` lists the pods; `pod up` creates one");
    expect(engine.names()).toEqual([]);
  });

  it("refuses a bad count before touching the engine", async () => {
    const r = await pod("scale web 2.5");
    expect(r.code).toBe(2);
    expect(engine.calls).toEqual([]);
  });
});

describe("down", () => {
  it("removes replicas before the sandbox", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    expect((await pod("down web")).code).toBe(0);
    const removals = engine.calls.filter((c) => c.startsWith("remove web-") && c !== "remove web-lock");
    expect(removals.at(-1)).toBe("remove web-sandbox");
    expect(engine.names()).toEqual([]);
  });

  it("says so and exits 0 for a pod that does not exist", async () => {
    const r = await pod("down nope");
    expect(r.code).toBe(0);
    expect(r.err).toBe("no pod named nope: nothing to remove");
  });
});

describe("ps", () => {
  it("lists pods as a table and as stable JSON", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const table = await pod("ps");
    expect(table.out.split("\n")[0]).toMatch(/^NAME\s+IMAGE\s+REPLICAS\s+PORTS\s+STATUS\s+AGE$/);
    expect(table.out.split("\n")[1]).toMatch(/^web\s+web\s+2\/2\s+0\.0\.0\.0:80->8080\/tcp\s+running\s+\d+\w$/);
    const json = JSON.parse((await pod("ps --json")).out);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ name: "web", image: "web", status: "running", replicas: { running: 2, asked: 2 } });
    expect(json[0].ports).toEqual([{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" }]);
  });

  it("reports a pod with a dead replica as degraded", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    [...engine.containers.values()].find((c) => c.config.name === "web-2")!.state = "exited";
    const json = JSON.parse((await pod("ps --json")).out);
    expect(json[0]).toMatchObject({ status: "degraded", replicas: { running: 1, asked: 2 } });
  });
});

describe("errors", () => {
  it("an unreachable engine is one line with exit 3", async () => {
    engine.listContainers = async () => {
      throw new EngineUnreachableError("no Docker engine answers at unix:///fake.sock (ENOENT)", "start one");
    };
    const r = await pod("ps");
    expect(r.code).toBe(3);
    expect(r.errLines).toEqual(["pod: no Docker engine answers at unix:///fake.sock (ENOENT); start one"]);
  });
});

describe("ps NAME", () => {
  it("shows each replica and the spec it runs", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const r = await pod("ps web");
    const lines = r.out.split("\n");
    expect(lines[3]).toMatch(/^REPLICA\s+CONTAINER\s+STATE\s+IMAGE\s+SPEC\s+GENERATION$/);
    expect(lines[4]).toMatch(/^1\s+web-1\s+running\s+web\s+[0-9a-f]{12}\s+1$/);
    expect(lines[5]).toMatch(/^2\s+web-2\s+running\s+web\s+[0-9a-f]{12}\s+1$/);
  });

  it("refuses a pod that does not exist", async () => {
    const r = await pod("ps nope");
    expect(r.code).toBe(1);
    expect(r.err).toContain("no pod named nope");
  });
});

describe("zero-downtime guards", () => {
  it("refuses new replicas under another user than the serving ones, before starting any", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 -u 1000 web");
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      "pod: the new replicas would run as user 1000 while the serving ones run as root, and SO_REUSEPORT only lets one user's sockets share a port; keep the user (-u) the same, or change it with `pod down` then `pod up` (a short outage)",
    ]);
    expect(engine.calls.filter((c) => /^(create|start|stop|rename)/.test(c))).toEqual(["create web-lock"]);
  });

  it("counts an image's USER as the user, and root by any name as root", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    engine.images["web:v2"] = "sha256:v2";
    engine.imageUsers["web:v2"] = "root";
    expect((await pod("up --replicas 1 -p 80:8080 web:v2")).code).toBe(0);
  });

  it("leaves tcp_migrate_req out on a kernel older than 5.14, and says once that scale-down may reset", async () => {
    engine.kernelVersion = "5.10.0-28-amd64";
    await pod("up --replicas 3 -p 80:8080 web");
    const sandbox = [...engine.containers.values()].find((c) => c.config.name === "web-sandbox")!;
    expect(sandbox.config.HostConfig.Sysctls).toBeUndefined();
    const r = await pod("scale web 1");
    expect(r.code).toBe(0);
    expect(r.errLines.filter((l) => l.startsWith("warning:"))).toEqual([
      "warning: the engine's kernel 5.10.0-28-amd64 has no net.ipv4.tcp_migrate_req (Linux 5.14+): connections queued on a stopping replica may be reset",
    ]);
  });
});

describe("network changes", () => {
  it("warn before recreating a serving pod for new published ports", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const r = await pod("up --replicas 2 -p 81:8080 web");
    expect(r.code).toBe(0);
    expect(r.errLines.filter((l) => l.startsWith("warning:"))).toEqual([
      "warning: pod web's network settings changed: its sandbox and every replica are recreated, a short outage",
    ]);
    expect(r.out).toContain("0.0.0.0:81->8080/tcp");
  });
});

describe("failures on a pod that was not serving", () => {
  it("do not repeat the same attempt as a 'rollback'", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    [...engine.containers.values()].find((c) => c.config.name === "web-sandbox")!.state = "exited";
    engine.crashing.add("web-1");
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("pod: pod web does not serve as asked; `pod ps web` shows what is left");
    expect(r.err).not.toContain("rolling back");
    expect(engine.calls.filter((c) => c === "create web-sandbox")).toHaveLength(1);
  });
});

describe("restart", () => {
  it("replaces every replica start-first and keeps their names", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = [...engine.containers.keys()];
    const r = await pod("restart web");
    expect(r.code).toBe(0);
    expect(engine.names()).toEqual(["web-1", "web-2", "web-sandbox"]);
    expect([...engine.containers.keys()].filter((id) => before.includes(id))).toHaveLength(1); // the sandbox
  });

  it("rolls back when a fresh replica fails: the old one returns under its own name", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = [...engine.containers.keys()].sort();
    engine.crashing.add("web-1");
    const r = await pod("restart web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    expect(engine.names()).toEqual(["web-1", "web-2", "web-sandbox"]);
    expect([...engine.containers.keys()].sort()).toEqual(before);
  });
});
