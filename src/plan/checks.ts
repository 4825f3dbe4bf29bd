// Checks a change must pass before anything starts. Pure: the facts come from the engine,
// read once by the caller.
import { UsageError } from "../errors.js";

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
      "keep the user (-u) the same, or change it with `pod up --recreate` (a short outage)",
    );
  }
}

/** A change that needs a new sandbox while the pod serves is an outage: refused unless asked for. */
export function checkOutage(pod: string, outage: string | null, recreate: boolean): void {
  if (outage !== null && !recreate) {
    throw new UsageError(
      `changing pod ${pod} needs a new sandbox (${outage}), and every replica stops while it is made: a short outage`,
      "pass --recreate to accept it, or keep the ports and network settings as they are (`pod inspect " + pod + "` shows them)",
    );
  }
}
