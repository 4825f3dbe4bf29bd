// Every change to a running pod happens while clients keep connecting: hey opens a new
// connection per request to the published port during each change, and must see no socket
// error and no non-2xx status. Then the replicas that answer must be the expected ones.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { answering, hello, idsOf, loadUntil, namesOf, pod, podsToClean, type LoadResult, type Result } from "./harness.js";

const pods = podsToClean();

async function underLoad(port: number, change: () => Promise<Result>): Promise<{ result: Result; load: LoadResult }> {
  let finish!: () => void;
  const stopped = new Promise<void>((resolve) => (finish = resolve));
  const load = loadUntil(port, stopped);
  await sleep(1000); // the load is flowing before the change starts
  const result = await change();
  await sleep(500);
  finish();
  return { result, load: await load };
}

function expectNoLoss(load: LoadResult): void {
  expect(load.total, load.raw).toBeGreaterThan(500);
  expect(load.errors, load.raw).toBe(0);
  expect(load.non2xx, load.raw).toBe(0);
}

const v2 = (name: string, ...n: number[]) => hello(name, ...n).map((l) => `${l} (v2)`);

async function up(name: string, port: number, replicas: number, image = "http_server", extra: string[] = []): Promise<Result> {
  return pod(["up", "--name", name, "--replicas", String(replicas), "-p", `127.0.0.1:${port}:8080`, ...extra, image]);
}

