// Processes of this host, for telling whether a lock's holder is still alive: a lock left
// by a command that crashed here is taken over at once.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface HostProcesses {
  hostname(): string;
  /** This process's own id. */
  self(): number;
  /** When a process started (clock ticks since boot), so a reused pid is not taken for its holder; null if there is no such process. */
  startTime(pid: number): string | null;
  /** Whether a process with this id exists. */
  alive(pid: number): boolean;
}

export const localProcesses: HostProcesses = {
  hostname: () => hostname(),
  self: () => process.pid,
  startTime: (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null; // field 22
    } catch {
      return null;
    }
  },
  alive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== "ESRCH";
    }
  },
};
