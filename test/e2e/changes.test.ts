// Safe changes on the real engine: rollback that always ends as it began, history and
// rollback, set, --dry-run that writes nothing, no surprise outage, --json events.
import { describe, expect, it } from "vitest";
import { answering, docker, hello, idsOf, namesOf, onPodman, pod, podsToClean } from "./harness.js";

const pods = podsToClean();

async function up(name: string, port: number, replicas = 3, ...more: string[]): Promise<void> {
  pods.add(name);
  const r = await pod(["up", "--name", name, "--replicas", String(replicas), "-p", `127.0.0.1:${port}:8080`, ...more, "http_server"]);
  expect(r.code, r.stderr).toBe(0);
}

async function psJson(name: string): Promise<any> {
  return JSON.parse((await pod(["ps", name, "--json"])).stdout)[0];
}

describe("rollback that always works", () => {
  it("a failing change rolls back, ten times in a row, each ending exactly as it began", async () => {
    await up("e2e-rb", 18501);
    const names = ["e2e-rb-sandbox", "e2e-rb-1", "e2e-rb-2", "e2e-rb-3"];
    const before = await idsOf(...names);
    for (let trial = 1; trial <= 10; trial++) {
      const r = await pod(["up", "--name", "e2e-rb", "--replicas", "3", "-p", "127.0.0.1:18501:8080", "-e", "REUSEPORT=0", "--ready-timeout", "10", "http_server:v2"]);
      expect(r.code, `trial ${trial}: ${r.stderr}`).toBe(1);
      expect(r.stderr, `trial ${trial}`).toContain("the change to pod e2e-rb failed and was rolled back: it serves as before");
      // The server's own exit code; Podman restarts it itself (podmanGap.exitCode) and forgets the code.
      expect(r.stderr, `trial ${trial}`).toMatch(onPodman ? /e2e-rb-1: (exit code 1\b|running, \d+ restarts)/ : /e2e-rb-1: exit code 1\b/);
      expect(await idsOf(...names), `trial ${trial}`).toEqual(before);
      expect((await namesOf("e2e-rb")).filter((n) => /-old-|-lock$/.test(n)), `trial ${trial}`).toEqual([]);
      expect(await psJson("e2e-rb"), `trial ${trial}`).toMatchObject({ status: "running", replicas: { ready: 3, asked: 3 }, image: "http_server" });
    }
    expect(await answering(18501, 90)).toEqual(hello("e2e-rb", 1, 2, 3));
    // The failed attempts are in the history, as failed, and never a rollback target.
    const history = JSON.parse((await pod(["history", "e2e-rb", "--json"])).stdout);
    expect(history.filter((g: any) => g.status === "failed")).toHaveLength(10);
    expect(history.find((g: any) => g.current)).toMatchObject({ generation: 1, status: "ok" });
    // The last failed replica is kept, stopped, for its logs; and stays stopped (Podman would
    // restart it by the policy it was created with, had the stop not caught it running).
    const kept = async () => (await docker(["ps", "-a", "--format", "{{.Names}} {{.State}}", "--filter", "name=e2e-rb-1-prev-"])).stdout.trim();
    expect(await kept()).toMatch(/^e2e-rb-1-prev-\w+ exited$/);
    const restarts = async () => (await docker(["inspect", "-f", "{{.RestartCount}}", (await kept()).split(" ")[0]!])).stdout.trim();
    const seen = await restarts();
    await new Promise((r) => setTimeout(r, 2000));
    expect(await kept()).toMatch(/^e2e-rb-1-prev-\w+ exited$/);
    expect(await restarts()).toBe(seen);
  }, 300_000);
});

