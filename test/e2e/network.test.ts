// Networking on the real engine: a pod's names on user networks, the host's own network.
// Clients are curl on 127.0.0.1 and sibling containers on networks the test made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBy, docker, hello, pod, podsToClean, portIsFree, requests } from "./harness.js";

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
    expect(up.stdout).toContain("ports  host:18802/tcp");
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
