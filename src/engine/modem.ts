// An Endpoint (endpoint.ts: chosen as the docker CLI chooses) as docker-modem's options.
//
// API version: no /vX.Y prefix, so the engine answers in its own current version. Every
// engine from 20.10 (1.41) to 29 accepts that, while a fixed prefix is refused by engines
// whose minimum is above it (29: 1.44) or maximum below it, and negotiating costs a /_ping
// per command. If an engine ever refuses unprefixed paths, negotiate here, once.
import type { Agent } from "node:http";
import { UsageError } from "../errors.js";
import type { Endpoint } from "./endpoint.js";

/** The parts of docker-modem's options pod sets; the agent comes from `transport`. */
export interface ModemOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol: "http" | "https";
  /**
   * docker-modem puts `version` before every path, and ignores its own pathPrefix (it
   * resolves absolute paths against the host): a tcp host's base path (`tcp://h:2375/docker`)
   * goes here.
   */
  version?: string;
  headers: Record<string, string>;
}

export type Transport =
  | { kind: "unix" }
  | { kind: "tcp" }
  | { kind: "tls"; ca: string | null; cert: string | null; key: string | null; verify: boolean }
  | { kind: "ssh"; host: string };

/** Pure: what docker-modem is given for this endpoint, and which connections it needs. */
export function modemOptions(endpoint: Endpoint): { options: ModemOptions; transport: Transport } {
  const host = endpoint.host;
  const headers = { "User-Agent": "pod" };
  if (host.startsWith("unix://")) {
    return { options: { socketPath: host.slice("unix://".length), protocol: "http", headers }, transport: { kind: "unix" } };
  }
  if (host.startsWith("tcp://")) {
    const m = /^tcp:\/\/(\[[^\]]*\]|[^:/]*):(\d+)(\/.*)?$/.exec(host);
    if (!m) throw new UsageError(`cannot read the engine address ${host}`, "expected tcp://host:port");
    const base = (m[3] ?? "").replace(/^\/+|\/+$/g, "");
    const tls = endpoint.tls;
    return {
      options: {
        host: m[1]!.replace(/^\[|\]$/g, ""),
        port: Number(m[2]),
        protocol: tls ? "https" : "http",
        ...(base ? { version: base } : {}),
        headers,
      },
      // A client certificate only as a pair; without a CA, the system's roots.
      transport: tls ? { kind: "tls", ca: tls.ca, cert: tls.cert && tls.key ? tls.cert : null, key: tls.cert && tls.key ? tls.key : null, verify: tls.verify } : { kind: "tcp" },
    };
  }
  if (host.startsWith("ssh://")) {
    // The host name is never looked up: the ssh agent makes every connection.
    return { options: { host: "docker", port: 80, protocol: "http", headers }, transport: { kind: "ssh", host } };
  }
  throw new UsageError(`pod cannot reach an engine at ${host}`, "use unix:///path, tcp://host:port or ssh://user@host");
}

/**
 * The connection pools for a transport: `calls` for answers read whole at once, `streams`
 * for what stays open or waits (events, logs -f, exec, pulls, a stop's drain), each with a
 * connection of its own (a `logs -f` of 20 replicas must not wait for a free one). Calls
 * share a few: over ssh each connection is an ssh login, which costs far more than a
 * request on an open one (a `ps NAME` of 4 containers here: 1.8 s on one login, 4.5 s on
 * four), so there they share one. Kept alive either way.
 */
export async function agentsFor(transport: Transport): Promise<{ calls: Agent; streams: Agent }> {
  switch (transport.kind) {
    case "unix":
    case "tcp": {
      const { Agent } = await import("node:http");
      // No TLS, so no server name: node would work one out for each request with net.isIP,
      // whose IPv6 expression costs 5 ms to compile (a tenth of `node -e 0`).
      const options = { keepAlive: true, servername: "" };
      return { calls: new Agent({ ...options, maxSockets: CALL_CONNECTIONS }), streams: new Agent(options) };
    }
    case "tls": {
      const https = await import("node:https");
      const pair = transport.cert && transport.key ? { cert: transport.cert, key: transport.key } : {};
      const options = { keepAlive: true, ...(transport.ca ? { ca: transport.ca } : {}), ...pair, rejectUnauthorized: transport.verify };
      return { calls: new https.Agent({ ...options, maxSockets: CALL_CONNECTIONS }) as unknown as Agent, streams: new https.Agent(options) as unknown as Agent };
    }
    case "ssh": {
      const { SshAgent, sshArgv } = await import("./ssh.js");
      const argv = sshArgv(transport.host);
      return { calls: new SshAgent(argv, { maxSockets: SSH_CALL_CONNECTIONS }), streams: new SshAgent(argv) };
    }
  }
}

/** ssh logins shared by a command's calls. */
export const SSH_CALL_CONNECTIONS = 1;

/**
 * Connections a command's calls share on a socket or tcp: enough for the engine's two
 * cores here, and a `ps` of 60 containers opens 8 connections, not 60 (0.29 s against
 * 0.40 s, measured).
 */
export const CALL_CONNECTIONS = 8;
