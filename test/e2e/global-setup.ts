// Before the suite: remove what an earlier, killed run of it may have left (its pods are
// named e2e-* and zd-*), so every test starts from an engine without its pod; and stop the
// agent, which the agent tests start themselves. On Podman (POD_TEST_ENGINE=podman), first
// check that the suite runs where Podman publishes its ports.
import { execFileSync } from "node:child_process";
import { checkPodmanNamespace, onPodman, useEngine } from "./engine.js";

export default function setup(): void {
  useEngine();
  checkPodmanNamespace();
  // An agent left running (by a bench, by hand) would repair what the tests break on purpose.
  execFileSync(new URL("../../bin/pod", import.meta.url).pathname, ["agent", "stop"], { stdio: "ignore" });
  const lines = execFileSync("docker", ["ps", "-a", "--filter", "label=dev.pod.name", "--format", '{{.ID}} {{.Label "dev.pod.name"}} {{.Label "dev.pod.role"}}'], {
    encoding: "utf8",
  });
  const rows = lines
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([id, pod]) => id && pod && /^(e2e|zd)-/.test(pod));
  // Sandboxes last, in a call of their own (docker rm removes its containers all at once):
  // Podman refuses to remove a container that others joined.
  const groups = onPodman ? [rows.filter(([, , role]) => role !== "sandbox"), rows.filter(([, , role]) => role === "sandbox")] : [rows];
  for (const ids of groups.map((g) => g.map(([id]) => id!))) {
    if (ids.length > 0) tolerate(() => execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" }));
  }
  // Networks and record images a killed run's projects and pods left (the same prefixes).
  const networks = execFileSync("docker", ["network", "ls", "--filter", "label=com.docker.compose.project", "--format", "{{.Name}}"], { encoding: "utf8" })
    .split("\n")
    .filter((n) => /^(e2e|zd)-/.test(n));
  for (const n of networks) tolerate(() => execFileSync("docker", ["network", "rm", n], { stdio: "ignore" }));
  // By label, untagged ones too: Podman names them localhost/pod-record:…, and an image
  // loaded again under a taken tag leaves the old one untagged.
  const recordIds = execFileSync("docker", ["images", "-a", "-q", "--no-trunc", "--filter", "label=dev.pod.role=record"], { encoding: "utf8" }).split("\n").filter(Boolean);
  const records = recordIds.length === 0 ? [] : execFileSync("docker", ["image", "inspect", "--format", '{{.Id}} {{index .Config.Labels "dev.pod.name"}}', ...new Set(recordIds)], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([id, pod]) => id && pod && /^(e2e|zd)-/.test(pod))
    .map(([id]) => id!);
  if (records.length > 0) tolerate(() => execFileSync("docker", ["rmi", "-f", ...records], { stdio: "ignore" }));
}

/** Cleanup of a killed run's leftovers: one already gone (removed with its sandbox, say) is no failure. */
function tolerate(f: () => unknown): void {
  try {
    f();
  } catch {
    // what is left is named by the tests that meet it
  }
}
