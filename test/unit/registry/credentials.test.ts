// Credentials as the docker CLI finds them, each form a row; the I/O is a table of files
// and helper answers, and every call to a helper is recorded.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CredentialsError, UsageError } from "../../../src/errors.js";
import { registryAuth, type CredentialDeps, type HelperResult } from "../../../src/registry/credentials.js";
import { parseReference, type NamedReference } from "../../../src/podspec/reference.js";

const SECRET = "hunter2-s3cr3t";
const HOME = "/home/u";
const CONFIG = `${HOME}/.docker/config.json`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

interface World {
  files?: Record<string, string>;
  /** Helper program name → its answer, or "missing" when it is not on PATH. */
  helpers?: Record<string, HelperResult | "missing" | ((input: string) => HelperResult)>;
  unreadable?: string[];
}

function world(w: World): CredentialDeps & { calls: string[]; paths: (string | undefined)[] } {
  const calls: string[] = [];
  const paths: (string | undefined)[] = [];
  return {
    calls,
    paths,
    home: HOME,
    readFile: (path) => {
      if (w.unreadable?.includes(path)) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
      return w.files?.[path] ?? null;
    },
    runHelper: async (program, args, input, env) => {
      calls.push(`${program} ${args.join(" ")} <<< ${input}`);
      paths.push(env.PATH);
      const answer = w.helpers?.[program];
      if (answer === undefined || answer === "missing") throw Object.assign(new Error(`spawn ${program} ENOENT`), { code: "ENOENT" });
      return typeof answer === "function" ? answer(input) : answer;
    },
  };
}

const config = (o: unknown) => ({ [CONFIG]: JSON.stringify(o) });
const ref = (text: string) => parseReference(text) as NamedReference;
const ok = (stdout: unknown): HelperResult => ({ code: 0, stdout: JSON.stringify(stdout), stderr: "" });

async function header(image: string, w: World, env: Record<string, string> = {}): Promise<unknown> {
  const auth = await registryAuth(ref(image), env, world(w));
  if (auth === null) return null;
  const h = auth.header();
  expect(h).toMatch(/^[A-Za-z0-9_-]+=*$/); // Go's base64.URLEncoding, padded
  return { json: JSON.parse(Buffer.from(h, "base64url").toString()), source: auth.source, registry: auth.registry };
}

