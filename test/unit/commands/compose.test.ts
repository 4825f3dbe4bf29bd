// compose files and exports, through the exported parser against the fake engine: what it asks of
// Docker, what it prints, its exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
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

describe("compose files and exports", () => {
  const compose = "services:\n  api:\n    image: web\n    ports: ['80:8080']\n    deploy:\n      replicas: 2\n  worker:\n    image: web:v2\n";

  it("up -f makes one pod per service, named as Compose names them (PROJECT-SERVICE, the project the file's directory or -p); down -f removes them", async () => {
    const r = await pod("up -f /c/compose.yaml", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-sandbox", "c-worker-1", "c-worker-sandbox"]);
    expect((await pod("down -f /c/compose.yaml worker", { "/c/compose.yaml": compose })).code).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-sandbox"]);
    expect((await pod("up -f /c/compose.yaml --project-name shop api", { "/c/compose.yaml": compose })).code).toBe(0);
    expect(engine.podNames()).toContain("shop-api-sandbox");
  });

  it("up -f --dry-run of a new project: the networks it would make count as there, and nothing is made", async () => {
    const file = "services:\n  api:\n    image: web\n    networks: [back]\nnetworks:\n  back: {}\n";
    const r = await pod("up -f /c/compose.yaml --dry-run", { "/c/compose.yaml": file });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("would create network c_back");
    expect(r.out).toContain("pod c-api");
    expect(engine.podNames()).toEqual([]);
    expect(engine.calls.filter((c) => /^(create|start)/.test(c))).toEqual([]);
  });

  it("refuses a compose file that cannot be read, and two project names", async () => {
    expect((await pod("up -f /nope.yaml")).err).toContain("-f /nope.yaml cannot be read");
    expect((await pod("up -f /c/compose.yaml -p a --project-name b", { "/c/compose.yaml": compose })).err).toContain("-p and --project-name both name the project");
  });

  it("refuses the command line's spec options with -f, and a port given as -p, before any engine call", async () => {
    const rows: [string, string][] = [
      ["up -f /c/compose.yaml --replicas 5 -e X=1", "pod: with -f, --replicas is not taken: the compose file is the whole spec; set deploy.replicas in the file, or pass --scale SERVICE=N"],
      ["up -f /c/compose.yaml -e X=1", "pod: with -f, --env is not taken: the compose file is the whole spec; put it under the service's environment: in the file"],
      ["up -f /c/compose.yaml --balance dnat", "pod: with -f, --balance is not taken: the compose file is the whole spec; set x-pod: {balance: ...} in the service"],
      ["up -f /c/compose.yaml --expose 80", "pod: with -f, --expose is not taken: the compose file is the whole spec; write the service's own key in the file"],
      ["up -f /c/compose.yaml -- serve", "pod: with -f, a command after -- is not taken: the compose file is the whole spec; set the service's command: in the file"],
      ["up -f /c/compose.yaml -p 19280:8080", 'pod: with -f, -p names the project, as docker compose -p does: "19280:8080" is a port; ports come from the compose file\'s ports: (to name a project so, write --project-name)'],
      ["up -f /c/compose.yaml -p Shop", 'pod: -p "Shop" is not a project name: it must consist only of lowercase letters, digits, dashes and underscores, and start with a letter or digit; as Compose requires; e.g. shop'],
      ["up -f /c/compose.yaml --scale api", 'pod: --scale "api" is not SERVICE=N; e.g. --scale web=3'],
      ["up -f /c/compose.yaml --scale db=2", "pod: /c/compose.yaml: --scale db: no such service in this file; services here: api, worker"],
      ["up --scale api=2 web", "pod: --scale SERVICE=N needs -f and a compose file; without one, --replicas N sets the count"],
    ];
    for (const [line, expected] of rows) {
      const r = await pod(line, { "/c/compose.yaml": compose });
      expect([r.code, r.errLines], line).toEqual([2, [expected]]);
    }
    expect(engine.calls).toEqual([]);
  });

  it("--scale SERVICE=N sets that service's count, as Compose's does", async () => {
    const r = await pod("up -f /c/compose.yaml --scale api=3 --scale worker=0", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames()).toEqual(["c-api-1", "c-api-2", "c-api-3", "c-api-sandbox", "c-worker-sandbox"]);
  });

  it("two services on one host port: refused before anything is made (issue 20, defect 4)", async () => {
    const clash = "services:\n  a:\n    image: web\n    ports: ['80:8080']\n  b:\n    image: web\n    ports: ['80:9090']\n";
    const r = await pod("up -f /c/clash.yaml", { "/c/clash.yaml": clash });
    expect([r.code, r.errLines]).toEqual([2, ["pod: /c/clash.yaml: services.b.ports: host port 80/tcp is published by services.a too (0.0.0.0:80->8080/tcp and 0.0.0.0:80->9090/tcp); one service's replicas share a port; two services cannot: give one of them another host port"]]);
    expect(engine.calls).toEqual([]);
  });

  it("up -f says the file's warnings once; ps -f and down -f do not repeat them; down goes dependents first", async () => {
    const file = "services:\n  web:\n    image: web\n    restart: always\n    depends_on: [db]\n  db:\n    image: web:v2\n";
    const up = await pod("up -f /c/w.yaml", { "/c/w.yaml": file });
    expect(up.code, up.err).toBe(0);
    expect(engine.find("c-web-1")!.config.HostConfig.RestartPolicy).toEqual({ Name: "always" });
    expect(engine.calls.filter((c) => /^create c-(db|web)-sandbox$/.test(c))).toEqual(["create c-db-sandbox", "create c-web-sandbox"]);
    const ps = await pod("ps -f /c/w.yaml -q", { "/c/w.yaml": file });
    expect([ps.out, ps.err]).toEqual(["c-db\nc-web", ""]);
    engine.calls.length = 0;
    const down = await pod("down -f /c/w.yaml", { "/c/w.yaml": file });
    expect(down.code, down.err).toBe(0);
    expect(down.err).not.toContain("ignored");
    expect(engine.calls.filter((c) => /^remove c-(db|web)-sandbox$/.test(c))).toEqual(["remove c-web-sandbox", "remove c-db-sandbox"]);
  });

  it("config -f prints the normalised project, reads no engine, and checks with -q", async () => {
    const r = await pod("config -f /c/compose.yaml", { "/c/compose.yaml": compose });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^name: c\nservices:\n  api:\n/);
    expect(r.out).toContain("networks:\n  default:\n    name: c_default");
    expect((await pod("config -f /c/compose.yaml --services", { "/c/compose.yaml": compose })).out).toBe("api\nworker");
    expect(JSON.parse((await pod("config -f /c/compose.yaml --format json -p shop", { "/c/compose.yaml": compose })).out).name).toBe("shop");
    const quiet = await pod("config -f /c/compose.yaml -q", { "/c/compose.yaml": compose });
    expect([quiet.code, quiet.out, quiet.err]).toEqual([0, "", ""]);
    const bad = await pod("config -f /c/bad.yaml -q", { "/c/bad.yaml": "services:\n  web:\n    imgae: x\n" });
    expect([bad.code, bad.errLines.length]).toEqual([2, 1]);
    expect(engine.calls).toEqual([]);
  });

  it("export writes the recorded spec as kubernetes, swarm or compose", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    expect((await pod("export web --to kubernetes")).out).toMatch(/kind: Deployment[\s\S]*kind: Service/);
    expect((await pod("export web --to swarm")).out).toContain("order: start-first");
    expect((await pod("export web --to compose")).out).toContain("x-pod");
    expect((await pod("export web --to helm")).code).toBe(2);
  });
});
