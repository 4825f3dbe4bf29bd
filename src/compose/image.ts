// A service's image. pod builds none: a `build:` is refused with the `docker build` that
// makes the image, so the user can run it and come back.
import { isAbsolute, join } from "node:path";
import { parseImageRef } from "../podspec/parse.js";
import { isObj, keyValues, type Obj, type Source } from "./context.js";
import type { Json } from "./interpolate.js";

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `docker build` with the same context, Dockerfile, target and build args. */
export function buildCommand(dir: string, build: Json, tag: string): string {
  const b: Obj = typeof build === "string" ? { context: build } : isObj(build) ? build : {};
  const context = typeof b["context"] === "string" ? b["context"] : ".";
  const remote = /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(context);
  const contextPath = remote || isAbsolute(context) ? context : join(dir, context);
  const parts = ["docker", "build", "-t", quote(tag)];
  if (typeof b["dockerfile"] === "string") {
    const dockerfile = b["dockerfile"];
    parts.push("-f", quote(isAbsolute(dockerfile) || remote ? dockerfile : join(contextPath, dockerfile)));
  }
  if (typeof b["target"] === "string") parts.push("--target", quote(b["target"]));
  for (const [key, value] of keyValues(b["args"])) parts.push("--build-arg", quote(value === null ? key : `${key}=${value}`));
  parts.push(quote(contextPath));
  return parts.join(" ");
}

export function image(src: Source, service: string, s: Obj, podName: string): string {
  const build = s["build"];
  const image = typeof s["image"] === "string" ? s["image"] : null;
  if (build !== undefined) {
    const tag = image ?? podName;
    src.d.fail(
      ["services", service, "build"],
      "pod builds no images, it runs them from the engine",
      `build it first with \`${buildCommand(src.dir, build, tag)}\`, then ${image ? "remove build: from the service" : `replace build: with image: ${tag}`}`,
    );
  }
  if (image === null) src.d.fail(["services", service], "has no image", "add image: NAME, an image on the engine (docker images lists them)");
  return src.d.reuse(["services", service, "image"], () => parseImageRef(image));
}
