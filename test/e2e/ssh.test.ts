// ssh:// engines as the docker CLI reaches them: pod runs the system ssh, which runs
// `docker system dial-stdio` on the remote side. The remote here is Debian's sshd on
// 127.0.0.1 on a port of its own, with its own host keys, client key, known_hosts and ssh
// config; its `docker` is this machine's CLI, so the engine is this machine's.
//
// ssh reads ~ from the passwd entry, not $HOME, so a HOME of the test's own would not move
// ~/.ssh/config. Instead an `ssh` first on PATH (pod runs `ssh` from PATH, as docker does)
// execs /usr/bin/ssh -F CONFIG: ssh then applies that config, known_hosts and
// StrictHostKeyChecking exactly as it would the user's. ~/.ssh is never touched (checked).
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answering, containersOf, hello, onPodman, pod, podmanGap, podsToClean } from "./harness.js";

const pods = podsToClean();
const dir = mkdtempSync(join(tmpdir(), "pod-e2e-ssh-"));
const file = (name: string) => join(dir, name);
let sshd: ChildProcess | null = null;
let sshdLog = "";
let madeRunDir = false;
let sshPort = 0;
let env: Record<string, string> = {};

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/** What ~/.ssh holds, names and mtimes: the same after the tests. */
function sshDirState(): string {
  const d = join(homedir(), ".ssh");
  if (!existsSync(d)) return "absent";
  return readdirSync(d)
    .sort()
    .map((f) => `${f} ${statSync(join(d, f)).mtimeMs}`)
    .join("\n");
}
const sshDirBefore = sshDirState();

const publicKey = (name: string) => readFileSync(file(`${name}.pub`), "utf8").trim().split(" ").slice(0, 2).join(" ");

