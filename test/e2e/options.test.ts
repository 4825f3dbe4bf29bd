// Every replica gets the replica options; the network options land on the sandbox alone.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answering, containersOf, docker, onPodman, pod, podsToClean, sysctlIn } from "./harness.js";

const pods = podsToClean();

async function inspect(name: string): Promise<any> {
  return JSON.parse((await docker(["inspect", name])).stdout)[0];
}

describe("options", () => {
  it("passes replica options to every replica and network options to the sandbox", async () => {
    pods.add("e2e-opts");
    const dir = mkdtempSync(join(tmpdir(), "pod-e2e-"));
    const envFile = join(dir, "app.env");
    writeFileSync(envFile, "# a comment\nFROM_FILE=yes\nOVERRIDDEN=file\n");
    const up = await pod([
      "up", "--name", "e2e-opts", "--replicas", "2", "-p", "127.0.0.1:18150:9090", "--ready-timeout", "3",
      "-e", "OVERRIDDEN=flag", "--env-file", envFile, "-l", "team=web", "-v", `${dir}:/data:ro`,
      "-u", "0:0", "--memory", "64m", "--cpus", "0.5", "--stop-timeout", "7",
      "--hostname", "podhost", "--dns", "192.0.2.53", "--add-host", "db.internal:192.0.2.10",
      "http_server", "--", "/http_server",
    ]);
    // The server listens on 8080 while 9090 is published: never ready, and said so.
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("but the pod does not listen as it should");
    expect(up.stderr).toContain("the server must listen on 9090/tcp inside the container");
    expect(await containersOf("e2e-opts")).toEqual([]);

    const ok = await pod([
      "up", "--name", "e2e-opts", "--replicas", "2", "-p", "127.0.0.1:18150:9090", "--ready-timeout", "20",
      "-e", "PORT=9090", "-e", "OVERRIDDEN=flag", "--env-file", envFile, "-l", "team=web", "-v", `${dir}:/data:ro`,
      "-u", "0:0", "--memory", "64m", "--cpus", "0.5", "--stop-timeout", "7",
      "--hostname", "podhost", "--dns", "192.0.2.53", "--add-host", "db.internal:192.0.2.10",
      "http_server", "--", "/http_server",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await answering(18150, 40)).toEqual(["Hello from e2e-opts-1", "Hello from e2e-opts-2"]);

    for (const n of [1, 2]) {
      const r = await inspect(`e2e-opts-${n}`);
      expect(r.Config.Env).toEqual(expect.arrayContaining(["PORT=9090", "OVERRIDDEN=flag", "FROM_FILE=yes", "POD_NAME=e2e-opts", `POD_REPLICA=${n}`]));
      expect(r.Config.Env).not.toContain("OVERRIDDEN=file");
      expect(r.Config.Labels.team).toBe("web");
      expect(r.Config.User).toBe("0:0");
      expect(r.Config.StopTimeout).toBe(7);
      expect(r.Config.Cmd).toEqual(["/http_server"]);
      // Podman spells out its defaults: :ro,rprivate,rbind.
      expect(r.HostConfig.Binds.map((b: string) => b.replace(/,rprivate,rbind$/, ""))).toEqual([`${dir}:/data:ro`]);
      expect(r.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(r.HostConfig.NanoCpus).toBe(500_000_000);
      expect(r.HostConfig.RestartPolicy.Name).toBe("unless-stopped");
      expect(r.HostConfig.NetworkMode).toMatch(/^container:[0-9a-f]{64}$/);
      expect(r.HostConfig.Dns ?? []).toEqual([]);
      expect(r.HostConfig.ExtraHosts ?? []).toEqual([]);
    }
    const sandbox = await inspect("e2e-opts-sandbox");
    expect((await inspect("e2e-opts-1")).HostConfig.NetworkMode).toBe(`container:${sandbox.Id}`);
    expect(sandbox.Config.Hostname).toBe("podhost");
    expect(sandbox.HostConfig.Dns).toEqual(["192.0.2.53"]);
    expect(sandbox.HostConfig.ExtraHosts).toEqual(["db.internal:192.0.2.10"]);
    // Podman sets it but leaves HostConfig.Sysctls out of inspect: read it in the namespace there.
    if (onPodman) expect(await sysctlIn("e2e-opts-sandbox", "net.ipv4.tcp_migrate_req")).toBe("1");
    else expect(sandbox.HostConfig.Sysctls).toEqual({ "net.ipv4.tcp_migrate_req": "1" });
    expect(sandbox.HostConfig.RestartPolicy.Name).toBe("no");
    expect(sandbox.HostConfig.PortBindings).toEqual({ "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: "18150" }] });
  });
});
