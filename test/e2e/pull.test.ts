// Images from a registry, as users deploy them: a real registry on 127.0.0.1 (Debian's
// docker-registry with htpasswd), `docker login` credentials and a credential helper, pod up
// pulling what the engine lacks, `--pull always`, auto-update by the agent under load, bad
// references and refused credentials leaving nothing, and a heal after the tag moved running
// the recorded digest.
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { answering, docker, hello, idsOf, loadUntil, namesOf, onPodman, pod, podsToClean, waitServing } from "./harness.js";
import { run, useRegistry } from "./registry.js";

const registry = useRegistry();
const pods = podsToClean();
const LAYER = 400_000;

afterAll(async () => {
  await pod(["agent", "stop"]);
});

/** The registry's own docker config (after login) and the credential helper on PATH. */
const env = () => ({ ...registry().env, POD_AGENT: "0" });

async function imageId(ref: string): Promise<string> {
  return (await docker(["image", "inspect", "-f", "{{.Id}}", ref])).stdout.trim();
}

async function inspect(name: string) {
  return JSON.parse((await pod(["inspect", name], env())).stdout);
}

describe("pulling from a registry", () => {
  it("pulls a missing image with docker login's credentials, pins its digest, and serves", async () => {
    await registry().login();
    const ref = await registry().pushFresh("team/web:1.0", LAYER);
    pods.add("e2e-pull1");
    const r = await pod(["up", "--name", "e2e-pull1", "--replicas", "3", "-p", "127.0.0.1:18601:8080", ref], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pulled|Pull complete|layer/i);
    expect(await answering(18601, 60)).toEqual(hello("e2e-pull1", 1, 2, 3));
    const repoDigest = (await docker(["image", "inspect", "-f", "{{index .RepoDigests 0}}", ref])).stdout.trim();
    expect((await inspect("e2e-pull1")).spec.replica.digest).toBe(repoDigest);
    expect((await pod(["history", "e2e-pull1"], env())).stdout).toContain(repoDigest.slice(repoDigest.indexOf("@sha256:") + 8, repoDigest.indexOf("@sha256:") + 20));
  });

  it("pulls with a credential helper (credsStore), and no secret reaches the output or the record", async () => {
    const ref = await registry().pushFresh("team/helper:1.0", LAYER);
    const dir = mkdtempSync(join(registry().root, "helper-config-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ credsStore: "test" }));
    pods.add("e2e-pull2");
    const r = await pod(["up", "--name", "e2e-pull2", "--replicas", "2", "-p", "127.0.0.1:18602:8080", ref], { ...env(), DOCKER_CONFIG: dir });
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout + r.stderr + (await pod(["inspect", "e2e-pull2"], env())).stdout;
    expect(all).not.toContain("helper-secret");
    expect(all).not.toContain(registry().password);
  });

  it("--pull always: up to date while the tag stays, a start-first rollout with no failed request once it moves", async () => {
    const ref = await registry().pushFresh("team/moving:1.0", LAYER);
    pods.add("e2e-pull3");
    const args = ["up", "--name", "e2e-pull3", "--replicas", "2", "-p", "127.0.0.1:18603:8080", "--pull", "always", ref];
    expect((await pod(args, env())).code).toBe(0);
    const before = await idsOf("e2e-pull3-1", "e2e-pull3-2");
    const same = await pod(args, env());
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain("is up to date");
    expect(await idsOf("e2e-pull3-1", "e2e-pull3-2")).toEqual(before);

    const oldId = await imageId(ref);
    await registry().pushFresh("team/moving:1.0", LAYER); // the tag moves; the engine no longer has it
    const rollout = pod(args, env());
    const load = await loadUntil(18603, rollout);
    const moved = await rollout;
    expect(moved.code, moved.stderr).toBe(0);
    expect(load.errors + load.non2xx, load.raw).toBe(0);
    expect(load.total).toBeGreaterThan(100);
    const ids = await idsOf("e2e-pull3-1", "e2e-pull3-2");
    expect(ids.filter((id) => before.includes(id))).toEqual([]);
    expect((await inspect("e2e-pull3")).spec.replica.imageId).not.toBe(oldId);
  });

  it("a heal after the tag moved runs the recorded digest, not what the tag names now", async () => {
    const ref = await registry().pushFresh("team/pinned:1.0", LAYER);
    pods.add("e2e-pull4");
    expect((await pod(["up", "--name", "e2e-pull4", "--replicas", "2", "-p", "127.0.0.1:18604:8080", ref], env())).code).toBe(0);
    const recorded = await imageId(ref);
    await registry().pushFresh("team/pinned:1.0", LAYER);
    expect((await run("docker", ["pull", ref], { env: registry().env })).code).toBe(0); // the engine's tag now names the new image
    expect(await imageId(ref)).not.toBe(recorded);
    await docker(["rm", "-f", "e2e-pull4-2"]);
    const r = await pod(["scale", "e2e-pull4", "2"], env());
    expect(r.code, r.stderr).toBe(0);
    expect((await docker(["inspect", "-f", "{{.Image}}", "e2e-pull4-2"])).stdout.trim()).toBe(recorded);
  });
});

describe("bad references and refused credentials: one line, a non-zero exit, nothing left", () => {
  it("a tag the registry does not have", async () => {
    const ref = `${registry().address}/team/web:no-such-tag`;
    const r = await pod(["up", "--name", "e2e-pull5", "-p", "127.0.0.1:18605:8080", ref], env());
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`not found in ${registry().address}`);
    expect(await namesOf("e2e-pull5")).toEqual([]);
  });

  it("refused credentials name the registry and docker login", async () => {
    const ref = await registry().pushFresh("team/private:1.0", LAYER);
    const dir = mkdtempSync(join(registry().root, "wrong-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [registry().address]: { auth: Buffer.from(`${registry().user}:wrong`).toString("base64") } } }));
    const r = await pod(["up", "--name", "e2e-pull6", "-p", "127.0.0.1:18606:8080", ref], { ...env(), DOCKER_CONFIG: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`docker login ${registry().address}`);
    expect(r.stderr).not.toContain("wrong");
    expect(await namesOf("e2e-pull6")).toEqual([]);
  });

  it("an unreachable registry changes nothing of a serving pod", async () => {
    pods.add("e2e-pull7");
    expect((await pod(["up", "--name", "e2e-pull7", "--replicas", "2", "-p", "127.0.0.1:18607:8080", "--no-agent", "http_server"])).code).toBe(0);
    const before = await idsOf("e2e-pull7-1", "e2e-pull7-2");
    const r = await pod(["up", "--name", "e2e-pull7", "--replicas", "2", "-p", "127.0.0.1:18607:8080", "127.0.0.1:1/team/web:1.0"], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1.*cannot be reached.*: nothing was changed/);
    expect(await idsOf("e2e-pull7-1", "e2e-pull7-2")).toEqual(before);
    expect(await answering(18607, 30)).toEqual(hello("e2e-pull7", 1, 2));
  });
});

describe(`auto-update${onPodman ? " (on Podman, which has no /distribution: the agent learns the digest by pulling)" : ""}`, () => {
  it("the agent rolls an opted-in pod out when its tag moves, with no failed request under load", async () => {
    const ref = await registry().pushFresh("team/auto:1.0", LAYER);
    pods.add("e2e-auto");
    const up = await pod(["up", "--name", "e2e-auto", "--replicas", "2", "-p", "127.0.0.1:18608:8080", "--auto-update", "--auto-update-interval", "10", ref], { ...env(), POD_AGENT: "" });
    expect(up.code, up.stderr).toBe(0);
    expect((await pod(["ps"], env())).stdout).toMatch(/e2e-auto\s+\S+ \(auto-update\)/);
    const before = await idsOf("e2e-auto-1", "e2e-auto-2");
    await registry().pushFresh("team/auto:1.0", LAYER);
    const updated = (async () => {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const logs = (await pod(["agent", "logs"])).stdout;
        if (/e2e-auto: updated to generation 2/.test(logs)) return logs;
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`no update in the agent's log: ${(await pod(["agent", "logs"])).stdout}`);
    })();
    const load = await loadUntil(18608, updated, 120);
    const logs = await updated;
    expect(logs).toMatch(/e2e-auto: team\/auto:1\.0 moved in its registry|e2e-auto: .*moved in its registry/);
    expect(load.errors + load.non2xx, load.raw).toBe(0);
    expect(load.total).toBeGreaterThan(100);
    expect((await idsOf("e2e-auto-1", "e2e-auto-2")).filter((id) => before.includes(id))).toEqual([]);
    await waitServing(18608, hello("e2e-auto", 1, 2));
    expect((await pod(["set", "e2e-auto", "--no-auto-update"], env())).code).toBe(0);
    expect((await pod(["ps"], env())).stdout).not.toContain("(auto-update)");
  });
});
