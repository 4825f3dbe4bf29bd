// What the kernel needs for replicas to share a port, checked before anything starts.
import { UsageError } from "./errors.js";

/** net.ipv4.tcp_migrate_req came in Linux 5.14; Docker refuses an unknown sysctl. */
export function supportsMigrateReq(kernelVersion: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(kernelVersion);
  if (!match) return true; // unknown: ask for it, and let the engine say no
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 5 || (major === 5 && minor >= 14);
}

/** The user a replica's server runs as: the flag, else the image's USER, else root. */
export function effectiveUser(flag: string | null, imageUser: string): string {
  const user = (flag ?? imageUser).split(":")[0]!;
  return user === "" || user === "root" ? "0" : user;
}

/**
 * The kernel groups SO_REUSEPORT sockets of one effective uid only: new replicas under
 * another user than the serving ones would fail to bind beside them.
 */
export function checkSameUser(serving: string, next: string): void {
  if (serving !== next) {
    const name = (u: string) => (u === "0" ? "root" : u);
    throw new UsageError(
      `the new replicas would run as user ${name(next)} while the serving ones run as ${name(serving)}, and SO_REUSEPORT only lets one user's sockets share a port`,
      "keep the user (-u) the same, or change it with `pod down` then `pod up` (a short outage)",
    );
  }
}
