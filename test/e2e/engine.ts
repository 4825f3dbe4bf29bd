// Which engine the e2e suite drives: Docker (the default), or Podman through its
// Docker-compatible API with POD_TEST_ENGINE=podman. `make test-e2e-podman` sets that and runs
// the suite inside the network namespace where test/podman/podman.sh runs Podman's service:
// the published ports and container addresses the tests reach are there.
import { readFileSync, readlinkSync } from "node:fs";

export type TestEngine = "docker" | "podman";

function chosen(): TestEngine {
  const value = process.env.POD_TEST_ENGINE || "docker";
  if (value !== "docker" && value !== "podman") throw new Error(`POD_TEST_ENGINE=${value}: expected docker or podman`);
  return value;
}

export const ENGINE: TestEngine = chosen();
export const onPodman = ENGINE === "podman";

const PODMAN_DIR = process.env.POD_TEST_PODMAN_DIR || "/run/pod-test";

/** The engine under test as DOCKER_HOST spells it. */
export const ENGINE_HOST = onPodman ? `unix://${PODMAN_DIR}/podman.sock` : process.env.DOCKER_HOST || "unix:///var/run/docker.sock";

/** The script that starts, restarts and enters the Podman service. */
export const PODMAN_SH = new URL("../podman/podman.sh", import.meta.url).pathname;

/**
 * Points this process, and so every pod and docker it starts, at the engine under test.
 * With Docker, nothing changes: the suite runs as it always did.
 */
export function useEngine(): void {
  if (onPodman) process.env.DOCKER_HOST = ENGINE_HOST;
}

/** Throws unless this process is in the Podman service's network namespace. */
export function checkPodmanNamespace(): void {
  if (!onPodman) return;
  const hint = "run the suite with `make test-e2e-podman`, or as `test/podman/podman.sh run npx vitest …` after `make podman`";
  let pid: string;
  try {
    pid = readFileSync(`${PODMAN_DIR}/podman.pid`, "utf8").trim();
  } catch {
    throw new Error(`POD_TEST_ENGINE=podman, but no Podman service was started by test/podman/podman.sh (${PODMAN_DIR}/podman.pid is missing): ${hint}`);
  }
  let theirs: string;
  try {
    theirs = readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    throw new Error(`POD_TEST_ENGINE=podman, but the Podman service (pid ${pid}) is not running: ${hint}`);
  }
  if (readlinkSync("/proc/self/ns/net") !== theirs) {
    throw new Error(`POD_TEST_ENGINE=podman, but this process is outside the Podman service's network namespace, where its ports are published: ${hint}`);
  }
}

/**
 * What the suite does not prove on Podman 4.3 here, and why; the README's Podman table says
 * the same. Each test it concerns is skipped on Podman with these words.
 */
export const podmanGap = {
  health:
    "Podman runs health checks from systemd timers and this machine has no systemd: no check ever runs, a replica stays `starting`, so health gating cannot be shown here",
  prune: "Podman's own prune stops at a stopped sandbox that replicas joined (\"has dependent containers\"), before pod is involved",
  exitCode:
    "Podman 4.3's compatible API has no update endpoint, so replicas get their restart policy at create and Podman restarts a crashed one itself; it zeroes the exit code when it does",
  followStop:
    "measured on Podman 4.3: the lines a replica writes while it stops in a scale-down reach a followed `pod logs -f` in some runs and not in others (its log stream of the removed container can end first)",
  crashLoop: "a crashing replica is restarted by Podman itself (restart policy set at create: the API cannot change it later), so the agent's backoff does not pace it",
  pullStream:
    "these tests read Docker's own POST /images/create answers with curl (its status lines, a 4xx for a refused login); Podman's differ (a 200 with the error in the stream), and pod's pulls through its adapter are proven on Podman by pull.test.ts",
  ssh: "the ssh tests' sshd runs the docker CLI of this host, whose engine is Docker: they test ssh, not the engine",
} as const;
