// The one change flow against the in-memory engine: a dry run gives the real run's verdict
// and exit code; a failure is reported per action; when undoing a failed change fails too,
// that is said; the executor returns a result per action and decides nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { execute, type ExecContext } from "../../../src/apply/execute.js";
import { run } from "../../../src/cli/parser.js";
import type { Plan } from "../../../src/plan/actions.js";
import { Probes } from "../../../src/probes/probes.js";
import { fakeDeps, FakeEngine, instantClock } from "../../support/fake-engine.js";
import { podSpec } from "../../support/builders.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

const writes = () => engine.calls.filter((c) => /^(create|start|stop|rename|remove|update|build)/.test(c));

describe("a dry run gives the real run's verdict and exit code", () => {
  const rows: { situation: string; before: string[]; line: string; code: number; says: RegExp }[] = [
    { situation: "a change that drops the published port needs a new sandbox", before: ["up --replicas 2 -p 80:8080 web"], line: "up --replicas 2 web", code: 2, says: /needs a new sandbox \(network settings changed\).*pass --recreate/ },
    { situation: "new replicas under another user than the serving ones", before: ["up --replicas 2 -p 80:8080 web"], line: "up --replicas 2 -p 80:8080 -u 1000 web", code: 2, says: /would run as user 1000 while the serving ones run as root/ },
    { situation: "an image the engine does not have, --pull never", before: [], line: "up -p 80:8080 --pull never nothere", code: 1, says: /image nothere is not on the engine/ },
    { situation: "scale of a pod that does not exist", before: [], line: "scale web 3", code: 1, says: /no pod named web on the engine/ },
    { situation: "rollback with no earlier generation", before: ["up --replicas 1 -p 80:8080 web"], line: "rollback web", code: 2, says: /has no earlier successful generation/ },
    { situation: "rollback to a generation that is not there", before: ["up --replicas 1 -p 80:8080 web"], line: "rollback web --to 7", code: 2, says: /has no generation 7/ },
  ];
  for (const row of rows) {
    it(`${row.situation}: exit ${row.code} both ways, and the dry run writes nothing`, async () => {
      for (const line of row.before) expect((await pod(line)).code).toBe(0);
      engine.calls.length = 0;
      const dry = await pod(`${row.line} --dry-run`);
      expect(dry.code, dry.err).toBe(row.code);
      expect(dry.err).toMatch(row.says);
      expect(writes()).toEqual([]);
      const real = await pod(row.line);
      expect(real.code).toBe(row.code);
      expect(real.errLines.at(-1)).toEqual(dry.errLines.at(-1));
    });
  }

  it("a dry run that would succeed exits 0 and prints the plan", async () => {
    const dry = await pod("up --replicas 2 -p 80:8080 --dry-run web");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("1. create sandbox web-sandbox (pod absent)");
  });
});

describe("failures, said whole", () => {
  it("the change failed, and so did undoing it: both are said, and what to do", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.crashing.add("web-1");
    // The undo renames the old replica back from its -old- name: that fails too.
    engine.fail("rename web-1-old", "rename refused");
    const r = await pod("up --replicas 2 -p 80:8080 web:v2");
    expect(r.code).toBe(1);
    expect(r.errLines.find((l) => l.startsWith("pod:"))).toMatch(/^pod: the change to pod web failed, and so did undoing it \(rename refused\); `pod ps web` shows what is left/);
    expect(r.err).toContain("web-1: exit code 1");
  });

  it("every failed action of a step is reported, not the first alone", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.fail("stop web-1", "stop web-1 refused");
    engine.fail("stop web-2", "stop web-2 refused");
    const r = await pod("up --replicas 2 -p 81:8080 --recreate web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("stop web-1 refused");
    expect(r.err).toContain("also: stop web-2 refused");
  });

  it("a new pod whose sandbox cannot start is removed whole, its record too", async () => {
    engine.fail("start web-sandbox", "driver failed programming external connectivity");
    const r = await pod("up --replicas 2 -p 80:8080 web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("pod web could not start and was removed");
    expect(engine.names()).toEqual([]);
  });

  it("no logs hint when no replica was made", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    engine.fail("rename web-1", "rename refused");
    const r = await pod("up --replicas 1 -p 80:8080 web:v2");
    expect(r.code).toBe(1);
    expect(r.err).not.toContain("--previous");
  });
});

