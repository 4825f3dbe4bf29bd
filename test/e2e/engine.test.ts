// The adapter's methods that no command uses yet, against the real engine: label-only
// images, networks and volumes, health, which engine, and failures that must read well.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { DockerEngine } from "../../src/engine/docker.js";
import { EngineError, ImagePullError } from "../../src/errors.js";
import { docker, ENGINE_HOST, onPodman, podmanGap } from "./harness.js";

const engine = new DockerEngine({ host: ENGINE_HOST, tls: null, context: "default", source: "default" });
const run = randomBytes(4).toString("hex");
const label = `dev.pod.e2e-engine=${run}`;
const made = { images: new Set<string>(), networks: new Set<string>(), volumes: new Set<string>(), containers: new Set<string>() };

afterAll(async () => {
  for (const id of made.containers) await engine.removeContainer(id);
  for (const ref of made.images) await engine.removeImage(ref);
  for (const id of made.networks) await engine.removeNetwork(id);
  for (const name of made.volumes) await engine.removeVolume(name);
  engine.close();
});

describe("which engine", () => {
  it(`${onPodman ? "Podman" : "Docker"}, with its version`, async () => {
    const info = await engine.info();
    const version = (await docker(["version", "--format", "{{.Server.Version}}"])).stdout.trim();
    expect(info).toMatchObject({ engine: onPodman ? "podman" : "docker", engineVersion: version, serverVersion: version });
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
  });
});

describe("label-only images", () => {
  it("any label value round-trips exactly: quotes, backslashes, newlines, unicode, 1 MB", async () => {
    const labels = {
      "dev.pod.e2e-engine": run,
      quotes: `"it's" \`so\``,
      backslashes: "C:\\path\\ \\\\ \\n \\\"",
      newlines: "line one\nline two\r\n\ttab",
      unicode: "é 漢字 🚀 \u2028 \u00a0",
      dollar: "$HOME ${X} $(id)",
      empty: "",
      big: randomBytes(512 * 1024).toString("hex"),
    };
    const repoTag = `e2e-engine-record:${run}`;
    made.images.add(repoTag);
    const id = await engine.createLabelledImage(repoTag, labels);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const listed = await engine.listImages([label]);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.id).toBe(id);
    // Podman qualifies the short name with localhost/ (the record reader takes both).
    expect(listed[0]!.repoTags).toEqual([onPodman ? `localhost/${repoTag}` : repoTag]);
    expect(listed[0]!.labels).toEqual(labels);
    // The CLI reads the same (on Docker: against Podman 4.3 the docker CLI's inspect prints nothing for this image).
    if (!onPodman) {
      const viaCli = JSON.parse((await docker(["image", "inspect", "--format", "{{json .Config.Labels}}", repoTag])).stdout) as Record<string, string>;
      expect(viaCli).toEqual(labels);
    }
    // Podman gives every image a repo digest (localhost/…@sha256:…), Docker none to a loaded one.
    expect(await engine.image(repoTag)).toMatchObject({ id, ...(onPodman ? {} : { repoDigests: [] }), healthcheck: false });
  });

  it("a second tag, then removal: untagged first, gone at the last; gone again is fine", async () => {
    const a = `e2e-engine-record:${run}-a`;
    const b = `e2e-engine-record:${run}-b`;
    made.images.add(a).add(b);
    const idA = await engine.createLabelledImage(a, { "dev.pod.e2e-engine": run, which: "a" });
    await engine.createLabelledImage(b, { "dev.pod.e2e-engine": run, which: "b" });
    expect((await engine.listImages([label, "which"])).map((i) => i.labels.which).sort()).toEqual(["a", "b"]);
    await engine.removeImage(a);
    expect(await engine.image(a)).toBeNull();
    expect(await engine.image(idA)).toBeNull();
    await engine.removeImage(a);
    await engine.removeImage(b);
    expect(await engine.listImages([label, "which"])).toEqual([]);
  });

  it("`docker container prune` and `docker volume prune` leave them", async () => {
    const repoTag = `e2e-engine-record:${run}-prune`;
    made.images.add(repoTag);
    const id = await engine.createLabelledImage(repoTag, { "dev.pod.e2e-engine": run });
    // Only this run's: never prune what others made.
    expect((await docker(["container", "prune", "-f", "--filter", `label=${label}`])).code).toBe(0);
    expect((await docker(["image", "prune", "-f", "--filter", `label=${label}`])).code).toBe(0);
    expect((await engine.image(repoTag))?.id).toBe(id);
  });
});

