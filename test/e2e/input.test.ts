// Hostile input through the real binary: files that are not files are refused at once (a
// FIFO or /dev/zero once hung pod, deaf to SIGTERM, while its memory grew), and help keeps
// its words whole at the width it wraps to.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { containersOf, pod } from "./harness.js";

const POD = fileURLToPath(new URL("../../bin/pod", import.meta.url));

/** Runs pod, and SIGTERMs it if it has not ended within `ms`: its exit code, whether it had to be signalled, and its stderr. */
function runBounded(args: string[], ms: number): Promise<{ code: number | null; signalled: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(POD, args, { env: { ...process.env, CI: "1", POD_AGENT: "0" } });
    let stderr = "";
    let signalled = false;
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      signalled = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, signalled, stderr });
    });
  });
}

describe("files that are not files", () => {
  const dir = mkdtempSync(join(tmpdir(), "pod-e2e-input-"));
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);

  const rows: [string, string[], RegExp][] = [
    ["--env-file /dev/zero", ["up", "--name", "e2e-input", "--env-file", "/dev/zero", "http_server"], /^pod: --env-file \/dev\/zero cannot be read \(a character device, not a regular file\)/],
    ["--env-file FIFO", ["up", "--name", "e2e-input", "--env-file", fifo, "http_server"], /^pod: --env-file \S+fifo cannot be read \(a pipe, not a regular file\)/],
    ["-f FIFO", ["up", "-f", fifo], /^pod: -f \S+fifo cannot be read \(a pipe, not a regular file\)/],
    ["-f /dev/zero", ["up", "-f", "/dev/zero"], /^pod: -f \/dev\/zero cannot be read/],
  ];
  it.each(rows)("%s: one line, exit 2, at once, nothing created", async (_, args, message) => {
    const r = await runBounded(args, 5000);
    expect(r.signalled, "pod hung on the file").toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(await containersOf("e2e-input")).toEqual([]);
  });
});

describe("help", () => {
  it("wraps between words, never inside one", async () => {
    const r = await pod(["up", "--help"]);
    expect(r.code).toBe(0);
    for (const whole of ["http_server:v2", "connections with DNAT", "(deploy.replicas for the count)", "siblings on appnet"]) {
      expect(r.stdout.replace(/\n\s+/g, " ")).toContain(whole);
    }
    expect(r.stdout).not.toMatch(/http_\n/);
    expect(Math.max(...r.stdout.split("\n").map((l) => l.length))).toBeLessThanOrEqual(120);
  });
});
