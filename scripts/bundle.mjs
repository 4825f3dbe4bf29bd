// dist/pod.js: src/main.ts bundled by esbuild (one file loads faster than a tree of
// modules: `pod ps` must start within twice `node -e 0`), dockerode included, so the
// agent's image (dist/ alone, no node_modules) has all it runs.
//
// dockerode loads, at import, parts pod never runs: BuildKit sessions (@grpc/grpc-js,
// protobufjs: about 0.2 s), docker-modem's ssh2 agent (pod runs the system ssh, as the
// docker CLI does), tar-fs, zlib and a .dockerignore reader (pod packs a build context
// itself, in a chunk of its own), Swarm's objects, readable-stream for a duplex pod never
// asks for, and `debug`, which would print request
// headers (registry credentials) under DEBUG=modem. Each resolves here to a stand-in that
// says so if it is ever called. One line of docker-modem goes too: it formats every
// request's options with util.inspect (sockets, agent and all) for that debug line, even
// when nothing prints it: 1 ms a request, 90 ms of a `pod ps` of 20 pods.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

/** Which module, imported by whom, and what it was for. */
const LEFT_OUT = [
  { request: "./session", importer: /dockerode[\\/]lib[\\/]docker\.js$/, what: "dockerode's BuildKit session (buildImage version 2)" },
  { request: "./ssh", importer: /docker-modem[\\/]lib[\\/]modem\.js$/, what: "docker-modem's ssh2 agent (pod runs the system ssh)" },
  { request: "./http_duplex", importer: /docker-modem[\\/]lib[\\/]modem\.js$/, what: "docker-modem's HttpDuplex (openStdin without hijack)" },
  { request: "tar-fs", importer: /dockerode[\\/]lib[\\/]util\.js$/, what: "dockerode's build-context packer" },
  { request: "zlib", importer: /dockerode[\\/]lib[\\/]util\.js$/, what: "dockerode's build-context gzip" },
  { request: "@balena/dockerignore", importer: /dockerode[\\/]lib[\\/]util\.js$/, what: "dockerode's .dockerignore reader" },
  // Swarm's and plugins' objects: pod drives a single engine's containers.
  ...["./service", "./plugin", "./secret", "./config", "./task", "./node"].map((request) => ({
    request,
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    what: `dockerode's ${request.slice(2)} objects`,
  })),
];
const LEFT_OUT_REQUESTS = new RegExp(`^(${LEFT_OUT.map((l) => l.request.replace(/[.\\/]/g, "\\$&")).join("|")})$`);

export const standIns = {
  name: "dockerode-stand-ins",
  setup(b) {
    b.onResolve({ filter: LEFT_OUT_REQUESTS }, (args) => {
      const i = LEFT_OUT.findIndex((l) => l.request === args.path && l.importer.test(args.importer));
      return i < 0 ? undefined : { path: String(i), namespace: "left-out" };
    });
    b.onLoad({ filter: /.*/, namespace: "left-out" }, ({ path }) => {
      const what = JSON.stringify(`${LEFT_OUT[Number(path)].what} is not part of pod's bundle (scripts/bundle.mjs)`);
      // Called, constructed or any member used: it says what it is.
      const contents = `const leftOut = () => { throw new Error(${what}); };
        module.exports = new Proxy(leftOut, { apply: leftOut, construct: leftOut, get: () => leftOut });`;
      return { loader: "js", contents };
    });
    // docker-modem's lib/http.js follows redirects and loads node:https (tls) at import:
    // its requests are node's own here, https loaded for a TLS engine only. client.ts
    // imports the same module, so it is one object.
    const modemHttp = (args) => ({ path: "modem-http", namespace: "modem-http" });
    b.onResolve({ filter: /^\.\/http$/ }, (args) => (/docker-modem[\\/]lib[\\/]modem\.js$/.test(args.importer) ? modemHttp(args) : undefined));
    b.onResolve({ filter: /^docker-modem\/lib\/http\.js$/ }, modemHttp);
    b.onLoad({ filter: /.*/, namespace: "modem-http" }, () => ({
      loader: "js",
      contents: `module.exports = {
        http: { request: (...a) => require("node:http").request(...a) },
        https: { request: (...a) => require("node:https").request(...a) },
      };`,
    }));
    b.onLoad({ filter: /docker-modem[\\/]lib[\\/]modem\.js$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const sending = /debug\('Sending: %s', util\.inspect\(options, \{[^}]*\}\)\);/;
      if (!sending.test(source)) throw new Error("docker-modem's request logging changed: update scripts/bundle.mjs");
      return { loader: "js", contents: source.replace(sending, "") };
    });
    // docker-modem's debug("modem") logger: a no-op, whatever DEBUG says.
    b.onResolve({ filter: /^debug$/ }, (args) => (/docker-modem[\\/]lib[\\/]modem\.js$/.test(args.importer) ? { path: "debug", namespace: "quiet" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "quiet" }, () => ({ loader: "js", contents: "module.exports = function debug() { return function () {}; };" }));
  },
};

/** Banner for CommonJS inside an ES module bundle: dockerode's modules call require() for Node's own. */
export const banner = { js: "import { createRequire as __podRequire } from 'node:module'; const require = __podRequire(import.meta.url);" };

async function main() {
  const result = await build({
    entryPoints: ["src/main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    splitting: true,
    minify: true,
    keepNames: true,
    sourcemap: true,
    outdir: "dist",
    entryNames: "pod",
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "warning",
    metafile: true,
    plugins: [standIns],
    // yargs's help layout: cliui's CommonJS build wraps help between words (wrap-ansi); its
    // ESM build cuts lines at the column, in the middle of words.
    alias: { cliui: "./node_modules/cliui/build/index.cjs" },
    banner,
  });

  // A stand-in left unused means dockerode changed: say so rather than ship it silently.
  const inputs = Object.keys(result.metafile.inputs);
  const unused = LEFT_OUT.filter((_, i) => !inputs.includes(`left-out:${i}`)).map((l) => `${l.request} (from ${l.importer})`);
  const leaked = inputs.filter((p) => /node_modules[\\/](ssh2|@grpc|protobufjs|cpu-features)[\\/]/.test(p));
  if (unused.length > 0 || leaked.length > 0) {
    console.error(`scripts/bundle.mjs: dockerode's layout changed: ${[...unused.map((u) => `no import of ${u}`), ...leaked.map((l) => `bundled ${l}`)].join("; ")}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
