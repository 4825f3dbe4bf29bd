// Credentials found as the docker CLI finds them, proved against a real registry (Debian's
// docker-registry with htpasswd) and the real engine: the X-Registry-Auth that pod computes
// is sent to POST /images/create with curl, as pod's engine adapter will send it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { registryAuth } from "../../src/registry/credentials.js";
import { systemCredentialDeps } from "../../src/registry/system.js";
import { foldPull, pullLines, startPull, type PullChange, type PullEvent } from "../../src/report/progress.js";
import { parseReference, repositoryName, type NamedReference } from "../../src/podspec/reference.js";
import { HELPER_USER, run, useRegistry } from "./registry.js";
import { ENGINE_HOST, onPodman, podmanGap } from "./harness.js";

const registry = useRegistry();
const LAYER_BYTES = 1_500_000;

afterEach(async () => {
  // Each test starts with the image absent from the engine, so each pull downloads.
  await registry().forgetImages();
});

interface EngineAnswer {
  status: number;
  messages: { status?: string; id?: string; progressDetail?: { current?: number; total?: number }; message?: string; error?: string }[];
}

/** POST /images/create as `docker pull` sends it; the header goes through stdin, not argv. */
async function engineCreate(ref: NamedReference, header: string | null): Promise<EngineAnswer> {
  const query = `fromImage=${encodeURIComponent(repositoryName(ref))}&tag=${encodeURIComponent(ref.tag ?? "latest")}`;
  const args = ["-s", "--max-time", "60", "--unix-socket", ENGINE_HOST.replace(/^unix:\/\//, ""), "-X", "POST", "-w", "\n%{http_code}"];
  if (header !== null) args.push("-H", "@-");
  const r = await run("curl", [...args, `http://localhost/images/create?${query}`], { input: header !== null ? `X-Registry-Auth: ${header}\n` : "" });
  const lines = r.stdout.trim().split("\n");
  const status = Number(lines.pop());
  return { status, messages: lines.filter(Boolean).map((l) => JSON.parse(l)) };
}

async function onEngine(ref: string): Promise<boolean> {
  return (await run("docker", ["image", "inspect", ref])).code === 0;
}

function dockerConfig(config: unknown): string {
  const dir = mkdtempSync(join(registry().root, "config-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

describe.skipIf(onPodman)(`X-Registry-Auth against a real registry${onPodman ? ` (on Podman, skipped: ${podmanGap.pullStream})` : ""}`, () => {
  let image = "";
  const ref = () => parseReference(image) as NamedReference;

  it("from `docker login`'s config.json: the engine pulls, and the stream folds into one line per layer", async () => {
    image = await registry().pushFresh("reg-team/web:1.0", LAYER_BYTES);
    expect(await onEngine(image)).toBe(false);
    await registry().login();

    const auth = await registryAuth(ref(), { DOCKER_CONFIG: registry().dockerConfig, HOME: "/nonexistent" }, systemCredentialDeps());
    expect(auth).not.toBeNull();
    expect(auth!.registry).toBe(registry().address);
    expect(auth!.source).toBe(join(registry().dockerConfig, "config.json"));
    expect(JSON.stringify(auth)).not.toContain(registry().password);

    const answer = await engineCreate(ref(), auth!.header());
    expect(answer.status).toBe(200);
    expect(answer.messages.filter((m) => m.error || m.message)).toEqual([]);
    expect(await onEngine(image)).toBe(true);

    let progress = startPull(image);
    const changes: PullChange[] = [];
    for (const m of answer.messages) {
      const next = foldPull(progress, { ...(m.id ? { id: m.id } : {}), status: m.status ?? "", ...m.progressDetail } as PullEvent);
      progress = next.progress;
      changes.push(...next.changes);
    }
    expect(progress.outcome).toBe("downloaded");
    const fetched = progress.layers.filter((l) => l.phase === "done");
    expect(fetched).toHaveLength(1);
    // The random blob does not compress: the layer is its size and a little tar.
    expect(fetched[0]!.total).toBeGreaterThan(LAYER_BYTES);
    expect(fetched[0]!.total).toBeLessThan(LAYER_BYTES * 1.01);
    const lines = pullLines(progress, changes);
    expect(lines[0]).toBe(`pulling ${image}`);
    expect(lines.at(-1)).toMatch(new RegExp(`^pulled ${image.replace(/[.]/g, "\\.")}: \\d+ layers, 1\\.5\\d MB, sha256:[0-9a-f]{64}$`));
    expect(lines.filter((l) => l.startsWith("  layer "))).toHaveLength(progress.layers.length);
  });

  it.each([
    ["credsStore", (address: string) => ({ credsStore: "test", auths: { [address]: {} } })],
    ["credHelpers", (address: string) => ({ credHelpers: { [address]: "test" } })],
  ])("from docker-credential-test on PATH, named by %s", async (_how, config) => {
    image ||= await registry().pushFresh("reg-team/web:1.0", LAYER_BYTES);
    const env = { DOCKER_CONFIG: dockerConfig(config(registry().address)), PATH: registry().env.PATH! };
    const auth = await registryAuth(ref(), env, systemCredentialDeps());
    expect(auth?.source).toBe("docker-credential-test");
    expect(JSON.parse(Buffer.from(auth!.header(), "base64url").toString())).toMatchObject({ username: HELPER_USER, serveraddress: registry().address });

    const answer = await engineCreate(ref(), auth!.header());
    expect(answer.status).toBe(200);
    expect(answer.messages.at(-1)?.status).toBe(`Status: Downloaded newer image for ${image}`);
    expect(await onEngine(image)).toBe(true);
  });

  it("a helper that is not on PATH is one line naming it, before any engine call", async () => {
    image ||= await registry().pushFresh("reg-team/web:1.0", LAYER_BYTES);
    const env = { DOCKER_CONFIG: dockerConfig({ credsStore: "test" }), PATH: "/usr/bin:/bin" };
    await expect(registryAuth(ref(), env, systemCredentialDeps())).rejects.toThrow(/^docker-credential-test \(credsStore in .*config\.json\) is not on PATH$/);
  });

  it("a wrong password is refused by the registry, and nothing is pulled", async () => {
    image ||= await registry().pushFresh("reg-team/web:1.0", LAYER_BYTES);
    const wrong = Buffer.from(`${registry().user}:not-the-password`).toString("base64");
    const env = { DOCKER_CONFIG: dockerConfig({ auths: { [registry().address]: { auth: wrong } } }) };
    const auth = await registryAuth(ref(), env, systemCredentialDeps());
    expect(auth).not.toBeNull();

    const answer = await engineCreate(ref(), auth!.header());
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.messages.map((m) => m.message).join(" ")).toMatch(/unauthorized|authentication required/);
    expect(await onEngine(image)).toBe(false);
  });

  it("no credentials at all: none are sent, and the registry refuses", async () => {
    image ||= await registry().pushFresh("reg-team/web:1.0", LAYER_BYTES);
    const env = { DOCKER_CONFIG: dockerConfig({}) };
    expect(await registryAuth(ref(), env, systemCredentialDeps())).toBeNull();

    const answer = await engineCreate(ref(), null);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.messages.map((m) => m.message).join(" ")).toMatch(/no basic auth credentials|unauthorized/);
    expect(await onEngine(image)).toBe(false);
  });
});
