// The health options through the exported parser, against the fake engine: bad input fails
// in one line before any engine call; up and set record the check; --dry-run names it.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { Label } from "../../../src/state/labels.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

const recordedHealth = (name: string) => JSON.parse(engine.find(name)!.config.Labels[Label.spec]!).health;

describe("health options: bad input", () => {
  const bad: [string, RegExp][] = [
    ["up --health-interval 1x -p 80:8080 web", /--health-interval "1x" is not a duration \(unknown unit "x"\)/],
    ["up --health-timeout 30 -p 80:8080 web", /--health-timeout "30" is not a duration \(missing unit\)/],
    ["up --health-retries 0 -p 80:8080 web", /--health-retries 0: a check must be allowed to fail 1 or more times/],
    ["up --health-http health -p 80:8080 web", /--health-http "health" does not start with \//],
    ["up --health-http /health --no-healthcheck -p 80:8080 web", /--health-http and --no-healthcheck cannot be combined/],
    ["up --health-tcp --health-cmd true -p 80:8080 web", /--health-cmd and --health-tcp cannot be combined/],
    ["up --no-healthcheck --health-timeout 1s -p 80:8080 web", /--health-timeout has no meaning with --no-healthcheck/],
    ["up --health-http /health web", /--health-http needs a port, and the pod publishes no TCP port/],
    ["up --health-port 9000 -p 80:8080 web", /--health-port applies to --health-http and --health-tcp/],
    ["set web --health-interval=soon", /--health-interval "soon" is not a duration/],
    ["set web --health-http /a --health-tcp", /--health-http and --health-tcp cannot be combined/],
  ];
  for (const [line, message] of bad) {
    it(`refuses \`pod ${line}\` in one line, exit 2, with no engine call`, async () => {
      const r = await pod(line);
      expect(r.code).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/^pod: .+; .+/);
      expect(engine.calls).toEqual([]);
    });
  }
});

describe("health options: recorded", () => {
  it("up records pod's probe on each replica; no option records nothing (the image's own)", async () => {
    expect((await pod("up --replicas 2 -p 80:8080 --health-http /health --health-interval 1s --health-retries 2 web")).code).toBe(0);
    expect(recordedHealth("web-2")).toEqual({ check: { kind: "http", path: "/health", port: null }, intervalMs: 1000, timeoutMs: null, retries: 2, startPeriodMs: null });
    expect((await pod("up --replicas 1 -p 81:8080 --name plain web")).code).toBe(0);
    expect(recordedHealth("plain-1")).toBeUndefined();
  });

  it("set changes only the timing it names, replacing the replicas; --healthcheck goes back to the image's", async () => {
    await pod("up --replicas 1 -p 80:8080 --health-tcp --health-interval 2s web");
    const before = engine.find("web-1")!.id;
    const set = await pod("set web --health-timeout 500ms");
    expect(set.code, set.err).toBe(0);
    expect(engine.find("web-1")!.id).not.toBe(before);
    expect(recordedHealth("web-1")).toEqual({ check: { kind: "tcp", port: null }, intervalMs: 2000, timeoutMs: 500, retries: null, startPeriodMs: null });
    expect((await pod("set web --healthcheck")).code).toBe(0);
    expect(recordedHealth("web-1")).toBeUndefined();
  });

  it("set --health-port needs a probe in the record: exit 2, nothing changed", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    const before = engine.find("web-1")!.id;
    const r = await pod("set web --health-port 9000");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--health-port applies to --health-http and --health-tcp");
    expect(engine.find("web-1")!.id).toBe(before);
  });

  it("--dry-run names the change of check", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    const r = await pod("up --replicas 2 -p 80:8080 --health-http /health --health-interval 2s --dry-run web");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("health: the image's → http GET /health on 8080, interval 2s");
    expect(engine.calls.filter((c) => /^(create|start|stop|remove)/.test(c))).toEqual([]);
  });
});
