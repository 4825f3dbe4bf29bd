// The parts of dockerode's own dependencies pod loads lazily, typed.
declare module "tar-fs" {
  export function pack(dir: string, options?: { entries?: string[] }): NodeJS.ReadableStream;
}

declare module "docker-modem/lib/ssh.js" {
  import type { Agent } from "node:http";
  const sshAgent: (options: { host: string; port?: number; username?: string }) => Agent;
  export default sshAgent;
}
