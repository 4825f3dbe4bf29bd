// Commands through the exported parser, against the fake engine: what they ask of Docker,
// what they print, their exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { EngineUnreachableError } from "../../../src/errors.js";
import { ownerProof } from "../../../src/state/labels.js";
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

describe("the record", () => {
  it("keeps the asked count when a replica is lost, and scale brings it back", async () => {
    await pod("up --replicas 3 -p 80:8080 web");
    await engine.removeContainer(engine.find("web-3")!.id);
    const ps = JSON.parse((await pod("ps --json")).out);
    expect(ps[0]).toMatchObject({ status: "degraded", reasons: ["1 lost"], replicas: { ready: 2, asked: 3 } });
    engine.calls.length = 0;
    const r = await pod("up --replicas 3 -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("start replica web-3 (replacing lost replicas)");
  });

  it("survives the loss of the sandbox: scale still knows the spec", async () => {
    await pod("up --replicas 2 -p 80:8080 -e A=1 web");
    await engine.removeContainer(engine.find("web-sandbox")!.id);
    const r = await pod("scale web 3");
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    expect(engine.find("web-3")!.config.Env).toContain("A=1");
  });

  it("survives the loss of the newest record revision (docker rmi by hand): the one before it is read, and written anew", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    await engine.removeImage("pod-record:web.2");
    expect((await pod("scale web 3")).code).toBe(0);
    expect(engine.recordRefs()).toEqual(["pod-record:web.1", "pod-record:web.2"]);
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
  });

  it("a record kept in containers by an older pod is read, and moved into an image on the next write", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    // As an older pod wrote it: two never-started containers carrying the same labels.
    const { labels } = [...engine.labelledImages.values()].at(-1)!;
    for (const copy of ["a", "b"]) await engine.createContainer({ name: `web-record.9.${copy}`, Image: "pod-sandbox:latest", Labels: { ...labels, "dev.pod.created-as": `web-record.9.${copy}`, "dev.pod.owner": ownerProof(labels["dev.pod.key"]!, "web", "record", `web-record.9.${copy}`) }, HostConfig: { NetworkMode: "none" } });
    for (const ref of engine.recordRefs()) await engine.removeImage(ref);
    expect((await pod("scale web 2")).code).toBe(0);
    expect(engine.names().filter((n) => n.includes("record"))).toEqual([]);
    expect(engine.recordRefs()).toHaveLength(1);
  });

  it("brings replicas stranded by a restarted sandbox into its new namespace", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    await engine.restart("web-sandbox");
    expect(JSON.parse((await pod("ps --json")).out)[0]).toMatchObject({ status: "degraded", reasons: ["2 stranded"] });
    engine.calls.length = 0;
    const r = await pod("scale web 2");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("restart 2 replicas: web-1, web-2 (stranded in a dead network namespace)");
    expect(JSON.parse((await pod("ps --json")).out)[0].status).toBe("running");
  });

  it("counts a replica restarted in the past but serving now as healthy", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.crashAndRestart("web-2");
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code, r.err).toBe(0);
    expect((await pod("scale web 3")).code).toBe(0);
  });

  it("scale to 0 after an image change keeps the sandbox", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    await pod("up --replicas 2 -p 80:8080 web:v2");
    const sandbox = engine.find("web-sandbox")!.id;
    const r = await pod("scale web 0");
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/outage/);
    expect(engine.find("web-sandbox")!.id).toBe(sandbox);
  });
});

describe("set, history, rollback", () => {
  it("set changes only what it names; history lists generations; rollback goes back start-first", async () => {
    await pod("up --replicas 2 -p 80:8080 -e A=1 web");
    const set = await pod("set web --image web:v2 -e B=2");
    expect(set.code, set.err).toBe(0);
    expect(engine.find("web-1")!.config.Image).toBe("web:v2");
    expect(engine.find("web-1")!.config.Env).toEqual(["A=1", "B=2", "POD_NAME=web", "POD_REPLICA=1"]);
    expect(engine.find("web-sandbox")!.config.HostConfig.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "", HostPort: "80" }] });
    const history = JSON.parse((await pod("history web --json")).out);
    expect(history.map((g: any) => [g.generation, g.status, g.current, g.changes])).toEqual([
      [2, "ok", true, expect.stringContaining("image web:v2")],
      [1, "ok", false, "created"],
    ]);
    const back = await pod("rollback web");
    expect(back.code, back.err).toBe(0);
    expect(engine.find("web-1")!.config.Image).toBe("web");
    expect(back.err).toMatch(/rename replica web-1 to web-1-old-/);
    const after = JSON.parse((await pod("history web --json")).out);
    expect(after[0]).toMatchObject({ generation: 3, current: true, cause: "rollback to 1" });
  });

  it("never rolls back to a failed generation", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    engine.crashing.add("web-1");
    await pod("set web --image web:v2");
    const r = await pod("rollback web --to 2");
    expect(r.code).toBe(2);
    expect(r.err).toContain("generation 2 of pod web failed, so it is no rollback target");
  });
});

