// The agent's container and unit file, as each engine needs them: the socket it mounts is the
// one pod talks to, and under systemd it waits for Docker's service or Podman's socket.
import { describe, expect, it } from "vitest";
import { agentConfig, ENGINE_SOCKET, hostSocket, systemdUnit } from "../../../src/agent/install.js";

describe("the socket the agent mounts", () => {
  const rows: [string, string, "docker" | "podman", string][] = [
    ["a local Docker: the socket pod talks to", "unix:///var/run/docker.sock", "docker", "/var/run/docker.sock"],
    ["a local Podman: its socket, wherever it is", "unix:///run/podman/podman.sock", "podman", "/run/podman/podman.sock"],
    ["a socket of its own path", "unix:///run/pod-test/podman.sock", "podman", "/run/pod-test/podman.sock"],
    ["a remote Docker: the engine's default", "ssh://me@box", "docker", "/var/run/docker.sock"],
    ["a remote Podman: rootful Podman's socket", "tcp://box:2375", "podman", "/run/podman/podman.sock"],
  ];
  for (const [name, address, engine, socket] of rows) it(name, () => expect(hostSocket(address, engine)).toBe(socket));

  it("is mounted where the agent inside looks: docker's default address", () => {
    expect(agentConfig("pod-agent:1", "/run/podman/podman.sock").HostConfig?.Binds).toEqual([`/run/podman/podman.sock:${ENGINE_SOCKET}`]);
    expect(agentConfig("pod-agent:1", ENGINE_SOCKET, "/root/.docker").HostConfig?.Binds).toEqual([`${ENGINE_SOCKET}:${ENGINE_SOCKET}`, "/root/.docker:/run/pod/docker-config:ro"]);
  });
});

describe("pod agent systemd", () => {
  it("on Docker: after docker.service, no address to set", () => {
    const unit = systemdUnit("/opt/pod/bin/pod", { kind: "docker", address: "unix:///var/run/docker.sock" });
    expect(unit).toContain("After=docker.service\nRequires=docker.service\n");
    expect(unit).toContain("ExecStart=/opt/pod/bin/pod agent run\n");
    expect(unit).not.toContain("DOCKER_HOST");
  });

  it("on Podman: after podman.socket, with Podman's address (it restarts nothing at boot by itself)", () => {
    const unit = systemdUnit("/opt/pod/bin/pod", { kind: "podman", address: "unix:///run/podman/podman.sock" });
    expect(unit).toContain("After=podman.socket\nRequires=podman.socket\n");
    expect(unit).toContain("Environment=DOCKER_HOST=unix:///run/podman/podman.sock\n");
  });

  it("a remote engine pod reached: the engine's own socket on its host", () => {
    expect(systemdUnit("/p", { kind: "podman", address: "ssh://box" })).toContain("Environment=DOCKER_HOST=unix:///run/podman/podman.sock\n");
    expect(systemdUnit("/p", { kind: "docker", address: "ssh://box" })).not.toContain("DOCKER_HOST");
  });
});

describe("the agent's image, as the engine names it", () => {
  it("Podman's docker.io/library/pod-agent:… is the same image as pod-agent:…", async () => {
    const { FakeEngine } = await import("../../support/fake-engine.js");
    const { agentImageTag, agentState } = await import("../../../src/agent/install.js");
    const engine = new FakeEngine();
    const tag = agentImageTag();
    await engine.createContainer({ ...agentConfig(tag), Image: `docker.io/library/${tag}` });
    const now = await agentState(engine);
    expect(now.state !== "absent" && now.state !== "foreign" && now.current).toBe(true);
  });
});
