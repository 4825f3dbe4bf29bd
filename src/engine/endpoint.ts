// Which engine to talk to. (Interim: --host, DOCKER_HOST, the default socket.)
export interface EngineTls {
  ca: string | null;
  cert: string | null;
  key: string | null;
  verify: boolean;
}

export interface Endpoint {
  host: string;
  tls: EngineTls | null;
  context: string;
  source: string;
}

export interface EndpointInputs {
  host?: string;
  context?: string;
  env: Record<string, string | undefined>;
  home: string;
  readFile(path: string): string | null;
}

export function resolveEndpoint(i: EndpointInputs): Endpoint {
  if (i.host) return { host: i.host, tls: null, context: "default", source: "--host" };
  if (i.env.DOCKER_HOST) return { host: i.env.DOCKER_HOST, tls: null, context: "default", source: "DOCKER_HOST" };
  return { host: "unix:///var/run/docker.sock", tls: null, context: "default", source: "default" };
}
