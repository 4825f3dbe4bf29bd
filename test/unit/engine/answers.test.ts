// The engine's JSON answers as pod's plain shapes: bodies as Docker 20.10 and Podman 4.3 send them.
import { describe, expect, it } from "vitest";
import {
  ms,
  parseLogLine,
  toContainerInfo,
  toEngineEvent,
  toEngineInfo,
  toHealth,
  toImageInfo,
  toImageSummary,
  toPullProgress,
  type InspectBody,
} from "../../../src/engine/answers.js";

function inspectBody(over: Partial<InspectBody["State"]> = {}): InspectBody {
  return {
    Id: "a".repeat(64),
    Name: "/web-1",
    Created: "2026-01-02T03:04:05.123456789Z",
    Image: "sha256:img",
    Config: { Image: "http_server", Labels: { "dev.pod.name": "web" }, Env: ["A=1"] },
    State: { Status: "running", Running: true, Restarting: false, Pid: 42, ExitCode: 0, OOMKilled: false, Error: "", StartedAt: "2026-01-02T03:04:06Z", FinishedAt: "0001-01-01T00:00:00Z", ...over },
    RestartCount: 2,
    HostConfig: { NetworkMode: "container:abc", RestartPolicy: { Name: "always" } },
    NetworkSettings: {
      Ports: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }, { HostIp: "::1", HostPort: "18080" }], "53/udp": null, "9090": [{ HostIp: "", HostPort: "9090" }] },
      Networks: { bridge: { IPAddress: "172.17.0.2", GlobalIPv6Address: "", Aliases: null } },
    },
  };
}

describe("toContainerInfo", () => {
  it("maps an inspect body: name without its slash, times as ms, ports per binding, networks", () => {
    const info = toContainerInfo(inspectBody());
    expect(info).toMatchObject({
      id: "a".repeat(64),
      name: "web-1",
      image: "http_server",
      imageId: "sha256:img",
      created: Date.parse("2026-01-02T03:04:05.123Z"),
      labels: { "dev.pod.name": "web" },
      state: "running",
      running: true,
      startedAt: Date.parse("2026-01-02T03:04:06Z"),
      finishedAt: 0,
      restartCount: 2,
      restartPolicy: "always",
      pid: 42,
      networkMode: "container:abc",
      env: ["A=1"],
      health: null,
    });
    // (A key without its protocol is tcp; JavaScript lists integer-like keys first.)
    expect(info.ports).toEqual([
      { hostIp: "", hostPort: 9090, containerPort: 9090, protocol: "tcp" },
      { hostIp: "127.0.0.1", hostPort: 18080, containerPort: 8080, protocol: "tcp" },
      { hostIp: "::1", hostPort: 18080, containerPort: 8080, protocol: "tcp" },
    ]);
    expect(info.networks).toEqual([{ name: "bridge", ip: "172.17.0.2", ipv6: "", aliases: [] }]);
  });

  it("nulls the engine may send become empty", () => {
    const body = inspectBody();
    body.Config.Labels = null;
    body.Config.Env = null;
    body.NetworkSettings = { Ports: null, Networks: null };
    expect(toContainerInfo(body)).toMatchObject({ labels: {}, env: [], ports: [], networks: [] });
  });
});

describe("health", () => {
  const cases: [string, InspectBody["State"]["Health"], ReturnType<typeof toHealth>][] = [
    ["no healthcheck (Docker leaves Health out)", undefined, null],
    ["Podman's empty health", { Status: "", FailingStreak: 0, Log: null }, null],
    ["starting, before any probe", { Status: "starting", FailingStreak: 0, Log: [] }, { status: "starting", failingStreak: 0, lastOutput: "", lastExitCode: null }],
    [
      "unhealthy: the latest probe's output and code",
      { Status: "unhealthy", FailingStreak: 3, Log: [{ ExitCode: 0, Output: "ok" }, { ExitCode: 1, Output: "refused\n" }] },
      { status: "unhealthy", failingStreak: 3, lastOutput: "refused\n", lastExitCode: 1 },
    ],
    ["healthy", { Status: "healthy", FailingStreak: 0, Log: [{ ExitCode: 0, Output: "" }] }, { status: "healthy", failingStreak: 0, lastOutput: "", lastExitCode: 0 }],
  ];
  it.each(cases)("%s", (_name, health, expected) => {
    expect(toHealth(health)).toEqual(expected);
    expect(toContainerInfo(inspectBody(health === undefined ? {} : { Health: health })).health).toEqual(expected);
  });
});

