// Beyond one host: a compose file in, Kubernetes, Swarm and Compose out — on the real engine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { docker, hello, namesOf, onPodman, pod, podsToClean, requests } from "./harness.js";

const pods = podsToClean();
const FIXTURES = fileURLToPath(new URL("../fixtures-compose/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pod-compose-"));

async function spec(name: string): Promise<unknown> {
  const r = await pod(["inspect", name]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).spec;
}

describe("compose in", () => {
  it("deploy.replicas: 3 and a published port run as a 3-replica pod serving on that port; ps -f and down -f", async () => {
    pods.add("replicas-web");
    pods.add("e2e-proj-web");
    const file = `${FIXTURES}replicas/compose.yaml`;
    const up = await pod(["up", "-f", file], { WEB_PORT: "18391" });
    expect(up.code, up.stderr).toBe(0);
    // The project is the file's directory, as Compose names it: pods are PROJECT-SERVICE.
    expect(up.stdout).toContain("pod replicas-web: 3/3 replicas ready (running)");
    expect([...new Set(await requests(18391, 90))].sort()).toEqual(hello("replicas-web", 1, 2, 3));
    const ps = await pod(["ps", "-f", file, "-q"]);
    expect(ps.stdout.trim()).toBe("replicas-web");
    expect((await pod(["down", "-f", file])).code).toBe(0);
    expect(await namesOf("replicas-web")).toEqual([]);
    // -p names the project: pods are PROJECT-SERVICE.
    const proj = await pod(["up", "-f", file, "-p", "e2e-proj"], { WEB_PORT: "18395" });
    expect(proj.code, proj.stderr).toBe(0);
    expect([...new Set(await requests(18395, 60))].sort()).toEqual(hello("e2e-proj-web", 1, 2, 3));
    expect((await pod(["down", "-f", file, "-p", "e2e-proj"])).code).toBe(0);
  });

  it("config -f prints the project as Compose names it, and touches no engine", async () => {
    const r = await pod(["config", "-f", `${FIXTURES}replicas/compose.yaml`], { WEB_PORT: "18397" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name: replicas\nservices:\n  web:\n/);
    expect(r.stdout).toContain('published: "18397"');
    expect(r.stdout).toContain("networks:\n  default:\n    name: replicas_default");
  });

  it("build: is refused with the command that builds the image first; unknown keys are warned about", async () => {
    const file = join(dir, "build.yaml");
    writeFileSync(file, "services:\n  app:\n    build: ./app\n    image: myapp:1\n");
    const r = await pod(["up", "-f", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/docker build -t myapp:1 .*app/);
    const warn = join(dir, "warn.yaml");
    writeFileSync(warn, "name: e2e-wproj\nservices:\n  warn:\n    image: http_server\n    stop_grace_period: 1s\n    cap_add: [NET_ADMIN]\n    ports: ['127.0.0.1:18396:8080']\n");
    pods.add("e2e-wproj-warn");
    const ok = await pod(["up", "-f", warn]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/services\.warn\.cap_add: ignored: /);
    expect((await pod(["down", "-f", warn])).code).toBe(0);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "services:\n  app:\n    image: http_server\n    ports: 8080\n");
    const invalid = await pod(["up", "-f", bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("bad.yaml");
    expect(invalid.stderr).toContain("services.app.ports");
  });
});

describe("compose in: hostile files, one line each, nothing created", () => {
  it("a FIFO, /dev/zero, an alias bomb, deep nesting and a file over the cap are refused at once", async () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const bomb = join(dir, "bomb.yaml");
    writeFileSync(bomb, ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ..."bcdefghi".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`), "services: {web: {image: http_server, x-bomb: *i}}"].join("\n"));
    const deep = join(dir, "deep.yaml");
    writeFileSync(deep, `services:\n  web:\n    image: http_server\n    x-deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
    const big = join(dir, "big.yaml");
    writeFileSync(big, `services: {web: {image: http_server}}\nx-pad: "${"x".repeat(10 * 1024 * 1024)}"\n`);
    const rows: [string[], RegExp][] = [
      [["up", "-f", fifo], /^pod: -f \S+fifo\.yaml cannot be read \(a pipe, not a regular file\); /],
      [["up", "-f", "/dev/zero"], /^pod: -f \/dev\/zero cannot be read \(a character device, not a regular file\); /],
      [["up", "--env-file", fifo, "http_server"], /^pod: --env-file \S+fifo\.yaml cannot be read \(a pipe, not a regular file\); /],
      [["up", "--dry-run", "-f", bomb], /^pod: \S+bomb\.yaml: its aliases expand too far/],
      [["up", "--dry-run", "-f", deep], /^pod: \S+deep\.yaml:4:\d+: nested more than 100 levels deep; /],
      [["up", "--dry-run", "-f", big], /^pod: -f \S+big\.yaml cannot be read \(larger than 4 MiB, the most pod reads from one file\); /],
    ];
    for (const [args, line] of rows) {
      const r = await pod(args);
      expect([r.code, r.stderr.trim().split("\n").length], `${args.join(" ")}: ${r.stderr}`).toEqual([2, 1]);
      expect(r.stderr).toMatch(line);
    }
  });
});

describe("export out", () => {
  it("compose: up -f of the export gives the same pod back", async () => {
    pods.add("e2e-rt");
    expect((await pod(["up", "--name", "e2e-rt", "--replicas", "2", "-p", "127.0.0.1:18392:8080", "-e", "A=$HOME", "--stop-timeout", "7", "http_server"])).code).toBe(0);
    const before = await spec("e2e-rt");
    const exported = await pod(["export", "e2e-rt", "--to", "compose"]);
    expect(exported.code, exported.stderr).toBe(0);
    writeFileSync(join(dir, "rt.yaml"), exported.stdout);
    expect((await pod(["down", "e2e-rt"])).code).toBe(0);
    const up = await pod(["up", "-f", join(dir, "rt.yaml")]);
    expect(up.code, up.stderr).toBe(0);
    // The same pod, now labelled as a compose project's service too.
    const after = (await spec("e2e-rt")) as { replica: { labels: Record<string, string> } };
    after.replica.labels = Object.fromEntries(Object.entries(after.replica.labels).filter(([k]) => !k.startsWith("com.docker.compose.")));
    expect(after).toEqual(before);
    expect([...new Set(await requests(18392, 60))].sort()).toEqual(hello("e2e-rt", 1, 2));
  });

  it("kubernetes: a Deployment and a Service valid against the API schemas", async () => {
    pods.add("e2e-k8s");
    expect((await pod(["up", "--name", "e2e-k8s", "--replicas", "2", "-p", "127.0.0.1:18393:8080", "http_server"])).code).toBe(0);
    const exported = await pod(["export", "e2e-k8s", "--to", "kubernetes"]);
    expect(exported.code, exported.stderr).toBe(0);
    const docs = parseAllDocuments(exported.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["Deployment", "Service"]);
    new Deployment(docs[0]).validate();
    new Service(docs[1]).validate();
    expect(docs[0].spec).toMatchObject({ replicas: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    expect(docs[0].spec.template.spec.containers[0].readinessProbe).toMatchObject({ tcpSocket: { port: 8080 } });
  });

  describe("swarm", () => {
    // The routing mesh needs IPVS, which this kernel lacks: test convergence, not traffic.
    afterAll(async () => {
      if (onPodman) return;
      await docker(["stack", "rm", "e2e"]);
      for (let i = 0; i < 30 && (await docker(["ps", "-aq", "-f", "label=com.docker.stack.namespace=e2e"])).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 1000));
      await docker(["swarm", "leave", "--force"]);
      await docker(["network", "rm", "docker_gwbridge"]);
    });

    it("the stack deploys, and a single-node swarm converges it", async (ctx) => {
      ctx.skip(onPodman, "Podman has no Swarm mode (its API answers /swarm/init with 404)");
      pods.add("e2e-swarm");
      expect((await pod(["up", "--name", "e2e-swarm", "--replicas", "3", "-p", "127.0.0.1:18394:8080", "http_server"])).code).toBe(0);
      const exported = await pod(["export", "e2e-swarm", "--to", "swarm"]);
      expect(exported.code, exported.stderr).toBe(0);
      const file = join(dir, "stack.yaml");
      writeFileSync(file, exported.stdout);
      expect((await pod(["down", "e2e-swarm"])).code).toBe(0); // the stack publishes the same port
      expect((await docker(["swarm", "init", "--advertise-addr", "127.0.0.1"])).code).toBe(0);
      const deploy = await docker(["stack", "deploy", "-c", file, "--resolve-image", "never", "e2e"]);
      expect(deploy.code, deploy.stderr).toBe(0);
      let replicas = "";
      for (let i = 0; i < 60 && replicas !== "3/3"; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        replicas = (await docker(["service", "ls", "--filter", "name=e2e_e2e-swarm", "--format", "{{.Replicas}}"])).stdout.trim();
      }
      expect(replicas).toBe("3/3");
      const update = JSON.parse((await docker(["service", "inspect", "e2e_e2e-swarm", "--format", "{{json .Spec.UpdateConfig}}"])).stdout);
      expect(update).toMatchObject({ Parallelism: 1, Order: "start-first", FailureAction: "rollback" });
    }, 180_000);
  });
});
