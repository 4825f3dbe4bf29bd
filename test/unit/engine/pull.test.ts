// References as the engine's pull reads them, and a failed pull as one line without secrets.
import { describe, expect, it } from "vitest";
import { pullError, pullKind, redactAuth, registryOf, splitReference } from "../../../src/engine/pull.js";
import { ImagePullError } from "../../../src/errors.js";

describe("splitReference: fromImage and tag, never a bare name (that pulls every tag)", () => {
  it.each([
    ["web", { fromImage: "web", tag: "latest" }],
    ["web:1.0", { fromImage: "web", tag: "1.0" }],
    ["127.0.0.1:5000/team/web", { fromImage: "127.0.0.1:5000/team/web", tag: "latest" }],
    ["127.0.0.1:5000/team/web:1.0", { fromImage: "127.0.0.1:5000/team/web", tag: "1.0" }],
    ["localhost:5000/web@sha256:abcd", { fromImage: "localhost:5000/web", tag: "sha256:abcd" }],
    ["web:1.0@sha256:abcd", { fromImage: "web:1.0", tag: "sha256:abcd" }],
  ])("%s", (ref, expected) => {
    expect(splitReference(ref)).toEqual(expected);
  });
});

describe("registryOf: docker's splitDockerDomain", () => {
  it.each([
    ["web", "docker.io"],
    ["library/web:1", "docker.io"],
    ["team/web", "docker.io"],
    ["127.0.0.1:5000/team/web:1.0", "127.0.0.1:5000"],
    ["localhost/web", "localhost"],
    ["registry.example.com/web", "registry.example.com"],
    ["Team/web", "Team"],
    ["index.docker.io/library/web", "docker.io"],
  ])("%s → %s", (ref, registry) => {
    expect(registryOf(ref)).toBe(registry);
  });
});

describe("pullKind: the engine's words (Docker 20.10's), else the status", () => {
  it.each([
    ["manifest for 127.0.0.1:5000/team/web:9.9 not found: manifest unknown: manifest unknown", null, "not-found"],
    ["pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", 404, "not-found"],
    ["Head \"http://127.0.0.1:5000/v2/team/web/manifests/1.0\": no basic auth credentials", null, "unauthorized"],
    ["unauthorized: authentication required", 500, "unauthorized"],
    ["Get \"http://127.0.0.1:5000/v2/\": unauthorized: incorrect username or password", 500, "unauthorized"],
    ["Get \"http://127.0.0.1:5001/v2/\": dial tcp 127.0.0.1:5001: connect: connection refused", 500, "unreachable"],
    ["Get \"https://nosuch.invalid/v2/\": dial tcp: lookup nosuch.invalid on 10.0.0.1:53: no such host", 500, "unreachable"],
    ["Get \"https://10.9.9.9/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", 500, "unreachable"],
    ["something else", 404, "not-found"],
    ["something else", 401, "unauthorized"],
    ["filesystem layer verification failed for digest sha256:ab", 500, "other"],
    // Podman 4.3's compatible API has no /distribution: a 404 about the engine, not the image.
    ["Path /distribution/127.0.0.1:5000/team/web:1.0/json is not supported", 404, "other"],
  ] as const)("%s", (message, status, kind) => {
    expect(pullKind(message, status)).toBe(kind);
  });
});

describe("no secret in a pull's error", () => {
  const auth = Buffer.from(JSON.stringify({ username: "ci", password: "hunter2-s3cret", serveraddress: "127.0.0.1:5000" })).toString("base64url");

  it("redactAuth hides the password and the header value, not the user", () => {
    expect(redactAuth(`login ci:hunter2-s3cret failed; header ${auth}`, auth)).toBe("login ci:<hidden> failed; header <hidden>");
    expect(redactAuth("nothing secret", null)).toBe("nothing secret");
    expect(redactAuth("an opaque hunter2 value", "hunter2")).toBe("an opaque <hidden> value");
  });

  it("identity and registry tokens, and the standard base64 alphabet, too", () => {
    const token = Buffer.from(JSON.stringify({ identitytoken: "tok+en/value" })).toString("base64");
    expect(redactAuth("refused tok+en/value", token)).toBe("refused <hidden>");
  });

  it.each([
    ["not-found", "manifest for 127.0.0.1:5000/team/web:9.9 not found: manifest unknown", /^127\.0\.0\.1:5000\/team\/web:9\.9 is not found in 127\.0\.0\.1:5000 \(/],
    ["unauthorized", "Get \"http://127.0.0.1:5000/v2/\": unauthorized: password hunter2-s3cret is wrong", /^127\.0\.0\.1:5000 refused access to 127\.0\.0\.1:5000\/team\/web:9\.9 \(/],
    ["unreachable", "dial tcp 127.0.0.1:5000: connect: connection refused", /^registry 127\.0\.0\.1:5000 cannot be reached for /],
    ["other", "the engine\nsaid\tthis", /^pull 127\.0\.0\.1:5000\/team\/web:9\.9 failed: the engine said this$/],
  ] as const)("%s: one line naming the reference and registry", (kind, text, message) => {
    const err = pullError("pull", "127.0.0.1:5000/team/web:9.9", text, 500, auth);
    expect(err).toBeInstanceOf(ImagePullError);
    expect(err.kind).toBe(kind);
    expect(err.ref).toBe("127.0.0.1:5000/team/web:9.9");
    expect(err.registry).toBe("127.0.0.1:5000");
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
    expect(err.message + (err.hint ?? "")).not.toContain("hunter2-s3cret");
    expect(err.message + (err.hint ?? "")).not.toContain(auth);
  });

  it("unauthorized says how to log in", () => {
    expect(pullError("look up", "127.0.0.1:5000/web", "unauthorized: authentication required", 401, null).hint).toBe("log in first: docker login 127.0.0.1:5000");
  });
});
