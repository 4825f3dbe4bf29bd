// ssh:// as docker's connhelper runs it: the argv, and ssh's stderr read for why it failed.
// The stderr texts are OpenSSH 9.2's (Debian 12), captured from the e2e test's sshd.
import { describe, expect, it } from "vitest";
import { classifySsh, sshArgv } from "../../../src/engine/ssh.js";

describe("sshArgv: docker's (ssh.Spec.Args), so the user's ssh config fills the rest", () => {
  const tail = ["docker", "system", "dial-stdio"];
  it.each([
    ["ssh://box", ["-o", "ConnectTimeout=30", "-T", "--", "box", ...tail]],
    ["ssh://me@box", ["-o", "ConnectTimeout=30", "-T", "-l", "me", "--", "box", ...tail]],
    ["ssh://me@box:2222", ["-o", "ConnectTimeout=30", "-T", "-l", "me", "-p", "2222", "--", "box", ...tail]],
    ["ssh://box:22", ["-o", "ConnectTimeout=30", "-T", "-p", "22", "--", "box", ...tail]],
    ["ssh://[::1]:2222", ["-o", "ConnectTimeout=30", "-T", "-p", "2222", "--", "::1", ...tail]],
    ["ssh://us%40er@10.0.0.1", ["-o", "ConnectTimeout=30", "-T", "-l", "us@er", "--", "10.0.0.1", ...tail]],
    // A host that reads like an option stays a host, after "--".
    ["ssh://-oProxyCommand=x", ["-o", "ConnectTimeout=30", "-T", "--", "-oProxyCommand=x", ...tail]],
  ])("%s", (host, argv) => {
    expect(sshArgv(host)).toEqual(argv);
  });
});

const CHANGED = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
SHA256:aiAmsyWltWKixJZ0Y9Bz1AvfRs1MiJJdvEj2sARQJUY.
Please contact your system administrator.
Add correct host key in /tmp/eng-ssh/known_hosts to get rid of this message.
Offending ED25519 key in /tmp/eng-ssh/known_hosts:2
  remove with:
  ssh-keygen -f "/tmp/eng-ssh/known_hosts" -R "pod-e2e-bad"
Host key for pod-e2e-bad has changed and you have requested strict checking.
Host key verification failed.
`;

describe("classifySsh", () => {
  it.each([
    ["a changed host key: the known_hosts line with the old one", CHANGED, "host-key-changed", "Offending ED25519 key in /tmp/eng-ssh/known_hosts:2"],
    ["a changed host key, said shortly", "Host key for [h]:2222 has changed and you have requested strict checking.\nHost key verification failed.\n", "host-key-changed", "Host key for [h]:2222 has changed and you have requested strict checking."],
    [
      "an unknown host, StrictHostKeyChecking yes",
      "No ED25519 host key is known for unknown-alias and you have requested strict checking.\r\nHost key verification failed.\r\n",
      "host-key-unknown",
      "No ED25519 host key is known for unknown-alias and you have requested strict checking.",
    ],
    ["an unknown host, ask with no terminal", "Host key verification failed.\n", "host-key-unknown", "Host key verification failed."],
    ["a refused key", "root@127.0.0.1: Permission denied (publickey).\n", "auth", "root@127.0.0.1: Permission denied (publickey)."],
    ["nothing listens", "ssh: connect to host 127.0.0.1 port 1: Connection refused\n", "unreachable", "connect to host 127.0.0.1 port 1: Connection refused"],
    ["no such host", "ssh: Could not resolve hostname nosuchhost.invalid: Name or service not known\n", "unreachable", "Could not resolve hostname nosuchhost.invalid: Name or service not known"],
    ["no docker there (dash)", "sh: 1: docker: not found\n", "no-docker", "sh: 1: docker: not found"],
    ["no docker there (bash)", "bash: line 1: docker: command not found\n", "no-docker", "bash: line 1: docker: command not found"],
    [
      "docker there, its engine not",
      "failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: no such file or directory\n",
      "no-engine",
      "failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: no such file or directory",
    ],
    ["a first login adds the key, then fails otherwise", "Warning: Permanently added 'new-alias' (ED25519) to the list of known hosts.\r\nsomething odd\n", "other", "something odd"],
    ["nothing said", "", "other", ""],
  ])("%s", (_name, stderr, kind, detail) => {
    expect(classifySsh(stderr)).toEqual({ kind, detail });
  });
});