describe("registryAuth: where the docker CLI looks, in its order", () => {
  const REG = "127.0.0.1:5000/team/web:1.0";
  const rows: [string, string, World, unknown, Record<string, string>?][] = [
    ["no config file: no credentials", REG, {}, null],
    ["an empty file: no credentials", REG, { files: { [CONFIG]: "  \n" } }, null],
    ["a file holding null: no credentials", REG, { files: { [CONFIG]: "null" } }, null],
    ["auths for another registry only", REG, { files: config({ auths: { "other:5000": { auth: b64(`u:${SECRET}`) } } }) }, null],
    ["an entry without a secret (left by a credsStore)", REG, { files: config({ auths: { "127.0.0.1:5000": {} } }) }, null],
    [
      "auths: the auth field, as docker login writes it",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { auth: b64(`alice:${SECRET}`) } } }) },
      { json: { username: "alice", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
    ],
    [
      "auths: a password holding ':' and trailing NULs",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { auth: b64(`alice:a:b${SECRET}\0\0`) } } }) },
      { json: { username: "alice", password: `a:b${SECRET}`, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
    ],
    [
      "auths: username and password fields",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { username: "bob", password: SECRET } } }) },
      { json: { username: "bob", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
    ],
    [
      "auths: an identity token",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { identitytoken: SECRET } } }) },
      { json: { serveraddress: "127.0.0.1:5000", identitytoken: SECRET }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
    ],
    [
      "auths: a key an old CLI wrote as a URL",
      REG,
      { files: config({ auths: { "https://127.0.0.1:5000/v1/": { auth: b64(`alice:${SECRET}`) } } }) },
      { json: { username: "alice", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
    ],
    [
      "Docker Hub is keyed as https://index.docker.io/v1/",
      "nginx",
      { files: config({ auths: { "https://index.docker.io/v1/": { auth: b64(`hub:${SECRET}`) }, "docker.io": { auth: b64("wrong:x") } } }) },
      { json: { username: "hub", password: SECRET, serveraddress: "https://index.docker.io/v1/" }, source: "~/.docker/config.json", registry: "https://index.docker.io/v1/" },
    ],
    [
      "DOCKER_CONFIG names the directory",
      REG,
      { files: { "/etc/dc/config.json": JSON.stringify({ auths: { "127.0.0.1:5000": { auth: b64(`carol:${SECRET}`) } } }) } },
      { json: { username: "carol", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "/etc/dc/config.json", registry: "127.0.0.1:5000" },
      { DOCKER_CONFIG: "/etc/dc" },
    ],
    [
      "HOME names the home directory when set",
      REG,
      { files: { "/root2/.docker/config.json": JSON.stringify({ auths: { "127.0.0.1:5000": { auth: b64(`gina:${SECRET}`) } } }) } },
      { json: { username: "gina", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
      { HOME: "/root2" },
    ],
    [
      "credsStore: the helper's answer",
      REG,
      { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": ok({ ServerURL: "127.0.0.1:5000", Username: "dave", Secret: SECRET }) } },
      { json: { username: "dave", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "docker-credential-test", registry: "127.0.0.1:5000" },
    ],
    [
      "credsStore: Username <token> means an identity token",
      REG,
      { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": ok({ ServerURL: "127.0.0.1:5000", Username: "<token>", Secret: SECRET }) } },
      { json: { serveraddress: "127.0.0.1:5000", identitytoken: SECRET }, source: "docker-credential-test", registry: "127.0.0.1:5000" },
    ],
    [
      "credsStore: not found is no credentials, and auths is not read (as the CLI's native store)",
      REG,
      {
        files: config({ credsStore: "test", auths: { "127.0.0.1:5000": { auth: b64(`stale:${SECRET}`) } } }),
        helpers: { "docker-credential-test": { code: 1, stdout: "credentials not found in native keychain\n", stderr: "" } },
      },
      null,
    ],
    [
      "credHelpers wins over credsStore for its registry",
      REG,
      {
        files: config({ credsStore: "store", credHelpers: { "127.0.0.1:5000": "test" } }),
        helpers: { "docker-credential-test": ok({ Username: "erin", Secret: SECRET }), "docker-credential-store": ok({ Username: "no", Secret: "no" }) },
      },
      { json: { username: "erin", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "docker-credential-test", registry: "127.0.0.1:5000" },
    ],
    [
      "credHelpers for another registry leaves this one to credsStore",
      REG,
      {
        files: config({ credsStore: "store", credHelpers: { "other:5000": "test" } }),
        helpers: { "docker-credential-store": ok({ Username: "frank", Secret: SECRET }) },
      },
      { json: { username: "frank", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "docker-credential-store", registry: "127.0.0.1:5000" },
    ],
    [
      "a helper answering an empty secret: no credentials",
      REG,
      { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": ok({ ServerURL: "", Username: "", Secret: "" }) } },
      null,
    ],
    [
      "DOCKER_AUTH_CONFIG first",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { auth: b64("file:x") } } }) },
      { json: { username: "env", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "DOCKER_AUTH_CONFIG", registry: "127.0.0.1:5000" },
      { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "127.0.0.1:5000": { auth: b64(`env:${SECRET}`) } } }) },
    ],
    [
      "DOCKER_AUTH_CONFIG without the registry falls back to the file",
      REG,
      { files: config({ auths: { "127.0.0.1:5000": { auth: b64(`file:${SECRET}`) } } }) },
      { json: { username: "file", password: SECRET, serveraddress: "127.0.0.1:5000" }, source: "~/.docker/config.json", registry: "127.0.0.1:5000" },
      { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "other:1": { auth: b64("env:x") } } }) },
    ],
  ];
  it.each(rows)("%s", async (_name, image, w, expected, env) => {
    expect(await header(image, w, env)).toEqual(expected);
  });

  it("asks the helper with the registry key on stdin, once, in the environment it was given", async () => {
    const deps = world({ files: config({ credsStore: "test" }), helpers: { "docker-credential-test": ok({ Username: "u", Secret: SECRET }) } });
    await registryAuth(ref("127.0.0.1:5000/team/web"), { PATH: "/opt/helpers:/usr/bin" }, deps);
    await registryAuth(ref("busybox"), { PATH: "/usr/bin" }, deps);
    expect(deps.calls).toEqual(["docker-credential-test get <<< 127.0.0.1:5000", "docker-credential-test get <<< https://index.docker.io/v1/"]);
    expect(deps.paths).toEqual(["/opt/helpers:/usr/bin", "/usr/bin"]);
  });
});

