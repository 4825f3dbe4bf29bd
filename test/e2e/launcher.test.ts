// The launcher end to end: real engine, images built from fixtures/, curl against the
// published port on 127.0.0.1. Each test has its own pod name and port.
import { describe, expect, it } from "vitest";
import {
  answering,
  containersOf,
  countBy,
  docker,
  hello,
  holdPort,
  namesOf,
  onPodman,
  pod,
  podsToClean,
  portIsFree,
  requests,
} from "./harness.js";

const pods = podsToClean();

describe("pod up", () => {
  it("runs the article's experiment: 3 replicas, 300 requests, each answers at least 20%", async () => {
    pods.add("e2e-article");
    const up = await pod(["up", "--name", "e2e-article", "--replicas", "3", "-p", "127.0.0.1:18101:8080", "http_server"]);
    expect(up.stderr).toBe(up.code === 0 ? up.stderr : "");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("pod e2e-article: 3/3 replicas ready (running)");
    expect(up.stdout).toContain("127.0.0.1:18101->8080/tcp");

    const lines = await requests(18101, 300);
    expect(lines).toHaveLength(300);
    const counts = countBy(lines);
    expect([...counts.keys()].sort()).toEqual(hello("e2e-article", 1, 2, 3));
    for (const [replica, n] of counts) expect(n, replica).toBeGreaterThanOrEqual(60);
  });

  it("returns only once replicas listen, even when the server is slow to start", async () => {
    pods.add("e2e-slow");
    const up = await pod(["up", "--name", "e2e-slow", "--replicas", "2", "-p", "127.0.0.1:18102:8080", "-e", "START_DELAY_MS=1500", "http_server"]);
    expect(up.code).toBe(0);
    // Straight after `up` returns, every request is answered: no refused connection.
    const lines = await requests(18102, 50);
    expect(lines).toHaveLength(50);
    expect([...countBy(lines).keys()].sort()).toEqual(hello("e2e-slow", 1, 2));
  });

  it("changes nothing when run twice with the same spec", async () => {
    pods.add("e2e-twice");
    const args = ["up", "--name", "e2e-twice", "--replicas", "2", "-p", "127.0.0.1:18103:8080", "http_server"];
    expect((await pod(args)).code).toBe(0);
    const before = await containersOf("e2e-twice");
    const again = await pod(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("pod e2e-twice is up to date");
    expect(await containersOf("e2e-twice")).toEqual(before);
  });

  it("refuses a server without SO_REUSEPORT with the diagnosis, and leaves nothing", async () => {
    pods.add("e2e-noreuse");
    const up = await pod(["up", "--name", "e2e-noreuse", "--replicas", "3", "-p", "127.0.0.1:18104:8080", "-e", "REUSEPORT=0", "http_server"]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("pod e2e-noreuse could not start and was removed: nothing is left behind");
    // The server's own exit code; Podman restarts it itself and forgets the code (podmanGap.exitCode).
    expect(up.stderr).toMatch(onPodman ? /e2e-noreuse-\d: (exit code 1\b|running, \d+ restarts)/ : /e2e-noreuse-\d: exit code 1/);
    expect(up.stderr).toContain("bind: address already in use");
    expect(up.stderr).toContain("likely cause: another socket holds the port without sharing it: the server must set SO_REUSEPORT before bind");
    expect(await containersOf("e2e-noreuse")).toEqual([]);
    expect(await portIsFree(18104)).toBe(true);
  });

  it("recreates the whole pod when its sandbox died", async () => {
    pods.add("e2e-dead");
    const args = ["up", "--name", "e2e-dead", "--replicas", "2", "-p", "127.0.0.1:18105:8080", "http_server"];
    expect((await pod(args)).code).toBe(0);
    await docker(["kill", "e2e-dead-sandbox"]);
    expect(await requests(18105, 3)).toEqual([]);
    const again = await pod(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("start sandbox e2e-dead-sandbox (sandbox exited)");
    expect(await answering(18105, 60)).toEqual(hello("e2e-dead", 1, 2));
  });

  it("two concurrent ups of one name end with one pod", async () => {
    pods.add("e2e-race");
    const args = ["up", "--name", "e2e-race", "--replicas", "3", "-p", "127.0.0.1:18106:8080", "http_server"];
    const [a, b] = await Promise.all([pod(args), pod(args)]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    expect(await namesOf("e2e-race")).toEqual(["e2e-race-1", "e2e-race-2", "e2e-race-3", "e2e-race-sandbox"]);
    expect(await answering(18106, 90)).toEqual(hello("e2e-race", 1, 2, 3));
  });
});

describe("pod scale", () => {
  it("goes 3 → 5 → 1, and the answering replicas follow", async () => {
    pods.add("e2e-scale");
    expect((await pod(["up", "--name", "e2e-scale", "--replicas", "3", "-p", "127.0.0.1:18110:8080", "http_server"])).code).toBe(0);
    expect(await answering(18110, 150)).toEqual(hello("e2e-scale", 1, 2, 3));

    const up = await pod(["scale", "e2e-scale", "5"]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("5/5 replicas ready");
    expect(await answering(18110, 250)).toEqual(hello("e2e-scale", 1, 2, 3, 4, 5));

    const down = await pod(["scale", "e2e-scale", "1"]);
    expect(down.code).toBe(0);
    expect(down.stderr.indexOf("stop replica e2e-scale-5")).toBeLessThan(down.stderr.indexOf("stop replica e2e-scale-2"));
    expect(await answering(18110, 50)).toEqual(hello("e2e-scale", 1));
    expect(await namesOf("e2e-scale")).toEqual(["e2e-scale-1", "e2e-scale-sandbox"]);
  });
});

describe("pod down", () => {
  it("leaves no container with the pod's label and frees the port", async () => {
    pods.add("e2e-down");
    expect((await pod(["up", "--name", "e2e-down", "--replicas", "2", "-p", "127.0.0.1:18120:8080", "http_server"])).code).toBe(0);
    expect(await portIsFree(18120)).toBe(false);
    const down = await pod(["down", "e2e-down"]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("pod e2e-down removed");
    expect(await containersOf("e2e-down")).toEqual([]);
    expect(await portIsFree(18120)).toBe(true);
  });

  it("finishes a half-broken pod: sandbox gone, replicas left", async (ctx) => {
    ctx.skip(onPodman, "Podman never removes a sandbox that replicas joined (has dependent containers): a pod cannot be half there this way");
    pods.add("e2e-half");
    expect((await pod(["up", "--name", "e2e-half", "--replicas", "2", "-p", "127.0.0.1:18121:8080", "http_server"])).code).toBe(0);
    expect((await docker(["rm", "-f", "e2e-half-sandbox"])).code).toBe(0);
    expect((await pod(["down", "e2e-half"])).code).toBe(0);
    expect(await containersOf("e2e-half")).toEqual([]);
  });

  it("says so and exits 0 when the pod does not exist", async () => {
    const r = await pod(["down", "e2e-never-was"]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe("no pod named e2e-never-was: nothing to remove");
  });
});

describe("pod ps", () => {
  it("shows name, image, replicas, ports, status and age; --json is an array", async () => {
    pods.add("e2e-ps");
    expect((await pod(["up", "--name", "e2e-ps", "--replicas", "2", "-p", "127.0.0.1:18130:8080", "http_server"])).code).toBe(0);
    const table = await pod(["ps"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+IMAGE\s+READY\s+PORTS\s+STATUS\s+AGE$/);
    expect(table.stdout).toMatch(/^e2e-ps\s+http_server\s+2\/2\s+127\.0\.0\.1:18130->8080\/tcp\s+running\s+\d+s$/m);

    await docker(["stop", "e2e-ps-2"]);
    const json = JSON.parse((await pod(["ps", "--json"])).stdout) as { name: string }[];
    const row = json.find((p) => p.name === "e2e-ps");
    expect(row).toMatchObject({
      name: "e2e-ps",
      image: "http_server",
      status: "degraded",
      reasons: ["1 exited"],
      replicas: { ready: 1, asked: 2 },
      ports: [{ hostIp: "127.0.0.1", hostPort: 18130, containerPort: 8080, protocol: "tcp" }],
    });
  });
});

describe("bad input: one line, non-zero exit, nothing created", () => {
  const cases: [string, string[], number, RegExp][] = [
    ["replicas not a whole number", ["up", "--name", "e2e-bad", "--replicas", "two", "http_server"], 2, /--replicas "two" is not a whole number/],
    ["negative replicas", ["up", "--name", "e2e-bad", "--replicas=-2", "http_server"], 2, /--replicas -2 is out of range/],
    ["replicas over the bound", ["up", "--name", "e2e-bad", "--replicas", "500", "http_server"], 2, /out of range; a pod runs 0 to 100 replicas/],
    ["malformed port", ["up", "--name", "e2e-bad", "-p", "80:80:80:80", "http_server"], 2, /--publish "80:80:80:80" is malformed/],
    ["port 0", ["up", "--name", "e2e-bad", "-p", "0:8080", "http_server"], 2, /port 0 is out of range/],
    ["port over 65535", ["up", "--name", "e2e-bad", "-p", "65536:8080", "http_server"], 2, /port 65536 is out of range/],
    ["unknown protocol", ["up", "--name", "e2e-bad", "-p", "80:8080/sctp", "http_server"], 2, /unknown protocol "sctp"/],
    ["one host port twice", ["up", "--name", "e2e-bad", "-p", "18140:8080", "-p", "18140:9090", "http_server"], 2, /host port 18140\/tcp is published twice/],
    ["image not on the engine", ["up", "--name", "e2e-bad", "--pull", "never", "no_such_image:1"], 1, /image no_such_image:1 is not on the engine; build it first/],
    ["invalid name", ["up", "--name=-bad", "http_server"], 2, /invalid pod name "-bad"/],
    ["scale of a missing pod", ["scale", "e2e-bad", "3"], 1, /no pod named e2e-bad on the engine/],
    ["a network option for replicas", ["up", "--name", "e2e-bad", "--expose", "9000", "http_server"], 2, /--expose is a network option, and replicas share the sandbox's network/],
  ];
  for (const [what, args, code, message] of cases) {
    it(what, async () => {
      pods.add("e2e-bad");
      const r = await pod(args);
      expect(r.code).toBe(code);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(await containersOf("e2e-bad")).toEqual([]);
    });
  }

  it("a host port already taken", async () => {
    pods.add("e2e-taken");
    const holder = await holdPort(18141);
    try {
      const r = await pod(["up", "--name", "e2e-taken", "--replicas", "2", "-p", "127.0.0.1:18141:8080", "http_server"]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n").filter((l) => l.startsWith("pod:"))).toEqual([
        "pod: host port 127.0.0.1:18141 is already in use; another container or program holds it: pick a free host port with -p HOST_PORT:CONTAINER_PORT",
      ]);
      expect(await containersOf("e2e-taken")).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it("no engine reachable: names the socket tried and how to start one", async () => {
    const r = await pod(["ps"], { DOCKER_HOST: "unix:///tmp/pod-no-engine.sock" });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "pod: no Docker engine answers at unix:///tmp/pod-no-engine.sock (ENOENT; from DOCKER_HOST); start one (`make build` in pod's checkout installs and starts Debian's docker.io), or point DOCKER_HOST, --host or --context at a running engine",
    );
  });
});

describe("a server bound to loopback only", () => {
  it("is not ready: nothing could reach it through the published port, and the hint says why", async () => {
    pods.add("e2e-loop");
    const r = await pod(["up", "--name", "e2e-loop", "--replicas", "1", "-p", "127.0.0.1:18142:8080", "-e", "HOST=127.0.0.1", "--ready-timeout", "3", "http_server"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not listen as it should");
    expect(r.stderr).toContain("on every address (0.0.0.0 or ::, not 127.0.0.1");
    expect(await containersOf("e2e-loop")).toEqual([]);
  });
});
