// What the user asks for: a pod's spec. Plain data, shared by the flag parser, the compose
// reader, the planner, the record and the exporters. Pure types, no behaviour.

/** Docker's stop timeout when a container names none: what a replica gets when its spec names none. */
export const DEFAULT_STOP_TIMEOUT_S = 10;

/** Every label pod sets starts with it; users' labels may not. */
export const LABEL_PREFIX = "dev.pod.";

export type Protocol = "tcp" | "udp";

export interface PortMapping {
  /** "" means every address, as Docker's own default. IPv6 addresses without brackets. */
  hostIp: string;
  /** null lets Docker pick a free port. */
  hostPort: number | null;
  containerPort: number;
  protocol: Protocol;
}

/**
 * How replicas share the published ports:
 * - reuseport: replicas join the sandbox's namespace and bind with SO_REUSEPORT (default);
 * - dnat: each replica has its own namespace; the sandbox spreads connections with DNAT;
 * - host: replicas and sandbox run in the host's namespace, binding with SO_REUSEPORT.
 */
export type Balance = "reuseport" | "dnat" | "host";

export interface NetworkAttachment {
  /** A Docker network name; "bridge" is Docker's default network. */
  name: string;
  /** Extra DNS names for the pod on this network (the pod's name always resolves). */
  aliases: string[];
}

/** The pod's network: owned by the sandbox, shared by (or routed to) every replica. */
export interface NetworkSpec {
  balance: Balance;
  /** With dnat: how each new connection picks a replica. */
  spread?: "random" | "round-robin";
  ports: PortMapping[];
  /** Empty: Docker's default bridge. With balance "host", empty. */
  networks: NetworkAttachment[];
  hostname: string | null;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** HOST:IP lines for /etc/hosts. */
  extraHosts: string[];
}

/** What each replica runs. Its hash leaves the replica count out, so scaling never recreates. */
export interface ReplicaSpec {
  image: string;
  /** The image id the reference resolved to, so a rebuilt tag counts as a change. */
  imageId: string;
  /**
   * What ran, pinned: the repository digest (`repo@sha256:…`) where the image came from a
   * registry, else the image id. Heals, restarts and rollbacks run this, never whatever the
   * tag names now; an image removed from the engine is pulled back by it. Absent in older records.
   */
  digest?: string;
  /** null: the image's own. */
  entrypoint: string[] | null;
  /** Empty: the image's own CMD. */
  command: string[];
  /** KEY=VALUE, in order. Values may be secrets: never print them. */
  env: string[];
  labels: Record<string, string>;
  /** Docker's -v forms: SOURCE:/path[:opts] or /path (anonymous). */
  volumes: string[];
  user: string | null;
  memoryBytes: number | null;
  nanoCpus: number | null;
  /** Seconds between the stop signal and a kill; null: Docker's default (DEFAULT_STOP_TIMEOUT_S). */
  stopTimeoutS: number | null;
  /** null: the image's STOPSIGNAL. */
  stopSignal: string | null;
  /** How each replica's health is checked; absent in records written before health checks (= the image's own). */
  health?: HealthSpec;
  /** The engine's restart policy for replicas; absent: pod's own (unless-stopped, set once a replica serves). */
  restart?: RestartPolicy;
}

/** Docker's restart policies, as Compose's `restart:` and `deploy.restart_policy` name them. */
export interface RestartPolicy {
  name: "no" | "always" | "on-failure" | "unless-stopped";
  /** With on-failure: at most this many restarts; absent: no limit. */
  maxRetries?: number;
}

/**
 * A replica's health check; readiness waits for "healthy" when there is one.
 * - image: the image's HEALTHCHECK, if it has one (Docker's default);
 * - none: no check, even if the image has one (--no-healthcheck);
 * - cmd: Docker's test, ["CMD", ...] or ["CMD-SHELL", "..."] (--health-cmd);
 * - http, tcp: pod's own probes, needing nothing in the image: the sandbox's program runs
 *   them as the replica's Docker healthcheck (--health-http PATH, --health-tcp).
 *   port null: the first published container port.
 */
export interface HealthSpec {
  check:
    | { kind: "image" }
    | { kind: "none" }
    | { kind: "cmd"; test: string[] }
    | { kind: "http"; path: string; port: number | null }
    | { kind: "tcp"; port: number | null };
  /** null: the image's value, else Docker's default. */
  intervalMs: number | null;
  timeoutMs: number | null;
  retries: number | null;
  startPeriodMs: number | null;
}

/** What a replica spec without a `health` field means: the image's own check, its own timings. */
export const DEFAULT_HEALTH: HealthSpec = { check: { kind: "image" }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null };

/** How a rolling replacement proceeds. Not part of any hash: it changes no container. */
export interface UpdatePolicy {
  /** Replicas replaced at once. */
  parallel: number;
  /** start-first keeps every replica serving; stop-first frees resources first (Compose's order). */
  order: "start-first" | "stop-first";
}

/** When an image is pulled, as `docker run --pull` spells it: missing (the default), always, never. */
export type PullPolicy = "missing" | "always" | "never";

/** An image a change needs, and when to pull it. */
export interface ImageWanted {
  ref: string;
  policy: PullPolicy;
}

/** The agent follows the tag: when the registry's digest moves, it rolls the pod out. */
export interface AutoUpdate {
  intervalS: number;
}

export interface PodSpec {
  name: string;
  replicas: number;
  network: NetworkSpec;
  replica: ReplicaSpec;
  update: UpdatePolicy;
  /** Opted in to auto-update; absent or null: not. Not part of any hash: it changes no container. */
  autoUpdate?: AutoUpdate | null;
}
