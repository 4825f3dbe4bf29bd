// pod up, through the exported parser against the fake engine: what it asks of
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

const changes = () => engine.calls.filter((c) => /^(create|start|stop|rename|remove|update)/.test(c));

describe("up", () => {
  it("on Podman (no update endpoint): replicas are created with the policy they serve with, never updated", async () => {
    engine.flavour = "podman";
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    expect(engine.calls.filter((c) => c.startsWith("update"))).toEqual([]);
    const replicas = engine.podNames().filter((n) => /^web-\d$/.test(n));
    expect(replicas.map((n) => engine.find(n)!.config.HostConfig?.RestartPolicy?.Name)).toEqual(["unless-stopped", "unless-stopped"]);
    // Its record images are listed as localhost/pod-record:…: still pod's record.
    expect(engine.recordRefs()).toEqual(["localhost/pod-record:web.1", "localhost/pod-record:web.2"]);
    const again = await pod("up --replicas 2 -p 80:8080 web");
    expect(again.err).toContain("pod web is up to date");
    expect(engine.recordRefs()).toEqual(["localhost/pod-record:web.1", "localhost/pod-record:web.2"]);
    expect((await pod("down web")).code).toBe(0);
    expect(engine.recordRefs()).toEqual([]);
    // The same on Docker: none while waited for, then unless-stopped.
    engine = new FakeEngine();
    await pod("up --replicas 1 -p 80:8080 web");
    expect(engine.calls.filter((c) => c.startsWith("update"))).toEqual(["update web-1 restart=unless-stopped"]);
  });

  it("writes the record first, then the sandbox, then the replicas, and releases its lock", async () => {
    const r = await pod("up --replicas 3 -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    expect(engine.calls.filter((c) => c.startsWith("create"))).toEqual([
      "create web-lock",
      "create image pod-record:web.1",
      "create web-sandbox",
      "create web-1",
      "create web-2",
      "create web-3",
      "create image pod-record:web.2",
    ]);
    expect(engine.calls.at(-1)).toBe("remove web-lock");
    // The record lives in label-only images, which no container prune touches: the newest two revisions.
    expect(engine.recordRefs()).toEqual(["pod-record:web.1", "pod-record:web.2"]);
    expect(engine.names()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    expect(r.out).toContain("pod web: 3/3 replicas ready (running)");
    expect(r.out).toContain("0.0.0.0:80->8080/tcp");
  });

  it("gives replicas no restart policy until they serve, then unless-stopped", async () => {
    await pod("up --replicas 1 -p 80:8080 --hostname h --dns 1.1.1.1 --add-host db:10.0.0.5 web");
    const sandbox = engine.find("web-sandbox")!;
    const replica = engine.find("web-1")!;
    expect(sandbox.config.Hostname).toBe("h");
    expect(sandbox.config.HostConfig.Dns).toEqual(["1.1.1.1"]);
    expect(sandbox.config.HostConfig.Sysctls).toEqual({ "net.ipv4.tcp_migrate_req": "1" });
    expect(sandbox.config.HostConfig.RestartPolicy).toEqual({ Name: "no" });
    expect(replica.config.HostConfig.NetworkMode).toBe(`container:${sandbox.id}`);
    expect(replica.config.HostConfig.PortBindings).toBeUndefined();
    expect(replica.config.Hostname).toBeUndefined();
    expect(replica.config.Env).toEqual(["POD_NAME=web", "POD_REPLICA=1"]);
    expect(engine.calls).toContain("update web-1 restart=unless-stopped");
    expect(replica.config.HostConfig.RestartPolicy).toEqual({ Name: "unless-stopped" });
  });

  it("is idempotent: the same spec again changes nothing", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = [...engine.containers.keys()].sort();
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(0);
    expect(r.err).toContain("pod web is up to date");
    expect([...engine.containers.keys()].sort()).toEqual(before);
    expect(changes()).toEqual(["create web-lock", "remove web-lock"]);
  });

  it("--dry-run writes nothing at all: no lock, no image build, no container", async () => {
    delete engine.images["pod-sandbox:latest"];
    const r = await pod("up --replicas 2 -p 80:8080 --dry-run web");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("pod web would be created");
    expect(r.out).toContain("1. create sandbox web-sandbox (pod absent)");
    expect(r.out).toContain("2. start 2 replicas: web-1, web-2 (pod absent)");
    expect(changes()).toEqual([]);
    expect(engine.calls.filter((c) => c.startsWith("build"))).toEqual([]);
  });

  it("--dry-run of a change shows what changes, field by field, without env values", async () => {
    await pod("up --replicas 2 -p 80:8080 -e SECRET=one web");
    engine.calls.length = 0;
    const r = await pod("up --replicas 3 -p 80:8080 -e SECRET=two -e NEW=1 --dry-run web:v2");
    expect(r.out).toContain("pod web: generation 1 → 2");
    expect(r.out).toMatch(/image: web \(web\) → web:v2 \(web2\)/);
    expect(r.out).toContain("env: +NEW ~SECRET");
    expect(r.out).toContain("replicas: 2 → 3");
    expect(r.out).not.toContain("two");
    expect(changes()).toEqual([]);
  });

  it("removes everything it made, its record too, when a new pod's replicas fail", async () => {
    engine.crashing.add("web-2");
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(1);
    expect(engine.names()).toEqual([]);
    expect(r.err).toContain("pod web could not start and was removed");
    expect(r.err).toContain("web-2: exit code 1");
    expect(r.err).toContain("likely cause: another socket holds the port without sharing it");
  });

  it("rolls a failed change back, keeping the replicas that served, and records the failure", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const serving = ["web-1", "web-2"].map((n) => engine.find(n)!.id).sort();
    engine.crashing.add("web-1");
    const r = await pod("up --replicas 2 -p 80:8080 web:v2");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    expect(["web-1", "web-2"].map((n) => engine.find(n)!.id).sort()).toEqual(serving);
    expect(engine.podNames().filter((n) => /-old-|lock/.test(n))).toEqual([]);
    expect(engine.podNames().filter((n) => /-prev-/.test(n))).toHaveLength(1); // the failed one, kept for its logs
    const history = await pod("history web --json");
    expect(JSON.parse(history.out).map((g: { generation: number; status: string }) => [g.generation, g.status])).toEqual([
      [2, "failed"],
      [1, "ok"],
    ]);
  });

  it("refuses a change that needs a new sandbox while the pod serves, unless --recreate", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 81:8080 web");
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toMatch(/needs a new sandbox \(network settings changed\).*pass --recreate/);
    expect(changes()).toEqual(["create web-lock", "remove web-lock"]);
    const ok = await pod("up --replicas 2 -p 81:8080 --recreate web");
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("0.0.0.0:81->8080/tcp");
  });

  const bad: [string, RegExp][] = [
    ["up --replicas abc web", /--replicas "abc" is not a whole number/],
    ["up --replicas -1 web", /--replicas -1 is out of range/],
    ["up --replicas 101 web", /--replicas 101 is out of range/],
    ["up -p 80:0 web", /port 0 is out of range/],
    ["up -p 80:8080/sctp web", /unknown protocol/],
    ["up -p 80:8080 -p 80:9090 web", /host port 80\/tcp is published twice/],
    ["up --name bad/name web", /invalid pod name/],
    ["up --expose 8080 web", /--expose is a network option, and replicas share the sandbox's network/],
    ["up --network none web", /--network none would take the pod out of its own namespace/],
    ["up --network host -p 80:8080 web", /maps a port, and with --network host the host port is the container port; write -p 8080/],
    ["up --network host --hostname h -p 8080 web", /--hostname has no meaning with --network host/],
    ["up --network host --balance dnat -p 8080 web", /--balance dnat has no meaning with --network host/],
    ["up --network-alias x web", /--network-alias needs a user-defined network/],
    ["up --balance roundrobin web", /--balance "roundrobin" is not one of reuseport, dnat/],
    ["up --env-file missing.env web", /--env-file missing.env cannot be read/],
    ["up --bogus=1 web", /unknown option --bogus; `pod up --help` lists its options/],
    ["up -d web", /unknown option -d; pod up already runs detached: leave -d out/],
    ["up -http_server", /unknown option -http_server; an image name cannot start with "-"/],
    ["up ../x", /invalid image "\.\.\/x": "\.\." is neither a registry address/],
    ["up a/../../b", /invalid image "a\/\.\.\/\.\.\/b": "\.\." is not a valid part of a repository name/],
    ["up a:v2:v3", /invalid image "a:v2:v3": tag "v2:v3" is not a tag/],
    ["up x:", /invalid image "x:": the tag after ':' is empty/],
    ["up --name web :", /invalid image ":": it has no repository name before ':'/],
    ["up Web", /the repository name "Web" must be lowercase/],
    ["set web --image web@sha256:abc", /a sha256 digest has 64 hex digits, this one 3/],
    ["scale web 3 --replica 2", /unknown option --replica/],
    ["up", /pod up needs an image, or -f and a compose file/],
    ["set web", /names nothing to change/],
    ["rollback web --to 0", /--to 0 is not a generation number/],
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
    const r = await pod("up -p 80:8080 --pull never nothere");
    expect(r.code).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toContain("image nothere is not on the engine; build it first");
    expect(engine.names()).toEqual([]);
  });
});

describe("zero-downtime guards", () => {
  it("refuses new replicas under another user than the serving ones, before starting any", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 -u 1000 web");
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toContain("the new replicas would run as user 1000 while the serving ones run as root");
    expect(changes()).toEqual(["create web-lock", "remove web-lock"]);
  });

  it("leaves tcp_migrate_req out on a kernel older than 5.14, and says that scale-down may reset", async () => {
    engine.kernelVersion = "5.10.0-28-amd64";
    await pod("up --replicas 3 -p 80:8080 web");
    expect(engine.find("web-sandbox")!.config.HostConfig.Sysctls).toBeUndefined();
    const r = await pod("scale web 1");
    expect(r.code).toBe(0);
    expect(r.errLines.filter((l) => l.startsWith("warning:"))).toEqual([
      "warning: the engine's kernel 5.10.0-28-amd64 has no net.ipv4.tcp_migrate_req (Linux 5.14+): connections queued on a stopping replica may be reset",
    ]);
  });
});
