// Where pod's own checkout is: dist/ (bundled) and src/ (tests) both find it, for the
// sandbox image's and the agent image's build contexts.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "fixtures")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
