// An image with no files, only labels, as a `docker save` archive for POST /images/load:
// its config is JSON, so every label value goes in and comes back exactly (quotes,
// backslashes, newlines, any unicode, megabytes), which neither `changes` (Dockerfile
// syntax, in the URL) nor a build's LABEL line can promise. No layer: Docker and Podman
// both load a zero-layer image, as `FROM scratch` + LABEL builds one.
import { createHash } from "node:crypto";
import { pack } from "tar-stream";

/** The engine's name for this machine's architecture (Go's GOARCH). */
function goArch(): string {
  return ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The config's bytes, and the id the engine gives the image (their sha256). */
export function labelledImageConfig(labels: Record<string, string>, created: Date): { config: Buffer; id: string } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: goArch(),
      os: "linux",
      created: created.toISOString(),
      config: { Labels: labels },
      rootfs: { type: "layers", diff_ids: [] },
      history: [],
    }),
  );
  return { config, id: `sha256:${createHash("sha256").update(config).digest("hex")}` };
}

export async function labelledImageArchive(repoTag: string, labels: Record<string, string>, created: Date): Promise<Buffer> {
  const { config, id } = labelledImageConfig(labels, created);
  const configName = `${id.slice("sha256:".length)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: [] }]);
  const tar = pack();
  tar.entry({ name: configName, mtime: created }, config);
  tar.entry({ name: "manifest.json", mtime: created }, manifest);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