describe("the executor", () => {
  function context(): ExecContext {
    return {
      engine,
      probes: new Probes(engine, engine.hostFiles),
      clock: instantClock(),
      emit: () => undefined,
      spec: podSpec(2),
      key: "k",
      facts: { kernelVersion: "6.1.0", migrateReq: true, hostMigrateReq: null },
      readyTimeoutMs: 1000,
      imageRefs: {},
      sandbox: null,
      routes: new Map(),
      previous: new Map(),
    };
  }

  it("returns a result per action, runs a step's actions together, and stops after a step with a failure", async () => {
    const ctx = context();
    const a = await engine.createContainer({ name: "web-1", Image: "web", Labels: {}, HostConfig: {} });
    const b = await engine.createContainer({ name: "web-2", Image: "web", Labels: {}, HostConfig: {} });
    engine.fail("remove web-2", "nope");
    const plan: Plan = {
      pod: "web",
      outage: null,
      steps: [
        [
          { kind: "remove-replica", replica: { id: a, name: "web-1", number: 1 }, reason: "test" },
          { kind: "remove-replica", replica: { id: b, name: "web-2", number: 2 }, reason: "test" },
        ],
        [{ kind: "remove-replica", replica: { id: "zzz", name: "web-3", number: 3 }, reason: "never reached" }],
      ],
    };
    const report = await execute(plan, ctx);
    expect(report.results.map((r) => [r.action.kind, r.error?.message ?? "done"])).toEqual([
      ["remove-replica", "done"],
      ["remove-replica", "nope"],
    ]);
    expect(report.failed).toHaveLength(1);
    expect(engine.names()).toEqual(["web-2"]);
  });

  for (const podman of [true, false]) {
    it(`a failed replica kept for its logs: ${podman ? "on Podman, stopped again while it keeps restarting, until it stays down" : "one stop"}`, async () => {
      const ctx = { ...context(), facts: { ...context().facts, fixedRestartPolicy: podman } };
      const id = await engine.createContainer({ name: "web-1", Image: "web", Labels: {}, HostConfig: { RestartPolicy: { Name: "unless-stopped" } } });
      // A crash loop: the first two stops do not hold (they find it between two restarts); while
      // it loops, each look sees one more restart.
      let stops = 0;
      let restarts = 0;
      engine.stopContainer = async () => ++stops > 2;
      const inspect = engine.inspectContainer.bind(engine);
      engine.inspectContainer = async (i) => ({ ...(await inspect(i))!, running: false, restartPolicy: "unless-stopped", restartCount: stops > 2 ? restarts : ++restarts });
      const report = await execute({ pod: "web", outage: null, steps: [[{ kind: "stop-replica", replica: { id, name: "web-1", number: 1 }, timeoutS: 0, keep: true, reason: "never served" }]] }, ctx);
      expect(report.failed).toEqual([]);
      expect(stops).toBe(podman ? 3 : 1);
      expect(engine.names()).toEqual([expect.stringMatching(/^web-1-prev-/)]);
    });
  }

  it("stops between steps when interrupted", async () => {
    const abort = new AbortController();
    abort.abort();
    const report = await execute({ pod: "web", outage: null, steps: [[{ kind: "remove-replica", replica: { id: "x", name: "web-1", number: 1 }, reason: "t" }]] }, context(), abort.signal);
    expect(report).toMatchObject({ interrupted: true, results: [] });
  });
});

describe("what each replica is created with", () => {
  it("a stop timeout always (Podman's compatible API makes an unnamed one 0: a kill with no drain)", async () => {
    expect((await pod("up --replicas 1 -p 80:8080 web")).code).toBe(0);
    expect(engine.find("web-1")!.config.StopTimeout).toBe(10);
    expect((await pod("up --replicas 1 -p 81:8080 --stop-timeout 3 --name api web")).code).toBe(0);
    expect(engine.find("api-1")!.config.StopTimeout).toBe(3);
  });
});
