// Networking on the real engine: a pod's names on user networks, the host's own network.
// Clients are curl on 127.0.0.1 and sibling containers on networks the test made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBy, docker, hello, loadUntil, pod, podsToClean, portIsFree, requests } from "./harness.js";

const pods = podsToClean();
const NET = "e2e-podnet";

beforeAll(async () => {
  await docker(["network", "rm", NET]);
  expect((await docker(["network", "create", NET])).code).toBe(0);
});

afterAll(async () => {
  await docker(["rm", "-f", "e2e-sibling"]);
  await docker(["network", "rm", NET]);
});

/** A sibling on the network asks `url` n times, a new connection each: the answers. */
async function fromSibling(url: string, n: number): Promise<string[]> {
  const r = await docker(["run", "--rm", "--name", "e2e-sibling", "--network", NET, "http_server", "tool", "get", url, String(n)]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

describe("names on user networks", () => {
  it("a sibling reaches the pod by its name and by its alias, and every replica answers", async () => {
    pods.add("e2e-names");
    const up = await pod(["up", "--name", "e2e-names", "--replicas", "3", "--network", NET, "--network-alias", "api", "-p", "127.0.0.1:18801:8080", "http_server"]);
    expect(up.code, up.stderr).toBe(0);
    for (const host of ["e2e-names", "api"]) {
      const answers = await fromSibling(`http://${host}:8080/`, 90);
      expect(answers).toHaveLength(90);
      expect([...countBy(answers).keys()].sort()).toEqual(hello("e2e-names", 1, 2, 3));
    }
    // The published port still works from the host.
    expect([...new Set(await requests(18801, 60))].sort()).toEqual(hello("e2e-names", 1, 2, 3));
  });
});

describe("--network host", () => {
  it("serves with 3 replicas on the host's own network, and down frees the port", async () => {
    pods.add("e2e-host");
    const up = await pod(["up", "--name", "e2e-host", "--network", "host", "-p", "18802", "-e", "PORT=18802", "--replicas", "3", "http_server"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^  ports +host:18802\/tcp$/m);
    const lines = await requests(18802, 90);
    expect(lines).toHaveLength(90);
    expect([...countBy(lines).keys()].sort()).toEqual(hello("e2e-host", 1, 2, 3));
    const ps = JSON.parse((await pod(["ps", "e2e-host", "--json"])).stdout)[0];
    expect(ps).toMatchObject({ status: "running", balance: "host", replicas: { ready: 3, asked: 3 } });
    expect((await pod(["scale", "e2e-host", "1"])).code).toBe(0);
    expect([...new Set(await requests(18802, 20))]).toEqual(hello("e2e-host", 1));
    expect((await pod(["down", "e2e-host"])).code).toBe(0);
    expect(await portIsFree(18802)).toBe(true);
  });

  it("refuses a port mapping on the host's network", async () => {
    const r = await pod(["up", "--name", "e2e-hostbad", "--network", "host", "-p", "80:8080", "http_server"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("with --network host the host port is the container port; write -p 8080");
  });
});

describe("--balance dnat", () => {
  it("a server without SO_REUSEPORT spreads over 3 replicas, and scales 3 → 1 → 3 under load with no failed request", async () => {
    pods.add("e2e-dnat");
    const up = await pod(["up", "--name", "e2e-dnat", "--balance", "dnat", "--replicas", "3", "-p", "127.0.0.1:18803:8080", "-e", "REUSEPORT=0", "http_server"]);
    expect(up.code, up.stderr).toBe(0);
    const lines = await requests(18803, 150);
    expect(lines).toHaveLength(150);
    const counts = countBy(lines);
    expect([...counts.keys()].sort()).toEqual(hello("e2e-dnat", 1, 2, 3));
    for (const [replica, n] of counts) expect(n, replica).toBeGreaterThanOrEqual(20);
    // Only the sandbox may write rules: the replicas get no capability.
    // Docker says null for none, Podman [].
    const caps = JSON.parse((await docker(["inspect", "e2e-dnat-sandbox", "e2e-dnat-1"])).stdout).map((c: any) => c.HostConfig.CapAdd ?? []);
    expect(caps).toEqual([["NET_ADMIN"], []]);

    let finish!: () => void;
    const load = loadUntil(18803, new Promise<void>((r) => (finish = r)));
    await new Promise((r) => setTimeout(r, 1000));
    const down = await pod(["scale", "e2e-dnat", "1"]);
    const again = await pod(["scale", "e2e-dnat", "3"]);
    await new Promise((r) => setTimeout(r, 500));
    finish();
    const result = await load;
    expect(down.code, down.stderr).toBe(0);
    expect(again.code, again.stderr).toBe(0);
    expect(result.total, result.raw).toBeGreaterThan(500);
    expect(result.errors, result.raw).toBe(0);
    expect(result.non2xx, result.raw).toBe(0);
    expect([...new Set(await requests(18803, 90))].sort()).toEqual(hello("e2e-dnat", 1, 2, 3));
  });

  it("in reuseport mode, a server without SO_REUSEPORT is refused with a diagnosis that points at --balance dnat", async () => {
    pods.add("e2e-dnat-hint");
    const r = await pod(["up", "--name", "e2e-dnat-hint", "--replicas", "2", "-p", "127.0.0.1:18804:8080", "-e", "REUSEPORT=0", "http_server"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("for a server that cannot, use --balance dnat");
  });
});
