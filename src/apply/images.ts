// Images pod needs and cannot pull: no registry is assumed, so each is built locally. The
// sandbox image pod builds itself from its own checkout when the engine lacks it.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../engine/engine.js";
import type { ImageInfo } from "../engine/types.js";
import { ImageMissingError } from "../errors.js";
import { SANDBOX_IMAGE } from "./render.js";

/** The checkout's root: dist/ (bundled) and src/apply/ (tests) both find it. */
export function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "fixtures")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the sandbox image is built from; found when needed, not at start-up. */
export function sandboxContext(): string {
  return join(checkoutRoot(), "fixtures", "sandbox");
}
const SANDBOX_FILES = ["Dockerfile", "build/rootfs"];

export async function requireImage(engine: Engine, ref: string): Promise<ImageInfo> {
  const image = await engine.image(ref);
  if (image === null) {
    throw new ImageMissingError(
      `image ${ref} is not on the engine, and pod does not pull images`,
      `build it first (docker build -t ${ref} DIR); \`make build\` in the pod checkout builds the sample http_server`,
    );
  }
  return image;
}

export async function hasSandboxImage(engine: Engine): Promise<boolean> {
  return (await engine.image(SANDBOX_IMAGE)) !== null;
}

/** The sandbox image, built from fixtures/sandbox when it is missing and its files are there. */
export async function ensureSandboxImage(engine: Engine, onBuild: (text: string) => void): Promise<void> {
  if (await hasSandboxImage(engine)) return;
  const context = sandboxContext();
  if (!existsSync(join(context, "build", "rootfs", "pod-sandbox"))) {
    throw new ImageMissingError(
      `the sandbox image ${SANDBOX_IMAGE} is not on the engine`,
      "run `make build` in the pod checkout: it compiles the sandbox and builds its image",
    );
  }
  onBuild(`building ${SANDBOX_IMAGE} from ${context}`);
  await engine.buildImage(context, SANDBOX_FILES, SANDBOX_IMAGE);
}
