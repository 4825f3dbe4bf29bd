// Which engine pod talks to: docker's rules, as tables (each row checked against docker 28.2
// with `docker context inspect` and `docker version`).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_HOST, resolveEndpoint, type Endpoint, type EndpointInputs } from "../../../src/engine/endpoint.js";
import { UsageError } from "../../../src/errors.js";

const HOME = "/home/u";
const id = (name: string) => createHash("sha256").update(name).digest("hex");
const meta = (dir: string, name: string) => `${dir}/contexts/meta/${id(name)}/meta.json`;
const tlsFile = (dir: string, name: string, file: string) => `${dir}/contexts/tls/${id(name)}/docker/${file}`;
const context = (name: string, docker: object, dir = `${HOME}/.docker`) => ({ [meta(dir, name)]: JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker } }) });

interface Case {
  name: string;
  host?: string;
  context?: string;
  env?: Record<string, string>;
  files?: Record<string, string>;
  want: Partial<Endpoint> | { error: RegExp; hint?: RegExp };
}

function inputs(c: Case): EndpointInputs {
  const files = c.files ?? {};
  return {
    ...(c.host !== undefined ? { host: c.host } : {}),
    ...(c.context !== undefined ? { context: c.context } : {}),
    env: c.env ?? {},
    home: HOME,
    readFile: (path) => files[path] ?? null,
  };
}

function check(c: Case): void {
  if ("error" in c.want) {
    let thrown: unknown;
    try {
      resolveEndpoint(inputs(c));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).exitCode).toBe(2);
    expect((thrown as UsageError).message).toMatch(c.want.error);
    if (c.want.hint) expect((thrown as UsageError).hint).toMatch(c.want.hint);
  } else {
    expect(resolveEndpoint(inputs(c))).toMatchObject(c.want);
  }
}

const foo = context("foo", { Host: "tcp://foo.example:2376", SkipTLSVerify: false });
const bar = context("bar", { Host: "unix:///run/bar.sock", SkipTLSVerify: false });

describe("which engine: precedence", () => {
  const cases: Case[] = [
    { name: "nothing set: the default socket", want: { host: DEFAULT_HOST, tls: null, context: "default", source: "default" } },
    { name: "--host", host: "unix:///tmp/x.sock", want: { host: "unix:///tmp/x.sock", context: "default", source: "--host" } },
    { name: "an empty --host counts as none", host: "  ", want: { host: DEFAULT_HOST, source: "default" } },
    {
      name: "--host and --context together",
      host: "unix:///tmp/x.sock",
      context: "foo",
      files: foo,
      want: { error: /^conflicting options: cannot specify both --host and --context$/, hint: /not both/ },
    },
    { name: "--context", context: "foo", files: foo, want: { host: "tcp://foo.example:2376", context: "foo", source: "--context foo" } },
    { name: "--context beats DOCKER_HOST", context: "foo", env: { DOCKER_HOST: "tcp://h:1" }, files: foo, want: { host: "tcp://foo.example:2376", context: "foo" } },
    { name: "--host beats DOCKER_CONTEXT", host: "tcp://h:1", env: { DOCKER_CONTEXT: "foo" }, files: foo, want: { host: "tcp://h:1", context: "default", source: "--host" } },
    { name: "DOCKER_HOST", env: { DOCKER_HOST: "tcp://h:1" }, want: { host: "tcp://h:1", context: "default", source: "DOCKER_HOST" } },
    { name: "DOCKER_HOST beats DOCKER_CONTEXT", env: { DOCKER_HOST: "tcp://h:1", DOCKER_CONTEXT: "foo" }, files: foo, want: { host: "tcp://h:1", context: "default", source: "DOCKER_HOST" } },
    { name: "an empty DOCKER_HOST counts as unset", env: { DOCKER_HOST: "", DOCKER_CONTEXT: "foo" }, files: foo, want: { context: "foo" } },
    { name: "DOCKER_CONTEXT", env: { DOCKER_CONTEXT: "bar" }, files: bar, want: { host: "unix:///run/bar.sock", context: "bar", source: "DOCKER_CONTEXT=bar" } },
    {
      name: "DOCKER_CONTEXT beats the current context",
      env: { DOCKER_CONTEXT: "bar" },
      files: { ...foo, ...bar, [`${HOME}/.docker/config.json`]: '{"currentContext":"foo"}' },
      want: { context: "bar" },
    },
    {
      name: "the current context in config.json",
      files: { ...foo, [`${HOME}/.docker/config.json`]: '{"auths":{},"currentContext":"foo"}' },
      want: { host: "tcp://foo.example:2376", context: "foo", source: "current context foo in ~/.docker/config.json" },
    },
    {
      name: "DOCKER_CONFIG moves config.json and the contexts",
      env: { DOCKER_CONFIG: "/cfg" },
      files: { ...context("foo", { Host: "tcp://elsewhere:1" }, "/cfg"), "/cfg/config.json": '{"currentContext":"foo"}' },
      want: { host: "tcp://elsewhere:1", context: "foo", source: "current context foo in /cfg/config.json" },
    },
    { name: "--context default is DOCKER_HOST", context: "default", env: { DOCKER_HOST: "tcp://h:1" }, want: { host: "tcp://h:1", context: "default", source: "--context default (DOCKER_HOST)" } },
    { name: "--context default without DOCKER_HOST is the socket", context: "default", want: { host: DEFAULT_HOST, context: "default", source: "--context default" } },
    { name: "DOCKER_CONTEXT=default", env: { DOCKER_CONTEXT: "default" }, want: { host: DEFAULT_HOST, context: "default" } },
    { name: "currentContext default", files: { [`${HOME}/.docker/config.json`]: '{"currentContext":"default"}' }, want: { host: DEFAULT_HOST, context: "default" } },
    { name: "an empty currentContext", files: { [`${HOME}/.docker/config.json`]: '{"currentContext":""}' }, want: { host: DEFAULT_HOST, source: "default" } },
    { name: "config.json without currentContext", files: { [`${HOME}/.docker/config.json`]: '{"auths":{}}' }, want: { host: DEFAULT_HOST, source: "default" } },
    { name: "an empty config.json (docker reads it as no settings)", files: { [`${HOME}/.docker/config.json`]: " \n" }, want: { host: DEFAULT_HOST } },
    { name: "config.json holding null", files: { [`${HOME}/.docker/config.json`]: "null" }, want: { host: DEFAULT_HOST } },
  ];
  it.each(cases)("$name", check);
});

