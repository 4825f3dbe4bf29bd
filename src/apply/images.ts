// The sandbox image: pod builds it itself from its own checkout when the engine lacks it
// (it is never pulled: no registry is assumed).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkoutRoot } from "../checkout.js";
import type { ImageClient } from "../engine/engine.js";
import { ImageMissingError } from "../errors.js";
import { SANDBOX_IMAGE } from "./render.js";

/** Where the sandbox image is built from; found when needed, not at start-up. */
export function sandboxContext(): string {
  return join(checkoutRoot(), "fixtures", "sandbox");
}
const SANDBOX_FILES = ["Dockerfile", "build/rootfs"];

export async function hasSandboxImage(engine: ImageClient): Promise<boolean> {
  return (await engine.image(SANDBOX_IMAGE)) !== null;
}

/**
 * Whether the sandbox image is on the engine; with `build`, it is built from fixtures/sandbox
 * when it is missing and its files are there (else a clear error).
 */
export async function ensureSandboxImage(engine: ImageClient, onBuild: (text: string) => void, o: { build: boolean } = { build: true }): Promise<boolean> {
  if (await hasSandboxImage(engine)) return true;
  if (!o.build) return false;
  const context = sandboxContext();
  if (!existsSync(join(context, "build", "rootfs", "pod-sandbox"))) {
    throw new ImageMissingError(
      `the sandbox image ${SANDBOX_IMAGE} is not on the engine`,
      "run `make build` in the pod checkout: it compiles the sandbox and builds its image",
    );
  }
  onBuild(`building ${SANDBOX_IMAGE} from ${context}`);
  await engine.buildImage(context, SANDBOX_FILES, SANDBOX_IMAGE);
  return true;
}
