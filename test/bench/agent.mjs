// make bench, the agent's part: how long a pod takes to serve again with every replica after
// each fault, with no command (median of RUNS), then a chaos run: steady load while random
// faults hit a pod for CHAOS_S seconds; failed requests per fault type, and what leaked.
// Traffic goes to 127.0.0.1 only. Restarts dockerd (detached) and leaves it running.
import { execFileSync, spawnSync } from "node:child_process";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = new URL("../..", import.meta.url).pathname;
const POD = `${ROOT}bin/pod`;
const RUNS = Number(process.env.RUNS ?? 3);
const CHAOS_S = Number(process.env.CHAOS_S ?? 60);
const SEED = Number(process.env.SEED ?? 42);

function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, CI: "1", ...env } });
  if (r.status !== 0 && !env.ALLOW_FAIL) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
const pod = (...args) => sh(POD, args, { POD_AGENT: "0" });
const docker = (...args) => sh("docker", args, { ALLOW_FAIL: "1" });

/** One GET on a new connection; resolves with the body, or null on any failure. */
function get(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, headers: { Connection: "close" }, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

async function serving(port, expected) {
  const seen = new Set();
  for (let i = 0; i < expected * 4; i++) {
    const body = await get(port, 500);
    if (body) seen.add(body);
  }
  return seen.size === expected;
}

async function untilServing(port, expected, timeoutMs = 60_000) {
  const start = Date.now();
  while (!(await serving(port, expected))) {
    if (Date.now() - start > timeoutMs) return null;
    await sleep(50);
  }
  return Date.now() - start;
}

function restartEngine(signal) {
  sh("bash", ["-c", [
    "pid=$(pidof dockerd)", `kill -${signal} $pid`,
    "for i in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done",
    "rm -f /var/run/docker.pid", `mkdir -p ${ROOT}.cache`,
    `setsid nohup dockerd >> ${ROOT}.cache/dockerd.log 2>&1 < /dev/null &`,
    "for i in $(seq 600); do docker info >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1",
  ].join("\n")]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const faults = {
  "lost replica (docker rm -f a replica)": { target: 3000, inject: (p) => docker("rm", "-f", `${p}-2`) },
  "sandbox killed (docker kill)": { target: 5000, inject: (p) => docker("kill", `${p}-sandbox`) },
  "sandbox restarted (docker restart)": { target: 5000, inject: (p) => docker("restart", `${p}-sandbox`) },
  "sandbox removed (docker rm -f)": { target: 5000, inject: (p) => docker("rm", "-f", `${p}-sandbox`) },
  "engine restarted (dockerd TERM), after it answers": { target: 10000, inject: () => restartEngine("TERM") },
  "engine restarted (dockerd kill -9), after it answers": { target: 10000, inject: () => restartEngine("KILL") },
};

sh(POD, ["agent", "start"], { POD_AGENT: "" });
const rows = [];
let port = 18600;
for (const [name, fault] of Object.entries(faults)) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const p = `bench-heal`;
    pod("up", "--name", p, "--replicas", "3", "-p", `127.0.0.1:${port}:8080`, "--no-agent", "http_server");
    if ((await untilServing(port, 3, 30_000)) === null) throw new Error("the pod did not serve before the fault");
    await sleep(300);
    fault.inject(p); // returns once the fault is done (for the engine: once it answers again)
    const ms = await untilServing(port, 3);
    times.push(ms ?? Infinity);
    console.error(`${name}, run ${run + 1}: ${ms === null ? "not serving after 60 s" : `${ms} ms`}`);
    pod("down", p);
  }
  rows.push([name, median(times), Math.min(...times), Math.max(...times), fault.target]);
  port++;
}

console.log(`\nTime from fault to serving with every replica, no command (median of ${RUNS}; ${execFileSync("nproc").toString().trim()} cores; engine ${sh("docker", ["version", "-f", "{{.Server.Version}}"]).trim()})`);
console.log(`| ${"fault".padEnd(52)} | ${"median".padStart(9)} | ${"min".padStart(9)} | ${"max".padStart(9)} | ${"target".padStart(9)} |`);
console.log(`|${"-".repeat(54)}|${"-".repeat(11)}|${"-".repeat(11)}|${"-".repeat(11)}|${"-".repeat(11)}|`);
for (const [name, med, min, max, target] of rows) {
  const f = (ms) => (Number.isFinite(ms) ? `${ms} ms` : "never");
  console.log(`| ${name.padEnd(52)} | ${f(med).padStart(9)} | ${f(min).padStart(9)} | ${f(max).padStart(9)} | ${`≤ ${target / 1000} s`.padStart(9)} |`);
}

// ---- chaos: steady load, random faults, then every pod as recorded and nothing leaked
// mulberry32: a small seeded generator, so a chaos run can be repeated.
let seed = SEED >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const P = "bench-chaos";
const CP = 18650;
pod("up", "--name", P, "--replicas", "3", "-p", `127.0.0.1:${CP}:8080`, "--no-agent", "http_server");
await untilServing(CP, 3);
const volumesBefore = docker("volume", "ls", "-q").split("\n").filter(Boolean).length;
const chaos = {
  "lost replica": () => docker("rm", "-f", `${P}-${1 + Math.floor(random() * 3)}`),
  "sandbox killed": () => docker("kill", `${P}-sandbox`),
  "sandbox restarted": () => docker("restart", `${P}-sandbox`),
  "sandbox removed": () => docker("rm", "-f", `${P}-sandbox`),
  "server kill -9": () => sh("bash", ["-c", `kill -9 $(docker inspect -f '{{.State.Pid}}' ${P}-${1 + Math.floor(random() * 3)}) 2>/dev/null || true`]),
  "engine TERM": () => restartEngine("TERM"),
  "engine kill -9": () => restartEngine("KILL"),
};
const names = Object.keys(chaos);
const results = []; // [time, ok]
let loading = true;
const clients = Array.from({ length: 8 }, async () => {
  while (loading) {
    const t = Date.now();
    results.push([t, (await get(CP, 2000)) !== null]);
    await sleep(5);
  }
});
const injected = []; // [time, fault]
const end = Date.now() + CHAOS_S * 1000;
await sleep(1000);
while (Date.now() < end) {
  const fault = names[Math.floor(random() * names.length)];
  injected.push([Date.now(), fault]);
  console.error(`chaos: ${fault}`);
  chaos[fault]();
  await sleep(3000 + random() * 3000);
}
const settled = await untilServing(CP, 3, 60_000);
await sleep(1000);
loading = false;
await Promise.all(clients);

const perFault = Object.fromEntries(names.map((n) => [n, { times: 0, failed: 0, total: 0 }]));
for (const [, f] of injected) perFault[f].times++;
for (const [t, ok] of results) {
  const last = [...injected].reverse().find(([ti]) => ti <= t);
  if (!last) continue;
  perFault[last[1]].total++;
  if (!ok) perFault[last[1]].failed++;
}
const leftovers = docker("ps", "-a", "--format", "{{.Names}}", "--filter", `label=dev.pod.name=${P}`).split("\n").filter(Boolean).sort();
const expected = [`${P}-1`, `${P}-2`, `${P}-3`, `${P}-sandbox`];
const stray = leftovers.filter((n) => !expected.includes(n) && !/-record\.\d+\.[ab]$/.test(n));
const records = leftovers.filter((n) => /-record\.\d+\.[ab]$/.test(n));
const volumesAfter = docker("volume", "ls", "-q").split("\n").filter(Boolean).length;

console.log(`\nChaos: ${CHAOS_S} s of random faults (seed ${SEED}) under steady load (8 clients, a new connection per request); failures counted after each fault until the next`);
console.log(`| ${"fault".padEnd(18)} | ${"injected".padStart(8)} | ${"failed requests".padStart(22)} |`);
console.log(`|${"-".repeat(20)}|${"-".repeat(10)}|${"-".repeat(24)}|`);
for (const [n, v] of Object.entries(perFault)) console.log(`| ${n.padEnd(18)} | ${String(v.times).padStart(8)} | ${`${v.failed} of ${v.total}`.padStart(22)} |`);
console.log(`At the end: ${settled === null ? "NOT serving" : "serving with 3 of 3 replicas"}; containers ${leftovers.length - records.length} (expected 4), record copies ${records.length} (expected 2), stray ${stray.length ? stray.join(" ") : "none"}, lock ${leftovers.some((n) => n.endsWith("-lock")) ? "LEFT" : "none"}, volumes ${volumesAfter - volumesBefore >= 0 ? `+${volumesAfter - volumesBefore}` : volumesAfter - volumesBefore}`);
pod("down", P);
// Leave the engine as we found it: no agent of ours left running.
sh(POD, ["agent", "stop"]);
