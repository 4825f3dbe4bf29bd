// the record, through up and scale, through the exported parser against the fake engine: what it asks of
// Docker, what it prints, its exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
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