describe("zero downtime under load (hey, a new connection per request)", () => {
  it("scale 5 → 1", async () => {
    pods.add("zd-down");
    expect((await up("zd-down", 18301, 5)).code).toBe(0);
    const { result, load } = await underLoad(18301, () => pod(["scale", "zd-down", "1"]));
    expect(result.code, result.stderr).toBe(0);
    expectNoLoss(load);
    expect(await answering(18301, 30)).toEqual(hello("zd-down", 1));
  });

  it("scale 1 → 5", async () => {
    pods.add("zd-up");
    expect((await up("zd-up", 18302, 1)).code).toBe(0);
    const { result, load } = await underLoad(18302, () => pod(["scale", "zd-up", "5"]));
    expect(result.code, result.stderr).toBe(0);
    expectNoLoss(load);
    expect(await answering(18302, 250)).toEqual(hello("zd-up", 1, 2, 3, 4, 5));
  });

  it("rolling replace of 3 replicas to a new image", async () => {
    pods.add("zd-roll");
    expect((await up("zd-roll", 18303, 3)).code).toBe(0);
    const { result, load } = await underLoad(18303, () => up("zd-roll", 18303, 3, "http_server:v2"));
    expect(result.code, result.stderr).toBe(0);
    // Start-first, one at a time: each new replica starts before its old one stops.
    const steps = result.stderr.split("\n").filter((l) => /start replica|stop replica/.test(l));
    expect(steps.map((l) => l.replace(/^✔ (\w+) replica (zd-roll-\d).*$/, "$1 $2"))).toEqual([
      "start zd-roll-1", "stop zd-roll-1", "start zd-roll-2", "stop zd-roll-2", "start zd-roll-3", "stop zd-roll-3",
    ]);
    expectNoLoss(load);
    expect(await answering(18303, 150)).toEqual(v2("zd-roll", 1, 2, 3));
  });

  it("pod restart of 3 replicas", async () => {
    pods.add("zd-restart");
    expect((await up("zd-restart", 18304, 3)).code).toBe(0);
    const names = ["zd-restart-sandbox", "zd-restart-1", "zd-restart-2", "zd-restart-3"];
    const before = await idsOf(...names);
    const { result, load } = await underLoad(18304, () => pod(["restart", "zd-restart"]));
    expect(result.code, result.stderr).toBe(0);
    expectNoLoss(load);
    const after = await idsOf(...names);
    expect(after.filter((id) => before.includes(id))).toEqual([before[0]]); // only the sandbox stays
    expect(await answering(18304, 150)).toEqual(hello("zd-restart", 1, 2, 3));
  });

  it("a replace whose new replicas fail rolls back, and the old ones keep serving", async () => {
    pods.add("zd-fail");
    expect((await up("zd-fail", 18305, 3)).code).toBe(0);
    const names = ["zd-fail-sandbox", "zd-fail-1", "zd-fail-2", "zd-fail-3"];
    const before = await idsOf(...names);
    // Without SO_REUSEPORT the new server cannot bind beside the old ones: it exits at once.
    const { result, load } = await underLoad(18305, () => up("zd-fail", 18305, 3, "http_server:v2", ["-e", "REUSEPORT=0"]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the change to pod zd-fail failed and was rolled back: it serves as before");
    expect(result.stderr).toContain("bind: address already in use");
    expectNoLoss(load);
    expect(await idsOf(...names)).toEqual(before);
    expect((await namesOf("zd-fail")).filter((n) => /-old-|-lock$/.test(n))).toEqual([]);
    expect(await answering(18305, 150)).toEqual(hello("zd-fail", 1, 2, 3));
    const ps = JSON.parse((await pod(["ps", "zd-fail", "--json"])).stdout);
    expect(ps[0]).toMatchObject({ status: "running", image: "http_server", replicas: { ready: 3, asked: 3 } });
  });
});

describe("interrupted changes", () => {
  /** Runs pod, and sends `signal` once its output shows the replacement under way. */
  /** The new replica is created within ~0.3 s of the rename and listens only after START_DELAY_MS. */
  function runAndSignal(args: string[], signal: NodeJS.Signals, when: RegExp, afterMs: number): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn("./bin/pod", args, { env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      let sent = false;
      child.stderr.on("data", (d) => {
        stderr += d;
        if (!sent && when.test(stderr)) {
          sent = true;
          setTimeout(() => child.kill(signal), afterMs); // inside the new replica's readiness wait
        }
      });
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  it("a crash mid-replace is seen in ps, and the next up finishes the change", async () => {
    pods.add("zd-crash");
    expect((await up("zd-crash", 18306, 2)).code).toBe(0);
    const args = ["up", "--name", "zd-crash", "--replicas", "2", "-p", "127.0.0.1:18306:8080", "-e", "START_DELAY_MS=4000", "http_server:v2"];
    const crashed = await runAndSignal(args, "SIGKILL", /rename replica zd-crash-1/, 1500);
    expect(crashed.code).toBe(null); // killed
    const ps = JSON.parse((await pod(["ps", "zd-crash", "--json"])).stdout);
    expect(ps[0].status).toBe("updating");
    // The old replica still serves while the new one starts.
    expect(await answering(18306, 40)).toEqual(hello("zd-crash", 1, 2));

    const again = await pod(args);
    expect(again.code, again.stderr).toBe(0); // the dead command's lock is taken over at once
    expect(await namesOf("zd-crash")).toEqual(["zd-crash-1", "zd-crash-2", "zd-crash-sandbox"]);
    expect(await answering(18306, 60)).toEqual(v2("zd-crash", 1, 2));
  });

  it("Ctrl-C stops after the current step and puts the pod back as it was; the next up makes the change", async () => {
    pods.add("zd-int");
    expect((await up("zd-int", 18307, 2)).code).toBe(0);
    const args = ["up", "--name", "zd-int", "--replicas", "2", "-p", "127.0.0.1:18307:8080", "-e", "START_DELAY_MS=3000", "http_server:v2"];
    const interrupted = await runAndSignal(args, "SIGINT", /rename replica zd-int-1/, 1000);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain("pod: interrupted: pod zd-int was put back as it was");
    expect(await answering(18307, 40)).toEqual(hello("zd-int", 1, 2));
    expect(await namesOf("zd-int")).toEqual(["zd-int-1", "zd-int-2", "zd-int-sandbox"]);
    const again = await pod(args);
    expect(again.code, again.stderr).toBe(0);
    expect(await namesOf("zd-int")).toEqual(["zd-int-1", "zd-int-2", "zd-int-sandbox"]);
    expect(await answering(18307, 60)).toEqual(v2("zd-int", 1, 2));
  });
});