describe("registryAuth: faults, one line each, no secret in any", () => {
  const REG = "127.0.0.1:5000/team/web:1.0";
  const rows: [string, World, Function, RegExp, RegExp, Record<string, string>?][] = [
    // V8's own message would quote the text around the fault: here, the secret.
    ["config.json is not JSON", { files: { [CONFIG]: `{"auths": {"127.0.0.1:5000": {"auth": ${SECRET}}}}` } }, UsageError, /^~\/\.docker\/config\.json is not valid JSON$/, /docker login rewrites it/],
    ["config.json with a trailing comma, at its place", { files: { [CONFIG]: `{"auths": {\n  "127.0.0.1:5000": {"auth": "${b64(`u:${SECRET}`)}"},\n}}` } }, UsageError, /^~\/\.docker\/config\.json is not valid JSON at line 3, column 1$/, /fix/],
    ["config.json is a list", { files: { [CONFIG]: "[]" } }, UsageError, /is not a docker client configuration/, /fix/],
    ["auths is a string", { files: config({ auths: SECRET }) }, UsageError, /auths must be an object/, /fix/],
    ["credsStore is a number", { files: config({ credsStore: 1 }) }, UsageError, /credsStore must be a string/, /fix/],
    ["credHelpers maps to a number", { files: config({ credHelpers: { x: 1 } }) }, UsageError, /credHelpers must map registries to helper names/, /fix/],
    ["an auth that is not base64", { files: config({ auths: { "127.0.0.1:5000": { auth: `${SECRET}!` } } }) }, UsageError, /auths\["127\.0\.0\.1:5000"\]\.auth is not the base64 of USER:PASSWORD/, /docker login/],
    ["an auth without ':'", { files: config({ auths: { "127.0.0.1:5000": { auth: b64(SECRET) } } }) }, UsageError, /\.auth is not the base64 of USER:PASSWORD/, /fix/],
    ["an auth without a user", { files: config({ auths: { "127.0.0.1:5000": { auth: b64(`:${SECRET}`) } } }) }, UsageError, /\.auth is not the base64/, /fix/],
    ["a password that is a number", { files: config({ auths: { "127.0.0.1:5000": { username: "u", password: 12345 } } }) }, UsageError, /auths\["127\.0\.0\.1:5000"\]\.password must be a string/, /fix/],
    ["an entry that is a string", { files: config({ auths: { "127.0.0.1:5000": SECRET } }) }, UsageError, /auths\["127\.0\.0\.1:5000"\] must be an object/, /fix/],
    ["config.json unreadable", { unreadable: [CONFIG] }, UsageError, /^cannot read ~\/\.docker\/config\.json \(EACCES\)$/, /readable/],
    ["a helper not on PATH", { files: config({ credsStore: "nosuch" }), helpers: { "docker-credential-nosuch": "missing" } }, CredentialsError, /^docker-credential-nosuch \(credsStore in ~\/\.docker\/config\.json\) is not on PATH$/, /install it, or change credsStore/],
    ["a registry's helper not on PATH", { files: config({ credHelpers: { "127.0.0.1:5000": "gone" } }) }, CredentialsError, /docker-credential-gone \(credHelpers in ~\/\.docker\/config\.json\) is not on PATH/, /change credHelpers/],
    [
      "a helper that fails",
      { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": { code: 3, stdout: "", stderr: "the keyring is locked\nmore detail\n" } } },
      CredentialsError,
      /^docker-credential-test get failed for 127\.0\.0\.1:5000 \(exit 3\): the keyring is locked$/,
      /docker login 127\.0\.0\.1:5000/,
    ],
    [
      "a helper that fails saying something secret-like is not quoted",
      { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": { code: 1, stdout: `{"Secret":"${SECRET}"}`, stderr: "" } } },
      CredentialsError,
      /^docker-credential-test get failed for 127\.0\.0\.1:5000 \(exit 1\)$/,
      /check the helper/,
    ],
    ["a helper that answers no JSON", { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": { code: 0, stdout: `user ${SECRET}`, stderr: "" } } }, CredentialsError, /answered 127\.0\.0\.1:5000 with something other than \{ServerURL, Username, Secret\}/, /check the helper/],
    ["a helper that answers JSON without Secret", { files: config({ credsStore: "test" }), helpers: { "docker-credential-test": ok({ Username: "u", Password: SECRET }) } }, CredentialsError, /something other than/, /check the helper/],
    ["DOCKER_AUTH_CONFIG not JSON", {}, UsageError, /^DOCKER_AUTH_CONFIG is not valid JSON$/, /unset it/, { DOCKER_AUTH_CONFIG: `{"auths": ${SECRET}}` }],
    ["DOCKER_AUTH_CONFIG without auths", {}, UsageError, /DOCKER_AUTH_CONFIG has no auths object/, /unset it/, { DOCKER_AUTH_CONFIG: "{}" }],
  ];
  it.each(rows)("%s", async (_name, w, type, message, hint, env) => {
    let thrown: unknown;
    try {
      await registryAuth(ref(REG), env ?? {}, world(w));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(type);
    const err = thrown as UsageError;
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
    for (const text of [err.message, err.hint ?? "", inspect(err), JSON.stringify(err)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(b64(SECRET).slice(0, 12));
    }
  });
});

describe("RegistryAuth keeps its header out of logs", () => {
  it("JSON.stringify and util.inspect show the registry and source, not the header", async () => {
    const auth = await registryAuth(ref("127.0.0.1:5000/web"), {}, world({ files: config({ auths: { "127.0.0.1:5000": { auth: b64(`alice:${SECRET}`) } } }) }));
    expect(auth).not.toBeNull();
    const decoded = Buffer.from(auth!.header(), "base64url").toString();
    expect(decoded).toContain(SECRET);
    for (const text of [JSON.stringify(auth), inspect(auth, { depth: 5, showHidden: true }), String(auth)]) {
      expect(text).not.toContain(auth!.header());
      expect(text).not.toContain(SECRET);
    }
    expect(JSON.parse(JSON.stringify(auth))).toEqual({ registry: "127.0.0.1:5000", source: "~/.docker/config.json" });
  });

  it("a header whose base64 has '+' and '/' uses '-' and '_', with its padding", async () => {
    // ">>>" and "???" encode to "Pj4+" and "Pz8/" in standard base64.
    const auth = await registryAuth(ref("127.0.0.1:5000/web"), {}, world({ files: config({ auths: { "127.0.0.1:5000": { username: ">>>", password: "???" } } }) }));
    const h = auth!.header();
    expect(h).not.toMatch(/[+/]/);
    expect(h.length % 4).toBe(0);
    expect(JSON.parse(Buffer.from(h, "base64url").toString())).toEqual({ username: ">>>", password: "???", serveraddress: "127.0.0.1:5000" });
  });
});
