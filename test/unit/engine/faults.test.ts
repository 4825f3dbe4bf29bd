// docker-modem's failures, as it raises them, turned into pod's typed errors.
import { describe, expect, it } from "vitest";
import { engineMessage, toPodError, type ModemError } from "../../../src/engine/faults.js";
import { EngineError, EngineUnreachableError, UsageError } from "../../../src/errors.js";

const local = { host: "unix:///var/run/docker.sock", source: "default" };

/** An error as docker-modem's buildPayload makes it. */
function status(code: number, json: unknown, reason = "unexpected", cause = ""): ModemError {
  return Object.assign(new Error(`(HTTP code ${code}) ${reason} - ${cause} `), { statusCode: code, json });
}

function errno(code: string, message = code): ModemError {
  return Object.assign(new Error(message), { code });
}

describe("the engine's words", () => {
  it.each([
    ["JSON message", status(404, { message: "No such container: x" }), "No such container: x"],
    ["Podman's JSON (cause, message, response)", status(500, { cause: "no such container", message: "no container with name or ID \"x\" found: no such container", response: 500 }), 'no container with name or ID "x" found: no such container'],
    ["a text answer (a Buffer)", status(500, Buffer.from("boom\nmore\n")), "boom"],
    ["a stream's error: only in the message", status(404, null, "no such container", "No such container: abc"), "No such container: abc"],
    ["nothing at all", status(500, null, "server error", ""), ""],
  ])("%s", (_name, err, text) => {
    expect(engineMessage(err)).toBe(text);
  });
});

describe("toPodError", () => {
  it("an HTTP error: EngineError saying what pod did, with the engine's message and the status", () => {
    const err = toPodError(status(409, { message: 'Conflict. The container name "/web-lock" is already in use' }), "create container web-lock", local);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe('create container web-lock: Conflict. The container name "/web-lock" is already in use');
    expect((err as EngineError).statusCode).toBe(409);
    expect((err as EngineError).exitCode).toBe(1);
  });

  it("a status with no words names the status", () => {
    expect(toPodError(status(502, null), "list containers", local).message).toBe("list containers: HTTP 502");
  });

  it.each([301, 302, 307, 308])("a %i is never success: an EngineError that says it was a redirect", (code) => {
    const err = toPodError(status(code, Buffer.from('<a href="/x/json">Moved Permanently</a>.')), "inspect image ../x", local);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe(`inspect image ../x: the engine answered with a redirect (HTTP ${code}) instead of a result`);
    expect((err as EngineError).statusCode).toBe(code);
  });

  it.each(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH"])("%s: no engine answers, named with its address", (code) => {
    const err = toPodError(errno(code), "list containers", local);
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at unix:///var/run/docker.sock (${code})`);
    expect((err as EngineUnreachableError).exitCode).toBe(3);
    expect((err as EngineUnreachableError).hint).toMatch(/DOCKER_HOST, --host or --context/);
  });

  it("where the address came from, when not the default", () => {
    expect(toPodError(errno("ENOENT"), "x", { host: "unix:///tmp/dead.sock", source: "DOCKER_CONTEXT=dead" }).message).toBe("no Docker engine answers at unix:///tmp/dead.sock (ENOENT; from DOCKER_CONTEXT=dead)");
  });

  it("EACCES: the hint is about the socket's permissions", () => {
    expect((toPodError(errno("EACCES"), "x", local) as EngineUnreachableError).hint).toMatch(/docker group/);
  });

  it("a TLS failure names TLS and the CA", () => {
    const err = toPodError(errno("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), "x", { host: "tcp://h:2376", source: "DOCKER_HOST" });
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe("TLS with the engine at tcp://h:2376 failed (SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain)");
    expect((err as EngineUnreachableError).hint).toMatch(/ca\.pem/);
  });

  it.each([
    ["host-key-changed", /^the ssh host key of ssh:\/\/box has changed, so ssh refused to connect/],
    ["host-key-unknown", /^the ssh host key of ssh:\/\/box is not known, and your StrictHostKeyChecking refuses unknown hosts/],
    ["auth", /^ssh could not log in to ssh:\/\/box \(why\)$/],
    ["unreachable", /^no ssh server answers at ssh:\/\/box \(why\)$/],
    ["no-docker", /^ssh:\/\/box has no docker command/],
    ["no-engine", /^no Docker engine answers on ssh:\/\/box \(why\)$/],
    ["no-ssh", /^pod reaches ssh:\/\/box with the system ssh, and there is no ssh on PATH$/],
    ["other", /^ssh to ssh:\/\/box failed \(why\)$/],
  ] as const)("ssh's %s: one line, exit 3", (kind, message) => {
    const err = toPodError(Object.assign(new Error("why"), { code: "ESSH", kind, detail: "why" }), "list containers", { host: "ssh://box", source: "--host" });
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
    expect((err as EngineUnreachableError).hint).toBeTruthy();
  });

  it("an abort stays an AbortError; a PodError stays itself; anything else is an EngineError", () => {
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" });
    expect(toPodError(abort, "x", local)).toBe(abort);
    const usage = new UsageError("bad");
    expect(toPodError(usage, "x", local)).toBe(usage);
    const other = toPodError(new Error("socket hang up?"), "stop container abc", local);
    expect(other).toBeInstanceOf(EngineError);
    expect(other.message).toBe("stop container abc: socket hang up?");
    expect(toPodError("weird", "x", local).message).toBe("x: weird");
  });
});

describe("an answer that is not HTTP", () => {
  it("over ssh: the login ran something else; the hint says what the login must run", () => {
    const err = toPodError(errno("HPE_INVALID_CONSTANT", "Parse Error: Expected HTTP/"), "list containers", { host: "ssh://nobody@box", source: "--host" });
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe("no Docker engine answers at ssh://nobody@box: what answers there does not speak the Docker API (Parse Error: Expected HTTP/; from --host)");
    expect((err as EngineUnreachableError).hint).toMatch(/dial-stdio/);
  });

  it("on tcp: something else listens on that port", () => {
    const err = toPodError(errno("HPE_INVALID_CONSTANT", "Parse Error: Expected HTTP/"), "list containers", { host: "tcp://127.0.0.1:22", source: "DOCKER_HOST" });
    expect(err.message).toMatch(/^no Docker engine answers at tcp:\/\/127\.0\.0\.1:22: what answers there does not speak the Docker API/);
  });
});
