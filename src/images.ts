// Images pod needs and cannot pull: this machine reaches no registry, so each is built
// locally. The sandbox image pod can build itself from its own checkout.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SANDBOX_IMAGE } from "./containers.js";
import type { Engine } from "./engine.js";
import type { ImageInfo } from "./engine-types.js";
import { ImageMissingError } from "./errors.js";

const SANDBOX_CONTEXT = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "sandbox");

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

/** The sandbox image, built from fixtures/sandbox when it is missing and its binary is there. */
export async function ensureSandboxImage(engine: Engine, onBuild: (text: string) => void): Promise<void> {
  if ((await engine.image(SANDBOX_IMAGE)) !== null) return;
  if (!existsSync(join(SANDBOX_CONTEXT, "build", "pod-sandbox"))) {
    throw new ImageMissingError(
      `the sandbox image ${SANDBOX_IMAGE} is not on the engine`,
      "run `make build` in the pod checkout: it compiles the sandbox and builds its image",
    );
  }
  onBuild(`building ${SANDBOX_IMAGE} from ${SANDBOX_CONTEXT}`);
  await engine.buildImage(SANDBOX_CONTEXT, ["Dockerfile", "build/pod-sandbox"], SANDBOX_IMAGE);
}