describe("which engine: bad configuration", () => {
  const cases: Case[] = [
    {
      name: "a context that does not exist, named where pod looked",
      context: "nope",
      want: { error: new RegExp(`^context "nope" \\(--context nope\\) does not exist: pod looked for ~/.docker/contexts/meta/${id("nope")}/meta.json$`), hint: /docker context ls/ },
    },
    { name: "DOCKER_CONTEXT naming no context", env: { DOCKER_CONTEXT: "gone" }, want: { error: /context "gone" \(DOCKER_CONTEXT=gone\) does not exist/ } },
    {
      name: "a current context that does not exist",
      files: { [`${HOME}/.docker/config.json`]: '{"currentContext":"gone"}' },
      want: { error: /context "gone" \(current context gone in ~\/.docker\/config.json\) does not exist/ },
    },
    { name: "a malformed config.json", files: { [`${HOME}/.docker/config.json`]: "{oops" }, want: { error: /^~\/.docker\/config.json is not valid JSON/, hint: /--host or --context/ } },
    { name: "a config.json that is not an object", files: { [`${HOME}/.docker/config.json`]: "[1]" }, want: { error: /config.json is not a docker client configuration/ } },
    { name: "a currentContext that is not a string", files: { [`${HOME}/.docker/config.json`]: '{"currentContext":5}' }, want: { error: /currentContext must be a string/ } },
    { name: "a malformed meta.json", context: "foo", files: { [meta(`${HOME}/.docker`, "foo")]: "{bad" }, want: { error: new RegExp(`contexts/meta/${id("foo")}/meta.json is not valid JSON`), hint: /docker context rm foo/ } },
    { name: "a context without a docker endpoint", context: "foo", files: { [meta(`${HOME}/.docker`, "foo")]: '{"Name":"foo","Endpoints":{}}' }, want: { error: /^context "foo" has no docker endpoint/ } },
    { name: "a context whose Host is not a string", context: "foo", files: context("foo", { Host: 1 }), want: { error: /has no docker endpoint/ } },
    { name: "a context with a bad host", context: "foo", files: context("foo", { Host: "foo://x" }), want: { error: /^invalid Docker host "foo:\/\/x" \(context foo\): unknown scheme foo:\/\// } },
  ];
  it.each(cases)("$name", check);

  it("a file pod may not read", () => {
    const i: EndpointInputs = {
      env: { DOCKER_CONTEXT: "foo" },
      home: HOME,
      readFile: () => {
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      },
    };
    expect(() => resolveEndpoint(i)).toThrow(/^cannot read .*meta.json \(EACCES\)/);
  });
});

describe("host URLs, as docker's ParseHost reads --host and DOCKER_HOST", () => {
  const rows: [string, string | RegExp][] = [
    [" tcp://1.2.3.4:5 ", "tcp://1.2.3.4:5"],
    ["1.2.3.4:5", "tcp://1.2.3.4:5"],
    [":2375", "tcp://localhost:2375"],
    ["tcp://", "tcp://localhost:2375"],
    ["tcp://h", "tcp://h:2375"],
    ["tcp://h:", "tcp://h:2375"],
    ["tcp://u@h:9/base/?x=1", "tcp://h:9/base"],
    ["tcp://h:9/", "tcp://h:9"],
    ["tcp://[::1]:9", "tcp://[::1]:9"],
    ["tcp://h:abc", /invalid port "abc"/],
    ["tcp://h:99999", /invalid port "99999"/],
    ["unix://", DEFAULT_HOST],
    ["unix:///run/d.sock", "unix:///run/d.sock"],
    ["unix://rel.sock", "unix://rel.sock"],
    ["ssh://me@h.example:2222", "ssh://me@h.example:2222"],
    ["ssh://h", "ssh://h"],
    ["ssh://u:pw@h", /plain-text password is not supported/],
    ["ssh://", /hostname is empty/],
    ["ssh://h?x", /query parameters are not allowed: "x"/],
    ["ssh://h#f", /fragments are not allowed: "f"/],
    ["ssh://h/run/d.sock", /cannot reach a socket path over ssh/],
    ["ssh://h:port", /not a valid ssh URL/],
    ["http://h:2375", /^invalid Docker host "http:\/\/h:2375" \(--host\): unknown scheme http:\/\//],
    ["https://h:2376", /unknown scheme https:\/\//],
    ["npipe:////./pipe/docker_engine", /pod does not support npipe:\/\/ hosts/],
    ["fd://", /pod does not support fd:\/\/ hosts/],
    ["foo://x", /unknown scheme foo:\/\//],
  ];
  it.each(rows)("--host %j", (host, want) => check({ name: host, host, want: typeof want === "string" ? { host: want } : { error: want, hint: /expected unix:\/\/.*tcp:\/\/.*ssh:\/\// } }));

  it("names DOCKER_HOST when that is where a bad host came from", () => {
    check({ name: "", env: { DOCKER_HOST: "http://h" }, want: { error: /^invalid Docker host "http:\/\/h" \(DOCKER_HOST\)/ } });
  });
});

describe("contexts' hosts and TLS files", () => {
  const dir = `${HOME}/.docker`;
  const pems = (name: string) => ({ [tlsFile(dir, name, "ca.pem")]: "CA", [tlsFile(dir, name, "cert.pem")]: "CERT", [tlsFile(dir, name, "key.pem")]: "KEY" });
  const cases: Case[] = [
    { name: "TLS files: verified TLS", context: "t", files: { ...context("t", { Host: "tcp://h:2376" }), ...pems("t") }, want: { host: "tcp://h:2376", tls: { ca: "CA", cert: "CERT", key: "KEY", verify: true } } },
    { name: "TLS files and SkipTLSVerify", context: "t", files: { ...context("t", { Host: "tcp://h:2376", SkipTLSVerify: true }), ...pems("t") }, want: { tls: { ca: "CA", cert: "CERT", key: "KEY", verify: false } } },
    { name: "only a CA", context: "t", files: { ...context("t", { Host: "tcp://h:2376" }), [tlsFile(dir, "t", "ca.pem")]: "CA" }, want: { tls: { ca: "CA", cert: null, key: null, verify: true } } },
    { name: "SkipTLSVerify without files: TLS, unverified", context: "t", files: context("t", { Host: "tcp://h:2376", SkipTLSVerify: true }), want: { tls: { ca: null, cert: null, key: null, verify: false } } },
    { name: "no files: plain http", context: "t", files: context("t", { Host: "tcp://h:2375" }), want: { tls: null } },
    { name: "a unix socket ignores TLS files", context: "t", files: { ...context("t", { Host: "unix:///run/d.sock" }), ...pems("t") }, want: { host: "unix:///run/d.sock", tls: null } },
    { name: "ssh ignores TLS", context: "t", files: context("t", { Host: "ssh://me@h", SkipTLSVerify: true }), want: { host: "ssh://me@h", tls: null } },
    { name: "no Host: the default socket", context: "t", files: context("t", {}), want: { host: DEFAULT_HOST, context: "t" } },
    { name: "http:// is tcp:// (docker's client)", context: "t", files: context("t", { Host: "http://h:2375" }), want: { host: "tcp://h:2375", tls: null } },
    { name: "https:// is tcp://, TLS from the files", context: "t", files: { ...context("t", { Host: "https://h:2376" }), ...pems("t") }, want: { host: "tcp://h:2376", tls: { ca: "CA", verify: true } } },
    { name: "DOCKER_TLS_VERIFY does not apply to a context", context: "t", env: { DOCKER_TLS_VERIFY: "1" }, files: context("t", { Host: "tcp://h:2375" }), want: { tls: null } },
    { name: "DOCKER_HOST does not apply to a context", context: "t", env: { DOCKER_HOST: "tcp://other:1" }, files: context("t", { Host: "tcp://h:2375" }), want: { host: "tcp://h:2375" } },
  ];
  it.each(cases)("$name", check);
});

describe("TLS from the environment (the default context)", () => {
  const dir = `${HOME}/.docker`;
  const pems = (d: string, which = ["ca", "cert", "key"]) => Object.fromEntries(which.map((f) => [`${d}/${f}.pem`, f.toUpperCase()]));
  const cases: Case[] = [
    { name: "DOCKER_TLS_VERIFY: verified, files from ~/.docker", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376" }, files: pems(dir), want: { host: "tcp://h:2376", tls: { ca: "CA", cert: "CERT", key: "KEY", verify: true } } },
    { name: 'DOCKER_TLS_VERIFY=0 still verifies (any non-empty value)', env: { DOCKER_TLS_VERIFY: "0", DOCKER_HOST: "tcp://h:2376" }, files: pems(dir), want: { tls: { verify: true } } },
    { name: "an empty DOCKER_TLS_VERIFY is unset", env: { DOCKER_TLS_VERIFY: "", DOCKER_HOST: "tcp://h:2375" }, files: pems(dir), want: { tls: null } },
    { name: "DOCKER_TLS alone: TLS without verification", env: { DOCKER_TLS: "1", DOCKER_HOST: "tcp://h:2376" }, files: pems(dir), want: { tls: { ca: "CA", verify: false } } },
    { name: "DOCKER_TLS and DOCKER_TLS_VERIFY: verified", env: { DOCKER_TLS: "1", DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376" }, files: pems(dir), want: { tls: { verify: true } } },
    { name: "TLS with --host", host: "tcp://h:2376", env: { DOCKER_TLS_VERIFY: "1" }, files: pems(dir), want: { source: "--host", tls: { verify: true } } },
    { name: "DOCKER_CERT_PATH", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376", DOCKER_CERT_PATH: "/certs" }, files: pems("/certs"), want: { tls: { ca: "CA", cert: "CERT", key: "KEY" } } },
    { name: "DOCKER_CONFIG is the default cert path", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376", DOCKER_CONFIG: "/cfg" }, files: pems("/cfg"), want: { tls: { ca: "CA" } } },
    { name: "no client certificate: CA only", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376" }, files: pems(dir, ["ca"]), want: { tls: { ca: "CA", cert: null, key: null, verify: true } } },
    {
      name: "TLS on and no ca.pem",
      env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h:2376" },
      want: { error: /^DOCKER_TLS_VERIFY is set but \/home\/u\/.docker\/ca.pem does not exist$/, hint: /DOCKER_CERT_PATH/ },
    },
    { name: "DOCKER_TLS on and no ca.pem", env: { DOCKER_TLS: "1" }, want: { error: /^DOCKER_TLS is set but .*ca.pem does not exist/ } },
    { name: "TLS and no host: tcp://localhost:2376", env: { DOCKER_TLS_VERIFY: "1" }, files: pems(dir), want: { host: "tcp://localhost:2376", tls: { verify: true }, source: "default" } },
    { name: "TLS keeps the tcp default port 2375 when a host has none", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "tcp://h" }, files: pems(dir), want: { host: "tcp://h:2375", tls: { verify: true } } },
    { name: "a unix socket ignores TLS (but docker still wants ca.pem)", env: { DOCKER_TLS_VERIFY: "1", DOCKER_HOST: "unix:///run/d.sock" }, files: pems(dir), want: { host: "unix:///run/d.sock", tls: null } },
    { name: "no TLS variables: plain http on tcp", env: { DOCKER_HOST: "tcp://h:2375", DOCKER_CERT_PATH: "/certs" }, files: pems("/certs"), want: { tls: null } },
  ];
  it.each(cases)("$name", check);
});