beforeAll(async () => {
  for (const key of ["host_key", "other_host_key", "client_key"]) {
    const r = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pod-e2e", "-f", file(key)]);
    expect(r.code, r.out).toBe(0);
  }
  writeFileSync(file("authorized_keys"), publicKey("client_key") + "\n");
  sshPort = await freePort();
  writeFileSync(
    file("sshd_config"),
    [
      `ListenAddress 127.0.0.1:${sshPort}`,
      `HostKey ${file("host_key")}`,
      `AuthorizedKeysFile ${file("authorized_keys")}`,
      `PidFile ${file("sshd.pid")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The keys live in a temp dir, not under a home with sshd's modes.
      "StrictModes no",
      "",
    ].join("\n"),
  );
  // Debian's service makes sshd's privilege-separation directory; without the service, the test does.
  if (!existsSync("/run/sshd")) {
    mkdirSync("/run/sshd", { mode: 0o755 });
    madeRunDir = true;
  }
  sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", file("sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  sshd.stderr!.on("data", (d) => (sshdLog += d));
  for (let i = 0; i < 100 && !(await listening(sshPort)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await listening(sshPort), sshdLog).toBe(true);

  // One host whose key is known, one known under another key, two unknown ones.
  writeFileSync(file("known_hosts"), [`[127.0.0.1]:${sshPort} ${publicKey("host_key")}`, `pod-e2e-bad ${publicKey("other_host_key")}`, ""].join("\n"));
  // ssh takes the first value it reads for a key: a host's own lines come first.
  const host = (alias: string, extra: string[]) =>
    [
      `Host ${alias}`,
      ...extra.map((l) => `  ${l}`),
      "  HostName 127.0.0.1",
      `  Port ${sshPort}`,
      "  User root",
      `  IdentityFile ${file("client_key")}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${file("known_hosts")}`,
      "  GlobalKnownHostsFile /dev/null",
      "  StrictHostKeyChecking yes",
      "  BatchMode yes",
    ].join("\n");
  writeFileSync(
    file("ssh_config"),
    [
      host("pod-e2e-ssh", []),
      host("pod-e2e-bad", ["HostKeyAlias pod-e2e-bad"]),
      host("pod-e2e-unknown", ["HostKeyAlias pod-e2e-unknown"]),
      // accept-new, with a known_hosts of its own: ssh adds the key and goes on.
      host("pod-e2e-new", ["HostKeyAlias pod-e2e-new", "StrictHostKeyChecking accept-new", `UserKnownHostsFile ${file("known_hosts_new")}`]),
      "",
    ].join("\n\n"),
  );
  mkdirSync(file("bin"));
  writeFileSync(file("bin/ssh"), `#!/bin/sh\nexec /usr/bin/ssh -F ${file("ssh_config")} "$@"\n`);
  chmodSync(file("bin/ssh"), 0o755);
  env = { PATH: `${file("bin")}:${process.env.PATH ?? ""}` };
});

afterAll(async () => {
  sshd?.kill("SIGTERM");
  if (sshd && sshd.exitCode === null) await new Promise((r) => sshd!.once("exit", r));
  if (madeRunDir) {
    try {
      rmdirSync("/run/sshd");
    } catch {
      // another sshd uses it now: leave it
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The ssh children pod ran for this test's hosts, still running. */
async function sshChildren(): Promise<string[]> {
  const r = await run("pgrep", ["-a", "-f", "pod-e2e-[a-z]+ docker system dial-stdio"]);
  return r.out.split("\n").filter((l) => l.includes("dial-stdio") && !l.includes("pgrep"));
}

describe.skipIf(onPodman)(`pod -H ssh://… (on Podman, skipped: ${podmanGap.ssh})`, () => {
  it("uses the ssh config's HostName, Port, User and IdentityFile: ps and version", async () => {
    const ps = await pod(["-H", "ssh://pod-e2e-ssh", "ps"], env);
    expect(ps.code, ps.stderr).toBe(0);
    const version = await pod(["-H", "ssh://pod-e2e-ssh", "version"], env);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^engine\s+\S+\s+API [\d.]+, .*, at ssh:\/\/pod-e2e-ssh$/m);
    // The login was the config's: root, with the client key, on the test's port.
    expect(sshdLog).toMatch(new RegExp(`Accepted publickey for root from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519`));
  });

  it("up, ps, exec (with stdin too), logs and down through it", async () => {
    pods.add("e2e-ssh");
    const ssh = ["-H", "ssh://pod-e2e-ssh"];
    const up = await pod([...ssh, "up", "--name", "e2e-ssh", "--replicas", "2", "-p", "127.0.0.1:18961:8080", "http_server"], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("pod e2e-ssh: 2/2 replicas ready (running)");
    expect(await answering(18961, 40)).toEqual(hello("e2e-ssh", 1, 2));

    const ps = await pod([...ssh, "ps", "e2e-ssh"], env);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^e2e-ssh\s+http_server\s+2\/2\s+127\.0\.0\.1:18961->8080\/tcp\s+running/m);

    const args = await pod([...ssh, "exec", "e2e-ssh", "--", "/http_server", "tool", "args", "a b", "c"], env);
    expect(args.code, args.stderr).toBe(0);
    expect(args.stdout).toBe("a b\nc\n");
    const cat = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn(`${new URL("../..", import.meta.url).pathname}bin/pod`, [...ssh, "exec", "-i", "e2e-ssh", "--", "/http_server", "tool", "cat"], {
        env: { ...process.env, POD_AGENT: "0", ...env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.stdin.end("line one\nline two\n");
      child.on("close", (code) => resolve({ code: code ?? 1, out }));
    });
    expect(cat).toEqual({ code: 0, out: "line one\nline two\n" });
    const exit = await pod([...ssh, "exec", "e2e-ssh", "--", "/http_server", "tool", "exit", "7"], env);
    expect(exit.code).toBe(7);

    const logs = await pod([...ssh, "logs", "e2e-ssh"], env);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/^e2e-ssh-1 \| http_server e2e-ssh-1: listening on 0\.0\.0\.0:8080/m);

    const down = await pod([...ssh, "down", "e2e-ssh"], env);
    expect(down.code, down.stderr).toBe(0);
    expect(await containersOf("e2e-ssh")).toEqual([]);

    // Each command's ssh children ended with it.
    for (let i = 0; i < 50 && (await sshChildren()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sshChildren()).toEqual([]);
  });

  it("a changed host key is refused, in one line that says so", async () => {
    const r = await pod(["-H", "ssh://pod-e2e-bad", "ps"], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^pod: the ssh host key of ssh:\/\/pod-e2e-bad has changed, so ssh refused to connect: it may not be the host you know \(Offending ED25519 key in .*known_hosts:2\); /);
  });

  it("an unknown host follows StrictHostKeyChecking: yes refuses it, accept-new adds it and goes on", async () => {
    const strict = await pod(["-H", "ssh://pod-e2e-unknown", "ps"], env);
    expect(strict.code).toBe(3);
    expect(strict.stderr.trim().split("\n")).toHaveLength(1);
    expect(strict.stderr).toMatch(/^pod: the ssh host key of ssh:\/\/pod-e2e-unknown is not known, and your StrictHostKeyChecking refuses unknown hosts \(No ED25519 host key is known for pod-e2e-unknown/);

    expect(existsSync(file("known_hosts_new"))).toBe(false);
    const added = await pod(["-H", "ssh://pod-e2e-new", "ps"], env);
    expect(added.code, added.stderr).toBe(0);
    expect(readFileSync(file("known_hosts_new"), "utf8")).toContain(`pod-e2e-new ${publicKey("host_key")}`);
  });

  it("a user the server refuses: the login's failure, in one line", async () => {
    // sshd has no key for this user: ssh's own words name it.
    const r = await pod(["-H", "ssh://nosuchuser@pod-e2e-ssh", "ps"], env);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^pod: ssh could not log in to ssh:\/\/nosuchuser@pod-e2e-ssh \(nosuchuser@127\.0\.0\.1: Permission denied \(publickey\)\.\)/);
  });

  it("left ~/.ssh as it was", () => {
    expect(sshDirState()).toBe(sshDirBefore);
  });
});
