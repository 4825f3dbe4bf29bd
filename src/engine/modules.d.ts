// Types for the few modules pod imports that ship none: dockerode's own dependencies.
declare module "tar-fs" {
  export function pack(dir: string, options?: { entries?: string[] }): NodeJS.ReadableStream;
  const tarFs: { pack: typeof pack };
  export default tarFs;
}

declare module "tar-stream" {
  import type { Readable } from "node:stream";
  interface Pack extends Readable {
    entry(header: { name: string; size?: number; mode?: number; mtime?: Date }, content: Buffer | string, callback?: (err?: Error) => void): void;
    finalize(): void;
  }
  export function pack(): Pack;
  export function extract(): NodeJS.WritableStream & NodeJS.EventEmitter;
}

declare module "docker-modem/lib/http.js" {
  import type { ClientRequest } from "node:http";
  type Request = (...args: unknown[]) => ClientRequest;
  /** docker-modem's redirect-following wrappers, looked up by protocol at each request. */
  const modemHttp: { http: { request: Request }; https: { request: Request } };
  export default modemHttp;
}
