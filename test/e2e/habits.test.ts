// What users do to an engine besides pod: the prunes people run from cron, at any moment,
// even while a pod's sandbox is down; and commands racing the agent on one pod.
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { docker, hello, onPodman, pod, podmanGap, podsToClean, waitFor, waitServing } from "./harness.js";

const pods = podsToClean();

afterAll(async () => {
  await pod(["agent", "stop"]);
});

async function recorded(name: string): Promise<{ history: unknown; asked: number }> {
  const history = JSON.parse((await pod(["history", name, "--json"])).stdout);
  const ps = JSON.parse((await pod(["ps", name, "--json"])).stdout)[0];
  return { history, asked: ps.replicas.asked };
}

describe("prune leaves every pod's record", () => {
  for (const prune of [["container", "prune", "-f"], ["system", "prune", "-f"], ["system", "prune", "-f", "--volumes"]]) {
    it(`docker ${prune.join(" ")} while the sandbox is down: history and asked count intact, and the pod comes back as asked`, async (ctx) => {
    ctx.skip(onPodman, podmanGap.prune);
      const name = `e2e-prune-${prune.length}${prune.includes("--volumes") ? "v" : ""}`;
      pods.add(name);
      expect((await pod(["up", "--name", name, "--replicas", "3", "-p", "127.0.0.1:18631:8080", "--no-agent", "http_server"])).code).toBe(0);
      expect((await pod(["scale", name, "2"])).code).toBe(0);
      const before = await recorded(name);
      // A stopped sandbox and its exited replicas are exactly what a prune removes.
      await docker(["stop", `${name}-sandbox`]);
      const pruned = await docker(prune);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect((await docker(["ps", "-aq", "--filter", `label=dev.pod.name=${name}`, "--filter", "label=dev.pod.role=sandbox"])).stdout.trim()).toBe("");
      expect(await recorded(name)).toEqual(before);
      expect(before.asked).toBe(2);
      // The next command (or the agent) makes it again from the record, as asked.
      const back = await pod(["scale", name, "2"]);
      expect(back.code, back.stderr).toBe(0);
      await waitServing(18631, hello(name, 1, 2));
      expect((await pod(["down", name])).code).toBe(0);
      expect((await docker(["images", "-q", "--filter", `label=dev.pod.name=${name}`])).stdout.trim()).toBe("");
    });
  }
});

/** Two `pod scale` at once: both exit; returns their codes and which one finished last. */
function scaleTogether(name: string, a: number, b: number): Promise<{ codes: number[]; order: number[] }> {
  const order: number[] = [];
  const one = (n: number) =>
    new Promise<number>((resolve) => {
      const child = spawn("./bin/pod", ["scale", name, String(n)], { stdio: "ignore", env: { ...process.env, POD_AGENT: "0" } });
      child.on("close", (code) => {
        order.push(n);
        resolve(code ?? -1);
      });
    });
  return Promise.all([one(a), one(b)]).then((codes) => ({ codes, order }));
}

describe("commands racing the agent", () => {
  it("two scales of one pod started together while the agent heals it, 20 times: each ends at the count of the command that took the lock last, never stuck, never a stray container", async () => {
    const name = "e2e-hrace"; // not launcher.test.ts's e2e-race
    pods.add(name);
    expect((await pod(["up", "--name", name, "--replicas", "2", "-p", "127.0.0.1:18632:8080", "--no-agent", "http_server"])).code).toBe(0);
    expect((await pod(["agent", "start"], { POD_AGENT: "" })).code).toBe(0);
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      // The agent has something to heal meanwhile.
      await docker(["rm", "-f", `${name}-1`]);
      const [a, b] = i % 2 === 0 ? [1, 3] : [3, 1];
      const { codes, order } = await scaleTogether(name, a, b);
      expect(codes, `round ${i}`).toEqual([0, 0]);
      const last = order.at(-1)!;
      const ps = JSON.parse((await pod(["ps", name, "--json"])).stdout)[0];
      // The last to finish held the lock last: its count is the record's.
      expect(ps.replicas.asked, `round ${i}: ${JSON.stringify(order)}`).toBe(last);
      await waitServing(18632, hello(name, ...Array.from({ length: last }, (_, k) => k + 1)), 60_000);
      // Nothing left over once it serves. The agent may still hold the lock for a moment (its
      // repair of the replica removed above can follow the commands): a lock that stays is stuck.
      const strays = async () => (await docker(["ps", "-a", "--format", "{{.Names}}", "--filter", `label=dev.pod.name=${name}`])).stdout.split("\n").filter((n) => /-lock$|-old-/.test(n));
      await waitFor(async () => (await strays()).length === 0, 15_000, `round ${i}: no lock or -old- container left`);
      outcomes.push(`${order.join("→")}: ${last}`);
    }
    expect(outcomes).toHaveLength(20);
  }, 600_000);
});