describe("history, rollback and set", () => {
  it("set changes only what it names; history shows what changed; rollback goes back start-first", async () => {
    await up("e2e-hist", 18502, 2, "-e", "A=1", "-e", "SECRET=hunter2");
    const set = await pod(["set", "e2e-hist", "--image", "http_server:v2", "-e", "B=2"]);
    expect(set.code, set.stderr).toBe(0);
    expect(await answering(18502, 60)).toEqual(hello("e2e-hist", 1, 2).map((l) => `${l} (v2)`));
    const sandbox = JSON.parse((await docker(["inspect", "e2e-hist-sandbox"])).stdout)[0];
    expect(sandbox.HostConfig.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18502" }] });

    const scale = await pod(["scale", "e2e-hist", "3"]);
    expect(scale.code).toBe(0);
    const table = await pod(["history", "e2e-hist"]);
    expect(table.stdout).toMatch(/^GEN\s+WHEN\s+IMAGE\s+CHANGE\s+STATUS\s+BY$/m);
    expect(table.stdout).toMatch(/^3\s+\d+s ago\s+http_server:v2 \(\w{12}\)\s+replicas 2→3\s+current\s+scale to 3$/m);
    expect(table.stdout).toMatch(/^2\s+.*image http_server:v2 .*, env \+B\s+ok\s+set$/m);
    expect(table.stdout).toMatch(/^1\s+.*created\s+ok\s+up$/m);
    expect(table.stdout).not.toContain("hunter2");

    const back = await pod(["rollback", "e2e-hist", "--to", "1"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/rename replica e2e-hist-1 to e2e-hist-1-old-/); // start-first
    expect(await answering(18502, 60)).toEqual(hello("e2e-hist", 1, 2));
    const after = JSON.parse((await pod(["history", "e2e-hist", "--json"])).stdout);
    expect(after[0]).toMatchObject({ generation: 4, current: true, cause: "rollback to 1", image: "http_server" });
    expect((await pod(["rollback", "e2e-hist"])).code).toBe(0); // back to 3: v2, three replicas
    expect(await answering(18502, 90)).toEqual(hello("e2e-hist", 1, 2, 3).map((l) => `${l} (v2)`));
  });
});

describe("--dry-run writes nothing", () => {
  it("no lock, no image build, no container: the engine sees no write", async () => {
    await up("e2e-dry", 18503, 2);
    await new Promise((r) => setTimeout(r, 1100)); // events have a resolution of one second
    const since = String(Math.floor(Date.now() / 1000));
    // Sorted: Podman lists containers in no fixed order.
    const containers = async () => (await docker(["ps", "-aq", "--no-trunc"])).stdout.split("\n").sort();
    const before = await containers();
    await docker(["tag", "pod-sandbox:latest", "pod-sandbox:e2e-saved"]);
    await docker(["rmi", "pod-sandbox:latest"]);
    try {
      const r = await pod(["up", "--name", "e2e-dry", "--replicas", "3", "-p", "127.0.0.1:18504:8080", "-e", "X=secret-value", "--dry-run", "http_server:v2"]);
      // The real run would refuse the outage without --recreate: the dry run says so, and exits as it would.
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("needs a new sandbox (network settings changed)");
      expect(r.stdout).toContain("pod e2e-dry: generation 1 → 2");
      expect(r.stdout).toMatch(/image: http_server \(\w{12}\) → http_server:v2 \(\w{12}\)/);
      expect(r.stdout).toContain("env: +X");
      expect(r.stdout).not.toContain("secret-value");
      expect(r.stdout).toContain("ports: 127.0.0.1:18503->8080/tcp → 127.0.0.1:18504->8080/tcp  [needs a new sandbox: outage]");
      expect(r.stdout).toMatch(/remove sandbox e2e-dry-sandbox \(network settings changed\)\s+\[outage\]/);
      expect(r.stdout).toContain("refused without --recreate");
      for (const cmd of [["scale", "e2e-dry", "5", "--dry-run"], ["restart", "e2e-dry", "--dry-run"], ["down", "e2e-dry", "--dry-run"], ["set", "e2e-dry", "-e", "Y=1", "--dry-run"], ["rollback", "e2e-dry", "--dry-run"]]) {
        const d = await pod(cmd);
        expect(d.code === 0 || d.code === 2, `${cmd.join(" ")}: ${d.stderr}`).toBe(true);
      }
      expect(await containers()).toEqual(before);
      expect((await docker(["image", "inspect", "pod-sandbox:latest"])).code).not.toBe(0); // not built
      const events = await docker(["events", "--since", since, "--until", String(Math.floor(Date.now() / 1000) + 1), "--filter", "type=container", "--format", "{{.Action}} {{.Actor.Attributes.name}}"]);
      expect(events.stdout.split("\n").filter((l) => /^(create|start|destroy|rename|update)/.test(l))).toEqual([]);
    } finally {
      await docker(["tag", "pod-sandbox:e2e-saved", "pod-sandbox:latest"]);
      await docker(["rmi", "pod-sandbox:e2e-saved"]);
    }
  });
});

describe("no surprise outages", () => {
  it("an omitted -p on a serving pod is refused with exit 2, and --recreate accepts the outage", async () => {
    await up("e2e-out", 18505, 2);
    const ids = await idsOf("e2e-out-sandbox", "e2e-out-1", "e2e-out-2");
    const r = await pod(["up", "--name", "e2e-out", "--replicas", "2", "http_server:v2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^pod: changing pod e2e-out needs a new sandbox \(network settings changed\).*pass --recreate/);
    expect(await idsOf("e2e-out-sandbox", "e2e-out-1", "e2e-out-2")).toEqual(ids);
    const ok = await pod(["up", "--name", "e2e-out", "--replicas", "2", "-p", "127.0.0.1:18506:8080", "--recreate", "http_server"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("warning: pod e2e-out is recreated (network settings changed): a short outage");
    expect(await answering(18506, 60)).toEqual(hello("e2e-out", 1, 2));
  });
});

describe("--json", () => {
  it("up, scale, restart, rollback and down print NDJSON events then a result, and nothing else on stdout", async () => {
    pods.add("e2e-json");
    const runs = [
      ["up", "--name", "e2e-json", "--replicas", "2", "-p", "127.0.0.1:18507:8080", "--json", "http_server"],
      ["scale", "e2e-json", "3", "--json"],
      ["restart", "e2e-json", "--json"],
      ["set", "e2e-json", "--image", "http_server:v2", "--json"],
      ["rollback", "e2e-json", "--json"],
      ["down", "e2e-json", "--json"],
    ];
    for (const args of runs) {
      const r = await pod(args);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.at(-1).event, args.join(" ")).toBe("result");
      expect(lines.slice(0, -1).every((l) => l.event === "action" || l.event === "note" || l.event === "warning")).toBe(true);
      const done = lines.filter((l) => l.event === "action" && l.state === "done");
      expect(done.length, args.join(" ")).toBeGreaterThan(0);
      expect(done[0]).toEqual(expect.objectContaining({ step: expect.any(Number), action: expect.any(String), replicas: expect.any(Array), seconds: expect.any(Number) }));
    }
    const failed = await pod(["scale", "e2e-json", "2", "--json"]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout.trim().split("\n").at(-1)!)).toMatchObject({ event: "error", exitCode: 1 });
  });
});
