// Images from a registry, through the change flow and the in-memory engine's registry: pulled
// before anything is touched, pinned by digest in the record, `--pull always` rolling out only
// when the tag moved, and a heal running the recorded image, never what the tag names now.
import { beforeEach, describe, expect, it } from "vitest";
import { pullDecision } from "../../../src/apply/pull.js";
import { run } from "../../../src/cli/parser.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;
const REF = "reg.test:5000/team/web:1.0";
const D1 = `sha256:${"d1".repeat(32)}`;
const D2 = `sha256:${"d2".repeat(32)}`;

beforeEach(() => {
  engine = new FakeEngine();
  engine.registry[REF] = { id: "sha256:one", digest: D1 };
});

async function pod(line: string) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

const writes = () => engine.calls.filter((c) => /^(create|start|stop|rename|remove|update)/.test(c));

describe("pull decisions", () => {
  const image = (digests: string[]) => ({ id: "sha256:x", user: "", repoDigests: digests, healthcheck: false });
  const rows: [string, Parameters<typeof pullDecision>, "pull" | "keep"][] = [
    ["missing, not on the engine: pull", ["missing", null, null], "pull"],
    ["missing, on the engine: keep", ["missing", image([]), null], "keep"],
    ["never, not on the engine: keep (the check refuses)", ["never", null, null], "keep"],
    ["always, the registry has the same digest: keep", ["always", image(["r/web@sha256:d1"]), "sha256:d1"], "keep"],
    ["always, the tag moved: pull", ["always", image(["r/web@sha256:d1"]), "sha256:d2"], "pull"],
    ["always, a local build (no repo digest): pull", ["always", image([]), "sha256:d1"], "pull"],
  ];
  for (const [situation, args, expected] of rows) it(situation, () => expect(pullDecision(...args)).toBe(expected));
});

describe("pulling through a change", () => {
  it("pulls a missing image before anything else, and records its digest", async () => {
    const r = await pod(`up --replicas 2 -p 80:8080 ${REF}`);
    expect(r.code, r.err).toBe(0);
    expect(engine.calls.indexOf(`pull ${REF}`)).toBeLessThan(engine.calls.findIndex((c) => c.startsWith("create")));
    const doc = JSON.parse((await pod("inspect web")).out);
    expect(doc.spec.replica.digest).toBe(`reg.test:5000/team/web@${D1}`);
  });

  it("a failed pull leaves nothing: no lock, no record, no container", async () => {
    const r = await pod("up --replicas 2 -p 80:8080 reg.test:5000/team/nothere:1");
    expect(r.code).toBe(1);
    expect(r.err).toContain("is not found in");
    expect(writes()).toEqual([]);
    expect(engine.names()).toEqual([]);
  });

  it("a failed pull leaves a serving pod exactly as it was", async () => {
    await pod(`up --replicas 2 -p 80:8080 ${REF}`);
    const before = engine.names();
    engine.calls.length = 0;
    engine.fail(`pull reg.test:5000/team/web:2.0`, "dial tcp 127.0.0.1:5000: connect: connection refused");
    engine.registry["reg.test:5000/team/web:2.0"] = { id: "sha256:two", digest: D2 };
    const r = await pod("up --replicas 2 -p 80:8080 --name web reg.test:5000/team/web:2.0");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^pod: registry reg\.test:5000 cannot be reached for reg\.test:5000\/team\/web:2\.0 \(.*connection refused\): nothing was changed/);
    expect(writes()).toEqual([]);
    expect(engine.names()).toEqual(before);
  });

  for (const flavour of ["docker", "podman"] as const) {
    // Podman 4.3 has no /distribution: pod pulls, and says up to date when the pull brought the same image.
    it(`--pull always on an unchanged command line (${flavour}): up to date while the tag stays, a start-first rollout once it moves`, async () => {
      engine.flavour = flavour;
      await pod(`up --replicas 2 -p 80:8080 ${REF}`);
      engine.calls.length = 0;
      const same = await pod(`up --replicas 2 -p 80:8080 --pull always ${REF}`);
      expect(same.code, same.err).toBe(0);
      expect(same.err).toContain("is up to date");
      expect(writes().filter((c) => !c.endsWith("web-lock"))).toEqual([]);
      if (flavour === "docker") expect(engine.calls.filter((c) => c.startsWith("pull"))).toEqual([]);
      engine.registry[REF] = { id: "sha256:two", digest: D2 };
      const moved = await pod(`up --replicas 2 -p 80:8080 --pull always ${REF}`);
      expect(moved.code, moved.err).toBe(0);
      expect(moved.err).toMatch(/rename replica web-1 to web-1-old-/);
      const doc = JSON.parse((await pod("inspect web")).out);
      expect(doc.spec.replica).toMatchObject({ imageId: "sha256:two", digest: `reg.test:5000/team/web@${D2}` });
    });
  }

  it("a heal after the tag moved and the image was removed runs the recorded digest, not the tag", async () => {
    await pod(`up --replicas 2 -p 80:8080 ${REF}`);
    engine.registry[REF] = { id: "sha256:two", digest: D2 };
    // The old image is gone from the engine (a prune), and a replica with it.
    delete engine.images[REF];
    await engine.removeContainer(engine.find("web-2")!.id);
    // The registry still serves the old manifest by digest.
    engine.registry["reg.test:5000/team/web:old"] = { id: "sha256:one", digest: D1 };
    const r = await pod("scale web 2");
    expect(r.code, r.err).toBe(0);
    expect(engine.calls).toContain(`pull reg.test:5000/team/web@${D1}`);
    expect(engine.find("web-2")!.config.Image).toBe("sha256:one");
  });

  it("a dry run asks the registry, pulls nothing, and shows the change", async () => {
    const r = await pod(`up --replicas 2 -p 80:8080 --dry-run ${REF}`);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`would pull ${REF}`);
    expect(r.out).toContain("pod web would be created");
    expect(engine.calls.filter((c) => c.startsWith("pull"))).toEqual([]);
  });

  describe("on an engine that cannot ask the registry without a pull (Podman 4.3: no /distribution)", () => {
    beforeEach(() => {
      engine.flavour = "podman";
    });

    it("a dry run pulls nothing and still shows the change", async () => {
      const r = await pod(`up --replicas 2 -p 80:8080 --dry-run ${REF}`);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain(`would pull ${REF} (its id is known once pulled)`);
      expect(r.out).toContain("pod web would be created");
      expect(engine.calls.filter((c) => c.startsWith("pull"))).toEqual([]);
    });

    it("the agent's auto-update learns the registry's digest by pulling", async () => {
      await pod(`up --replicas 2 -p 80:8080 ${REF}`);
      const { registryDigest } = await import("../../../src/apply/pull.js");
      const { deps } = fakeDeps(engine);
      const flow = { engine, probes: deps.probes(engine), auth: async () => null, clock: deps.clock, emit: () => undefined };
      expect(await registryDigest(flow, REF, null)).toEqual({ digest: D1, pulled: true });
      engine.registry[REF] = { id: "sha256:two", digest: D2 };
      expect(await registryDigest(flow, REF, null)).toEqual({ digest: D2, pulled: true });
    });
  });

  it("--pull with a bad policy is one line, exit 2, before any engine call", async () => {
    const r = await pod(`up --pull sometimes ${REF}`);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(['pod: --pull "sometimes" is not a pull policy; use missing (the default: pull when the engine lacks it), always (when the registry has a newer one) or never']);
    expect(engine.calls).toEqual([]);
  });
});
