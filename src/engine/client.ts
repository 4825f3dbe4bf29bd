// dockerode, opened on an Endpoint. Imported by the adapter at its first call, so commands
// that never reach the engine (--help, --version) do not load it.
import Docker from "dockerode";

/** dockerode's types, for the adapter: this module is the only one that imports dockerode. */
export type { default as Docker } from "dockerode";
import modemHttp from "docker-modem/lib/http.js";
import type { Agent, ClientRequest } from "node:http";
import { createRequire } from "node:module";
import type { Endpoint } from "./endpoint.js";
import { agentsFor, modemOptions } from "./modem.js";

// docker-modem follows redirects (its lib/http.js), and over a unix socket it follows them
// to http://localhost:80: Docker answers a path with `..` (an image named `../x`) with a
// 301. Node's own requests follow nothing, so a 3xx reaches docker-modem's status check
// and fails there (faults.ts says why). node:https (tls) loads for a TLS engine only.
const builtin = createRequire(import.meta.url) as (id: "node:http" | "node:https") => { request(...args: unknown[]): ClientRequest };
modemHttp.http = { request: (...args) => builtin("node:http").request(...args) };
modemHttp.https = { request: (...args) => builtin("node:https").request(...args) };

/** Docker's variables, which docker-modem reads for its defaults: pod has already decided (endpoint.ts). */
const DOCKER_ENV = ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_PATH_PREFIX", "DOCKER_CLIENT_TIMEOUT"];

/** dockerode twice, on the same engine: for calls read whole, and for streams that stay open (modem.ts's agentsFor). */
export async function openDocker(endpoint: Endpoint): Promise<{ calls: Docker; streams: Docker }> {
  const { options, transport } = modemOptions(endpoint);
  const agents = await agentsFor(transport);
  const saved = DOCKER_ENV.map((k) => [k, process.env[k]] as const);
  for (const k of DOCKER_ENV) delete process.env[k];
  try {
    // docker-modem takes the agent as is; the type of its options does not list it.
    const open = (agent: Agent) => new Docker({ ...options, agent } as Docker.DockerOptions);
    return { calls: open(agents.calls), streams: open(agents.streams) };
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}