describe("images", () => {
  it.each([
    ["no config", { Id: "sha256:1" }, { id: "sha256:1", user: "", repoDigests: [], healthcheck: false }],
    ["a HEALTHCHECK", { Id: "sha256:2", Config: { User: "app", Healthcheck: { Test: ["CMD", "/probe"] } }, RepoDigests: ["reg/web@sha256:ab"] }, { id: "sha256:2", user: "app", repoDigests: ["reg/web@sha256:ab"], healthcheck: true }],
    ["HEALTHCHECK NONE", { Id: "sha256:3", Config: { Healthcheck: { Test: ["NONE"] } }, RepoDigests: null }, { id: "sha256:3", user: "", repoDigests: [], healthcheck: false }],
    ["an empty test", { Id: "sha256:4", Config: { Healthcheck: { Test: [] } } }, { id: "sha256:4", user: "", repoDigests: [], healthcheck: false }],
  ])("%s", (_name, body, expected) => {
    expect(toImageInfo(body)).toEqual(expected);
  });

  it("a listed image: Docker's <none>:<none> is no tag", () => {
    expect(toImageSummary({ Id: "sha256:1", RepoTags: ["<none>:<none>"], Labels: null, Created: 1700000000 })).toEqual({ id: "sha256:1", repoTags: [], labels: {}, created: 1700000000000 });
    expect(toImageSummary({ Id: "sha256:2", RepoTags: ["pod-record:web"], Labels: { a: "b" } }).repoTags).toEqual(["pod-record:web"]);
  });
});

describe("which engine", () => {
  it("Docker", () => {
    const version = { Version: "20.10.24+dfsg1", ApiVersion: "1.41", KernelVersion: "6.1.0", Components: [{ Name: "Engine", Version: "20.10.24+dfsg1" }, { Name: "containerd", Version: "1.6.20" }] };
    expect(toEngineInfo(version, { KernelVersion: "6.1.0", ServerVersion: "20.10.24+dfsg1", OperatingSystem: "Debian GNU/Linux 12 (bookworm)" })).toEqual({
      kernelVersion: "6.1.0",
      serverVersion: "20.10.24+dfsg1",
      apiVersion: "1.41",
      os: "Debian GNU/Linux 12 (bookworm)",
      engine: "docker",
      engineVersion: "20.10.24+dfsg1",
    });
  });

  it("Podman's compatible API: its component names it", () => {
    const version = { Version: "4.3.1", ApiVersion: "1.41", KernelVersion: "6.1.0", Components: [{ Name: "Podman Engine", Version: "4.3.1" }, { Name: "Conmon", Version: "conmon version 2.1.6" }] };
    expect(toEngineInfo(version, { KernelVersion: "6.1.0", ServerVersion: "4.3.1", OperatingSystem: "debian" })).toMatchObject({ engine: "podman", engineVersion: "4.3.1", apiVersion: "1.41" });
  });

  it("an engine with no components is Docker; /version fills what /info lacks", () => {
    expect(toEngineInfo({ Version: "28.2.2", ApiVersion: "1.50", KernelVersion: "6.8" }, {})).toMatchObject({ engine: "docker", engineVersion: "28.2.2", serverVersion: "28.2.2", kernelVersion: "6.8" });
  });
});

describe("events, progress, log lines, times", () => {
  it("an event: the action before a colon, ms from timeNano, attributes", () => {
    expect(toEngineEvent({ Action: "exec_start: sh -c x", Actor: { ID: "c1", Attributes: { name: "web-1" } }, timeNano: 1_700_000_000_123_456_789 })).toEqual({
      action: "exec_start",
      id: "c1",
      attributes: { name: "web-1" },
      time: 1_700_000_000_123,
    });
    expect(toEngineEvent({ status: "die", id: "c2", time: 1_700_000_000 })).toEqual({ action: "die", id: "c2", attributes: {}, time: 1_700_000_000_000 });
  });

  it("pull progress: bytes when counted, null otherwise; a line without status says nothing", () => {
    expect(toPullProgress({ id: "a1b2", status: "Downloading", progressDetail: { current: 10, total: 100 } })).toEqual({ id: "a1b2", status: "Downloading", current: 10, total: 100 });
    expect(toPullProgress({ id: "a1b2", status: "Pull complete", progressDetail: {} })).toEqual({ id: "a1b2", status: "Pull complete", current: null, total: null });
    expect(toPullProgress({ status: "Digest: sha256:ab" })).toEqual({ id: "", status: "Digest: sha256:ab", current: null, total: null });
    expect(toPullProgress({ status: "Extracting", progressDetail: { current: 5, total: -1 } })?.total).toBeNull();
    expect(toPullProgress({})).toBeNull();
  });

  it("a log line with and without the engine's timestamp", () => {
    expect(parseLogLine("2026-11-22T10:00:00.123456789Z hello world", "stderr")).toEqual({ stream: "stderr", time: Date.parse("2026-11-22T10:00:00.123Z"), stamp: "2026-11-22T10:00:00.123456789Z", text: "hello world" });
    expect(parseLogLine("no stamp here", "stdout")).toEqual({ stream: "stdout", time: 0, stamp: "", text: "no stamp here" });
  });

  it("Go's zero time and nonsense are 0", () => {
    expect(ms("0001-01-01T00:00:00Z")).toBe(0);
    expect(ms("")).toBe(0);
    expect(ms("not a time")).toBe(0);
    expect(ms("2026-01-01T00:00:00Z")).toBe(Date.parse("2026-01-01T00:00:00Z"));
  });
});
