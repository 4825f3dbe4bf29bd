// Env values hidden from engine text before it is printed, logged or stored.
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../src/errors.js";
import { redactError, redactHistory, redactText, secretsOf } from "../../../src/podspec/redact.js";
import { podSpec } from "../../support/builders.js";

// What runc answers to a NUL in an env value, as the Engine API's JSON carries it.
const RUNC_NUL = String.raw`failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: environment variable value can't contain null(\x00): "DB_PASSWORD=hunter2\x00x": unknown`;

describe("redactText", () => {
  const rows: [string, string, string[], string][] = [
    ["runc's NUL refusal, the value escaped as Go quotes it", RUNC_NUL, ["DB_PASSWORD=hunter2\0x"], 'can\'t contain null(\\x00): "DB_PASSWORD=<hidden>": unknown'],
    ["a value with spaces, unquoted", "bad env TOKEN=a b c here", ["TOKEN=a b c"], "bad env TOKEN=<hidden> here"],
    ["a value cut short by the engine", "env: SECRET=hunt…", ["SECRET=hunter2"], "env: SECRET=<hidden>"],
    ["every occurrence", "A_KEY=v1 and A_KEY=v1", ["A_KEY=v1"], "A_KEY=<hidden> and A_KEY=<hidden>"],
    ["a key inside another word is not that key", "DATA=12 A=1", ["A=1"], "DATA=12 A=<hidden>"],
    ["a command word shaped like X=...", 'exec: "--password=hunter2": not found', ["--password=hunter2"], 'exec: "--password=<hidden>": not found'],
    ["any quoted NAME=... the spec does not name", 'invalid "OTHER=value with space"', [], 'invalid "OTHER=<hidden>"'],
    ["text without env is left alone", "GET /containers/x/json: No such container: x", ["A=1"], "GET /containers/x/json: No such container: x"],
    ["a key that looks like a regexp matches only itself", "KAB=1 K.*=secret", ["K.*=secret"], "KAB=1 K.*=<hidden>"],
  ];
  it.each(rows)("%s", (_, text, entries, expected) => {
    const out = redactText(text, entries);
    expect(out).toContain(expected);
    expect(out).not.toMatch(/hunter2|v1|a b c|secret|value with/);
  });
  it("is idempotent", () => expect(redactText(redactText(RUNC_NUL, ["DB_PASSWORD=hunter2\0x"]), ["DB_PASSWORD=hunter2\0x"])).toBe(redactText(RUNC_NUL, ["DB_PASSWORD=hunter2\0x"])));
});

describe("secretsOf", () => {
  it("is the env and the command's X=... words", () => {
    const spec = podSpec(1, { env: ["A=1"], command: ["serve", "--token=t0k"], entrypoint: ["/bin/app", "MODE=x"] });
    expect(secretsOf(spec)).toEqual(["A=1", "--token=t0k", "MODE=x"]);
  });
});

describe("redactError", () => {
  it("hides values in the message, the hint and the stack, keeping the error's type and status", () => {
    const err = new EngineError(`POST /containers/id/start: ${RUNC_NUL}`, "DB_PASSWORD=hunter2\0x was refused", 500);
    const same = redactError(err, ["DB_PASSWORD=hunter2\0x"]);
    expect(same).toBe(err);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.statusCode).toBe(500);
    expect(`${err.message} ${err.hint} ${err.stack}`).not.toContain("hunter2");
  });
});

describe("redactHistory: records written before pod hid values", () => {
  it("cleans each failed generation's error with its own spec, and leaves a clean record as it is", () => {
    const old = podSpec(1, { env: ["DB_PASSWORD=hunter2\0x"] });
    const now = podSpec(1, { env: ["API_KEY=k3y"] });
    const record = {
      spec: now,
      history: [
        { number: 1, spec: now, status: "ok" },
        { number: 2, spec: old, status: "failed", error: `POST /containers/x/start: ${RUNC_NUL}` },
        { number: 3, spec: now, status: "failed", error: "env API_KEY=k3y refused" },
      ],
    };
    const clean = redactHistory(record);
    expect(JSON.stringify(clean.history.map((g) => g.error))).not.toMatch(/hunter2|k3y/);
    expect(clean.history[1]!.error).toContain('"DB_PASSWORD=<hidden>"');
    expect(clean.history[2]!.error).toBe("env API_KEY=<hidden> refused");
    expect(redactHistory(clean)).toBe(clean);
  });
});
