// A multi-service compose file as `docker compose up -d` brings it up, with pods for
// services: nothing made beforehand; networks and the volume created and named as Compose
// names them; api healthy before web starts; a container on the project's network reaches
// api by name, answered by each of its replicas; down -f removes the networks and keeps the
// volume, down -f -v removes it too.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { docker, hello, onPodman, pod, podmanGap, requests } from "./harness.js";

const FILE = fileURLToPath(new URL("../fixtures-compose/project/compose.yaml", import.meta.url));
const env = { WEB_PORT: "18611" };

afterAll(async () => {
  await pod(["down", "-f", FILE, "-v"], env);
});

async function names(kind: "network" | "volume"): Promise<string[]> {
  const r = await docker([kind, "ls", "--filter", "label=com.docker.compose.project=e2e-shop", "--format", "{{.Name}}"]);
  return r.stdout.split("\n").filter(Boolean).sort();
}

async function label(container: string, key: string): Promise<string> {
  return (await docker(["inspect", "-f", `{{index .Config.Labels "${key}"}}`, container])).stdout.trim();
}

describe("a compose project", () => {
  it("comes up as Compose would: names, networks, volume, api healthy before web, service names resolve to every replica", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    const up = await pod(["up", "-f", FILE], env);
    expect(up.code, up.stderr).toBe(0);
    expect(await names("network")).toEqual(["e2e-shop_back", "e2e-shop_front"]);
    expect(await names("volume")).toEqual(["e2e-shop_data"]);
    // Compose's own labels beside pod's, and Compose's names.
    expect(await label("e2e-shop-web-2", "com.docker.compose.project")).toBe("e2e-shop");
    expect(await label("e2e-shop-web-2", "com.docker.compose.service")).toBe("web");
    expect(await label("e2e-shop-web-2", "com.docker.compose.container-number")).toBe("2");
    // depends_on service_healthy: every api replica was healthy before web's sandbox was made.
    const healthy = (await docker(["inspect", "-f", "{{.State.Health.Status}}", "e2e-shop-api-1", "e2e-shop-api-2"])).stdout.trim().split("\n");
    expect(healthy).toEqual(["healthy", "healthy"]);
    expect(up.stderr.indexOf("e2e-shop-api")).toBeLessThan(up.stderr.indexOf("e2e-shop-web-sandbox"));
    // The published port spreads over web's three replicas.
    expect([...new Set(await requests(18611, 90))].sort()).toEqual(hello("e2e-shop-web", 1, 2, 3));
    // On the project's network, `api` is the api pod, spread over both its replicas.
    const fetched = await docker(["run", "--rm", "--network", "e2e-shop_back", "--entrypoint", "/http_server", "http_server", "tool", "get", "http://api:8080/", "60"]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect([...new Set(fetched.stdout.split("\n").filter(Boolean))].sort()).toEqual(hello("e2e-shop-api", 1, 2));
    // The env_file reached web's replicas.
    expect((await docker(["exec", "e2e-shop-web-1", "/http_server", "tool", "env"])).stdout).toContain("GREETING=hello");
    // Logs over the project: every service's replicas, merged; `-f FILE` reads as the file, as compose users type it.
    for (const args of [["logs", "--file", FILE], ["logs", "-f", FILE]]) {
      const logs = await pod(args, env);
      expect(logs.code, logs.stderr).toBe(0);
      for (const c of ["e2e-shop-api-1", "e2e-shop-api-2", "e2e-shop-web-1", "e2e-shop-web-3"]) expect(logs.stdout).toMatch(new RegExp(`^${c}\\s+\\| `, "m"));
    }
    expect((await pod(["logs", "--file", FILE, "api"], env)).stdout).not.toContain("e2e-shop-web");
  });

  it("up -f again changes nothing; ps -f lists the project's pods", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    const ids = (await docker(["ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=e2e-shop"])).stdout.split("\n").sort();
    const again = await pod(["up", "-f", FILE], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("pod e2e-shop-web is up to date");
    expect((await docker(["ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=e2e-shop"])).stdout.split("\n").sort()).toEqual(ids);
    expect((await pod(["ps", "-f", FILE, "-q"], env)).stdout.trim().split("\n")).toEqual(["e2e-shop-api", "e2e-shop-web"]);
  });

  it("down -f removes the pods and the networks and keeps the volume; down -f -v removes it", async (ctx) => {
    ctx.skip(onPodman, `the project it removes is the one the tests above bring up: ${podmanGap.health}`);
    const down = await pod(["down", "-f", FILE], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr.indexOf("e2e-shop-web")).toBeLessThan(down.stderr.indexOf("e2e-shop-api"));
    expect(await names("network")).toEqual([]);
    expect(await names("volume")).toEqual(["e2e-shop_data"]);
    expect((await docker(["ps", "-aq", "--filter", "label=com.docker.compose.project=e2e-shop"])).stdout.trim()).toBe("");
    expect((await pod(["down", "-f", FILE, "-v"], env)).code).toBe(0);
    expect(await names("volume")).toEqual([]);
  });

  it("bad input names the file and the key, exits 2, and makes nothing", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "e2e-proj-"));
    const cases: [string, RegExp][] = [
      ["name: e2e-bad\nservices:\n  a: {image: http_server, depends_on: [b]}\n  b: {image: http_server, depends_on: [a]}\n", /depends_on.*cycle|cycle/],
      ["name: e2e-bad\nservices:\n  a: {image: http_server, depends_on: [nope]}\n", /services\.a\.depends_on.*nope/],
      ["name: e2e-bad\nservices:\n  a: {image: http_server, networks: [ext]}\nnetworks:\n  ext: {external: true, name: e2e-no-such-net}\n", /networks\.ext: the external network "e2e-no-such-net" does not exist/],
      ["name: e2e-bad\nservices:\n  a: {image: http_server, ports: ['18612:8080']}\n  b: {image: http_server, ports: ['18612:9090']}\n", /services\.b\.ports: host port 18612\/tcp is published by services\.a too/],
    ];
    for (const [i, [text, says]] of cases.entries()) {
      const file = join(dir, `bad${i}.yaml`);
      writeFileSync(file, text);
      const r = await pod(["up", "-f", file]);
      expect([r.code, r.stderr.trim().split("\n").length], r.stderr).toEqual([2, 1]);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).toContain(file);
    }
    expect((await docker(["ps", "-aq", "--filter", "label=com.docker.compose.project=e2e-bad"])).stdout.trim()).toBe("");
    expect((await docker(["network", "ls", "-q", "--filter", "label=com.docker.compose.project=e2e-bad"])).stdout.trim()).toBe("");
  });
});