describe("scale", () => {
  it("converges up and down, highest numbers leaving first", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    expect((await pod("scale web 3")).code).toBe(0);
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    engine.calls.length = 0;
    const r = await pod("scale web 1");
    expect(r.code).toBe(0);
    expect(engine.calls.filter((c) => c.startsWith("stop"))).toEqual(["stop web-3", "stop web-2"]);
    expect(engine.podNames()).toEqual(["web-1", "web-sandbox"]);
  });

  it("refuses a pod that does not exist, creating nothing", async () => {
    const r = await pod("scale nope 3");
    expect(r.code).toBe(1);
    expect(r.err).toBe("pod: no pod named nope on the engine; `pod ps` lists the pods; `pod up` creates one");
    expect(engine.names()).toEqual([]);
  });

  it("--json prints NDJSON events, then the result, and nothing else on stdout", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    const r = await pod("scale web 3 --json");
    const lines = r.out.split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ event: "result", pod: { name: "web", replicas: { ready: 3, asked: 3 } } });
    expect(lines.find((l) => l.event === "action" && l.state === "done")).toMatchObject({ action: "start-replicas", replicas: [2, 3], containers: ["web-2", "web-3"] });
  });
});

describe("down", () => {
  it("removes replicas before the sandbox, and the record last", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    expect((await pod("down web")).code).toBe(0);
    const removals = engine.calls.filter((c) => c.startsWith("remove web-") && c !== "remove web-lock");
    expect(removals.slice(-1)).toEqual(["remove web-sandbox"]);
    expect(engine.calls.filter((c) => c.startsWith("remove image"))).toEqual(["remove image pod-record:web.1", "remove image pod-record:web.2"]);
    expect(engine.calls.indexOf("remove web-sandbox")).toBeLessThan(engine.calls.indexOf("remove image pod-record:web.1"));
    expect(engine.names()).toEqual([]);
    expect(engine.recordRefs()).toEqual([]);
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
    expect(table.out.split("\n")[0]).toMatch(/^NAME\s+IMAGE\s+READY\s+PORTS\s+STATUS\s+AGE$/);
    expect(table.out.split("\n")[1]).toMatch(/^web\s+web\s+2\/2\s+0\.0\.0\.0:80->8080\/tcp\s+running\s+\d+\w$/);
    const json = JSON.parse((await pod("ps --json")).out);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ name: "web", image: "web", status: "running", replicas: { ready: 2, asked: 2 }, generation: 1 });
    expect(json[0].ports).toEqual([{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" }]);
    expect((await pod("ps -q")).out).toBe("web");
  });

  it("shows each replica's state, restarts, last exit and OOM", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.kill("web-2");
    const lines = (await pod("ps web")).out.split("\n");
    expect(lines[3]).toMatch(/^REPLICA\s+CONTAINER\s+STATE\s+HEALTH\s+RESTARTS\s+LAST EXIT\s+OOM\s+STARTED\s+IMAGE\s+GEN$/);
    expect(lines[4]).toMatch(/^1\s+web-1\s+running\s+-\s+0\s+-\s+no\s+\S+\s+web\s+1$/);
    expect(lines[5]).toMatch(/^2\s+web-2\s+exited\s+-\s+0\s+137\s+no\s+\S+\s+web\s+1$/);
  });

  it("refuses a pod that does not exist", async () => {
    const r = await pod("ps nope");
    expect(r.code).toBe(1);
    expect(r.err).toContain("no pod named nope");
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

describe("restart", () => {
  it("replaces every replica start-first and keeps their names; the old ones are kept stopped for their logs", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = ["web-1", "web-2"].map((n) => engine.find(n)!.id);
    const r = await pod("restart web");
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames().filter((n) => !n.includes("-prev-"))).toEqual(["web-1", "web-2", "web-sandbox"]);
    expect(["web-1", "web-2"].map((n) => engine.find(n)!.id).filter((id) => before.includes(id))).toEqual([]);
    expect(engine.podNames().filter((n) => n.includes("-prev-"))).toHaveLength(2);
  });

  it("rolls back when a fresh replica fails: the old one returns under its own name", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = ["web-1", "web-2"].map((n) => engine.find(n)!.id);
    engine.crashing.add("web-1");
    const r = await pod("restart web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    expect(["web-1", "web-2"].map((n) => engine.find(n)!.id)).toEqual(before);
  });
});

describe("the command line", () => {
  it("passes the words after -- to the container verbatim, as strings", async () => {
    const r = await pod("up --replicas 1 -p 80:8080 web -- /http_server 1e3 0x10 1.50 -d");
    expect(r.code, r.err).toBe(0);
    expect(engine.find("web-1")!.config.Cmd).toEqual(["/http_server", "1e3", "0x10", "1.50", "-d"]);
  });

  it("answers pod help CMD, pod --version and pod version", async () => {
    const help = await pod("help up");
    expect(help.code).toBe(0);
    expect(help.out).toContain("Create or update a pod");
    expect(help.out).toContain("Examples:");
    expect((await pod("--version")).out).toMatch(/^\d+\.\d+\.\d+$/);
    const v = await pod("version");
    expect(v.out).toMatch(/^client\s+\d+\.\d+\.\d+\s+node v\d+/m);
    expect(v.out).toMatch(/^engine\s+20\.10\.24\s+API 1\.41/m);
  });

  it("every command's --help has examples", async () => {
    for (const cmd of ["up", "set", "scale", "restart", "rollback", "history", "ps", "logs", "exec", "inspect", "stats", "down", "agent", "version", "completion"]) {
      const r = await pod(`${cmd} --help`);
      expect(r.out, cmd).toContain("Examples:");
    }
  });

  it("prints completion scripts, and completes commands, options and pod names", async () => {
    for (const shell of ["bash", "zsh", "fish"]) expect((await pod(`completion ${shell}`)).out).toContain("pod __complete");
    await pod("up --replicas 1 -p 80:8080 web");
    expect((await pod("__complete -- sc")).out).toBe("scale");
    expect((await pod("__complete -- scale --re")).out).toBe("--ready-timeout");
    expect((await pod("__complete -- logs w")).out).toBe("web");
  });
});

describe("exec, logs, inspect, stats", () => {
  it("exec runs in replica 1 by default and exits with the command's code", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    expect((await pod("exec web -- true")).code).toBe(0);
    expect((await pod("exec web --replica 2 -- x exit 3")).code).toBe(3);
    const none = await pod("exec web --replica 5 -- true");
    expect(none.code).toBe(2);
    expect(none.err).toContain("pod web has no running replica 5; its running replicas: 1, 2");
  });

  it("logs merge the replicas' lines in time order, each prefixed by its replica", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.logLines["web-1"] = [{ stream: "stdout", time: 3, stamp: "t3", text: "third" }, { stream: "stdout", time: 1, stamp: "t1", text: "first" }];
    engine.logLines["web-2"] = [{ stream: "stderr", time: 2, stamp: "t2", text: "second" }];
    const r = await pod("logs web");
    expect(r.out.split("\n")).toEqual(["web-1 | first", "web-2 | second", "web-1 | third"]);
    expect((await pod("logs web 2 -t")).out).toBe("web-2 | t2 second");
  });

  it("inspect is JSON of the record, spec, network and replicas, with env values hidden", async () => {
    await pod("up --replicas 2 -p 80:8080 -e TOKEN=s3cret web");
    const r = await pod("inspect web");
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ name: "web", status: "running", record: { generation: 1 }, network: { balance: "reuseport" } });
    expect(doc.spec.replica.env).toEqual(["TOKEN=<hidden>"]);
    expect(doc.replicaContainers).toHaveLength(2);
    expect(doc.generations).toHaveLength(1);
    expect(r.out).not.toContain("s3cret");
  });

  it("stats shows each replica and the pod", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const r = await pod("stats web --no-stream");
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^REPLICA\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O$/);
    expect(lines[1]).toMatch(/^web-1\s+20\.00%\s+10\.0MiB \/ 1\.00GiB/);
    expect(lines[3]).toMatch(/^pod\s+40\.00%\s+20\.0MiB \/ 1\.00GiB/); // no limit set: the host's, once
    const json = JSON.parse((await pod("stats web --json")).out);
    expect(json.pod).toMatchObject({ name: "pod", netRxBytes: 1000, netTxBytes: 2000 });
  });
});