describe("networks and volumes", () => {
  it("a network: created with labels and options, found, listed by label, removed; gone is null", async () => {
    const name = `e2e-engine-net-${run}`;
    const id = await engine.createNetwork({ name, internal: true, labels: { "dev.pod.e2e-engine": run, project: "p" }, options: { "com.docker.network.bridge.enable_icc": "true" } });
    made.networks.add(id);
    expect(await engine.inspectNetwork(name)).toEqual({ id, name, labels: { "dev.pod.e2e-engine": run, project: "p" }, driver: "bridge", internal: true });
    expect((await engine.listNetworks([label, "project=p"])).map((n) => n.id)).toEqual([id]);
    const again = await engine.createNetwork({ name, labels: {} }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(EngineError);
    expect((again as EngineError).statusCode).toBe(409);
    await engine.removeNetwork(id);
    expect(await engine.inspectNetwork(name)).toBeNull();
    await engine.removeNetwork(id);
  });

  it("a volume: created with labels, found, listed, removed; one in use is refused with 409", async () => {
    const name = `e2e-engine-vol-${run}`;
    expect(await engine.createVolume({ name, labels: { "dev.pod.e2e-engine": run } })).toBe(name);
    made.volumes.add(name);
    expect(await engine.inspectVolume(name)).toEqual({ name, labels: { "dev.pod.e2e-engine": run }, driver: "local" });
    expect((await engine.listVolumes([label])).map((v) => v.name)).toEqual([name]);
    const user = await engine.createContainer({ name: `e2e-engine-vol-user-${run}`, Image: "http_server", Labels: { "dev.pod.e2e-engine": run }, HostConfig: { Mounts: [{ Type: "volume", Source: name, Target: "/data" }] } });
    made.containers.add(user);
    const inUse = await engine.removeVolume(name).catch((e: unknown) => e);
    expect(inUse).toBeInstanceOf(EngineError);
    expect((inUse as EngineError).statusCode).toBe(409);
    await engine.removeContainer(user);
    await engine.removeVolume(name);
    expect(await engine.inspectVolume(name)).toBeNull();
    await engine.removeVolume(name);
  });
});

describe("health", () => {
  async function withCheck(exit: number): Promise<string> {
    const id = await engine.createContainer({
      name: `e2e-engine-health-${exit}-${run}`,
      Image: "http_server",
      Labels: { "dev.pod.e2e-engine": run },
      Healthcheck: { Test: ["CMD", "/http_server", "tool", "exit", String(exit)], Interval: 200e6, Timeout: 1e9, Retries: 1, StartPeriod: 0 },
      HostConfig: { Tmpfs: { "/scratch": "size=1m" } },
    });
    made.containers.add(id);
    await engine.startContainer(id);
    return id;
  }

  it("starting, then healthy or unhealthy with the probe's code; none without a healthcheck", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    const [good, bad] = [await withCheck(0), await withCheck(3)];
    const first = await engine.inspectContainer(good);
    expect(first?.health?.status === "starting" || first?.health?.status === "healthy").toBe(true);
    const settled = async (id: string, status: string) => {
      for (let i = 0; i < 100; i++) {
        const h = (await engine.inspectContainer(id))?.health;
        if (h?.status === status) return h;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${id} never became ${status}`);
    };
    expect(await settled(good, "healthy")).toMatchObject({ status: "healthy", failingStreak: 0, lastExitCode: 0 });
    expect(await settled(bad, "unhealthy")).toMatchObject({ status: "unhealthy", lastExitCode: 3 });
    expect((await engine.inspectContainer(bad))!.health!.failingStreak).toBeGreaterThanOrEqual(1);
    const plain = await engine.createContainer({ name: `e2e-engine-plain-${run}`, Image: "http_server", Labels: { "dev.pod.e2e-engine": run }, HostConfig: {} });
    made.containers.add(plain);
    expect((await engine.inspectContainer(plain))?.health).toBeNull();
  });
});

describe("failures that read well", () => {
  it("an image reference with `..`: the engine's redirect is an error, not success", async () => {
    const err = await engine.image("../x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    // Podman refuses the reference itself (500); Docker redirects to a cleaned path.
    if (onPodman) return;
    expect((err as EngineError).statusCode).toBe(301);
    expect((err as Error).message).toBe("inspect image ../x: the engine answered with a redirect (HTTP 301) instead of a result");
  });

  it("a pull from a registry nothing answers: unreachable, naming it; the digest lookup too", async () => {
    const pull = await engine.pull("127.0.0.1:1/e2e/none:1", null, () => {}).catch((e: unknown) => e);
    expect(pull).toBeInstanceOf(ImagePullError);
    expect(pull).toMatchObject({ kind: "unreachable", registry: "127.0.0.1:1", ref: "127.0.0.1:1/e2e/none:1" });
    expect((pull as Error).message).toMatch(/^registry 127\.0\.0\.1:1 cannot be reached for 127\.0\.0\.1:1\/e2e\/none:1 \(.*connection refused/);
    const lookup = await engine.distribution("127.0.0.1:1/e2e/none:1", null).catch((e: unknown) => e);
    // Podman 4.3 has no /distribution endpoint: the adapter says it cannot ask (null).
    if (onPodman) return expect(lookup).toBeNull();
    expect(lookup).toBeInstanceOf(ImagePullError);
    expect(lookup).toMatchObject({ kind: "unreachable" });
  });
});
