// The shapes that cross the one door to the engine (src/engine.ts). Plain data, so the
// planner and the tests never see dockerode.

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  image: string;
  imageId: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  state: string;
  /** Docker's own words, e.g. "Up 3 minutes". */
  status: string;
  /** Unix seconds. */
  created: number;
  labels: Record<string, string>;
  networkMode: string;
  ports: PublishedPort[];
}

export interface ContainerDetails {
  id: string;
  name: string;
  state: string;
  running: boolean;
  exitCode: number;
  restartCount: number;
  oomKilled: boolean;
  error: string;
  labels: Record<string, string>;
}

/** The body of Docker's POST /containers/create, the parts pod sets. */
export interface ContainerConfig {
  name: string;
  Image: string;
  Cmd?: string[];
  Env?: string[];
  Labels: Record<string, string>;
  User?: string;
  Hostname?: string;
  StopTimeout?: number;
  ExposedPorts?: Record<string, object>;
  HostConfig: {
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Sysctls?: Record<string, string>;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    Binds?: string[];
    Memory?: number;
    NanoCpus?: number;
    Dns?: string[];
    DnsSearch?: string[];
    DnsOptions?: string[];
    ExtraHosts?: string[];
    Init?: boolean;
  };
}

export interface ImageInfo {
  id: string;
  /** The image's USER; "" runs as root. */
  user: string;
}

export interface EngineInfo {
  /** The kernel of the engine's host, where the namespaces live. */
  kernelVersion: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}