describe("the version", () => {
  it("is package.json's", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
    expect((await pod("--version")).out).toBe(pkg.version);
  });
});

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

describe("unknown commands", () => {
  it("are named, with the nearest command", async () => {
    const r = await pod("psx");
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(["pod: unknown command \"psx\"; did you mean `pod ps`? `pod --help` lists the commands"]);
    expect((await pod("frobnicate")).err).toBe("pod: unknown command \"frobnicate\"; `pod --help` lists the commands");
  });
});

describe("compose files and exports", () => {
  const compose = "services:\n  api:\n    image: web\n    ports: ['80:8080']\n    deploy:\n      replicas: 2\n  worker:\n    image: web:v2\n";

  it("up -f makes one pod per service, named as Compose names them (PROJECT-SERVICE, the project the file's directory or -p); down -f removes them", async () => {
    const r = await pod("up -f /c/compose.yaml", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-sandbox", "c-worker-1", "c-worker-sandbox"]);
    expect((await pod("down -f /c/compose.yaml worker", { "/c/compose.yaml": compose })).code).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-sandbox"]);
    expect((await pod("up -f /c/compose.yaml --project-name shop api", { "/c/compose.yaml": compose })).code).toBe(0);
    expect(engine.podNames()).toContain("shop-api-sandbox");
  });

  it("refuses a compose file that cannot be read, and two project names", async () => {
    expect((await pod("up -f /nope.yaml")).err).toContain("-f /nope.yaml cannot be read");
    expect((await pod("up -f /c/compose.yaml -p a --project-name b", { "/c/compose.yaml": compose })).err).toContain("-p and --project-name both name the project");
  });

  it("refuses the command line's spec options with -f, and a port given as -p, before any engine call", async () => {
    const rows: [string, string][] = [
      ["up -f /c/compose.yaml --replicas 5 -e X=1", "pod: with -f, --replicas is not taken: the compose file is the whole spec; set deploy.replicas in the file, or pass --scale SERVICE=N"],
      ["up -f /c/compose.yaml -e X=1", "pod: with -f, --env is not taken: the compose file is the whole spec; put it under the service's environment: in the file"],
      ["up -f /c/compose.yaml --balance dnat", "pod: with -f, --balance is not taken: the compose file is the whole spec; set x-pod: {balance: ...} in the service"],
      ["up -f /c/compose.yaml --expose 80", "pod: with -f, --expose is not taken: the compose file is the whole spec; write the service's own key in the file"],
      ["up -f /c/compose.yaml -- serve", "pod: with -f, a command after -- is not taken: the compose file is the whole spec; set the service's command: in the file"],
      ["up -f /c/compose.yaml -p 19280:8080", 'pod: with -f, -p names the project, as docker compose -p does: "19280:8080" is a port; ports come from the compose file\'s ports: (to name a project so, write --project-name)'],
      ["up -f /c/compose.yaml -p Shop", 'pod: -p "Shop" is not a project name: it must consist only of lowercase letters, digits, dashes and underscores, and start with a letter or digit; as Compose requires; e.g. shop'],
      ["up -f /c/compose.yaml --scale api", 'pod: --scale "api" is not SERVICE=N; e.g. --scale web=3'],
      ["up -f /c/compose.yaml --scale db=2", "pod: /c/compose.yaml: --scale db: no such service in this file; services here: api, worker"],
      ["up --scale api=2 web", "pod: --scale SERVICE=N needs -f and a compose file; without one, --replicas N sets the count"],
    ];
    for (const [line, expected] of rows) {
      const r = await pod(line, { "/c/compose.yaml": compose });
      expect([r.code, r.errLines], line).toEqual([2, [expected]]);
    }
    expect(engine.calls).toEqual([]);
  });

  it("--scale SERVICE=N sets that service's count, as Compose's does", async () => {
    const r = await pod("up -f /c/compose.yaml --scale api=3 --scale worker=0", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-3", "c-api-sandbox", "c-worker-sandbox"]);
  });

  it("two services on one host port: refused before anything is made (issue 20, defect 4)", async () => {
    const clash = "services:\n  a:\n    image: web\n    ports: ['80:8080']\n  b:\n    image: web\n    ports: ['80:9090']\n";
    const r = await pod("up -f /c/clash.yaml", { "/c/clash.yaml": clash });
    expect([r.code, r.errLines]).toEqual([2, ["pod: /c/clash.yaml: services.b.ports: host port 80/tcp is published by services.a too (0.0.0.0:80->8080/tcp and 0.0.0.0:80->9090/tcp); one service's replicas share a port; two services cannot: give one of them another host port"]]);
    expect(engine.calls).toEqual([]);
  });

  it("up -f says the file's warnings once; ps -f and down -f do not repeat them; down goes dependents first", async () => {
    const file = "services:\n  web:\n    image: web\n    restart: always\n    depends_on: [db]\n  db:\n    image: web:v2\n";
    const up = await pod("up -f /c/w.yaml", { "/c/w.yaml": file });
    expect(up.code, up.err).toBe(0);
    expect(engine.find("c-web-1")!.config.HostConfig.RestartPolicy).toEqual({ Name: "always" });
    expect(engine.calls.filter((c) => /^create c-(db|web)-sandbox$/.test(c))).toEqual(["create c-db-sandbox", "create c-web-sandbox"]);
    const ps = await pod("ps -f /c/w.yaml -q", { "/c/w.yaml": file });
    expect([ps.out, ps.err]).toEqual(["c-db\nc-web", ""]);
    engine.calls.length = 0;
    const down = await pod("down -f /c/w.yaml", { "/c/w.yaml": file });
    expect(down.code, down.err).toBe(0);
    expect(down.err).not.toContain("ignored");
    expect(engine.calls.filter((c) => /^remove c-(db|web)-sandbox$/.test(c))).toEqual(["remove c-web-sandbox", "remove c-db-sandbox"]);
  });

  it("config -f prints the normalised project, reads no engine, and checks with -q", async () => {
    const r = await pod("config -f /c/compose.yaml", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^name: c\nservices:\n  api:\n/);
    expect(r.out).toContain("networks:\n  default:\n    name: c_default");
    expect((await pod("config -f /c/compose.yaml --services", { "/c/compose.yaml": compose })).out).toBe("api\nworker");
    expect(JSON.parse((await pod("config -f /c/compose.yaml --format json -p shop", { "/c/compose.yaml": compose })).out).name).toBe("shop");
    const quiet = await pod("config -f /c/compose.yaml -q", { "/c/compose.yaml": compose });
    expect([quiet.code, quiet.out, quiet.err]).toEqual([0, "", ""]);
    const bad = await pod("config -f /c/bad.yaml -q", { "/c/bad.yaml": "services:\n  web:\n    imgae: x\n" });
    expect([bad.code, bad.errLines.length]).toEqual([2, 1]);
    expect(engine.calls).toEqual([]);
  });

  it("export writes the recorded spec as kubernetes, swarm or compose", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    expect((await pod("export web --to kubernetes")).out).toMatch(/kind: Deployment[\s\S]*kind: Service/);
    expect((await pod("export web --to swarm")).out).toContain("order: start-first");
    expect((await pod("export web --to compose")).out).toContain("x-pod");
    expect((await pod("export web --to helm")).code).toBe(2);
  });
});

describe("global options before the command", () => {
  it("--context NAME and -H HOST are not taken for the command", async () => {
    // The fake engine ignores which engine is named: what matters here is the parsing.
    const r = await pod("--context nowhere ps");
    expect(r.code, r.err).toBe(0);
    expect((await pod("-H unix:///fake.sock ps")).code).toBe(0);
    expect((await pod("--debug help ps")).out).toContain("pod ps [name]");
  });
});

describe("yargs's own complaints, as one line", () => {
  const rows: [string, string][] = [
    ["export web --to helm", 'pod: --to "helm" is not one of kubernetes, swarm, compose; `pod export --help` shows how'],
    ["scale web", "pod: pod scale needs NAME and REPLICAS; `pod scale --help` shows how"],
    ["agent frob", 'pod: "frob" is not one of start, stop, status, logs, run, systemd; `pod agent --help` shows how'],
    ["--bogus ps", "pod: unknown option --bogus; `pod ps --help` lists its options"],
    ["rollback web --to abc", "pod: --to abc is not a generation number; `pod history web` lists them"],
  ];
  for (const [line, expected] of rows) {
    it(`pod ${line}`, async () => {
      const r = await pod(line);
      expect(r.code).toBe(2);
      expect(r.errLines).toEqual([expected]);
      expect(engine.calls).toEqual([]);
    });
  }
});
